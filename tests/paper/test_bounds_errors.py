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
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(BOUNDS_ERRORS))
def test_bounds_error(call, error, words):
    assert_raises_named(call, error, words)
