"""The numbers behind the notebooks' and ``rope-ref demo``'s figures (arXiv 2104.09864 v5).

Every value here is computed with rope_ref's own steps (``rotate``, ``frequencies``, ...),
so a figure shows what the reference computes, not a second copy of the math. NumPy only:
the drawing lives in the notebooks and in ``rope_ref.cli.demo_figures`` (matplotlib, imported
only when ``rope-ref demo`` writes its PNG files).
"""

from __future__ import annotations

import numpy as np

from rope_ref.paper.rotary import rotate
from rope_ref.validation import (
    check_difference,
    check_positions,
    check_positive_real,
    check_same_shape,
    check_scores,
    check_theta,
)
from rope_ref.validation.core import check_finite_result, check_size


def clock_hands(positions, theta) -> np.ndarray:
    """The "clock hand" of pair i at position m: R(m theta_i) applied to the unit vector
    (1, 0) of that pair, i.e. (cos m theta_i, sin m theta_i) (eq 13).

    Each pair of features is a hand that turns by theta_i per position: fast for i = 1
    (theta_1 = 1 rad per token), slow for the last pairs.

    Args:
        positions: (seq,) finite reals m (any shape works: the result follows it).
        theta: (d/2,) frequencies.

    Returns:
        (seq, d/2, 2) float64: [m, i] is the tip of hand i at position m on the unit circle.
        Computed by ``rotate`` on the interleaved vector (1, 0, 1, 0, ...).
    """
    m = check_positions(positions)
    theta = check_theta(theta)
    check_size("positions and theta are", "the hands (seq, d/2, 2)", m.shape + (theta.size, 2))
    unit = np.tile(np.array([1.0, 0.0]), theta.size)  # (d,) = e_a in every pair
    x = np.broadcast_to(unit, m.shape + unit.shape).copy()
    return rotate(x, m, theta=theta).reshape(m.shape + (theta.size, 2))


def wavelengths(theta) -> np.ndarray:
    """Positions per full turn of pair i: lambda_i = 2 pi / theta_i. theta: (d/2,).

    Returns (d/2,) float64. With eq 15 and base 10000, lambda runs from 2 pi (i = 1) to
    about 2 pi * 10000 (i = d/2): the slow pairs are what lets scores depend on distance
    over a long range, and what the scaling variants change. A zero frequency (p-RoPE,
    a pair that never turns) has wavelength inf, as has one below about 3.5e-308.
    """
    theta = check_theta(theta)
    with np.errstate(divide="ignore", over="ignore"):  # documented: inf
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
    q, k = check_same_shape("q", q, "k", k, ndim=1)
    m = check_positions(positions)
    check_size("positions are", "the grid S of shape (seq, seq)", (m.size, m.size))
    check_size("positions and q are", "R_m q for every m, (seq, d)", (m.size, q.size))
    Q = rotate(np.broadcast_to(q, (m.size, q.size)).copy(), m, **rotate_kwargs)
    K = rotate(np.broadcast_to(k, (m.size, k.size)).copy(), m, **rotate_kwargs)
    with np.errstate(over="ignore", invalid="ignore"):  # reported by check_scores
        return check_scores(Q @ K.T, "the scores q_m^T k_n (eq 16)")


def error_by_position(y: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """max |y - reference| at each position: y, reference (..., seq, d) -> (seq,) float64.

    What a bug looks like along the sequence: a wrong base or offset grows with m, a
    low-precision phase jumps where its dtype runs out of digits, a swapped layout or
    reversed rotation is wrong everywhere but at m = 0.
    """
    y, reference = check_same_shape("y", y, "reference", reference)
    if y.ndim < 2:
        y, reference = y[None], reference[None]  # one position
    err = check_difference("y", y, "reference", reference)
    return err.max(axis=tuple(i for i in range(err.ndim) if i != err.ndim - 2))


def unseen_angle_ratio(theta, trained_theta, trained_length: float, length: float):
    """How far past its training each pair turns when a model runs at ``length`` positions.

    Pair i saw the angles [0, min(2 pi, L_train theta'_i)] in training (theta' the
    frequencies it was trained with; a pair that turned a full circle saw them all). Run
    with frequencies theta up to position L, it needs [0, min(2 pi, L theta_i)]. The ratio

        needed / seen = min(2 pi, L theta_i) / min(2 pi, L_train theta'_i)

    is <= 1 when every angle is one the model saw (interpolation) and > 1 when pair i
    reaches angles it never saw (extrapolation), the failure the scaling variants avoid.

    Args:
        theta, trained_theta: (d/2,) frequencies (e.g. ``scaled_frequencies``'s and
            ``frequencies``'s); zero frequencies (p-RoPE) never turn and give ratio 0.
        trained_length, length: L_train and L, positive.

    Returns:
        (d/2,) float64.
    """
    theta, trained_theta = check_same_shape("theta", theta, "trained_theta", trained_theta, ndim=1)
    trained_length = check_positive_real("trained_length", trained_length)
    length = check_positive_real("length", length)
    with np.errstate(over="ignore", under="ignore"):  # an overflow is named just below
        needed = np.minimum(2 * np.pi, length * np.abs(theta))
        seen = np.minimum(2 * np.pi, trained_length * np.abs(trained_theta))
        ratio = np.divide(needed, seen, out=np.zeros_like(needed), where=seen > 0)
    return check_finite_result(
        ratio,
        "trained_length times trained_theta is too small: some pair saw an angle range "
        f"L_train theta'_i as small as {seen[seen > 0].min(initial=np.inf):.3g} rad, so "
        "needed / seen",
    )
