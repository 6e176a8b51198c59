"""Step 2 of RoPE: the angles phi[m, i] = m * theta_i (arXiv 2104.09864 v5, eqs 13, 15).

Positions m may be integers, negative or fractional (position interpolation divides them),
but must be finite. Angles are always float64, whatever dtype x will have. How exact they
are: ``rope_ref.paper.bounds.angle_error_bound`` (derivations/09-float64-error-bound.md).
"""

from __future__ import annotations

import numpy as np

from rope_ref.validation import check_angles_finite, check_positions, check_theta


def angles(positions, theta) -> np.ndarray:
    """phi[..., m, i] = m * theta_i: the angle by which pair i at position m turns (eq 13).

    Args:
        positions: (seq,) or (..., seq) finite reals (int, negative, fractional allowed).
        theta: (d/2,) frequencies, e.g. from ``frequencies(d, base)``.

    Returns:
        phi: (..., seq, d/2) float64.
    """
    m, theta = check_positions(positions), check_theta(theta)
    with np.errstate(over="ignore"):  # an overflow is named just below
        phi = m[..., None] * theta  # phi = m theta_i  (eq 13)
    return check_angles_finite(phi, m, theta)
