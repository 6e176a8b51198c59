"""A model's goldens and their check, layer by layer:

    rope-ref golden export --model NAME DIR      (or --config config.json)
    # ... run your port on DIR/<group>/x.npy at positions.npy, write output.npy ...
    rope-ref check DIR

``export`` writes the model's golden set (``rope_ref.golden.model_sets``: one group per
distinct layer RoPE and position set, the layers each stands for, mpmath expectations;
for M-RoPE layers also groups at vector positions, whose positions.npy is (3, seq) of
(t, h, w)). ``check DIR`` on such a folder (it holds model.json) checks that every
group's inputs are as exported (sha256), rebuilds the model's RoPE from the config in
model.json, and judges each output.npy as ``rope_ref.checker.layers`` judges a layer:
with the per-layer bug classes, and for a vector group by the multi-axis checker
(sections, h and w, chunked or interleaved); it prints a verdict per layer. A folder
without model.json is the shipped golden set's export, checked as before
(``rope_ref.cli.check``). These options and the dispatch are added to the parsers
``rope_ref.cli.check`` registers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rope_ref.cli.model import read_model
from rope_ref.configs.build import model_rope

OUTPUT_FILE = "output.npy"
MANIFEST = "model.json"


def export(args, default) -> int:
    """``rope-ref golden export``: a model's set with --model / --config, else ``default``."""
    if args.model is None and args.config is None:
        return default(args)
    if args.model is not None and args.config is not None:
        raise ValueError("give --model NAME or --config config.json, not both")
    if args.group:
        raise ValueError("--group selects groups of the shipped set; a model's set has them all")
    from rope_ref.golden.model_sets import export_model

    config, label = read_model(args.model or args.config)
    rope = model_rope(config)
    manifest = export_model(rope, config, args.dir)
    ropes = len({g["rope"] for g in manifest["groups"]})
    print(
        f"wrote {len(manifest['groups'])} groups ({ropes} distinct layer RoPEs) of {label}'s "
        f"{len(rope.layers)} layers to {args.dir}; write each group's {OUTPUT_FILE} beside its "
        f"x.npy, then run `rope-ref check {args.dir}`"
    )
    return 0


def check(args, default) -> int:
    """``rope-ref check DIR``: per layer for a model's set, else ``default``."""
    if not (Path(args.dir) / MANIFEST).is_file():
        return default(args)
    from rope_ref.cli.check import UNUSABLE

    try:
        name, groups, layers = check_model_directory(args.dir, args.precision)
    except UNUSABLE as err:
        text = " ".join(str(err).split()) or type(err).__name__
        if args.json:
            print(json.dumps({"ok": False, "error": text}))
        print(f"rope-ref check: unusable input: {text}", file=sys.stderr)
        return 2
    ok = all(report.ok for _, report in groups)
    if args.json:
        print(json.dumps(_as_json(name, groups, layers, ok), indent=2))
    else:
        print("\n".join(_lines(name, groups, layers)))
    return 0 if ok else 1


def check_model_directory(directory, precision=None):
    """(model name, [(group, Report)], [(layer, layer_type, ok)]) for a model's set."""
    from rope_ref.checker.layers import check_layer_outputs
    from rope_ref.golden.store import sha256_of
    from rope_ref.validation.files import parse_json, read_npy

    root = Path(directory)
    manifest = parse_json(str(root / MANIFEST), (root / MANIFEST).read_bytes())
    if not isinstance(manifest, dict) or not isinstance(manifest.get("groups"), list):
        raise ValueError(
            f"{root / MANIFEST} must be a model set's manifest (rope-ref golden export --model)"
        )
    rope = model_rope(manifest["config"], form=manifest.get("form"))
    results = []
    for group in manifest["groups"]:
        arrays = {}
        for key in ("x", "positions"):
            entry = group["files"][key]
            path = root / entry["path"]
            if sha256_of(path.read_bytes()) != entry["sha256"]:
                raise ValueError(f"{path} differs from what was exported (sha256); export again")
            arrays[key] = read_npy(str(path), path)
        out = root / group["name"] / OUTPUT_FILE
        if not out.is_file():
            raise ValueError(f"{out} is missing")
        y = read_npy(str(out), out)
        layer = group["layers"][0]
        report = check_layer_outputs(rope, layer, arrays["x"], y, arrays["positions"], precision)
        results.append((group["name"], report))
    verdicts = {}
    for group, (_, report) in zip(manifest["groups"], results, strict=True):
        for layer in group["layers"]:
            verdicts[layer] = verdicts.get(layer, True) and report.ok
    layers = [(i, rope.layer_types[i], verdicts[i]) for i in range(len(rope.layers))]
    return rope.name, results, layers


def _lines(name, groups, layers) -> list[str]:
    from rope_ref.checker.layers import layer_ranges

    lines = [f"[{group}] {report}" for group, report in groups]
    passed = sum(ok for *_, ok in layers)
    lines.append(f"\n{name}: {passed} of {len(layers)} layers pass")
    kinds: dict[str, list] = {}
    for i, kind, ok in layers:
        if not ok:
            kinds.setdefault(kind, []).append(i)
    if kinds:
        failing = [f"{layer_ranges(indices)} ({kind})" for kind, indices in kinds.items()]
        lines.append(f"failing layers: {'; '.join(failing)}")
    return lines


def _as_json(name, groups, layers, ok) -> dict:
    return {
        "ok": ok,
        "model": name,
        "groups": [{"group": g, **r.to_dict()} for g, r in groups],
        "layers": [{"layer": i, "layer_type": kind, "ok": good} for i, kind, good in layers],
    }


def extend_parsers(sub, golden_actions) -> None:
    """Add --model / --config to ``rope-ref golden export`` and the per-layer verdict to
    ``rope-ref check`` (both registered by ``rope_ref.cli.check``)."""
    exporter = golden_actions.choices["export"]
    exporter.add_argument("--model", help="a preset name: export that model's goldens")
    exporter.add_argument("--config", help="a config.json: export that model's goldens")
    _wrap(exporter, export)
    _wrap(sub.choices["check"], check)


def _wrap(parser, command) -> None:
    default = parser.get_default("func")
    parser.set_defaults(func=lambda args: command(args, default))
