"""A model's golden set: mpmath vectors for each distinct RoPE of its layers, at the
positions the model really runs at (``rope-ref golden export --model NAME DIR``).

For each distinct layer RoPE of ``rope_ref.model_rope(config)`` (named ``rope0``,
``rope1``, ... in order of their first layer; ``nope`` for the layers without RoPE),
groups of positions:

- ``prefill``: 0..31, a prompt's first tokens;
- ``decode``: decode steps at offsets around the original context, the 2^k - 1 / 2^k
  boundaries and the end of the context (each its own group, ``decode_<p>``, for LongRoPE
  and dynamic NTK, whose RoPE depends on the length max(positions) + 1);
- ``long``: a ladder from 0 to the context length - 1 (131071, 1048575, ...);
- for LongRoPE and dynamic NTK, ``switch_below`` and ``switch_above``: sequences whose
  last positions are L - 1 and L, either side of the length L where the RoPE switches;
- for M-RoPE layers (Qwen2-VL, Qwen2.5-VL, Qwen3-VL) also vector positions (3, seq) of
  (t, h, w), as ``rope_ref.multimodal.mrope_position_ids`` builds them under the model's
  rule (``vector_position_sets``): ``mrope_image`` (text, an image of 12 x 16 patches, 6 x 8
  merged, so h and w differ, then text from s + max(H, W) on: the jump rope_deltas carries
  into decoding), ``mrope_video`` (Qwen2.5-VL's temporal interval, Qwen3-VL's timestamp
  before each frame) and ``mrope_late`` (the image after a long prompt, the text after it
  ending at the context's last position). Their exact values are golden v3's multi-axis
  groups' (``rope_ref.golden.multi_axis``: p_(a(i)) theta_i from integer coordinates).

Each group is computed as the shipped set's groups are (``rope_ref.golden.generate``:
60 digits, rounded once to float64 and to float32) on the head from its first rotated
feature on (DeepSeek: the qk_rope_head_dim slice, what its rotary function takes), the
expected outputs written in the layer's output layout (DeepSeek-V3: half-split).
``model.json`` lists the layers, the groups, every file's sha256 and the config, so
``rope-ref check DIR`` can rebuild the model's RoPE and give a verdict per layer.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from rope_ref.golden.generate import compute_group
from rope_ref.golden.groups import BATCH, HEADS, rng_for
from rope_ref.golden.multi_axis import axis_spec
from rope_ref.golden.store import sha256_of
from rope_ref.multimodal.positions import MODELS, mrope_position_ids
from rope_ref.paper.axes import STYLES
from rope_ref.paper.layouts import to_half_layout

FORMAT = "rope_ref model golden set"
FORMAT_VERSION = 1
PREFILL = 32
_SWITCH_KEY = {"longrope": "original_max_position_embeddings", "dynamic": "max_position_embeddings"}
#: The patch grids (t, h, w) of the M-RoPE groups, before the 2 x 2 merge: an image of
#: 6 x 8 merged patches (h != w, so a port that swaps h and w cannot pass), a video of two
#: temporal grids of 4 x 6.
IMAGE_GRID, VIDEO_GRID, MERGE = (1, 12, 16), (2, 8, 12), 2
#: Qwen2.5-VL's vision_config.tokens_per_second (Qwen2.5-VL-7B-Instruct's config.json, as
#: golden v3's Qwen2.5-VL group): a video's t steps by 2 per second of a temporal grid.
TOKENS_PER_SECOND = 2
#: Text tokens before (kept of) and after the image or video of an M-RoPE group.
TEXT_BEFORE, TEXT_AFTER = 5, 4


def switch_length(spec) -> int | None:
    """L where a layer's RoPE switches with the length (LongRoPE, dynamic NTK), else None."""
    return None if spec is None else spec.rope_scaling.get(_SWITCH_KEY.get(spec.rope_type, ""))


