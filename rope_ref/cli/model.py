"""``rope-ref model NAME|config.json``: a model's RoPE, layer by layer, as a table.

One row per distinct RoPE of the model (``rope_ref.model_rope``): which layers use it and
their HF layer type, the variant and its keys, the base b of eq 15, the attention factor
on cos and sin, the rotated features of the head (and where they start), the pairs it
forms (interleaved (2i, 2i+1) or half-split (i, i + r/2); "-> half" where it writes them
half-split), the context length and the wavelengths 2 pi / theta_i it spans, in tokens.
Then the notes on what the layers' attention does beside RoPE, and any rope keys HF does
not read. ``--json`` prints the same as JSON.

``read_model(text)`` is how every model command reads its argument: a preset name, or a
config.json file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from rope_ref.configs.build import model_rope
from rope_ref.configs.presets import PRESETS, preset_key
from rope_ref.validation.files import parse_json


def read_model(text: str):
    """(the config for ``model_rope``: a preset name or a config dict; its label)."""
    if preset_key(text) in PRESETS or not Path(text).exists():
        return text, text
    path = Path(text)
    if path.is_dir():
        path = path / "config.json"
    config = parse_json(str(path), path.read_bytes())
    return config, str(path)


def table(rope) -> list[str]:
    """The lines of the table (``rope-ref model``)."""
    context = rope.max_position_embeddings
    lines = [
        f"{rope.name} ({rope.family}, model_type {rope.model_type}): {len(rope.layers)} "
        f"layers, context {context if context else 'not given'}",
    ]
    if rope.source != "config":
        lines.append(f"source: {rope.source}")
    header = ("rope", "layers", "layer type", "rope_type", "base", "factor", "rotary", "pairs")
    rows = [header + ("wavelengths (tokens)",)]
    for k, (spec, layers) in enumerate(rope.groups()):
        rows.append(_row(k, spec, layers, rope))
    widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
    for r in rows:
        lines.append(
            "  " + "  ".join(r[c].ljust(widths[c]) for c in range(len(header))) + "  " + r[-1]
        )
    for spec, layers in rope.groups():
        if spec is not None:
            lines.append(f"  layers {_ranges(layers)}: {spec.description}")
    lines += [f"note: {note}" for note in rope.notes]
    if rope.ignored:
        lines.append(f"rope keys HF's RoPE does not read (ignored): {', '.join(rope.ignored)}")
    return lines


def as_dict(rope) -> dict:
    """The table as JSON (``rope-ref model --json``)."""
    out = {
        "model": rope.name,
        "family": rope.family,
        "model_type": rope.model_type,
        "source": rope.source,
        "max_position_embeddings": rope.max_position_embeddings,
        "notes": list(rope.notes),
        "ignored": list(rope.ignored),
        "ropes": [],
    }
    for spec, layers in rope.groups():
        entry = {"layers": layers, "layer_types": sorted({rope.layer_types[i] for i in layers})}
        if spec is not None:
            short, long = _wavelengths(spec)
            entry.update(
                rope_scaling=spec.rope_scaling,
                attention_factor=spec.attention_factor,
                head_dim=spec.head_dim,
                offset=spec.offset,
                rotary_dim=spec.rotary_dim,
                layout=spec.layout,
                output_layout=spec.output_layout,
                wavelengths=[short, long],
                description=spec.description,
            )
        out["ropes"].append(entry)
    return out


def _row(k: int, spec, layers, rope) -> tuple:
    kinds = ", ".join(sorted({rope.layer_types[i] for i in layers}))
    used = f"{_ranges(layers)} ({len(layers)})"
    if spec is None:
        return ("-", used, kinds, "none (NoPE)", "-", "-", "-", "-", "-")
    short, long = _wavelengths(spec)
    rotary = f"{spec.rotary_dim}/{spec.head_dim}" + (f" @{spec.offset}" if spec.offset else "")
    pairs = spec.layout + ("" if spec.output_layout == spec.layout else " -> half")
    span = f"{short:.4g} .. {long:.4g}" if math.isfinite(long) else f"{short:.4g} .. inf"
    return (
        f"rope{k}",
        used,
        kinds,
        spec.rope_type,
        f"{spec.base:g}",
        f"{spec.attention_factor:.6g}",
        rotary,
        pairs,
        span,
    )


def _wavelengths(spec) -> tuple[float, float]:
    """(shortest, longest) 2 pi / theta_i of the layer's initial theta (inf for theta 0)."""
    theta = spec.theta
    nonzero = theta[theta > 0]
    longest = 2 * math.pi / float(nonzero.min()) if (theta > 0).all() else math.inf
    return 2 * math.pi / float(nonzero.max()), longest


def _ranges(indices) -> str:
    parts, start = [], None
    for k, i in enumerate(indices):
        start = i if start is None else start
        if k + 1 == len(indices) or indices[k + 1] != i + 1:
            parts.append(f"{start}" if start == i else f"{start}-{i}")
            start = None
    return ", ".join(parts)


def run(args) -> int:
    """``rope-ref model``."""
    config, _ = read_model(args.model)
    rope = model_rope(config, form=args.form)
    if args.json:
        print(json.dumps(as_dict(rope), indent=2))
    else:
        print("\n".join(table(rope)))
    return 0


def add_model_parser(sub) -> None:
    """Register ``rope-ref model`` on the top-level subparsers."""
    model = sub.add_parser("model", help="a model's RoPE, layer by layer (a preset or config.json)")
    model.add_argument(
        "model", help=f"a preset name ({', '.join(sorted(PRESETS)[:3])}, ...) or a config.json"
    )
    model.add_argument(
        "--form", choices=["code", "paper"], help="the scaling variants' form (default code)"
    )
    model.add_argument("--json", action="store_true", help="print the table as JSON")
    model.set_defaults(func=run)
