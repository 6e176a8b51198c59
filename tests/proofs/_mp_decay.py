"""mpmath ground truth for the long-term decay (eqs 35-37), shared by the decay proofs.

For d in {16, 64, 128}, base 10000 and every relative distance m - n = 0..4096 this
computes, at 34 significant digits, S_j (j = 1..d/2), the Figure 2 curve
(1/(d/2)) sum |S_j|, and for a few random (q, k) the three sides of eq 37.

Cost. e^{i(m-n) theta_i} is advanced from distance to distance by one complex product
with e^{i theta_i} (computed once with mpmath.expj) instead of one exp per term; each
product rounds at 34 digits, so after 4096 steps the relative error is below
4096 * 2 * 10^-34 < 10^-29, far below anything the tests compare. The whole table for
d = 128 takes a few seconds and is computed once per session (lru_cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import mpmath
import numpy as np

DPS = 34
MAX_DISTANCE = 4096
BASE = 10000
N_QK = 2


@dataclass
class DecayTable:
    """Per distance 0..MAX_DISTANCE (axis 0): float64 roundings of 34-digit values."""

    d: int
    S: np.ndarray  # (4097, d/2 + 1) complex128, S[:, j] = S_j
    curve: np.ndarray  # (4097,) (1/(d/2)) sum_{j=1}^{d/2} |S_j|
    q: np.ndarray  # (N_QK, d) the random queries used
    k: np.ndarray  # (N_QK, d) the random keys used
    score: np.ndarray  # (N_QK, 4097) Re[sum_i h_i e^{i(m-n) theta_i}] (eq 35)
    lhs: np.ndarray  # (N_QK, 4097) |sum_i h_i e^{i(m-n) theta_i}|
    middle: np.ndarray  # (N_QK, 4097) sum_i |S_(i+1)| |h_(i+1) - h_i|
    right: np.ndarray  # (N_QK, 4097) max_i |h_(i+1) - h_i| sum_i |S_(i+1)|
    worst_margin: float  # min over qk, distance of the two eq 37 gaps, at 34 digits
    worst_abel: float  # max |sum h_i E_i + sum S_(i+1)(h_(i+1) - h_i)| (eq 36)


@cache
def decay_table(d: int, seed: int = 0) -> DecayTable:
    """The table for dimension d (see the module docstring)."""
    half = d // 2
    rng = np.random.default_rng(seed + d)
    q, k = rng.standard_normal((N_QK, d)), rng.standard_normal((N_QK, d))
    with mpmath.workdps(DPS):
        theta = [mpmath.mpf(BASE) ** (mpmath.mpf(-2 * i) / d) for i in range(half)]
        step = [mpmath.expj(t) for t in theta]
        h = [_h(q[p], k[p]) for p in range(N_QK)]
        dh = [[hp[i + 1] - hp[i] for i in range(half)] for hp in h]
        abs_dh = [[abs(v) for v in row] for row in dh]
        max_dh = [max(row) for row in abs_dh]
        E = [mpmath.mpc(1)] * half  # e^{i (m-n) theta_i} at the current distance
        n_dist = MAX_DISTANCE + 1
        S_out = np.zeros((n_dist, half + 1), dtype=np.complex128)
        curve = np.zeros(n_dist)
        out = {key: np.zeros((N_QK, n_dist)) for key in ("score", "lhs", "middle", "right")}
        worst_margin, worst_abel = mpmath.inf, mpmath.mpf(0)
        for dist in range(n_dist):
            S, abs_S, total = [mpmath.mpc(0)], [], mpmath.mpf(0)
            for i in range(half):
                S.append(S[-1] + E[i])
                abs_S.append(abs(S[-1]))
                total += abs_S[-1]
            S_out[dist] = [complex(s) for s in S]
            curve[dist] = float(total / half)
            for p in range(N_QK):
                z = mpmath.fsum(h[p][i] * E[i] for i in range(half))
                abel = -mpmath.fsum(S[i + 1] * dh[p][i] for i in range(half))
                middle = mpmath.fsum(abs_S[i] * abs_dh[p][i] for i in range(half))
                right = max_dh[p] * total
                worst_abel = max(worst_abel, abs(z - abel))
                worst_margin = min(worst_margin, middle - abs(z), right - middle)
                for key, value in (("score", z.real), ("lhs", abs(z)), ("middle", middle)):
                    out[key][p, dist] = float(value)
                out["right"][p, dist] = float(right)
            E = [E[i] * step[i] for i in range(half)]
    return DecayTable(
        d, S_out, curve, q, k, worst_margin=float(worst_margin), worst_abel=float(worst_abel), **out
    )


def _h(q: np.ndarray, k: np.ndarray) -> list:
    """h_i = q_[2i:2i+1] k*_[2i:2i+1] (interleaved pairs), h_(d/2) = 0, as mpc."""
    half = q.size // 2
    zq = [mpmath.mpc(q[2 * i], q[2 * i + 1]) for i in range(half)]
    zk = [mpmath.mpc(k[2 * i], k[2 * i + 1]) for i in range(half)]
    return [a * mpmath.conj(b) for a, b in zip(zq, zk, strict=True)] + [mpmath.mpc(0)]
