"""Long-term decay of RoPE (arXiv 2104.09864 v5, section 3.4.3, eqs 35-37, Figure 2).

Write pair i of q and k (i = 0..d/2-1, the paper's 0-based index of section 3.4.3) as the
complex numbers q_[2i:2i+1] = q_2i + i q_2i+1 and k_[2i:2i+1]. Then (eq 35)

    (R^d_(Theta,m) q)^T (R^d_(Theta,n) k) = Re[ sum_{i=0}^{d/2-1} h_i e^{i(m-n) theta_i} ],
    h_i = q_[2i:2i+1] k*_[2i:2i+1],

with theta_i = base^(-2i/d) (eq 15 indexes the same set from 1). With the partial sums

    S_j = sum_{i=0}^{j-1} e^{i(m-n) theta_i},   S_0 = 0,   and h_(d/2) = 0,

the Abel transformation (eq 36) gives sum_i h_i (S_(i+1) - S_i) = -sum_i S_(i+1)(h_(i+1) - h_i),
hence the bound (eq 37)

    |sum_i h_i e^{i(m-n) theta_i}|  <=  sum_i |S_(i+1)| |h_(i+1) - h_i|
                                    <=  (max_i |h_(i+1) - h_i|) sum_{i=1}^{d/2} |S_i|.

The paper plots (1/(d/2)) sum_{i=1}^{d/2} |S_i| against m - n as "the relative upper bound"
(Figure 2; d = 128, base 10000 reproduces its range). That curve is not monotone: it
oscillates while it falls. tests/proofs/test_long_term_decay.py states what does hold.

Shapes: ``distances`` (the relative distance m - n) is (...,) finite reals; S has shape
distances.shape + (d/2 + 1,) so that S[..., j] = S_j for j = 0..d/2; h has shape
(d/2 + 1,) with h[d/2] = 0. Everything is float64 / complex128.
"""

from __future__ import annotations

import numpy as np

from rope_ref.paper.frequencies import frequencies
from rope_ref.paper.layouts import pair_indices
from rope_ref.validation import (
    check_angles_finite,
    check_base,
    check_even_dim,
    check_positions,
    check_qk,
)
from rope_ref.validation.core import check_size


def partial_sums(distances, d: int, base: float = 10000.0) -> np.ndarray:
    """S_j = sum_{i=0}^{j-1} e^{i(m-n) theta_i} for j = 0..d/2 (between eqs 35 and 36).

    Args:
        distances: (...,) relative distances m - n; finite reals (a scalar gives (1,)).
        d: the rotary dimension; even, >= 2.
        base: 10000 in the paper.

    Returns:
        S: distances.shape + (d/2 + 1,) complex128, S[..., 0] = 0.
    """
    d = check_even_dim("d", d)
    distances = check_positions(distances, "distances")
    check_size("distances and d are", "S of shape (..., d/2 + 1)", distances.shape + (d // 2 + 1,))
    theta = frequencies(d, check_base(base))
    with np.errstate(over="ignore"):  # an overflow is named just below
        phi = distances[..., None] * theta  # (m - n) theta_i  (eq 35)
    terms = np.exp(1j * check_angles_finite(phi, distances, theta, "distances"))
    zero = np.zeros(distances.shape + (1,), dtype=np.complex128)
    return np.concatenate([zero, np.cumsum(terms, axis=-1)], axis=-1)


def relative_upper_bound(distances, d: int, base: float = 10000.0) -> np.ndarray:
    """(1/(d/2)) sum_{i=1}^{d/2} |S_i| for each relative distance m - n (Figure 2's curve).

    Args:
        distances: (...,) relative distances m - n; finite reals.
        d: the rotary dimension (Figure 2: 128); base: 10000 in the paper.

    Returns:
        (...,) float64 (a scalar distance gives shape (1,)). At distance 0 every term
        is 1, so |S_i| = i and the value is (d/2 + 1)/2 (32.5 for d = 128).
    """
    S = partial_sums(distances, d, base)
    return np.mean(np.abs(S[..., 1:]), axis=-1)


def pair_products(q: np.ndarray, k: np.ndarray, layout: str = "interleaved") -> np.ndarray:
    """h_i = q_[2i:2i+1] k*_[2i:2i+1] for i = 0..d/2-1, and h_(d/2) = 0 (eq 35).

    Args:
        q, k: (..., d) float arrays of the same shape (queries and keys after W_q, W_k,
            before rotation).
        layout: which features form pair i: ``"interleaved"`` (2i, 2i+1) as the paper
            writes it, or ``"half"`` (i, i + d/2).

    Returns:
        h: (..., d/2 + 1) complex128 with h[..., d/2] = 0.
    """
    q, k = check_qk(q, k)
    a, b = pair_indices(q.shape[-1], layout)
    zq = q[..., a].astype(np.float64) + 1j * q[..., b].astype(np.float64)
    zk = k[..., a].astype(np.float64) + 1j * k[..., b].astype(np.float64)
    zero = np.zeros(zq.shape[:-1] + (1,), dtype=np.complex128)
    return np.concatenate([zq * np.conj(zk), zero], axis=-1)


def relative_score(
    q: np.ndarray, k: np.ndarray, distances, base: float = 10000.0, layout: str = "interleaved"
) -> np.ndarray:
    """Re[sum_i h_i e^{i(m-n) theta_i}] = (R_m q)^T (R_n k) (eq 35), as a function of m - n.

    Args:
        q, k: (d,) float arrays; distances: (...,) relative distances m - n.
        base, layout: as in ``rope_ref.rotate``.

    Returns:
        (...,) float64, the score of a query at m and a key at n for each m - n.
    """
    h = _single_h(q, k, layout)
    S = partial_sums(distances, 2 * (h.size - 1), base)
    return np.real(np.sum(h[:-1] * np.diff(S, axis=-1), axis=-1))


def decay_bound(
    q: np.ndarray, k: np.ndarray, distances, base: float = 10000.0, layout: str = "interleaved"
) -> np.ndarray:
    """The right-hand side of eq 37: (max_i |h_(i+1) - h_i|) sum_{i=1}^{d/2} |S_i|.

    It bounds |relative_score(q, k, distances)| for every distance.

    Args:
        q, k: (d,) float arrays; distances: (...,) relative distances m - n.
        base, layout: as in ``rope_ref.rotate``.

    Returns:
        (...,) float64.
    """
    h = _single_h(q, k, layout)
    d = 2 * (h.size - 1)
    S = partial_sums(distances, d, base)
    return np.max(np.abs(np.diff(h))) * np.sum(np.abs(S[..., 1:]), axis=-1)


def _single_h(q, k, layout: str) -> np.ndarray:
    """h of ``pair_products`` for one (d,) query and key: shape (d/2 + 1,)."""
    q, k = check_qk(q, k, single=True)
    return pair_products(q, k, layout)
