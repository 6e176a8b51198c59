"""rope_ref.model.attention: bad q, k, v, flags, or scores that overflow (eqs 16, 19)
raise an error that names them."""

from __future__ import annotations

import numpy as np
import pytest
from validation._fuzz import as_matrix
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr

Q = np.ones((2, 3, 4))
V = np.ones((2, 3, 5))

ATTENTION_ERRORS = [
    # escapes the API audit found: the id says what got out before the fix
    (
        "float16 scores overflowed",
        lambda: rr.rope_attention(
            np.full((3, 4), 200, np.float16),
            np.full((3, 4), 200, np.float16),
            np.ones((3, 5), np.float16),
            np.arange(3),
        ),
        ValueError,
        "q, k (or v) are too large: the scores",
    ),
    (
        "float64 scores overflowed",
        lambda: rr.attention_scores(Q * 1e200, Q * 1e200, np.arange(3)),
        ValueError,
        "the scores q_m^T k_n / sqrt(d) (eq 16) overflow float64",
    ),
    (
        "linear attention overflowed",
        lambda: rr.linear_attention(Q * 1e200, Q * 1e200, V, [0, 1, 2]),
        ValueError,
        "the numerator of eq 19 overflow",
    ),
    (
        "causal='yes' accepted",
        lambda: rr.rope_attention(Q, Q, V, [0, 1, 2], causal="yes"),
        TypeError,
        "causal must be a bool",
    ),
    (
        "linear='no' taken as True",
        lambda: rr.rope_attention(Q, Q, V, [0, 1, 2], linear="no"),
        TypeError,
        "linear must be a bool",
    ),
    (
        "rotary_value with odd d_v called it 'x'",
        lambda: rr.rope_attention(Q, Q, V, [0, 1, 2], rotary_value=True),
        ValueError,
        "d_v (the last axis of v",
    ),
    (
        "seq 0: 'zero-size array to reduction'",
        lambda: rr.rope_attention(np.ones((0, 4)), np.ones((0, 4)), np.ones((0, 5)), np.zeros(0)),
        ValueError,
        "q must have seq >= 1",
    ),
    # issue 15: linear attention's quotient overflowed silently, a 0-d mask was an AxisError
    (
        "linear attention float16 quotient: [[-inf], [inf]]",
        lambda: rr.linear_attention(
            np.array([[[4.0, -8.0]] * 2], np.float16),
            np.array([[[-8.0, 4.0]] * 2], np.float16),
            np.full((1, 2, 1), 1e3, np.float16),
            [0, 1],
        ),
        ValueError,
        ("q, k or v are too large", "eq 19", "overflows float16"),
    ),
    *(
        (
            f"linear attention float64 quotient{label}: inf",
            lambda call=call, kw=kw: call(
                np.array([[[10.0, -30.0]] * 2]),
                np.array([[[-30.0, 10.0]] * 2]),
                np.full((1, 2, 1), 1e300),
                [0, 2],
                **kw,
            ),
            ValueError,
            ("q, k or v are too large", "overflows float64"),
        )
        for label, call, kw in [
            ("", rr.linear_attention, {}),
            (", causal", rr.linear_attention, {"causal": True}),
            (", rope_attention(linear=True)", rr.rope_attention, {"linear": True}),
        ]
    ),
    (
        "linear attention with a masked q",
        lambda: rr.linear_attention(np.ma.ones((3, 4)), Q[0], V[0], np.arange(3)),
        TypeError,
        "q must be a plain NumPy array, got a masked array",
    ),
    (
        "an np.matrix q: matrix.max() got keepdims",
        lambda: rr.rope_attention(as_matrix([[1.0, 2.0]]), np.ones((1, 2)), np.ones((1, 2)), [0]),
        TypeError,
        "q must be a plain NumPy array, got an np.matrix",
    ),
    (
        "scores of 10**8 values: 800 MB",
        lambda: rr.rope_attention(
            np.ones((1, 10**4, 2)), np.ones((1, 10**4, 2)), np.ones((1, 10**4, 2)), np.arange(10**4)
        ),
        ValueError,
        ("q and k are too large", "(1, 10000, 10000)", "MAX_ELEMENTS"),
    ),
    (
        "causal linear sums of 2**26 values",
        lambda: rr.linear_attention(
            np.ones((4096, 128)),
            np.ones((4096, 128)),
            np.ones((4096, 128)),
            np.arange(4096),
            causal=True,
        ),
        ValueError,
        ("q, k and v are too large", "(4096, 128, 128)"),
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(ATTENTION_ERRORS))
def test_attention_error(call, error, words):
    assert_raises_named(call, error, words)
