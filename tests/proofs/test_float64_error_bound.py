"""The float64 error bounds of steps 1 and 2 (derivations/09-float64-error-bound.md):
when eq 15's exponent is exact, how an inexact one propagates through pow, and that
``theta_error_bound`` and ``angle_error_bound`` hold against mpmath at 50 digits."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

import rope_ref as rr

U = rr.UNIT_ROUNDOFF


def _is_power_of_two(q: int) -> bool:
    return q & (q - 1) == 0


@pytest.mark.parametrize("d", range(2, 514, 2))
def test_the_exponent_is_exact_exactly_when_its_denominator_is_a_power_of_two(d):
    """fl(-2i/d) = -2i/d iff d / gcd(2i, d) is a power of two (a fraction p/q in lowest
    terms is a binary float iff q is a power of two, |p| < 2^53); and theta_error_bound
    charges the exponent's rounding exactly where it is inexact."""
    t = rr.theta_error_bound(d, 10000.0)
    for i in range(d // 2):
        exact = Fraction(-(2.0 * i) / d) == Fraction(-2 * i, d)
        assert exact == _is_power_of_two(d // np.gcd(2 * i, d)), (d, i)
        assert (t[i] == 2 * U) == exact, f"d={d}, i={i}: t_i = {t[i]} but exact={exact}"


def test_an_exponent_error_delta_becomes_a_relative_error_e_delta_ln_b():
    """b^(e (1 + delta)) / b^e - 1 = e ln(b) delta + (e ln b)^2 delta^2 / 2 + O(delta^3):
    to first order the relative error of theta is e delta ln b, the term t_i adds for an
    inexact exponent; the second order is below (709.8 u)^2 / 2 < 1e-10 u for every base
    in float64's range (|e| <= 1, |ln b| <= 709.8), so the 2u of pow's rounding covers it."""
    b, e, delta = sp.symbols("b e delta", positive=True)
    relative = b ** (e * (1 + delta)) / b**e - 1
    series = sp.series(relative, delta, 0, 3).removeO()
    first, second = series.coeff(delta, 1), series.coeff(delta, 2)
    assert sp.simplify(first - e * sp.log(b)) == 0, first
    assert sp.simplify(second - (e * sp.log(b)) ** 2 / 2) == 0, second
    worst = (U * 709.8) ** 2 / 2
    assert worst < 1e-10 * U


CASES = [(64, 10000.0), (80, 10000.0), (96, 500000.0), (100, 1e6), (128, 2.5), (130, 0.25)]


@pytest.mark.parametrize(("d", "base"), CASES)
def test_theta_error_bound_holds_against_mpmath(d, base):
    """|fl(theta_i) - theta_i| <= t_i theta_i for every i, theta_i = base^(-2i/d) exact."""
    theta, t = rr.frequencies(d, base), rr.theta_error_bound(d, base)
    with mpmath.workdps(50):
        for i in range(d // 2):
            exact = mpmath.mpf(base) ** (mpmath.mpf(-2 * i) / d)
            err = abs(mpmath.mpf(float(theta[i])) - exact) / exact
            assert err <= t[i], (
                f"d={d}, base={base}, i={i}: error {float(err):.3g} > t_i {t[i]:.3g}"
            )


@pytest.mark.parametrize(("d", "base"), CASES[:4])
def test_angle_error_bound_holds_against_mpmath(d, base):
    """Bound A: |fl(m fl(theta_i)) - m theta_i| <= |m theta_i| (t_i + u), m exact, at
    positions up to 2^24 (integers, halves, negatives)."""
    m = np.array([1.0, 4095.0, 65537.0, 2.0**20 - 1, 1e6 + 0.5, -(2.0**23) - 3, 2.0**24])
    phi = rr.angles(m, rr.frequencies(d, base))
    bound = rr.angle_error_bound(m, d, base)
    with mpmath.workdps(50):
        for i in range(d // 2):
            exact_theta = mpmath.mpf(base) ** (mpmath.mpf(-2 * i) / d)
            for s, position in enumerate(m):
                err = abs(mpmath.mpf(float(phi[s, i])) - mpmath.mpf(position) * exact_theta)
                assert err <= bound[s, i], (
                    f"d={d}, base={base}, m={position}, i={i}: {float(err):.3g} > {bound[s, i]:.3g}"
                )
