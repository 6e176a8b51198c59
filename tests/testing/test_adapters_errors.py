"""rope_ref.testing.adapters and assert_rope: a bad call shape, or an output that does not
fit the declared one, raises an error that names it."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
import torch
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr
from rope_ref.testing import assert_rope
from testing._shapes import hf_qk

QK = {"qk": True, "input_layout": "bshd", "position_ids": "batch_seq", "d": 8, "layout": "half"}


def _without_ml_dtypes():
    def bf16(x, positions):
        return torch.from_numpy(rr.rotate(x.numpy(), positions.numpy())).to(torch.bfloat16)

    with mock.patch.dict("sys.modules", {"ml_dtypes": None}):  # import ml_dtypes fails
        assert_rope(bf16, tensors="torch", d=8)


ADAPTERS_ERRORS = [
    ("qk 'yes'", lambda: assert_rope(rr.rotate, qk="yes", d=8), TypeError,
     ("qk must be a bool", "got 'yes'")),
    ("input_layout 'bsdh'", lambda: assert_rope(rr.rotate, input_layout="bsdh", d=8),
     ValueError, "input_layout must be one of ('bhsd', 'bshd'), got 'bsdh'"),
    ("position_ids 'batch'", lambda: assert_rope(rr.rotate, position_ids="batch", d=8),
     ValueError, "position_ids must be one of ('seq', 'batch_seq'), got 'batch'"),
    ("tensors 'jax'", lambda: assert_rope(rr.rotate, tensors="jax", d=8), ValueError,
     "tensors must be one of ('numpy', 'torch'), got 'jax'"),
    ("fn not callable, qk", lambda: assert_rope(3, **QK), TypeError,
     "fn must be callable as fn(q, k, positions), got"),
    ("seed -2", lambda: assert_rope(rr.rotate, d=8, seed=-2), ValueError,
     "seed must be an integer >= 0, got -2"),
    ("qk, one tensor returned", lambda: assert_rope(lambda q, k, p: q, **QK), TypeError,
     ("fn must return (q_out, k_out) for qk=True (fn(q, k, positions)), got one ndarray of "
      "shape (2, ")),
    ("qk, three tensors returned", lambda: assert_rope(lambda q, k, p: (q, k, q), **QK),
     TypeError, ("fn must return (q_out, k_out) for qk=True", "got a tuple of 3")),
    ("bshd declared, bhsd returned",
     lambda: assert_rope(lambda x, p: np.swapaxes(x, 1, 2), input_layout="bshd", d=8),
     ValueError, ("the output of fn must have shape (batch, seq, heads, d) = (2, ",
                  ", 3, 8) for input_layout='bshd'", "got (2, 3, ")),
    ("k_out of another shape",
     lambda: assert_rope(lambda q, k, p: (hf_qk(q, k, p)[0], k[..., :4]), **QK), ValueError,
     ("k_out must have shape (batch, seq, heads, d)", "got (2, ")),
    ("a bfloat16 tensor without ml_dtypes or a precision", _without_ml_dtypes, TypeError,
     "the output of fn is a torch.bfloat16 tensor: pass precision='bfloat16'"),
    ("unknown keyword of check", lambda: assert_rope(rr.rotate, d=8, sead=3), TypeError,
     "sead"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "words"), error_params(ADAPTERS_ERRORS))
def test_adapters_error(call, error, words):
    assert_raises_named(call, error, words)
