"""rope_ref.paper.frequencies: each bad d or base raises an error that names it (eq 15)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr

FREQUENCIES_ERRORS = [
    ("odd d", lambda: rr.frequencies(7), ValueError, "d must be even"),
    ("d zero", lambda: rr.frequencies(0), ValueError, "d must be an integer >= 2"),
    ("float d", lambda: rr.frequencies(8.0), TypeError, "d must be an integer"),
    ("base 1", lambda: rr.frequencies(8, 1.0), ValueError, "base must be > 0 and != 1"),
    ("base 0", lambda: rr.frequencies(8, 0.0), ValueError, "base must be > 0"),
    ("base -2", lambda: rr.frequencies(8, -2.0), ValueError, "base must be > 0"),
    ("base inf", lambda: rr.frequencies(8, np.inf), ValueError, "base must be finite"),
    ("base str", lambda: rr.frequencies(8, "10000"), TypeError, "base must be a real number"),
    # escapes the API audit found: the id says what got out before the fix
    (
        "subnormal base: theta overflowed to inf",
        lambda: rr.frequencies(1000, 5e-324),
        ValueError,
        "base must be >= 2.2",
    ),
    (
        "huge int base: OverflowError",
        lambda: rr.frequencies(8, 10**400),
        ValueError,
        "base must be finite",
    ),
    (
        "huge Fraction base: OverflowError",
        lambda: rr.frequencies(8, Fraction(10**400)),
        ValueError,
        "base must be finite",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(FREQUENCIES_ERRORS))
def test_frequencies_error(call, error, words):
    assert_raises_named(call, error, words)
