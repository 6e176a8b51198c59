"""Every preset loads offline, is cited (model id and date), and holds what its model's
RoPE is known for: the facts the issue names, checked one by one."""

from __future__ import annotations

import math
import re

import pytest

import rope_ref as rr
from configs._families import FAR
from configs._hf import capture, compare
from rope_ref.configs.presets import PRESETS

GEMMA4 = sorted(name for name, p in PRESETS.items() if p["config"]["model_type"] == "gemma4")


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_gives_one_entry_per_layer_and_is_cited(name):
    preset = PRESETS[name]
    rope = rr.model_rope(name)
    assert rope.source == preset["source"] and rope.name == name
    cited = r"config\.json of [\w.-]+/[\w.-]+ on the Hugging Face hub, as of \d{4}-\d\d-\d\d; "
    checked = r"checked against [\w.-]+/[\w.-]+/\S+ at [0-9a-f]{12}( \([^)]+\))?"
    unverified = r"not verified against a copy: from .+"
    assert re.fullmatch(cited + f"({checked}|{unverified})", preset["source"]), preset["source"]
    assert ("verified" in preset) != ("not_verified" in preset), name
    config = preset["config"].get("text_config", preset["config"])
    layers = config.get("num_hidden_layers", config.get("n_layer"))
    assert len(rope.layers) == layers and any(spec is not None for spec in rope.layers)


def test_at_least_twenty_published_models():
    assert len(PRESETS) >= 20
    assert len({p["id"] for p in PRESETS.values()}) == len(PRESETS)


def test_preset_names_ignore_case_and_underscores():
    assert rr.model_rope("Qwen3_8B").layers == rr.model_rope("qwen3-8b").layers


@pytest.mark.parametrize(
    ("name", "layer", "facts"),
    [
        ("llama-3.1-8b", 0, {"rope_type": "llama3", "base": 500000.0, "rotary_dim": 128}),
        ("gemma-3-27b", 5, {"rope_type": "linear", "base": 1e6}),
        ("gemma-3-27b", 0, {"rope_type": "default", "base": 1e4}),
        ("glm-4-9b-0414", 0, {"rotary_dim": 64, "layout": "interleaved"}),
        ("pythia-1.4b", 0, {"rotary_dim": 32, "layout": "half", "head_dim": 128}),
        ("gpt-j-6b", 0, {"rotary_dim": 64, "layout": "interleaved", "head_dim": 256}),
        ("deepseek-v3", 0, {"rotary_dim": 64, "offset": 128, "output_layout": "half"}),
        ("deepseek-v2-lite", 0, {"rotary_dim": 64, "offset": 128, "output_layout": "interleaved"}),
        ("gpt-oss-20b", 0, {"rope_type": "yarn", "base": 150000.0}),
        ("modernbert-base", 0, {"base": 160000.0}),
        ("modernbert-base", 1, {"base": 10000.0}),
        ("llama-4-scout", 0, {"layout": "interleaved", "rope_type": "llama3"}),
        ("phi-3-mini-128k", 0, {"rope_type": "longrope", "rotary_dim": 96, "layout": "half"}),
        ("phi-3.5-mini", 0, {"rope_type": "longrope", "rotary_dim": 96, "layout": "half"}),
        ("phi-4-mini", 0, {"rope_type": "longrope", "rotary_dim": 96, "head_dim": 128}),
        ("command-r", 0, {"layout": "interleaved", "base": 8e6, "rotary_dim": 128}),
        ("gemma-4-31b", 0, {"rope_type": "default", "base": 1e4, "head_dim": 256}),
        ("gemma-4-31b", 5, {"rope_type": "proportional", "base": 1e6, "head_dim": 512}),
        ("gemma-4-e2b", 4, {"rope_type": "proportional", "base": 1e6, "head_dim": 512}),
        ("gemma-4-e2b", 5, {"rope_type": "default", "base": 1e4, "head_dim": 256}),
    ],
)
def test_presets_hold_their_models_rope(name, layer, facts):
    spec = rr.model_rope(name).layers[layer]
    for key, value in facts.items():
        assert getattr(spec, key) == value, (name, layer, key)


def test_yarn_presets_state_what_the_model_runs():
    gpt_oss = rr.model_rope("gpt-oss-20b").layers[0]
    assert dict(gpt_oss.params)["truncate"] is False
    assert gpt_oss.attention_factor == pytest.approx(0.1 * math.log(32) + 1)
    assert rr.model_rope("deepseek-v3").layers[0].attention_factor == 1.0  # mscale ratio 1


@pytest.mark.parametrize("name", ["phi-3-mini-128k", "phi-3.5-mini", "phi-4-mini"])
def test_longrope_presets_give_one_factor_per_frequency(name):
    spec = rr.model_rope(name).layers[0]
    scaling = PRESETS[name]["config"]["rope_scaling"]
    for key in ("short_factor", "long_factor"):
        assert len(scaling[key]) == spec.rotary_dim // 2, (name, key)
        assert list(dict(spec.params)[key]) == scaling[key], (name, key)


def test_presets_give_their_files_context_length():
    for name, preset in PRESETS.items():
        config = preset["config"].get("text_config", preset["config"])
        given = config.get("max_position_embeddings", config.get("n_positions"))
        assert rr.model_rope(name).max_position_embeddings == given, name


@pytest.mark.parametrize("name", GEMMA4)
def test_gemma4_presets_rotate_a_quarter_of_the_global_head(name):
    config = PRESETS[name]["config"]["text_config"]
    full = config["rope_parameters"]["full_attention"]
    rope = rr.model_rope(name)
    for spec, kind in zip(rope.layers, rope.layer_types, strict=True):
        theta, _ = spec.frequencies(2)
        if kind == "full_attention":  # proportional: frequencies 0 past the rotated share
            assert spec.rotary_dim == config["global_head_dim"]
            assert (theta > 0).sum() == int(full["partial_rotary_factor"] * spec.head_dim) // 2
        else:
            assert spec.rotary_dim == config["head_dim"] and (theta > 0).all()
    assert rope.layer_types == tuple(config["layer_types"])


def _one_period(text: dict) -> dict:
    """A Gemma 4 preset's text config cut to its first period of layer types, narrow widths
    and one head, with the model's own RoPE fields (head_dim, global_head_dim,
    rope_parameters, layer_types, context length)."""
    period = text["layer_types"].index("full_attention") + 1
    kept = ("model_type", "head_dim", "global_head_dim", "rope_parameters", "sliding_window")
    return {
        **{key: text[key] for key in kept},
        "max_position_embeddings": text["max_position_embeddings"],
        "hidden_size": 64,
        "num_attention_heads": 1,
        "num_key_value_heads": 1,
        "num_hidden_layers": period,
        "layer_types": text["layer_types"][:period],
        "hidden_size_per_layer_input": 16,
        "vocab_size_per_layer_input": 64,
    }


@pytest.mark.parametrize("name", GEMMA4)
def test_gemma4_presets_rotate_as_hf(name):
    tiny = _one_period(PRESETS[name]["config"]["text_config"])
    rope = rr.model_rope(tiny)
    assert rope.layers == rr.model_rope(name).layers[: len(rope.layers)]
    seen, _ = capture(tiny, FAR)
    assert set(seen) == set(range(len(rope.layers)))
    for i, calls in seen.items():
        assert calls, (name, i)
        for before, after, axis in calls:
            err, ratio, passed = compare(rope.layers[i], before, after, axis, FAR)
            assert passed and ratio <= 1.0, (name, i, err, ratio)
