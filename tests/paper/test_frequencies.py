"""Step 1 (eq 15) and step 2 (angles) against exact arithmetic."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rope_ref as rr


@given(st.integers(1, 256), st.sampled_from([10000.0, 500000.0, 1e6, 2.5, 0.5]))
def test_frequencies_follow_eq_15(half_d, base):
    d = 2 * half_d
    theta = rr.frequencies(d, base)
    assert theta.shape == (half_d,) and theta.dtype == np.float64
    assert theta[0] == 1.0
    bound = rr.theta_error_bound(d, base)
    with mpmath.workdps(40):
        for i in range(1, half_d + 1):
            exact = mpmath.mpf(base) ** (mpmath.mpf(-2 * (i - 1)) / d)
            rel = abs((mpmath.mpf(theta[i - 1]) - exact) / exact)
            assert rel <= bound[i - 1], f"theta_{i} off by {rel} > bound {bound[i - 1]}"


def test_frequencies_decrease_for_base_above_one():
    theta = rr.frequencies(128)
    assert np.all(np.diff(theta) < 0)
    assert theta[-1] == pytest.approx(10000.0 ** (-126 / 128), rel=1e-15)


def test_angles_are_positions_times_theta():
    theta = rr.frequencies(8)
    positions = np.array([-3, 0, 2.5, 1e6])
    phi = rr.angles(positions, theta)
    assert phi.shape == (4, 4)
    assert np.array_equal(phi, positions[:, None] * theta[None, :])


def test_angles_keep_leading_axes():
    phi = rr.angles(np.zeros((2, 1, 5)), rr.frequencies(6))
    assert phi.shape == (2, 1, 5, 3)
