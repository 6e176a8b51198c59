"""A model's RoPE end to end: ``model_rope`` and the golden export of a 1M-context preset,
and ``check_model`` of one model's every layer.

* ``model_rope("llama-4-scout")`` (48 layers, context 10485760), and the same on a pasted
  config dict (the preset's config.json fields);
* ``rope-ref golden export --model llama-4-scout DIR``'s work (``export_model``: every
  group of its two layer RoPEs at 60 mpmath digits, up to position 10485759), and Gemma 3
  27B's (62 layers, two RoPEs, context 131072);
* ``check_model`` of Gemma 3 27B's every layer (62 layers, 124 runs) for rope_ref's own
  rotation (it passes) and for a port that gives the full layers the sliding layers' base
  (10 layers fail, each named wrong_layer_base).

``python -m bench.bench_models`` runs this section alone.
"""

from __future__ import annotations

import copy
import sys
import tempfile

from bench._timing import median_seconds, print_table
from rope_ref import model_rope
from rope_ref.checker.layers import check_model
from rope_ref.configs.presets import PRESETS


def run(repeats: int = 3) -> list[list]:
    """Rows of (what, seconds, result)."""
    rows = []
    config = copy.deepcopy(PRESETS["llama-4-scout"]["config"])
    seconds = median_seconds(lambda: model_rope("llama-4-scout"), repeats=20)
    rows.append(["model_rope('llama-4-scout'), 48 layers", seconds, "2 distinct layer RoPEs"])
    seconds = median_seconds(lambda: model_rope(config), repeats=20)
    rows.append(["model_rope(config dict of Llama 4 Scout)", seconds, ""])
    rows += [_export("llama-4-scout", repeats), _export("gemma-3-27b", repeats)]
    rope = model_rope("gemma-3-27b")
    rows.append(_check("gemma-3-27b", lambda x, p, i: rope.layers[i].rotate(x, p), repeats))
    local = rope.layers[0]
    rows.append(
        _check(
            "gemma-3-27b, global layers given the local base",
            lambda x, p, i: local.rotate(x, p),
            repeats,
        )
    )
    print_table(
        "a model's RoPE: model_rope, its golden export, check_model of every layer",
        ["what", "seconds", "result"],
        rows,
    )
    return rows


def _export(name: str, repeats: int) -> list:
    from rope_ref.golden.model_sets import export_model

    rope = model_rope(name)
    out = {}

    def write():
        with tempfile.TemporaryDirectory() as tmp:
            out["manifest"] = export_model(rope, name, tmp)

    seconds = median_seconds(write, repeats=repeats, warmup=0)
    groups = out["manifest"]["groups"]
    last = max(g["config"]["seq_len"] for g in groups) - 1
    return [f"golden export --model {name}", seconds, f"{len(groups)} groups, positions to {last}"]


def _check(label: str, fn, repeats: int) -> list:
    out = {}

    def run_check():
        out["report"] = check_model(fn, "gemma-3-27b", precision="float64")

    seconds = median_seconds(run_check, repeats=repeats, warmup=0)
    report = out["report"]
    failed = [r for r in report.layers if not r.ok]
    names = sorted({f.name for r in failed for f in r.report.findings})
    result = f"{len(report.layers) - len(failed)} of {len(report.layers)} layers pass"
    return [
        f"check_model({label})",
        seconds,
        result + (f"; named {', '.join(names)}" if names else ""),
    ]


if __name__ == "__main__":
    run()
    sys.exit(0)
