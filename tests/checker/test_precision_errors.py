"""rope_ref.checker.precision: a feature offset that is not an int, or a rotated slice
that does not fit in the head, raises an error that names ``offset``."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

from rope_ref.checker.precision import offset_pairs, tolerance
from rope_ref.paper.layouts import pair_indices

X = np.ones((1, 1, 2, 16))
PHI = np.zeros((2, 4))

PRECISION_ERRORS = [
    ("offset a float", lambda: offset_pairs(8, "half", 2.0, 16), TypeError,
     "offset must be an int, got float"),
    ("offset a bool", lambda: offset_pairs(8, "half", True, 16), TypeError,
     "offset must be an int, got bool"),
    ("offset negative", lambda: offset_pairs(8, "interleaved", -2, 16), ValueError,
     "offset must be in [0, d - rotary_dim] = [0, 8], got -2"),
    ("slice past the head", lambda: offset_pairs(8, "half", 10, 16), ValueError,
     "offset must be in [0, d - rotary_dim] = [0, 8], got 10"),
    ("tolerance at an offset past the head",
     lambda: tolerance(X, PHI, layout="half", rotary_dim=8, scale=1.0, precision="float32",
                       offset=12),
     ValueError, "offset must be in [0, d - rotary_dim] = [0, 8], got 12"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "words"), error_params(PRECISION_ERRORS))
def test_precision_error(call, error, words):
    assert_raises_named(call, error, words)


@pytest.mark.parametrize("layout", ["interleaved", "half"])
def test_a_slice_that_fits_is_the_stated_pairs_moved_by_the_offset(layout):
    a0, b0 = pair_indices(8, layout)
    for offset in (0, 3, 8):
        a, b = offset_pairs(8, layout, offset, 16)
        assert np.array_equal(a, a0 + offset) and np.array_equal(b, b0 + offset)
