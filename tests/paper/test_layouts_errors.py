"""rope_ref.paper.layouts: a bad W, n_heads, x or layout raises an error that names it."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr

LAYOUTS_ERRORS = [
    ("heads", lambda: rr.permute_qk_weights(np.zeros((10, 3)), 3), ValueError, "n_heads=3"),
    (
        "odd head_dim",
        lambda: rr.permute_qk_weights(np.zeros((6, 3)), 2),
        ValueError,
        "d must be even",
    ),
    (
        "to",
        lambda: rr.permute_qk_weights(np.zeros((8, 3)), 2, to="x"),
        ValueError,
        "layout must be",
    ),
    # escapes the API audit found: the id says what got out before the fix
    (
        "ragged x in to_half_layout",
        lambda: rr.to_half_layout([[1, 2], [1]]),
        TypeError,
        "x must be an array",
    ),
    (
        "ragged W in permute_qk_weights",
        lambda: rr.permute_qk_weights([[1.0], [1.0, 2.0]], 1),
        TypeError,
        "W must be an array",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(LAYOUTS_ERRORS))
def test_layouts_error(call, error, words):
    assert_raises_named(call, error, words)
