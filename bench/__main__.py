"""``python -m bench``: every benchmark, each printed as ratios measured in this run.

Sections: rotate vs HF and the floor at one shape, the seq sweep, rotate's peak memory,
multi-axis rotate vs HF's Qwen2-VL path (bench/bench_multi_axis.py),
the encoder vs HF RoFormerModel (bench/bench_encoder.py), golden generation, the checker,
a model's RoPE: model_rope, its golden export and check_model (bench/bench_models.py).
"""

from __future__ import annotations

import argparse
import platform
import sys

import numpy as np
import torch

from bench import bench_encoder, bench_golden, bench_models, bench_multi_axis, bench_rotate
from bench._timing import print_table


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m bench",
        description="Run every benchmark of rope_ref (a few minutes); print ratios of "
        "medians measured side by side in one run. Takes no options.",
    ).parse_args(argv)
    print(
        f"rope_ref bench: Python {platform.python_version()}, NumPy {np.__version__}, "
        f"torch {torch.__version__}, {platform.machine()}; medians over repeats, "
        "ratios from one run"
    )
    bench_rotate.main_shape()
    bench_rotate.sweep()
    bench_rotate.peak_memory()
    bench_multi_axis.run()
    encoder_rows = bench_encoder.run()
    print_table(
        "encoder forward: rope_ref.encode (NumPy) / HF RoFormerModel (torch), float32, "
        "1 thread each",
        ["size", "rope_ref s", "HF s", "rope_ref / HF"],
        [[r["name"], r["ours_s"], r["baseline_s"], r["ratio"]] for r in encoder_rows],
    )
    bench_golden.generation()
    bench_golden.checker()
    bench_models.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
