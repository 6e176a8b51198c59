"""The numbers behind the notebooks' and ``rope-ref demo``'s figures (arXiv 2104.09864 v5).

Every value here is computed with rope_ref's own steps (``rotate``, ``frequencies``, ...),
so a figure shows what the reference computes, not a second copy of the math. NumPy only:
the drawing lives in ``rope_ref._draw`` (matplotlib, imported lazily by the demo) and in
the notebooks.
"""

from __future__ import annotations

import numpy as np

from rope_ref._validate import check_float_array, check_positions, check_theta
from rope_ref.rotary import rotate


def clock_hands(positions, theta) -> np.ndarray:
    """The "clock hand" of pair i at position m: R(m theta_i) applied to the unit vector
    (1, 0) of that pair, i.e. (cos m theta_i, sin m theta_i) (eq 13).

    Each pair of features is a hand that turns by theta_i per position: fast for i = 1
    (theta_1 = 1 rad per token), slow for the last pairs.

    Args:
        positions: (seq,) finite reals m.
        theta: (d/2,) frequencies.

    Returns:
        (seq, d/2, 2) float64: [m, i] is the tip of hand i at position m on the unit circle.
        Computed by ``rotate`` on the interleaved vector (1, 0, 1, 0, ...).
    """
    m = check_positions(positions)
    theta = check_theta(theta)
    if m.ndim != 1:
        raise ValueError(f"positions must have shape (seq,), got shape {m.shape}")
    unit = np.tile(np.array([1.0, 0.0]), theta.size)  # (d,) = e_a in every pair
    x = np.broadcast_to(unit, (m.size, unit.size)).copy()
    return rotate(x, m, theta=theta).reshape(m.size, theta.size, 2)


def wavelengths(theta) -> np.ndarray:
    """Positions per full turn of pair i: lambda_i = 2 pi / theta_i. theta: (d/2,).

    Returns (d/2,) float64. With eq 15 and base 10000, lambda runs from 2 pi (i = 1) to
    about 2 pi * 10000 (i = d/2): the slow pairs are what lets scores depend on distance
    over a long range, and what the scaling variants change.
    """
    theta = check_theta(theta)
    return 2.0 * np.pi / theta


def score_grid(q: np.ndarray, k: np.ndarray, positions, **rotate_kwargs) -> np.ndarray:
    """S[m, n] = q_m^T k_n = (R_m q)^T (R_n k) for every pair of positions (eq 16).

    Args:
        q, k: (d,) vectors (after W_q, W_k).
        positions: (seq,) positions used for both m and n.
        rotate_kwargs: passed to ``rotate`` (theta, base, layout, rotary_dim).

    Returns:
        (seq, seq) float64. By eq 16 it depends only on m - n: every diagonal is constant.
    """
    q = check_float_array("q", np.asarray(q, dtype=np.float64), min_ndim=1)
    k = check_float_array("k", np.asarray(k, dtype=np.float64), min_ndim=1)
    if q.shape != k.shape or q.ndim != 1:
        raise ValueError(f"q and k must be (d,) vectors of one shape, got {q.shape}, {k.shape}")
    m = check_positions(positions)
    Q = rotate(np.broadcast_to(q, (m.size, q.size)).copy(), m, **rotate_kwargs)
    K = rotate(np.broadcast_to(k, (m.size, k.size)).copy(), m, **rotate_kwargs)
    return Q @ K.T
