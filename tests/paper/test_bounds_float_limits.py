"""rope_ref.paper.bounds past float64's range: inf, not a warning or an error."""

from __future__ import annotations

import numpy as np

import rope_ref as rr
from rope_ref.paper.bounds import blend_error


def test_error_bound_is_inf_past_float64_range_without_warning():
    x = np.full((1, 2), 1.7e308)
    with np.errstate(all="raise"):
        bound = rr.rotation_error_bound(x, [3.0])
    assert np.all(np.isinf(bound))


def test_a_blend_far_below_factor_1_has_a_finite_bound_not_nan():
    """scaled_theta_error_bound was NaN for yarn and llama3 with factor 1e-300 (issue 15):
    the blend's denominator (1 - g) + g s cancelled; now it is finite, >= 0, and at least
    the bound of the unscaled theta."""
    base = rr.theta_error_bound(8)
    for p in (
        {"rope_type": "yarn", "factor": 1e-300, "original_max_position_embeddings": 4096},
        {
            "rope_type": "llama3",
            "factor": 1e-300,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 4096,
        },
    ):
        for form in ("code", "paper"):
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                bound = rr.scaled_theta_error_bound(8, None, p, form=form)
            assert np.all(np.isfinite(bound)) and np.all(bound >= base), (p, form, bound)


def test_the_blend_bound_is_the_old_formula_for_factors_above_1():
    """For s >= 1, B = |s - 1| dg / ((1 - g_w) + g_w s) is (1 - 1/s) dg / ((g - dg)^+
    (1 - 1/s) + 1/s) multiplied through by s: the same bound."""
    g, dg = np.linspace(0, 1, 11), np.full(11, 1e-3)
    for s in (1.0, 1.5, 4.0, 40.0):
        old = (1 - 1 / s) * dg / (np.maximum(g - dg, 0.0) * (1 - 1 / s) + 1 / s)
        assert np.allclose(blend_error(g, dg, s), old, rtol=1e-12, atol=0)