def position_sets(spec, context: int) -> dict[str, np.ndarray]:
    """name -> positions (int64, increasing) of the groups of one layer RoPE."""
    ladder = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100, 255, 256, 257, 1000, 2047, 4095, 4096]
    ladder = [p for p in ladder if p < context]
    while 2 * ladder[-1] + 1 < context:
        ladder.append(2 * ladder[-1] + 1)
    ladder += [] if ladder[-1] == context - 1 else [context - 1]
    switch = switch_length(spec)
    marks = {1023, 4095, 4096, 8191, 8192, 32767, 32768, 65535, 65536, context // 2}
    marks |= {context - 1} | ({switch - 1, switch, switch + 1} if switch else set())
    decode = sorted(p for p in marks if 0 <= p < context)
    sets = {"prefill": np.arange(min(PREFILL, context))}
    if switch is None:
        sets["decode"] = np.array(decode)
    else:
        sets.update({f"decode_{p}": np.array([p]) for p in decode})
        if 1 < switch < context:
            below = [p for p in ladder if p < switch - 1] + [switch - 1]
            sets["switch_below"] = np.array(below)
            sets["switch_above"] = np.array(below[:-1] + [switch])
    sets["long"] = np.array(ladder)
    return {k: v.astype(np.int64) for k, v in sets.items()}


def mrope_statement(spec) -> dict | None:
    """An M-RoPE layer as the multi-axis checker states it (``rope_ref.checker.axes.
    run_axis_outputs``' config: d, base, layout, rotary_dim, style, section), or None where
    the layer takes no vector positions: 1D RoPE, and M-RoPE under a scaling variant or on
    a slice after unrotated features (no preset has either; their text positions are
    checked as 1D)."""
    if spec is None or spec.axes is None or spec.rope_type != "default" or spec.offset:
        return None
    given = dict(spec.mrope)
    style = "mrope_interleaved" if given.get("mrope_interleaved") else "mrope"
    section = given.get("mrope_section") or STYLES[style][1]
    return {
        "d": spec.head_dim,
        "base": spec.base,
        "layout": spec.layout,
        "rotary_dim": spec.rotary_dim,
        "style": style,
        "section": [int(s) for s in section],
    }


def mrope_rule(model_type: str) -> str:
    """The ``get_rope_index`` of a model type (``rope_ref.multimodal.positions.MODELS``):
    "qwen3_vl_text" -> "qwen3_vl"; a type of none of them -> Qwen2-VL's rule."""
    kind = str(model_type).removesuffix("_text")
    return kind if kind in MODELS else "qwen2_vl"


def mrope_sequence(rule: str, media: str, prefix: int, keep: int = TEXT_BEFORE) -> np.ndarray:
    """(3, seq) int64 (t, h, w) of ``prefix`` text tokens, an image (``IMAGE_GRID``) or a
    video (``VIDEO_GRID``; Qwen3-VL: 3 timestamp tokens before each frame), then
    ``TEXT_AFTER`` text tokens, as ``mrope_position_ids`` builds them under ``rule``; the
    prefix cut to its last ``keep`` tokens."""
    grid = IMAGE_GRID if media == "image" else VIDEO_GRID
    tokens = grid[1] * grid[2] // MERGE**2  # one merged grid
    if media == "image":
        middle = [1] * tokens
    elif rule == "qwen3_vl":  # a timestamp (text) before every frame
        middle = ([0] * 3 + [2] * tokens) * grid[0]
    else:
        middle = [2] * (tokens * grid[0])
    types = [0] * prefix + middle + [0] * TEXT_AFTER
    grids = {"image_grids": [grid]} if media == "image" else {"video_grids": [grid]}
    pos, _ = mrope_position_ids(
        types, **grids, model=rule, spatial_merge_size=MERGE, tokens_per_second=TOKENS_PER_SECOND
    )
    return pos[:, 0, max(prefix - keep, 0) :]


def late_prefix(context: int) -> int:
    """The text before ``mrope_late``'s image: its last text token sits at context - 1
    (the text after an image starts at s + max(H, W), ``mrope_position_ids``)."""
    jump = max(IMAGE_GRID[1], IMAGE_GRID[2]) // MERGE
    return max(context - 1 - jump - (TEXT_AFTER - 1), 0)


def vector_position_sets(spec, context: int, model_type: str) -> dict[str, np.ndarray]:
    """name -> (3, seq) int64 positions of an M-RoPE layer's groups (none for a layer
    ``mrope_statement`` gives None)."""
    if mrope_statement(spec) is None:
        return {}
    rule = mrope_rule(model_type)
    return {
        "mrope_image": mrope_sequence(rule, "image", TEXT_BEFORE),
        "mrope_video": mrope_sequence(rule, "video", TEXT_BEFORE),
        "mrope_late": mrope_sequence(rule, "image", late_prefix(context)),
    }


def model_groups(rope) -> list[dict]:
    """Every group of a model's set as a spec for ``compute_group`` (or, for ``nope``, the
    positions alone), with the layers it stands for."""
    context = rope.max_position_embeddings or 65536
    out = []
    ropes = [spec for spec, _ in rope.groups() if spec is not None]
    for spec, layers in rope.groups():
        label = "nope" if spec is None else f"rope{ropes.index(spec)}"
        model = spec if spec is not None else ropes[0]
        for name, positions in position_sets(spec, context).items():
            entry = {"name": f"{label}_{name}", "rope": label, "layers": layers}
            entry["positions"] = positions
            entry["d"] = model.head_dim - model.offset
            if spec is not None:
                entry.update(_spec_fields(spec, positions))
            out.append(entry)
        for name, positions in vector_position_sets(spec, context, rope.model_type).items():
            out.append(_axis_entry(f"{label}_{name}", label, layers, spec, positions))
    return out


def _axis_entry(name: str, label: str, layers, spec, positions) -> dict:
    """An M-RoPE group: golden v3's multi-axis spec (``axis_spec``) of the layer's style
    and section at vector positions, with the layer's fields."""
    stated = mrope_statement(spec)
    entry = axis_spec(
        name, stated["d"], stated["base"], stated["layout"], stated["style"],
        stated["section"], positions, (), spec.description, rotary_dim=stated["rotary_dim"],
    )  # fmt: skip
    entry.update(rope=label, layers=layers, output_layout=spec.output_layout, form=spec.form)
    entry.update(offset=spec.offset)
    return entry


def _spec_fields(spec, positions) -> dict:
    return {
        "base": spec.base,
        "layout": spec.layout,
        "output_layout": spec.output_layout,
        "rotary_dim": spec.rotary_dim,
        "offset": spec.offset,
        "rope_scaling": spec.rope_scaling,
        "seq_len": int(positions[-1]) + 1,
        "form": spec.form,
        "description": spec.description,
    }


def export_model(rope, config, directory) -> dict:
    """Write a model's golden set to ``directory``; return its manifest (model.json)."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    groups = [_write(entry, root) for entry in model_groups(rope)]
    labels = {layer: g["rope"] for g in groups for layer in g["layers"]}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": rope.name,
        "source": rope.source,
        "form": rope.layers[0].form if rope.layers[0] is not None else "code",
        "mpmath_precision_digits": 60,
        "layers": [
            {"layer": i, "layer_type": t, "rope": labels[i]} for i, t in enumerate(rope.layer_types)
        ],
        "groups": groups,
        "config": config,
    }
    (root / "model.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def _write(entry: dict, root: Path) -> dict:
    """Compute one group, write its .npy files and config.json; return its manifest entry."""
    name, positions = entry["name"], entry["positions"]
    if "base" in entry:
        spec = {**entry, "description": entry["description"]}
        config, arrays, factor = compute_group(spec)
        kept = ("x", "positions", "theta", "axes")  # axes: a(i) of each pair, for M-RoPE
        arrays = {k: arrays[k] for k in kept if k in arrays} | _expected(arrays, entry)
    else:  # no RoPE: the expected outputs are the inputs
        x = rng_for(name).standard_normal((BATCH, HEADS, len(positions), entry["d"]))
        x = x.astype(np.float32).astype(np.float64)
        arrays = {"x": x, "positions": positions.astype("<i8"), "expected_float64": x}
        arrays["expected_float32"] = x.astype("<f4")
        config, factor = {"d": entry["d"], "seq_len": int(positions[-1]) + 1}, 1.0
    config = {**config, **{k: entry[k] for k in ("rope", "layers") if k in entry}}
    if "output_layout" in entry:
        config.update(
            output_layout=entry["output_layout"], offset=entry["offset"], form=entry["form"]
        )
    folder = root / name
    folder.mkdir(exist_ok=True)
    files = {}
    for key, arr in arrays.items():
        data = _npy(arr)
        (folder / f"{key}.npy").write_bytes(data)
        files[key] = {
            "path": f"{name}/{key}.npy",
            "shape": list(arr.shape),
            "sha256": sha256_of(data),
        }
    (folder / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    return {
        "name": name,
        "rope": entry["rope"],
        "layers": entry["layers"],
        "config": config,
        "attention_factor": factor,
        "files": files,
    }


def _expected(arrays: dict, entry: dict) -> dict:
    """The expected outputs, their rotated pairs written in the layer's output layout."""
    out = {k: arrays[k] for k in ("expected_float64", "expected_float32")}
    if entry["output_layout"] != entry["layout"]:
        r = entry["rotary_dim"]
        out = {k: to_half_layout(v, r) for k, v in out.items()}
    return out


def _npy(arr: np.ndarray) -> bytes:
    """.npy format 1.0 bytes of a little-endian C-ordered array."""
    arr = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, version=(1, 0), allow_pickle=False)
    return buf.getvalue()
