"""rope_ref.model.encoder: a bad config, weight, input_ids or attention_mask, or weights
that overflow, raise an error that names them."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from validation._fuzz import CFG, IDS, WEIGHTS  # the tiny encoder the fuzzers use too
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr

ENCODER_ERRORS = [
    # escapes the API audit found: the id says what got out before the fix
    (
        "hidden_act as an array: 'truth value ambiguous'",
        lambda: rr.encode(WEIGHTS, IDS, config=dict(CFG, hidden_act=np.array(["gelu", "x"]))),
        ValueError,
        "config['hidden_act'] must be 'gelu'",
    ),
    (
        "layer_norm_eps 1e300 overflowed float32",
        lambda: rr.encode(
            {k: v.astype(np.float32) for k, v in WEIGHTS.items()},
            IDS,
            config=dict(CFG, layer_norm_eps=1e300),
        ),
        ValueError,
        "config['layer_norm_eps'] must be > 0 and finite in the weights' dtype",
    ),
    (
        "huge LayerNorm gamma: NaN hidden states",
        lambda: rr.encode({**WEIGHTS, "embeddings_ln.gamma": np.full(8, 1e300)}, IDS, config=CFG),
        ValueError,
        "weights overflow float64 in layer.0's attention: q, k (or v) are too large",
    ),
    (
        "ragged input_ids: NumPy's message",
        lambda: rr.encode(WEIGHTS, [[1, 2], [1]], config=CFG),
        TypeError,
        "input_ids must be an array",
    ),
    (
        "ragged attention_mask: NumPy's message",
        lambda: rr.encode(WEIGHTS, IDS, config=CFG, attention_mask=[[1], [1, 1]]),
        TypeError,
        "attention_mask must be an array",
    ),
    (
        "ragged weight: NumPy's message",
        lambda: rr.encode({**WEIGHTS, "embeddings_ln.gamma": [[1.0], [1.0, 2.0]]}, IDS, config=CFG),
        TypeError,
        "weights['embeddings_ln.gamma'] must be an array",
    ),
    (
        "num_hidden_layers 10**6: 11 s and 16e6 missing keys (10**9: out of memory)",
        lambda: rr.encode(WEIGHTS, IDS, config=dict(CFG, num_hidden_layers=10**6)),
        ValueError,
        "config['num_hidden_layers'] is 1000000 but the weights hold 1 layer",
    ),
    (
        "a key 'layer.abc.W_q': listed as unknown, not int('abc')",
        lambda: rr.encode({**WEIGHTS, "layer.abc.W_q": np.ones((8, 8))}, IDS, config=CFG),
        ValueError,
        "unknown keys: layer.abc.W_q",
    ),
    # issue 15: weights the encoder cannot use were AttributeError or TypeError inside it
    (
        "list-valued weights: AttributeError",
        lambda: rr.encode({k: v.tolist() for k, v in WEIGHTS.items()}, IDS, config=CFG),
        TypeError,
        ("weights['word_embeddings'] must be an array, a NumPy one", "list"),
    ),
    (
        "torch tensors as weights: Cannot interpret 'torch.float64'",
        lambda: rr.encode({k: torch.from_numpy(v) for k, v in WEIGHTS.items()}, IDS, config=CFG),
        TypeError,
        ("weights['word_embeddings'] must be an array", "weights_from_hf_state_dict", "Tensor"),
    ),
    (
        "a non-str key: sequence item 0: expected str instance",
        lambda: rr.encode({**WEIGHTS, 3: WEIGHTS["word_embeddings"]}, IDS, config=CFG),
        TypeError,
        "weights must have str keys (names), got the key 3 (int)",
    ),
    (
        "a masked weight",
        lambda: rr.encode({**WEIGHTS, "embeddings_ln.beta": np.ma.zeros(8)}, IDS, config=CFG),
        TypeError,
        "weights['embeddings_ln.beta'] must be a plain NumPy array, got a masked array",
    ),
    (
        "masked input_ids",
        lambda: rr.encode(WEIGHTS, np.ma.array(IDS), config=CFG),
        TypeError,
        "input_ids must be a plain NumPy array, got a masked array",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(ENCODER_ERRORS))
def test_encoder_error(call, error, words):
    assert_raises_named(call, error, words)
