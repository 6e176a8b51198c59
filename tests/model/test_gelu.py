"""rope_ref's NumPy normal distribution function Phi and exact GELU x Phi(x) against
math.erf, math.erfc, mpmath and torch."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import torch

from rope_ref.model import gelu as gelu_module
from rope_ref.model.gelu import gelu, normal_cdf


def points() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.concatenate([
        np.linspace(-10.0, 10.0, 20001),  # includes many grid points and their midpoints
        rng.uniform(-12.0, 12.0, 20000),
        rng.standard_normal(5000) * 1e-3,
        [0.0, -0.0, 5e-324, -1e-300, 37.99, -37.99, 38.0, -38.0, 40.0, -40.0, 1e300, -1e300],
    ])  # fmt: skip


def phi_from_erf(x: np.ndarray) -> np.ndarray:
    return np.array([(1.0 + math.erf(v / math.sqrt(2.0))) / 2.0 for v in x])


def test_phi_agrees_with_math_erf_to_float64_absolute():
    x = points()
    error = np.abs(normal_cdf(x) - phi_from_erf(x))
    assert error.max() <= 2.3e-16, (
        f"|Phi - (1 + erf) / 2| = {error.max():.3g} at {x[error.argmax()]}"
    )


def test_phi_relative_error_in_ulps_against_mpmath():
    """1 ulp for x >= 0; in the left tail it grows as the module doc says."""
    x = np.concatenate([np.linspace(-10.0, 10.0, 2001), np.linspace(-30.0, -10.0, 81)])
    exact = np.array([float(mpmath.ncdf(mpmath.mpf(float(v)))) for v in x])
    ulps = np.abs(normal_cdf(x) - exact) / np.spacing(exact)
    for start, most in [(0.0, 1), (-5.0, 40), (-10.0, 150), (-30.0, 5000)]:
        worst = ulps[x >= start].max()
        assert worst <= most, f"Phi is {worst} ulps off for x >= {start}"


def test_phi_with_three_terms_is_within_its_truncation_bound():
    """phi(0) (1/512)^3 / 3! = 4.95e-10, what float32 input gets (module doc)."""
    x = points()
    error = np.abs(normal_cdf(x, terms=gelu_module._FLOAT32_TERMS) - phi_from_erf(x)).max()
    bound = 1 / math.sqrt(2 * math.pi) / 512**3 / 6
    assert gelu_module._FLOAT32_TERMS == 3 and 1e-11 < error <= bound + 2.3e-16 < 5e-10


def test_phi_limits_and_nan():
    x = np.array([0.0, np.inf, -np.inf, 1e300, -1e300, np.nan])
    got = normal_cdf(x)
    assert got[0] == 0.5 and got[1] == got[3] == 1.0 and 0.0 <= got[2] == got[4] < 1e-315
    assert np.isnan(got[5]) and normal_cdf(np.float64(0.5)).shape == ()


def test_gelu_equals_torch_exact_gelu():
    x = points()[np.abs(points()) < 1e6]
    expected = torch.nn.functional.gelu(torch.from_numpy(x)).numpy()
    assert np.abs(gelu(x) - expected).max() <= 4 * np.spacing(np.abs(expected) + 1).max()
    x32 = x.astype(np.float32)
    got32 = gelu(x32)
    assert got32.dtype == np.float32
    expected32 = torch.nn.functional.gelu(torch.from_numpy(x32)).numpy()
    assert np.abs(got32 - expected32).max() <= 4 * np.spacing(np.float32(8.0))


def exact_gelu(x: np.ndarray) -> np.ndarray:
    """x Phi(x) in float64 from math.erfc (keeps the left tail's relative accuracy)."""
    return np.array([v * math.erfc(-v / math.sqrt(2)) / 2 for v in x.astype(np.float64)])


def test_float32_gelu_is_within_half_an_ulp_plus_x_times_5e_10():
    x = np.concatenate([points(), -np.geomspace(8, 1e5, 50)])
    x = x[np.abs(x) < 1e6].astype(np.float32)
    exact, got = exact_gelu(x), gelu(x)
    ulp = np.spacing(np.maximum(np.abs(exact), np.abs(got)).astype(np.float32))
    excess = np.abs(got - exact) - (0.5 * ulp + np.abs(x) * 5e-10)
    assert excess.max() <= 0, (
        f"off by {excess.max():.3g} more than the bound at {x[excess.argmax()]}"
    )
    far = x <= -40
    assert far.any() and np.all(got[far] == 0)  # |x| Phi(-38) underflows float32


def test_gelu_runs_over_blocks_for_any_layout():
    """More values than one block, not a multiple of it, and a transposed input."""
    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float64):
        x = (rng.standard_normal((gelu_module._BLOCK // 100 + 7, 301)) * 3).astype(dtype).T
        got = gelu(x)
        assert got.shape == x.shape and got.dtype == dtype and x.size > 3 * gelu_module._BLOCK
        np.testing.assert_array_equal(got, gelu(np.ascontiguousarray(x)))
        np.testing.assert_array_equal(got[:, :5], gelu(x[:, :5].copy()))
        exact = exact_gelu(x.ravel()).reshape(x.shape)
        np.testing.assert_allclose(got, exact, rtol=np.finfo(dtype).eps, atol=1e-9)
