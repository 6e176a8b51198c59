"""``rope-ref demo``: RoPE's claims on random q and k.

Sections 1-3 need NumPy alone, as rope_ref does. The others compare rope_ref with HF
transformers (torch) or draw figures (matplotlib), which rope_ref does not depend on:
each runs where its packages are installed, and one line names what was skipped and the
extra (setup.cfg's ``demo``) that installs it. Whether a package is installed is asked of
``importlib.util.find_spec``, which finds it without importing it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable

import numpy as np

from rope_ref.cli import check_demo, demo_figures, encoder_demo
from rope_ref.paper.decay import relative_upper_bound
from rope_ref.paper.rotary import rotate
from rope_ref.validation import check_even_dim

DEMO_EXTRA = "demo"

# The sections that need more than NumPy, in the order they run: what they show, the
# modules they import, and how to run them (after sections 1-3).
OPTIONAL_SECTIONS = (
    ("the encoder against HF", ("torch", "transformers"), lambda a: encoder_demo.run(a.seed)),
    ("the checker on HF's Llama", ("torch", "transformers"), lambda a: check_demo.run()),
    ("the figures", ("matplotlib",), lambda a: demo_figures.run(a.out, a.seed)),
)


def relative_score_table(q: np.ndarray, k: np.ndarray, pairs) -> list[tuple[int, int, float]]:
    """q_m^T k_n = <rotate(q, m), rotate(k, n)> for each (m, n) in ``pairs`` (eq 16).

    q, k: (d,) float64. Returns [(m, n, score), ...].
    """
    rows = []
    for m, n in pairs:
        qm = rotate(q[None, :], np.array([m]))[0]
        kn = rotate(k[None, :], np.array([n]))[0]
        rows.append((m, n, float(qm @ kn)))
    return rows


def run(args) -> int:
    check_even_dim("--d", args.d)
    rng = np.random.default_rng(args.seed)
    q, k = rng.standard_normal(args.d), rng.standard_normal(args.d)
    print(f"rope_ref demo: random q, k in R^{args.d}, base 10000, interleaved pairs (eq 15)\n")
    print("1. q_m . k_n depends only on m - n (eq 16):")
    print(f"   {'m':>7} {'n':>7} {'m - n':>7} {'q_m . k_n':>22}")
    pairs = [(0, 3), (10, 13), (1000, 1003), (0, 40), (500, 540), (123456, 123496)]
    for m, n, score in relative_score_table(q, k, pairs):
        print(f"   {m:>7} {n:>7} {m - n:>7} {score:>22.15f}")
    print("\n2. rotation keeps norms (R is orthogonal):")
    print(f"   {'m':>7} {'|q|':>20} {'|R_m q|':>20}")
    for m in (0, 1, 77, 4096, 10**6):
        rq = rotate(q[None, :], np.array([m]))[0]
        print(f"   {m:>7} {np.linalg.norm(q):>20.15f} {np.linalg.norm(rq):>20.15f}")
    decay_section()
    skipped = []
    for what, modules, show in OPTIONAL_SECTIONS:
        missing = missing_modules(modules)
        if missing:
            skipped.append((what, missing))
        else:
            show(args)
    if skipped:
        print(f"\n{skipped_line(skipped)}")
    return 0


def missing_modules(modules: Iterable[str]) -> tuple[str, ...]:
    """The top-level modules among ``modules`` that are not installed (or are blocked by
    None in sys.modules), found without importing any of them."""
    return tuple(name for name in modules if importlib.util.find_spec(name) is None)


def skipped_line(skipped: Iterable[tuple[str, tuple[str, ...]]]) -> str:
    """One line naming the skipped sections, grouped by the modules they lack, and the
    extra that installs them.

    skipped: [(what, missing modules), ...] in the order the sections run.
    """
    by_missing: dict[tuple[str, ...], list[str]] = {}
    for what, missing in skipped:
        by_missing.setdefault(tuple(missing), []).append(what)
    parts = [
        f"{' and '.join(whats)} ({'needs' if len(missing) == 1 else 'need'} {', '.join(missing)})"
        for missing, whats in by_missing.items()
    ]
    return f"skipped: {', '.join(parts)}: pip install 'rope_ref[{DEMO_EXTRA}]'"


def decay_section(d: int = 128, base: float = 10000.0) -> None:
    """``rope-ref demo``'s section on Figure 2: the relative upper bound at a few distances."""
    distances = np.array([0, 5, 18, 19, 50, 100, 250, 1000, 2009, 4096])
    values = relative_upper_bound(distances, d, base)
    print(f"\n3. long-term decay (eqs 35-37, Figure 2: d = {d}, base {base:g}):")
    print("   the relative upper bound (1/(d/2)) sum_i |S_i| at distance m - n")
    print(f"   {'m - n':>7} {'bound':>10}")
    for dist, value in zip(distances, values, strict=True):
        print(f"   {dist:>7} {value:>10.4f}")
    print("   it falls, but not monotonically (18 -> 19 rises), and not for good (see 2009)")
