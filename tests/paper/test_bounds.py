"""rotate against mpmath at large positions, within the bound that angles.py derives, and
the bound is not loose by more than 10x."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

import rope_ref as rr


def _exact_rotate(x: np.ndarray, positions: np.ndarray, d: int, base: float) -> np.ndarray:
    """RoPE in 50-digit arithmetic with exact theta_i = base^(-2(i-1)/d), interleaved.

    x: (seq, d) float64; positions (seq,). Returns (seq, d) float64 (rounded once)."""
    out = np.empty_like(x)
    with mpmath.workdps(50):
        theta = [mpmath.mpf(base) ** (mpmath.mpf(-2 * i) / d) for i in range(d // 2)]
        for s, m in enumerate(positions):
            for i, t in enumerate(theta):
                phi = mpmath.mpf(m) * t
                c, sn = mpmath.cos(phi), mpmath.sin(phi)
                a, b = mpmath.mpf(x[s, 2 * i]), mpmath.mpf(x[s, 2 * i + 1])
                out[s, 2 * i] = float(a * c - b * sn)
                out[s, 2 * i + 1] = float(b * c + a * sn)
    return out


CASES = [
    (128, 10000.0, [2**16, 2**20 - 1, 2**22 + 3, 2**24, 10**6]),
    (96, 500000.0, [-(2**20), 123457, 2**23 + 0.5, 2**24 - 1]),
]


@pytest.mark.parametrize(("d", "base", "positions"), CASES)
def test_rotate_is_within_the_documented_bound_at_large_positions(d, base, positions):
    rng = np.random.default_rng(d)
    positions = np.array(positions, dtype=np.float64)
    x = rng.standard_normal((len(positions), d))
    err = np.abs(rr.rotate(x, positions, base=base) - _exact_rotate(x, positions, d, base))
    bound = rr.rotation_error_bound(x, positions, base=base)
    worst = np.unravel_index(np.argmax(err / bound), err.shape)
    assert np.all(err <= bound), f"error {err[worst]} exceeds bound {bound[worst]} at {worst}"


def test_error_bound_is_not_loose_by_more_than_10x():
    """Across positions near 2^20..2^24 the largest err/bound ratio is >= 0.1."""
    d, base = 64, 10000.0
    rng = np.random.default_rng(7)
    positions = rng.integers(2**20, 2**24, 24).astype(np.float64)
    x = rng.standard_normal((len(positions), d))
    err = np.abs(rr.rotate(x, positions, base=base) - _exact_rotate(x, positions, d, base))
    ratio = float(np.max(err / rr.rotation_error_bound(x, positions, base=base)))
    assert 0.1 <= ratio <= 1.0, f"max err/bound = {ratio}: bound violated or loose by > 10x"


def test_angle_bound_grows_with_m_theta():
    bound = rr.angle_error_bound(np.array([1.0, 1e3, 1e6]), 8)
    assert np.all(np.diff(bound[:, 0]) > 0)
    assert np.allclose(bound[2] / bound[1], 1e3)
