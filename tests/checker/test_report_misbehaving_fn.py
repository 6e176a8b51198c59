"""rope_ref.check of an implementation that misbehaves: a verdict for outputs at the float
maximum, and fn's own exception passed on with a note. (Bad arguments of check itself are
rows of tests/checker/test_report_errors.py.)"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import rope_ref as rr


def big_outputs(x, positions):
    return np.full_like(x, 1e308)


def raising_fn(x, positions):
    raise RuntimeError("the implementation's own error")


def test_outputs_of_1e308_get_a_failing_verdict_without_a_warning():
    """check of a fn returning 1e308 ended in a RuntimeWarning (the API audit)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert rr.check(big_outputs, d=8).ok is False


def test_an_exception_of_fn_propagates_with_a_note():
    """check's documented behaviour: fn's own exception, its type kept, plus a note."""
    with pytest.raises(RuntimeError, match="the implementation's own error") as info:
        rr.check(raising_fn, d=8)
    assert any(
        "raised by fn(x, positions) inside rope_ref.check" in n for n in info.value.__notes__
    )
