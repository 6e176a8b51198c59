"""rope_ref.paper.figures: bad or overflowing q, k, y raise an error that names them."""

from __future__ import annotations

import numpy as np
import pytest
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
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(FIGURES_ERRORS))
def test_figures_error(call, error, words):
    assert_raises_named(call, error, words)
