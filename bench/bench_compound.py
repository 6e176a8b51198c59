"""Seconds per ``rope_ref.check`` call when it passes, names one mistake, names two at once
(``rope_ref.checker.compound``), and finds three that no pair explains (``unexplained``
after every pair is tried), at d = 64 and d = 128, float32 and bfloat16, HF-style NumPy
implementations from the zoo (tests/checker/_zoo.py). Target: under 1 s for a compound,
under 50 ms for a pass.

"cold" is the first call with rope_ref's remembered frequencies emptied
(``rope_ref.checker.case``: a fitted base is searched on the same grid of bases for
every case a compound diagnosis states); "warm" the median of later calls. Wall seconds
(``time.perf_counter``) and this process's CPU seconds (``time.process_time``, what
other processes' load does not inflate).

    python -m bench.bench_compound
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from bench._timing import print_table
from rope_ref.checker import case as checker_case
from rope_ref.checker.report import check

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from checker._zoo import numpy_rope  # noqa: E402  (the zoo lives with the tests)

CASES = [
    ("pass", {}),
    ("single: positions + 1", {"offset": 1}),
    ("compound: layout + positions + 1", {"layout": "half", "offset": 1}),
    ("compound: positions - 3 + base 500000", {"offset": -3, "base": 500000.0}),
    ("compound: layout + bf16 theta (bf16)", {"layout": "half", "theta_dtype": "bfloat16"}),
    ("unexplained: layout + offset + base", {"layout": "half", "offset": 1, "base": 5e5}),
]


def _timed(fn, d: int, precision: str) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    report = check(fn, d=d, precision=precision, seed=0)
    return time.perf_counter() - wall, time.process_time() - cpu, report


def run(repeats: int = 3) -> list[list[object]]:
    rows = []
    for d in (64, 128):
        for label, impl in CASES:
            precision = "bfloat16" if "bf16" in label else "float32"
            impl = {"dtype": precision, **impl}

            def fn(x, positions, impl=impl):
                return numpy_rope(x, positions, **impl)

            checker_case._FREQUENCIES.clear()
            cold_wall, cold_cpu, report = _timed(fn, d, precision)
            warm = [_timed(fn, d, precision)[:2] for _ in range(repeats)]
            verdict = " + ".join(f.name for f in report.findings) or "PASS"
            rows.append(
                [
                    f"d={d} {label}",
                    cold_wall,
                    cold_cpu,
                    float(np.median([w for w, _ in warm])),
                    float(np.median([c for _, c in warm])),
                    verdict,
                ]
            )
    return rows


def main() -> None:
    rows = run()
    print_table(
        "rope_ref.check seconds: pass / one mistake / two at once / none explains",
        ["implementation", "cold wall", "cold cpu", "warm wall", "warm cpu", "verdict"],
        rows,
        note="seed=0; wall: time.perf_counter, cpu: time.process_time; target: a "
        "compound under 1 s, a pass under 50 ms",
    )


if __name__ == "__main__":
    main()


#: The multi-axis path (``rope_ref.checker.axes.axis_pairs``): M-RoPE ports in HF's
#: style (``mrope_rope``, float32, d = 128, Qwen2-VL's rope dict) right, with one
#: mistake, two, and three.
MULTI_AXIS_CASES = [
    ("M-RoPE pass", {}, 0),
    ("M-RoPE single: h and w swapped", {"rows": (0, 2, 1)}, 0),
    ("M-RoPE compound: section + base 1e4", {"section": (24, 24, 16), "base": 1e4}, 0),
    ("M-RoPE compound: h/w swapped + coords + 1", {"rows": (0, 2, 1)}, 1),
    ("M-RoPE compound: one table for both halves + 1", {"duplicate_half": True}, 1),
    ("M-RoPE unexplained: h/w + base + coords + 1", {"rows": (0, 2, 1), "base": 1e4}, 1),
]


def run_multi_axis(repeats: int = 3) -> list[list[object]]:
    from checker._zoo import mrope_rope

    scaling = {"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]}

    def once(fn) -> tuple[float, float, object]:
        wall, cpu = time.perf_counter(), time.process_time()
        report = check(fn, d=128, layout="half", rope_scaling=scaling, seed=0)
        return time.perf_counter() - wall, time.process_time() - cpu, report

    rows = []
    for label, impl, shift in MULTI_AXIS_CASES:

        def fn(x, positions, impl=impl, shift=shift):
            return mrope_rope(x, positions + shift, **impl)

        *cold, report = once(fn)
        warm = np.median([once(fn)[:2] for _ in range(repeats)], axis=0).tolist()
        names = " + ".join(f.name for f in report.findings) or "PASS"
        rows.append([f"d=128 {label}", *cold, *warm, names])
    return rows


def main_multi_axis() -> None:
    print_table(
        "rope_ref.check seconds, multi-axis (M-RoPE): pass / one / two at once / none explains",
        ["implementation", "cold wall", "cold cpu", "warm wall", "warm cpu", "verdict"],
        run_multi_axis(),
        note="seed=0; target: a compound under 1 s",
    )


if __name__ == "__main__":
    main_multi_axis()
