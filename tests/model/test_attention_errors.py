"""rope_ref.model.attention: bad q, k, v, flags, or scores that overflow (eqs 16, 19)
raise an error that names them."""

from __future__ import annotations

import numpy as np
import pytest
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
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(ATTENTION_ERRORS))
def test_attention_error(call, error, words):
    assert_raises_named(call, error, words)
