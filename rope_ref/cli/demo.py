"""``rope-ref demo``: RoPE's two basic claims, shown on random q and k."""

from __future__ import annotations

import numpy as np

from rope_ref.cli import check_demo, demo_figures, encoder_demo
from rope_ref.paper.decay import relative_upper_bound
from rope_ref.paper.rotary import rotate
from rope_ref.validation import check_even_dim


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
    encoder_demo.run(args.seed)
    check_demo.run()
    demo_figures.run(args.out, args.seed)
    return 0


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
