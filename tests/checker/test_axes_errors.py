"""rope_ref.checker.axes: a bad multi-axis configuration given to ``check`` raises an error
that names it, before the implementation runs."""

from __future__ import annotations

import re

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr


def _never(x, positions):
    raise AssertionError("check must reject the configuration before running fn")


AXES_CHECK_ERRORS = [
    (
        "unknown style",
        lambda: rr.check(_never, d=64, style="mrope2"),
        ValueError,
        "style must be one of",
    ),
    (
        "section not adding up",
        lambda: rr.check(_never, d=64, style="mrope", section=(16, 24, 24)),
        ValueError,
        "section must add up to rotary_dim/2 = 32",
    ),
    (
        "mrope_section not adding up",
        lambda: rr.check(
            _never, d=64, rope_scaling={"rope_type": "default", "mrope_section": [16, 24, 24]}
        ),
        ValueError,
        "section must add up to rotary_dim/2 = 32",
    ),
    (
        "a scaling dict with a 2D style",
        lambda: rr.check(
            _never, d=64, style="axial", rope_scaling={"rope_type": "linear", "factor": 2.0}
        ),
        ValueError,
        "rope_scaling must be None for style 'axial'",
    ),
    (
        "section with a 2D style",
        lambda: rr.check(_never, d=64, style="pixtral", section=(8, 12, 12)),
        ValueError,
        "section must be None for style 'pixtral'",
    ),
    (
        "bad layout",
        lambda: rr.check(_never, d=64, style="axial", layout="split"),
        ValueError,
        "layout must be one of",
    ),
    (
        "output of the wrong shape",
        lambda: rr.check(lambda x, p: x[..., :2], d=64, style="axial"),
        ValueError,
        "the output of fn must have the inputs' shape",
    ),
    (
        "output of integers",
        lambda: rr.check(lambda x, p: np.zeros(x.shape, int), d=64, style="axial"),
        TypeError,
        "the output of fn must be a float array",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(AXES_CHECK_ERRORS))
def test_axes_check_error(call, error, words):
    assert_raises_named(call, error, words)


def test_an_exception_of_fn_itself_propagates_with_a_note():
    def broken(x, positions):
        raise KeyError("mine")

    with pytest.raises(KeyError) as info:
        rr.check(broken, d=64, style="axial")
    # (2, seq): the 2D ladder plus the seeded draw, whatever their lengths
    assert any(re.search(r"positions of shape \(2, \d+\)", n) for n in info.value.__notes__)
