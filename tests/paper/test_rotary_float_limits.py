"""rope_ref.paper.rotary at the edge of float16: what comes back, not an error. (The error
past that edge is the row "float16 overflow" of tests/paper/test_rotary_errors.py.)"""

from __future__ import annotations

import numpy as np

import rope_ref as rr


def test_a_float16_pair_near_the_maximum_stays_finite_at_position_0():
    """(60000, 60000) overflows float16 at 45 degrees (the row "float16 overflow"), not at 0."""
    x = np.full((1, 2), 60000.0, dtype=np.float16)
    assert np.all(np.isfinite(rr.rotate(x, [0.0], theta=np.array([np.pi / 4]))))
