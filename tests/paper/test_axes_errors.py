"""rope_ref.paper.axes: a bad style, section, axis assignment or vector position raises an
error that names it."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr

X = np.zeros((1, 2, 4, 64))
THETA, AXES = rr.axis_frequencies(64, 1e4, style="mrope", section=(8, 12, 12))
P = np.zeros((3, 4))

AXES_ERRORS = [
    (
        "unknown style",
        lambda: rr.axis_frequencies(64, style="mrope3"),
        ValueError,
        ("style must be one of", "mrope3"),
    ),
    (
        "section of two entries",
        lambda: rr.axis_frequencies(64, style="mrope", section=[16, 16]),
        ValueError,
        "section must be a list of 3 integers",
    ),
    (
        "section not adding up to d/2",
        lambda: rr.axis_frequencies(128, style="mrope", section=[16, 24, 20]),
        ValueError,
        ("section must add up to rotary_dim/2 = 64", "sum 60"),
    ),
    (
        "default section for another d",
        lambda: rr.axis_frequencies(64, style="mrope"),
        ValueError,
        "section must add up to rotary_dim/2 = 32",
    ),
    (
        "negative section",
        lambda: rr.axis_frequencies(4, style="mrope", section=[-1, 2, 1]),
        ValueError,
        "section[0] must be an integer >= 0",
    ),
    (
        "float section",
        lambda: rr.axis_frequencies(64, style="mrope", section=[8.0, 12, 12]),
        TypeError,
        "section[0] must be an integer",
    ),
    (
        "ernie section with h != w",
        lambda: rr.axis_frequencies(64, style="mrope_ernie", section=[10, 12, 10]),
        ValueError,
        "equal h and w entries",
    ),
    (
        "section for a 2D style",
        lambda: rr.axis_frequencies(64, style="axial", section=[8, 12, 12]),
        ValueError,
        "section must be None for style 'axial'",
    ),
    (
        "2D style with d not a multiple of 4",
        lambda: rr.axis_frequencies(66, style="pixtral"),
        ValueError,
        "d must be a multiple of 4",
    ),
    ("odd d", lambda: rr.axis_frequencies(63, style="mrope"), ValueError, "d must be even"),
    ("bad base", lambda: rr.axis_frequencies(64, 1.0, style="axial"), ValueError, "base must"),
    (
        "axes of floats",
        lambda: rr.rotate(X, P, theta=THETA, axes=AXES.astype(float)),
        TypeError,
        "axes must be a 1-D array of integers",
    ),
    (
        "axes shorter than theta",
        lambda: rr.rotate(X, P, theta=THETA, axes=AXES[:-1]),
        ValueError,
        "axes must have shape (rotary_dim/2,) = (32,)",
    ),
    (
        "negative axis",
        lambda: rr.rotate(X, P, theta=THETA, axes=-AXES),
        ValueError,
        "axes must be >= 0",
    ),
    (
        "1D positions where axes state three",
        lambda: rr.rotate(X, np.arange(4), theta=THETA, axes=AXES),
        ValueError,
        ("positions must have shape (n_axes, seq) = (3, 4)", "one row of coordinates per axis"),
    ),
    (
        "vector positions of the wrong seq",
        lambda: rr.rotate(X, np.zeros((3, 5)), theta=THETA, axes=AXES),
        ValueError,
        "positions must have shape (n_axes, seq) = (3, 4)",
    ),
    (
        "infinite coordinate",
        lambda: rr.rotate(X, np.full((3, 4), np.inf), theta=THETA, axes=AXES),
        ValueError,
        "positions must be finite",
    ),
    (
        "coordinate times theta overflows",
        lambda: rr.axis_angles(np.full((3, 1), 1e308), THETA * 10, AXES),
        ValueError,
        "positions times theta overflows",
    ),
    (
        "axes and mrope_section both",
        lambda: rr.rotate(
            X, P, axes=AXES, rope_scaling={"rope_type": "default", "mrope_section": [8, 12, 12]}
        ),
        ValueError,
        "axes and rope_scaling['mrope_section'] both state the axes",
    ),
    (
        "mrope_section not adding up",
        lambda: rr.rotate(
            X, P, rope_scaling={"rope_type": "default", "mrope_section": [16, 24, 24]}
        ),
        ValueError,
        "section must add up to rotary_dim/2 = 32",
    ),
    (
        "mrope_interleaved not a bool",
        lambda: rr.rotate(
            X,
            P,
            rope_scaling={
                "rope_type": "default",
                "mrope_section": [8, 12, 12],
                "mrope_interleaved": 1,
            },
        ),
        TypeError,
        "rope_scaling['mrope_interleaved'] must be a bool",
    ),
    (
        "rotary_matrix with a batch of vector positions",
        lambda: rr.rotary_matrix(np.zeros((3, 2)), THETA, axes=AXES),
        ValueError,
        "m must be a single vector position of shape (k,)",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(AXES_ERRORS))
def test_axes_error(call, error, words):
    assert_raises_named(call, error, words)
