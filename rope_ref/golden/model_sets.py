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
  last positions are L - 1 and L, either side of the length L where the RoPE switches.

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
from rope_ref.golden.store import sha256_of
from rope_ref.paper.layouts import to_half_layout

FORMAT = "rope_ref model golden set"
FORMAT_VERSION = 1
PREFILL = 32
_SWITCH_KEY = {"longrope": "original_max_position_embeddings", "dynamic": "max_position_embeddings"}


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
    return out


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
        arrays = {k: arrays[k] for k in ("x", "positions", "theta")} | _expected(arrays, entry)
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
