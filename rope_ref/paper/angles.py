"""Step 2 of RoPE: the angles phi[m, i] = m * theta_i (arXiv 2104.09864 v5, eqs 13 and 15).

Positions m may be integers, negative or fractional (position interpolation divides them),
but must be finite. Angles are always float64, whatever dtype x will have.

The float64 error bound
-----------------------
Let u = 2^-53 (float64's unit roundoff) and e_i = -2(i-1)/d the exponent of eq 15.
``frequencies`` computes theta_i = fl(base ** fl(e_i)):

- fl(e_i) = e_i (1 + d1), |d1| <= u, and d1 = 0 when d is a power of two (exact division);
- base ** (e_i (1 + d1)) = theta_i (1 + e_i d1 ln(base)) to first order;
- ``np.power`` rounds once more (glibc's pow is within 0.52 ulp, so <= 2u relative).

So the computed theta_i has relative error at most  t_i = u (2 + |e_i| ln(base) [e_i inexact]),
returned by ``theta_error_bound``. The angle fl(m * theta_i) rounds once more (m itself is
exact: a float64 position is the number it holds), so

    |fl(m theta_i) - m theta_i|  <=  |m theta_i| * (t_i + u)                    (bound A)

which grows linearly with |m theta_i|: at m = 2^20, theta = 1 the angle is known to about
2^20 * 3u = 3.5e-10 radians. ``angle_error_bound`` returns bound A. The rotated output
(``rope_ref.rotary.rotation_error_bound``) adds the trigonometric and arithmetic roundings,
a few u times the pair's magnitude, and rounding to x's dtype. For the scaling variants
(``rope_ref.scaling``) ``scaled_theta_error_bound`` takes the place of t_i, and bound A
becomes |m theta_i| (t'_i + u); ``rotation_error_bound(..., rope_scaling=...)`` uses it.
tests/test_error_bound.py checks the bound against mpmath at 50 digits and that it is not
loose by more than 10x.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from rope_ref.validation import (
    check_angles,
    check_base,
    check_even_dim,
    check_positions,
    check_theta,
)

#: float64 unit roundoff u = 2^-53.
UNIT_ROUNDOFF = 2.0**-53


def angles(positions, theta) -> np.ndarray:
    """phi[..., m, i] = m * theta_i: the angle by which pair i at position m turns (eq 13).

    Args:
        positions: (seq,) or (..., seq) finite reals (int, negative, fractional allowed).
        theta: (d/2,) frequencies, e.g. from ``frequencies(d, base)``.

    Returns:
        phi: (..., seq, d/2) float64.
    """
    return check_angles(check_positions(positions), check_theta(theta))


def theta_error_bound(d: int, base: float = 10000.0) -> np.ndarray:
    """Relative error bound t_i of ``frequencies(d, base)[i]`` against the exact
    base^(-2(i-1)/d); see the module docstring. Shape (d/2,), float64."""
    d = check_even_dim("d", d)
    base = check_base(base)
    i = np.arange(1, d // 2 + 1)
    exponent = -(2.0 * (i - 1.0)) / d
    inexact = np.array(
        [Fraction(float(e)) != Fraction(-2 * (k - 1), d) for e, k in zip(exponent, i, strict=True)]
    )
    return UNIT_ROUNDOFF * (2.0 + np.abs(exponent) * abs(np.log(base)) * inexact)


def angle_error_bound(positions, d: int, base: float = 10000.0) -> np.ndarray:
    """Bound A of the module docstring: |fl(m theta_i) - m theta_i|, with theta_i exact.

    Args:
        positions: (..., seq) finite reals.
        d: the rotary dimension; base: as in ``frequencies``.

    Returns:
        (..., seq, d/2) float64 absolute bounds in radians.
    """
    from rope_ref.paper.frequencies import frequencies

    theta = frequencies(d, base)
    phi = np.abs(angles(positions, theta))
    return phi * (theta_error_bound(d, base) + UNIT_ROUNDOFF) * (1.0 + 1e-6)
