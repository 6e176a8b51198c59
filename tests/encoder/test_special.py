"""rope_ref's NumPy erf and exact GELU against the C library and torch."""

from __future__ import annotations

import math

import numpy as np
import torch

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


def test_erf_with_four_terms_is_float32_accurate():
    x = points()
    expected = np.array([math.erf(v) for v in x])
    assert np.abs(erf(x, terms=4) - expected).max() < 2e-11


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
