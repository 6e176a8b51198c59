"""rope_ref.configs.build (model_rope) and LayerRope.rotate: an unknown model type, an
inconsistent config or a bad argument is a ValueError or TypeError naming the key."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

from rope_ref import model_rope

_T = {"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 2}
_GEMMA3 = {**_T, "model_type": "gemma3_text", "head_dim": 16}
_PHI3 = {
    **_T,
    "model_type": "phi3",
    "max_position_embeddings": 131072,
    "rope_scaling": {"type": "longrope", "short_factor": [1.0] * 3, "long_factor": [1.0] * 8},
}

BUILD_ERRORS = [
    ("config a list", lambda: model_rope([1]), TypeError, "config must be a dict"),
    ("unknown preset", lambda: model_rope("llama-9"), ValueError, "neither a config dict"),
    (
        "no model_type",
        lambda: model_rope({"num_hidden_layers": 2}),
        ValueError,
        "config['model_type'] must name the model type",
    ),
    (
        "unknown model_type",
        lambda: model_rope({**_T, "model_type": "mamba"}),
        ValueError,
        ("config['model_type'] is 'mamba'", "known: cohere"),
    ),
    (
        "text_config not a dict",
        lambda: model_rope({"model_type": "gemma3", "text_config": [1]}),
        TypeError,
        "config['text_config'] must be a dict",
    ),
    (
        "no num_hidden_layers",
        lambda: model_rope({"model_type": "llama"}),
        ValueError,
        "config['num_hidden_layers'] is missing",
    ),
    (
        "num_hidden_layers 0",
        lambda: model_rope({**_T, "num_hidden_layers": 0}),
        ValueError,
        "config['num_hidden_layers'] must be an integer >= 1, got 0",
    ),
    (
        "num_hidden_layers true",
        lambda: model_rope({**_T, "num_hidden_layers": True}),
        ValueError,
        "config['num_hidden_layers'] must be an integer",
    ),
    (
        "layer_types of another length",
        lambda: model_rope({**_T, "layer_types": ["full_attention"] * 3}),
        ValueError,
        "config['layer_types'] has 3 entries but the model has 2 layers",
    ),
    (
        "no_rope_layers with a 2",
        lambda: model_rope({**_T, "model_type": "llama4_text", "no_rope_layers": [1, 2]}),
        ValueError,
        "config['no_rope_layers'] entries must be among [0, 1], got 2",
    ),
    (
        "rope_parameters without a layer type",
        lambda: model_rope(
            {
                **_T,
                "layer_types": ["full_attention", "sliding_attention"],
                "rope_parameters": {"full_attention": {"rope_type": "default"}},
            }
        ),
        ValueError,
        ("config['rope_parameters'] is given per layer type", "'sliding_attention'"),
    ),
    (
        "rope_scaling a string",
        lambda: model_rope({**_T, "rope_scaling": "yarn"}),
        TypeError,
        "config['rope_scaling'] must be a dict",
    ),
    (
        "unknown rope_type",
        lambda: model_rope({**_T, "rope_scaling": {"rope_type": "ntk-by-parts"}}),
        ValueError,
        ("config['rope_scaling'] (the RoPE of full_attention layers)", "rope_type"),
    ),
    (
        "longrope list of the wrong length",
        lambda: model_rope(_PHI3),
        ValueError,
        ("config['rope_scaling']", "short_factor'] must have rotary_dim/2 = 8 entries"),
    ),
    (
        "rope_theta negative",
        lambda: model_rope({**_T, "rope_theta": -1.0}),
        ValueError,
        "config['rope_theta'] must be a finite real number > 0",
    ),
    (
        "odd rotary dimension from partial_rotary_factor",
        lambda: model_rope({**_T, "model_type": "phi3", "partial_rotary_factor": 0.3125}),
        ValueError,
        ("config", "partial_rotary_factor"),
    ),
    (
        "hidden_size not a multiple of the heads",
        lambda: model_rope({**_T, "hidden_size": 65}),
        ValueError,
        "config['hidden_size'] (65) is not a multiple of config['num_attention_heads'] (4)",
    ),
    (
        "gpt-j rotary_dim wider than the head",
        lambda: model_rope({**_T, "model_type": "gptj", "rotary_dim": 32}),
        ValueError,
        "rotary dimension of 32 features at offset 0 in a head of 16",
    ),
    (
        "gemma3 sliding dict not a dict",
        lambda: model_rope(
            {**_GEMMA3, "rope_parameters": {"sliding_attention": 3, "full_attention": None}}
        ),
        TypeError,
        "config['rope_parameters']['sliding_attention'] must be a dict",
    ),
    (
        "form unknown",
        lambda: model_rope("qwen3-8b", form="hf"),
        ValueError,
        "form must be one of ['code', 'paper']",
    ),
    (
        "rotate with another head_dim",
        lambda: model_rope("qwen3-8b").layers[0].rotate(np.zeros((1, 2, 64)), [0, 1]),
        ValueError,
        "x must have head_dim = 128 features",
    ),
    (
        "rotate at NaN",
        lambda: model_rope("qwen3-8b").layers[0].rotate(np.zeros((1, 2, 128)), [0, np.nan]),
        ValueError,
        "positions",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(BUILD_ERRORS))
def test_build_error(call, error, words):
    assert_raises_named(call, error, words)
