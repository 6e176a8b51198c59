"""rope_ref.paper.bounds: a rope_scaling whose base overflows raises an error that names
it, not an OverflowError."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr

BOUNDS_ERRORS = [
    # escapes the API audit found: the id says what got out before the fix
    (
        "error bound of ntk: OverflowError",
        lambda: rr.rotation_error_bound(
            np.ones((2, 4, 8)), np.arange(4), rope_scaling={"rope_type": "ntk", "factor": 1e300}
        ),
        ValueError,
        "rope_scaling['factor']",
    ),
    # issue 15: a blend's bound was 0/0 for factors far below 1
    (
        "angle_error_bound of 64 positions at d 2**24: 4 GiB",
        lambda: rr.angle_error_bound(np.arange(64), 2**24),
        ValueError,
        ("positions and d are too large", "(64, 8388608)", "MAX_ELEMENTS"),
    ),
    (
        "rotation_error_bound of a masked x",
        lambda: rr.rotation_error_bound(np.ma.masked_invalid([[np.nan, 1.0]]), [0.0]),
        TypeError,
        "x must be a plain NumPy array, got a masked array",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(BOUNDS_ERRORS))
def test_bounds_error(call, error, words):
    assert_raises_named(call, error, words)
