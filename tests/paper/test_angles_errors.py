"""rope_ref.paper.angles: bad positions or theta raise an error that names them (eq 13)."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr

ANGLES_ERRORS = [
    ("inf position", lambda: rr.angles([np.inf], [1.0]), ValueError, "positions must be finite"),
    # escapes the API audit found: the id says what got out before the fix
    (
        "m theta overflowed to inf",
        lambda: rr.angles([1e308], [10.0]),
        ValueError,
        "positions times theta overflows",
    ),
    (
        "ragged positions: NumPy's message",
        lambda: rr.angles([[1.0], [1.0, 2.0]], [1.0]),
        TypeError,
        "positions must be an array",
    ),
    (
        "ragged theta: NumPy's message",
        lambda: rr.angles([1.0], [[1.0], [1.0, 2.0]]),
        TypeError,
        "theta must be an array",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(ANGLES_ERRORS))
def test_angles_error(call, error, words):
    assert_raises_named(call, error, words)
