"""rope_ref.checker.layers: a bad seed of check_model, or vector positions where the layer
takes none, raises an error that names it before any port is judged."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

from rope_ref import model_rope
from rope_ref.checker.layers import check_layer_outputs, check_model

X = np.ones((1, 1, 4, 128))
QWEN3, QWEN3_VL = model_rope("qwen3-8b"), model_rope("qwen3-vl-8b")


def _same(x, positions, layer):
    return x


LAYERS_ERRORS = [
    ("check_model with a seed of str", lambda: check_model(_same, "qwen3-8b", seed="3"),
     TypeError, "seed must be an integer >= 0"),
    ("check_model with a negative seed", lambda: check_model(_same, "qwen3-8b", seed=-1),
     ValueError, "seed must be an integer >= 0, got -1"),
    ("vector positions for a 1D layer",
     lambda: check_layer_outputs(QWEN3, 0, X, X, np.zeros((3, 4), dtype=np.int64)),
     ValueError, ("vector positions (3, seq) are for an M-RoPE layer", "(3, 4)")),
    ("two rows of positions for an M-RoPE layer",
     lambda: check_layer_outputs(QWEN3_VL, 0, X, X, np.zeros((2, 4), dtype=np.int64)),
     ValueError, ("vector positions (3, seq)", "shape (2, 4)")),
    ("vector positions of another length",
     lambda: check_layer_outputs(QWEN3_VL, 0, X, X, np.zeros((3, 5), dtype=np.int64)),
     ValueError, ("seq = x.shape[-2]", "(3, 5)")),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "words"), error_params(LAYERS_ERRORS))
def test_a_bad_argument_is_named(call, error, words):
    assert_raises_named(call, error, words)
