"""rope_ref.paper.figures: bad or overflowing q, k, y raise an error that names them."""

from __future__ import annotations

import numpy as np
import pytest
from validation._fuzz import as_matrix
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr

FIGURES_ERRORS = [
    # escapes the API audit found: the id says what got out before the fix
    (
        "score_grid of complex q: ComplexWarning",
        lambda: rr.score_grid(np.ones(8) * 1j, np.ones(8), np.arange(3)),
        TypeError,
        "q must hold real numbers",
    ),
    (
        "score_grid of ragged q: NumPy's message",
        lambda: rr.score_grid([[1], [1, 2]], np.ones(8), np.arange(3)),
        TypeError,
        "q must be an array",
    ),
    (
        "score_grid overflowed",
        lambda: rr.score_grid(np.full(8, 1e200), np.full(8, 1e200), [0, 1]),
        ValueError,
        "the scores q_m^T k_n (eq 16) overflow",
    ),
    (
        "error_by_position: 1e308 - -1e308 = inf",
        lambda: rr.error_by_position(np.full((3, 4), 1e308), np.full((3, 4), -1e308)),
        ValueError,
        "y - reference overflows float64",
    ),
    # issue 15: unseen_angle_ratio overflowed to inf; masked arrays passed the checks
    (
        "unseen_angle_ratio with L_train 1e-308: inf",
        lambda: rr.unseen_angle_ratio(np.ones(2), np.ones(2), 1e-308, 10.0),
        ValueError,
        ("trained_length times trained_theta is too small", "overflows float64"),
    ),
    (
        "clock_hands of a masked theta",
        lambda: rr.clock_hands([0, 1], np.ma.masked_invalid([np.nan, 1.0])),
        TypeError,
        "theta must be a plain NumPy array, got a masked array",
    ),
    (
        "score_grid of an np.matrix q",
        lambda: rr.score_grid(as_matrix([[1.0, 2.0]]), np.ones(2), [0, 1]),
        TypeError,
        "q must be a plain NumPy array, got an np.matrix",
    ),
    (
        "score_grid of 10**5 positions: 80 GB",
        lambda: rr.score_grid(np.ones(2), np.ones(2), np.arange(10**5)),
        ValueError,
        ("positions are too large", "(100000, 100000)", "MAX_ELEMENTS"),
    ),
    (
        "clock_hands of 10**4 positions and 2**12 pairs",
        lambda: rr.clock_hands(np.arange(10**4), np.ones(2**12)),
        ValueError,
        ("positions and theta are too large", "(10000, 4096, 2)"),
    ),
    (
        "error_by_position of a masked y",
        lambda: rr.error_by_position(np.ma.masked_invalid([[np.nan]]), np.ones((1, 1))),
        TypeError,
        "y must be a plain NumPy array, got a masked array",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(FIGURES_ERRORS))
def test_figures_error(call, error, words):
    assert_raises_named(call, error, words)
