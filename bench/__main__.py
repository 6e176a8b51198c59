"""``python -m bench``: every benchmark, each printed as ratios measured in this run.

Sections: rotate vs HF and the floor at one shape, the seq sweep, rotate's peak memory.
"""

from __future__ import annotations

import platform
import sys

import numpy as np
import torch

from bench import bench_rotate


def main() -> int:
    print(
        f"rope_ref bench: Python {platform.python_version()}, NumPy {np.__version__}, "
        f"torch {torch.__version__}, {platform.machine()}; medians over repeats, "
        "ratios from one run"
    )
    bench_rotate.main_shape()
    bench_rotate.sweep()
    bench_rotate.peak_memory()
    return 0


if __name__ == "__main__":
    sys.exit(main())
