"""rope_ref.paper.bounds past float64's range: inf, not a warning or an error."""

from __future__ import annotations

import numpy as np

import rope_ref as rr


def test_error_bound_is_inf_past_float64_range_without_warning():
    x = np.full((1, 2), 1.7e308)
    with np.errstate(all="raise"):
        bound = rr.rotation_error_bound(x, [3.0])
    assert np.all(np.isinf(bound))
