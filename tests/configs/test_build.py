"""model_rope reads a config as transformers 5.24 does: which layers have RoPE and which
share one, per-layer-type dicts and their legacy keys, a multimodal config's
text_config, Phi-3's old rope_type name, the form; and it leaves the config untouched.
(Each family against HF's own model: test_hf_families.py.)"""

from __future__ import annotations

import copy

import numpy as np

import rope_ref as rr
from rope_ref.configs.presets import PRESETS

_T = {"hidden_size": 64, "num_attention_heads": 4}


def test_layers_share_one_spec_per_distinct_rope():
    rope = rr.model_rope("gemma-3-27b")
    groups = rope.groups()
    assert [len(layers) for _, layers in groups] == [52, 10]
    (local, local_layers), (full, full_layers) = groups
    assert full_layers == list(range(5, 62, 6)) and full.base == 1e6 and local.base == 1e4
    assert full.rope_type == "linear" and local.rope_type == "default"
    assert rope.layer_types[5] == "full_attention" and rope.layers[5] is full


def test_nope_layers_are_none():
    rope = rr.model_rope("llama-4-scout")
    assert [i for i, spec in enumerate(rope.layers) if spec is None] == list(range(3, 48, 4))
    assert "NoPE layers scale q" in rope.notes[0]
    cohere2 = rr.model_rope({"model_type": "cohere2", **_T, "num_hidden_layers": 8})
    assert [spec is None for spec in cohere2.layers] == [False, False, False, True] * 2


def test_a_text_config_reads_as_the_text_model_alone():
    outer = PRESETS["gemma-3-27b"]["config"]
    inner = copy.deepcopy(outer["text_config"])
    assert rr.model_rope(outer).layers == rr.model_rope(inner).layers
    no_type = {"model_type": "gemma3", "text_config": {**inner, "model_type": None}}
    assert rr.model_rope(no_type).model_type == "gemma3_text"


def test_legacy_and_transformers_5_keys_give_the_same_layers():
    legacy = {
        "model_type": "gemma3_text",
        **_T,
        "head_dim": 16,
        "num_hidden_layers": 6,
        "rope_theta": 1e6,
        "rope_local_base_freq": 1e4,
        "rope_scaling": {"rope_type": "linear", "factor": 8.0},
    }
    new = {
        **{k: v for k, v in legacy.items() if not k.startswith("rope")},
        "rope_parameters": {
            "sliding_attention": {"rope_type": "default", "rope_theta": 1e4},
            "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1e6},
        },
    }
    assert rr.model_rope(legacy).layers == rr.model_rope(new).layers


def test_gpt_neox_reads_rotary_pct_and_rotary_emb_base_with_their_defaults():
    neox = {"model_type": "gpt_neox", **_T, "num_hidden_layers": 1}
    spec = rr.model_rope(neox).layers[0]
    assert (spec.rotary_dim, spec.base) == (4, 10000.0)  # rotary_pct 0.25 of 16
    spec = rr.model_rope({**neox, "rotary_pct": 0.5, "rotary_emb_base": 500.0}).layers[0]
    assert (spec.rotary_dim, spec.base) == (8, 500.0)


def test_phi3s_first_rope_type_name_su_is_longrope():
    lists = {"short_factor": [1.0] * 8, "long_factor": [2.0] * 8}
    config = {
        "model_type": "phi3",
        **_T,
        "num_hidden_layers": 1,
        "max_position_embeddings": 131072,
        "original_max_position_embeddings": 4096,
    }
    su = rr.model_rope({**config, "rope_scaling": {"type": "su", **lists}}).layers[0]
    longrope = rr.model_rope({**config, "rope_scaling": {"type": "longrope", **lists}}).layers[0]
    assert su == longrope and su.rope_type == "longrope"
    assert dict(su.params)["original_max_position_embeddings"] == 4096


def test_the_form_changes_yarn_and_nothing_else():
    code, paper = (rr.model_rope("deepseek-v3", form=f).layers[0] for f in ("code", "paper"))
    assert (code.form, paper.form) == ("code", "paper")
    assert code == rr.model_rope("deepseek-v3").layers[0]  # the default is the code's
    assert np.max(np.abs(code.theta - paper.theta) / code.theta) > 0.1
    same = [rr.model_rope("llama-3.1-8b", form=f).layers[0].theta for f in ("code", "paper")]
    np.testing.assert_array_equal(*same)


def test_model_rope_leaves_the_config_and_the_presets_untouched():
    config = copy.deepcopy(PRESETS["deepseek-v3"]["config"])
    before = copy.deepcopy(config)
    rr.model_rope(config)
    rr.model_rope("deepseek-v3")
    assert config == before == PRESETS["deepseek-v3"]["config"]


def test_keys_huggingfaces_rope_does_not_read_are_reported():
    config = {
        "model_type": "ministral3",
        **_T,
        "head_dim": 16,
        "num_hidden_layers": 1,
        "max_position_embeddings": 262144,
        "rope_parameters": {
            "rope_type": "yarn",
            "factor": 16.0,
            "original_max_position_embeddings": 16384,
            "llama_4_scaling_beta": 0.1,
        },
    }
    rope = rr.model_rope(config)
    assert rope.ignored == ("llama_4_scaling_beta",) and "llama_4_scaling_beta" in rope.notes[0]
