"""rope_ref.paper.decay: q, k or distances too large for eqs 35-37 raise a named error."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr

DECAY_ERRORS = [
    # escapes the API audit found: the id says what got out before the fix
    (
        "distances times theta overflowed",
        lambda: rr.partial_sums([1e308], 8, 1e-300),
        ValueError,
        "distances times theta overflows",
    ),
    (
        "h = q k* overflowed",
        lambda: rr.pair_products(np.full(2, 1e200), np.full(2, 1e200)),
        ValueError,
        "q and k are too large",
    ),
    (
        "eq 37's bound overflowed",
        lambda: rr.decay_bound(np.full(8, 1e200), np.full(8, 1e200), [1.0]),
        ValueError,
        "q and k are too large",
    ),
    # issue 15: 62.5 GiB for a (64,) output; masked q gave [nan]
    (
        "relative_upper_bound of 64 distances at d 2**24: 62.5 GiB",
        lambda: rr.relative_upper_bound(np.arange(64), 2**24),
        ValueError,
        ("distances and d are too large", "(64, 8388609)", "MAX_ELEMENTS"),
    ),
    *(
        (
            f"{fn.__name__} of a masked q: [nan]",
            lambda fn=fn: fn(np.ma.masked_invalid([np.nan, 1.0]), np.ones(2), [1.0]),
            TypeError,
            "q must be a plain NumPy array, got a masked array",
        )
        for fn in (rr.relative_score, rr.decay_bound)
    ),
    (
        "pair_products of a masked q: nan",
        lambda: rr.pair_products(np.ma.masked_invalid([np.nan, 1.0]), np.ones(2)),
        TypeError,
        "q must be a plain NumPy array, got a masked array",
    ),
    (
        "partial_sums of masked distances",
        lambda: rr.partial_sums(np.ma.masked_invalid([np.nan, 1.0]), 8),
        TypeError,
        "distances must be a plain NumPy array, got a masked array",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(DECAY_ERRORS))
def test_decay_error(call, error, words):
    assert_raises_named(call, error, words)
