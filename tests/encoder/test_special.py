"""rope_ref's NumPy erf and exact GELU against the C library and torch."""

from __future__ import annotations

import math

import numpy as np
import torch

from rope_ref import _special
from rope_ref._special import erf, gelu


def points() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.concatenate([
        np.linspace(-7.0, 7.0, 20001),  # includes every grid point and the |x| = 6 seam
        rng.uniform(-8.0, 8.0, 20000),
        rng.standard_normal(5000) * 1e-3,
        [0.0, -0.0, 5e-324, -1e-300, 1e300, -np.inf, np.inf],
    ])  # fmt: skip


def test_erf_agrees_with_math_erf_to_float64_ulps():
    x = points()
    expected = np.array([math.erf(v) for v in x])
    got = erf(x)
    ulps = np.abs(got - expected) / np.spacing(np.maximum(np.abs(expected), 1e-300))
    assert np.abs(got - expected).max() <= 2.3e-16
    assert ulps.max() <= 4, f"erf is {ulps.max()} ulps from math.erf at x = {x[ulps.argmax()]}"


def test_erf_with_three_terms_is_within_its_truncation_bound():
    """(4/sqrt(pi)) (1/512)^3 / 3! = 2.803e-9, what float32 input gets (module doc)."""
    x = points()
    expected = np.array([math.erf(v) for v in x])
    error = np.abs(erf(x, terms=_special._FLOAT32_TERMS) - expected).max()
    bound = 4 / math.sqrt(math.pi) / 512**3 / 6
    assert _special._FLOAT32_TERMS == 3 and 1e-10 < error <= bound < 2.9e-9


def test_erf_is_odd_and_exact_at_zero_and_infinity():
    x = points()
    assert np.array_equal(erf(-x), -erf(x))
    assert erf(np.array([0.0, np.inf, -np.inf])).tolist() == [0.0, 1.0, -1.0]
    assert np.isnan(erf(np.array([1.0, np.nan]))).tolist() == [False, True]
    assert erf(np.float64(0.5)) == math.erf(0.5) and erf(2.0).shape == ()


def test_gelu_equals_torch_exact_gelu():
    x = points()[np.isfinite(points())]
    x = x[np.abs(x) < 1e6]
    expected = torch.nn.functional.gelu(torch.from_numpy(x)).numpy()
    assert np.abs(gelu(x) - expected).max() <= 4 * np.spacing(np.abs(expected) + 1).max()
    x32 = x.astype(np.float32)
    got32 = gelu(x32)
    assert got32.dtype == np.float32
    expected32 = torch.nn.functional.gelu(torch.from_numpy(x32)).numpy()
    assert np.abs(got32 - expected32).max() <= 4 * np.spacing(np.float32(8.0))


def exact_gelu(x: np.ndarray) -> np.ndarray:
    """x Phi(x) in float64 from math.erf."""
    return np.array([v * (1 + math.erf(v / math.sqrt(2))) / 2 for v in x.astype(np.float64)])


def test_float32_gelu_is_within_half_an_ulp_plus_x_times_1_5e_9():
    x = np.concatenate([points(), -np.geomspace(8, 1e5, 50)])
    x = x[np.abs(x) < 1e6].astype(np.float32)
    exact, got = exact_gelu(x), gelu(x)
    ulp = np.spacing(np.maximum(np.abs(exact), np.abs(got)).astype(np.float32))
    excess = np.abs(got - exact) - (0.5 * ulp + np.abs(x) * 1.5e-9)
    assert excess.max() <= 0, (
        f"off by {excess.max():.3g} more than the bound at {x[excess.argmax()]}"
    )
    far = x <= -6 * math.sqrt(2)
    assert far.any() and np.all(got[far] == 0)  # erf = -1 exactly from 6 on


def test_gelu_runs_over_blocks_for_any_layout():
    """More values than one block, not a multiple of it, and a transposed input."""
    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float64):
        x = (rng.standard_normal((_special._BLOCK // 100 + 7, 301)) * 3).astype(dtype).T
        got = gelu(x)
        assert got.shape == x.shape and got.dtype == dtype and x.size > 3 * _special._BLOCK
        np.testing.assert_array_equal(got, gelu(np.ascontiguousarray(x)))
        np.testing.assert_array_equal(got[:, :5], gelu(x[:, :5].copy()))
        exact = exact_gelu(x.ravel()).reshape(x.shape)
        np.testing.assert_allclose(got, exact, rtol=np.finfo(dtype).eps, atol=1e-8)
