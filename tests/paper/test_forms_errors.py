"""rope_ref.paper.forms: a bad m of the rotary matrix raises an error that names it
(eq 15)."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr
from rope_ref.paper.forms import rotate_elementwise_form

FORMS_ERRORS = [
    (
        "m array",
        lambda: rr.rotary_matrix([1, 2], rr.frequencies(4)),
        ValueError,
        "m must be a single",
    ),
    # issue 15: the teaching forms returned inf where rotate names the overflow
    *(
        (
            f"{form.__name__} float16 overflow: inf",
            lambda form=form: form(np.full((1, 4), 6e4, np.float16), [1.0]),
            ValueError,
            "x is too large to rotate in float16: a rotated pair",
        )
        for form in (rr.rotate_matrix_form, rr.rotate_complex_form, rotate_elementwise_form)
    ),
    *(
        (
            f"{form.__name__} float64 overflow: inf",
            lambda form=form: form(np.full((2, 4), 1.5e308), [0.0, 1.0]),
            ValueError,
            "x is too large to rotate in float64",
        )
        for form in (rr.rotate_matrix_form, rr.rotate_complex_form, rotate_elementwise_form)
    ),
    (
        "matrix form of 4096 positions, d 128: 512 MiB of R",
        lambda: rr.rotate_matrix_form(np.ones((4096, 128)), np.arange(4096)),
        ValueError,
        ("x (or positions) is too large", "(4096, 128, 128)", "MAX_ELEMENTS"),
    ),
    (
        "rotary_matrix of d 2**14: 2 GiB",
        lambda: rr.rotary_matrix(1.0, np.ones(2**13)),
        ValueError,
        ("theta is too large", "(16384, 16384)", "MAX_ELEMENTS"),
    ),
    (
        "rotary_matrix of a masked theta",
        lambda: rr.rotary_matrix(1.0, np.ma.masked_invalid([np.nan, 1.0])),
        TypeError,
        "theta must be a plain NumPy array, got a masked array",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(FORMS_ERRORS))
def test_forms_error(call, error, words):
    assert_raises_named(call, error, words)
