"""rope_ref.paper.rotary: bad x, positions, theta, base, layout, rotary_dim or a clash of
arguments raises a ValueError or TypeError that names the argument (eqs 13-15, 34).
(rotary_matrix's rows are in test_forms_errors.py, rotation_error_bound's in
test_bounds_errors.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from validation._fuzz import as_matrix
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr

X = np.zeros((2, 4, 8))
X1 = np.ones((2, 4, 8))
P = np.arange(4)
X64 = np.zeros((3, 64))
YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}
#: a float16 pair (60000, 60000) turned by 45 degrees has a component 84853 > 65504
X16 = np.full((1, 2), 60000.0, dtype=np.float16)

ROTARY_ERRORS = [
    ("base nan", lambda: rr.rotate(X, P, base=float("nan")), ValueError, "base must be finite"),
    ("odd x", lambda: rr.rotate(np.zeros((4, 7)), P), ValueError, "d (the last axis of x)"),
    (
        "odd rotary_dim",
        lambda: rr.rotate(X, P, rotary_dim=3),
        ValueError,
        "rotary_dim must be even",
    ),
    (
        "rotary_dim > d",
        lambda: rr.rotate(X, P, rotary_dim=10),
        ValueError,
        "rotary_dim must be <= d",
    ),
    ("seq mismatch", lambda: rr.rotate(X, np.arange(5)), ValueError, "positions must have shape"),
    ("too many axes", lambda: rr.rotate(X, np.zeros((3, 2, 2, 4))), ValueError, "positions"),
    (
        "nan position",
        lambda: rr.rotate(X, [0, 1, np.nan, 3]),
        ValueError,
        "positions must be finite",
    ),
    ("str positions", lambda: rr.rotate(X, "0123"), TypeError, "positions must be"),
    ("complex positions", lambda: rr.rotate(X, np.ones(4) * 1j), TypeError, "positions must hold"),
    ("nan in x", lambda: rr.rotate(np.full((4, 8), np.nan), P), ValueError, "x must be finite"),
    ("inf in x", lambda: rr.rotate(np.full((4, 8), np.inf), P), ValueError, "x must be finite"),
    (
        "int x",
        lambda: rr.rotate(np.zeros((4, 8), dtype=np.int64), P),
        TypeError,
        "x must have dtype",
    ),
    ("list x", lambda: rr.rotate([[0.0, 1.0]], [0]), TypeError, "x must be a NumPy array"),
    ("0-d x", lambda: rr.rotate(np.float64(1.0), P), TypeError, "x must be a NumPy array"),
    ("0-d array x", lambda: rr.rotate(np.array(1.0), P), ValueError, "x must have at least 2 axes"),
    ("1-d x", lambda: rr.rotate(np.zeros(8), P), ValueError, "x must have at least 2 axes"),
    ("layout", lambda: rr.rotate(X, P, layout="neox"), ValueError, "layout must be one of"),
    (
        "theta length",
        lambda: rr.rotate(X, P, theta=np.ones(3)),
        ValueError,
        "theta must have shape",
    ),
    (
        "float16 overflow",
        lambda: rr.rotate(X16, [1.0], theta=np.array([np.pi / 4])),
        ValueError,
        "x is too large to rotate in float16",
    ),
    (
        "theta and base",
        lambda: rr.rotate(X, P, theta=rr.frequencies(8), base=500000.0),
        ValueError,
        "give theta or base, not both",
    ),
    ("hf_compat str", lambda: rr.rotate(X, P, hf_compat="yes"), TypeError, "hf_compat"),
    # with rope_scaling
    (
        "theta and rope_scaling",
        lambda: rr.rotate(X64, np.arange(3), theta=np.ones(32), rope_scaling=YARN),
        ValueError,
        "give theta or rope_scaling, not both",
    ),
    (
        "seq_len without rope_scaling",
        lambda: rr.rotate(X64, np.arange(3), seq_len=10),
        ValueError,
        "seq_len applies only with rope_scaling",
    ),
    (
        "rotary_dim against partial_rotary_factor",
        lambda: rr.rotate(
            X64,
            np.arange(3),
            rotary_dim=16,
            rope_scaling={"rope_type": "default", "partial_rotary_factor": 0.5},
        ),
        ValueError,
        ("rotary_dim must match ", " = 32), got rotary_dim=16"),
    ),
    # escapes the API audit found: the id says what got out before the fix
    (
        "rotate: huge theta times m",
        lambda: rr.rotate(X1, P * 1e307, theta=np.full(4, 1e3)),
        ValueError,
        "positions times theta overflows",
    ),
    (
        "rotate: a bad rotary_dim was called 'd'",
        lambda: rr.rotate(X1, P, rope_scaling={"rope_type": "default"}, rotary_dim=3),
        ValueError,
        "rotary_dim must be even",
    ),
    (
        "rotate: rotary_dim=True was called 'd'",
        lambda: rr.rotate(X1, P, rope_scaling={"rope_type": "default"}, rotary_dim=True),
        TypeError,
        "rotary_dim must be an integer",
    ),
    (
        "rotate: rotary_dim=4.0 accepted with a partial dict",
        lambda: rr.rotate(
            X1,
            P,
            rope_scaling={"rope_type": "default", "partial_rotary_factor": 0.5},
            rotary_dim=4.0,
        ),
        TypeError,
        "rotary_dim must be an integer",
    ),
    # issue 15: masked arrays, np.matrix and 42 axes got through to NumPy
    (
        "masked x: [[nan nan]], mask dropped",
        lambda: rr.rotate(np.ma.masked_invalid([[np.nan, 1.0]]), [0.0]),
        TypeError,
        ("x must be a plain NumPy array, got a masked array", "x.filled"),
    ),
    (
        "masked x without a mask",
        lambda: rr.unrotate(np.ma.array([[1.0, 2.0]]), [0.0]),
        TypeError,
        "x must be a plain NumPy array, got a masked array",
    ),
    (
        "masked positions",
        lambda: rr.rotate(np.ones((1, 2)), np.ma.masked_invalid([np.nan])),
        TypeError,
        "positions must be a plain NumPy array, got a masked array",
    ),
    (
        "np.matrix x",
        lambda: rr.rotate(as_matrix([[1.0, 2.0]]), [0.0]),
        TypeError,
        ("x must be a plain NumPy array, got an np.matrix", "np.asarray(x)"),
    ),
    (
        "x of 42 axes: RuntimeError, supports up to 32 dimensions",
        lambda: rr.rotate(np.ones((1,) * 40 + (2, 8)), np.arange(2)),
        ValueError,
        "x must have at most 32 axes",
    ),
    (
        "positions of 33 axes",
        lambda: rr.angles(np.zeros((1,) * 33), np.ones(2)),
        ValueError,
        "positions must have at most 32 axes",
    ),
    (
        "masked theta",
        lambda: rr.rotate(X, P, theta=np.ma.ones(4)),
        TypeError,
        "theta must be a plain NumPy array, got a masked array",
    ),
    (
        "layout of a masked x",
        lambda: rr.to_half_layout(np.ma.ones((2, 4))),
        TypeError,
        "x must be a plain NumPy array, got a masked array",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(ROTARY_ERRORS))
def test_rotary_error(call, error, words):
    assert_raises_named(call, error, words)
