"""rope_ref.configs.read: the rules of transformers 5.24's config reading, one by one."""

from __future__ import annotations

from rope_ref.configs.families import FAMILIES
from rope_ref.configs.read import has_rope, layer_types, rope_dicts, text_config

LLAMA, PHI3, GEMMA3 = FAMILIES["llama"], FAMILIES["phi3"], FAMILIES["gemma3_text"]
FULL = ["full_attention"]


def test_rope_scaling_wins_over_rope_parameters_as_in_hf():
    cfg = {
        "rope_scaling": {"type": "linear", "factor": 2.0},
        "rope_parameters": {"rope_type": "default"},
    }
    d, path = rope_dicts(cfg, "config", LLAMA, FULL)["full_attention"]
    assert d["rope_type"] == "linear" and path == "config['rope_scaling']"


def test_the_dicts_own_rope_theta_wins_then_the_config_then_the_default():
    assert (
        rope_dicts({"rope_theta": 5e5}, "c", LLAMA, FULL)["full_attention"][0]["rope_theta"] == 5e5
    )
    cfg = {"rope_theta": 5e5, "rope_parameters": {"rope_type": "default", "rope_theta": 1e6}}
    assert rope_dicts(cfg, "c", LLAMA, FULL)["full_attention"][0]["rope_theta"] == 1e6
    assert rope_dicts({}, "c", FAMILIES["cohere"], FULL)["full_attention"][0]["rope_theta"] == 5e5


def test_a_top_level_original_length_wins_for_a_flat_dict():
    scaling = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 2048}
    cfg = {"rope_scaling": scaling, "original_max_position_embeddings": 4096}
    d = rope_dicts(cfg, "c", LLAMA, FULL)["full_attention"][0]
    assert d["original_max_position_embeddings"] == 4096
    cfg = {"rope_scaling": {"rope_type": "yarn", "factor": 4.0}, "max_position_embeddings": 8192}
    assert (
        rope_dicts(cfg, "c", LLAMA, FULL)["full_attention"][0]["original_max_position_embeddings"]
        == 8192
    )
    d = rope_dicts({"rope_scaling": {"type": "longrope"}}, "c", PHI3, FULL)["full_attention"][0]
    assert d["original_max_position_embeddings"] == 4096  # Phi-3's own default


def test_a_nested_yarn_dict_reads_truncate_from_the_outer_dict():
    types = ["sliding_attention", "full_attention"]
    yarn = {"rope_type": "yarn", "factor": 4.0, "truncate": False}
    cfg = {
        "max_position_embeddings": 8192,
        "layer_types": types,
        "rope_parameters": {"sliding_attention": {"rope_type": "default"}, "full_attention": yarn},
    }
    assert rope_dicts(cfg, "c", LLAMA, types)["full_attention"][0]["truncate"] is True


def test_gemma3_reads_one_base_per_layer_type_from_the_legacy_keys():
    types = ["sliding_attention", "full_attention"]
    cfg = {"rope_local_base_freq": 123.0, "rope_scaling": {"rope_type": "linear", "factor": 8.0}}
    dicts = rope_dicts(cfg, "c", GEMMA3, types)
    assert dicts["sliding_attention"][0] == {"rope_type": "default", "rope_theta": 123.0}
    assert dicts["full_attention"][0] == {"rope_type": "linear", "factor": 8.0, "rope_theta": 1e6}


def test_layer_types_and_nope_layers_follow_each_familys_rule():
    assert layer_types({}, "c", FAMILIES["modernbert"], 4) == ["full_attention"] + [
        "sliding_attention"
    ] * 2 + ["full_attention"]
    assert layer_types({}, "c", FAMILIES["gemma4_text"], 3)[-1] == "full_attention"
    assert has_rope({}, "c", FAMILIES["llama4_text"], FULL * 8) == [True] * 3 + [False] + [
        True
    ] * 3 + [False]
    assert has_rope({"no_rope_layers": [1, 0]}, "c", FAMILIES["smollm3"], FULL * 2) == [True, False]
    cohere2 = layer_types({}, "c", FAMILIES["cohere2"], 4)
    assert has_rope({}, "c", FAMILIES["cohere2"], cohere2) == [True, True, True, False]


def test_a_text_config_takes_its_model_type_from_the_outer_one_when_it_has_none():
    inner, where, kind = text_config({"model_type": "llama4", "text_config": {"hidden_size": 8}})
    assert (inner, where, kind) == ({"hidden_size": 8}, "config['text_config']", "llama4_text")
