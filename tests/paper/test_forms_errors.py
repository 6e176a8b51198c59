"""rope_ref.paper.forms: a bad m of the rotary matrix raises an error that names it
(eq 15)."""

from __future__ import annotations

import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr

FORMS_ERRORS = [
    (
        "m array",
        lambda: rr.rotary_matrix([1, 2], rr.frequencies(4)),
        ValueError,
        "m must be a single",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(FORMS_ERRORS))
def test_forms_error(call, error, words):
    assert_raises_named(call, error, words)
