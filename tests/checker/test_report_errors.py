"""rope_ref.checker.report: a bad argument of check or check_outputs raises an error that
names it, before any implementation is judged."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr


def big_outputs(x, positions):
    return np.full_like(x, 1e308)


REPORT_ERRORS = [
    # escapes the API audit found: the id says what got out before the fix
    (
        "check with partial_rotary_factor 1.7e308: OverflowError",
        lambda: rr.check(
            big_outputs,
            d=8,
            rope_scaling={"rope_type": "default", "partial_rotary_factor": 1.7e308},
        ),
        ValueError,
        "rope_scaling['partial_rotary_factor'] must be in (0, 1]",
    ),
    (
        "check_outputs(group=3): AttributeError",
        lambda: rr.check_outputs(np.zeros(3), 3),
        TypeError,
        "group must be a golden group's name",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(REPORT_ERRORS))
def test_report_error(call, error, words):
    assert_raises_named(call, error, words)
