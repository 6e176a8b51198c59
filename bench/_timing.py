"""Timing and memory helpers shared by the benchmarks: medians, the memory-bandwidth
floor, peak traced memory, and a fixed-width table printer."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import numpy as np


def median_seconds(fn: Callable[[], object], repeats: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls, after ``warmup`` untimed calls."""
    return medians({"fn": fn}, repeats, warmup)["fn"]


def medians(
    fns: dict[str, Callable[[], object]], repeats: int = 7, warmup: int = 1
) -> dict[str, float]:
    """Median wall time of each function, timed in interleaved rounds (one timed call of
    each per round), so that load from other processes falls on all of them alike. Each
    timed call follows ``warmup`` untimed calls of the same function, so that it does not
    pay for the memory the previous contender left to the allocator."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            for _ in range(warmup):
                fn()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def floor_function(x: np.ndarray) -> Callable[[], object]:
    """The memory-bandwidth floor for an element-wise map of x: one pass that reads x and
    writes an array of its size, ``np.multiply(x, c, out=buf)`` (buf allocated once)."""
    buf = np.empty_like(x)
    c = np.full(x.shape[-1], 0.5, dtype=x.dtype)
    return lambda: np.multiply(x, c, out=buf)


def allocating_floor_function(x: np.ndarray) -> Callable[[], object]:
    """The same pass returning a new array, ``np.multiply(x, c)``: what any function that
    returns a fresh result pays (the kernel zeroes the new pages)."""
    c = np.full(x.shape[-1], 0.5, dtype=x.dtype)
    return lambda: np.multiply(x, c)


def peak_bytes(fn: Callable[[], object]) -> int:
    """Peak memory traced while ``fn()`` runs (NumPy reports its buffers to tracemalloc),
    counting the result that fn returns."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


def print_table(title: str, header: list[str], rows: list[list[object]], note: str = "") -> None:
    """Print rows under a title, columns right-aligned to their widest cell, then a note."""
    cells = [header] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for k, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if k == 0:
            print("  " + "  ".join("-" * w for w in widths))
    if note:
        print("  " + note.replace("\n", "\n  "))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:#.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)
