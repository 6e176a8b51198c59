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
    (
        "half_in_halves pairs of 6 features",
        lambda: rr.pair_indices(6, "half_in_halves"),
        ValueError,
        "rotary_dim must be a multiple of 4",
    ),
    (
        "half_in_halves rotation of 6 features",
        lambda: rr.rotate(np.zeros((3, 8)), np.arange(3), layout="half_in_halves", rotary_dim=6),
        ValueError,
        "rotary_dim must be a multiple of 4",
    ),
    (
        "half_in_halves multi-axis rotation of 6 features",
        lambda: rr.rotate(
            np.zeros((3, 6)), np.zeros((2, 3)), axes=np.array([0, 1, 1]), layout="half_in_halves"
        ),
        ValueError,
        "rotary_dim must be a multiple of 4",
    ),
    (
        "half_in_halves weights of head_dim 6",
        lambda: rr.permute_qk_weights(np.zeros((12, 3)), 2, to="half_in_halves"),
        ValueError,
        "rotary_dim must be a multiple of 4",
    ),
    (
        "gemma4_vision of d 6",
        lambda: rr.axis_frequencies(6, style="gemma4_vision"),
        ValueError,
        "multiple of 4",
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
