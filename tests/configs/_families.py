"""Tiny configs of every family ``model_rope`` reads: reduced widths and layers, the RoPE
fields of the real models (base, scaling, partial rotary, layer types, NoPE layers,
DeepSeek's rope slice), and the positions each is run at: far past the original context,
and on both sides of a length threshold where the RoPE switches (dynamic NTK, LongRoPE).

``CASES``: name -> (family label, config dict for both HF and rope_ref, positions).
"""

from __future__ import annotations

import numpy as np

_T = {"hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2}
_LLAMA31 = {
    "rope_type": "llama3",
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}
#: Increasing positions from 0 to past 2^18: prefill-like, the original contexts (2048,
#: 4096, 8192, 32768) and their neighbours, far past them.
FAR = [0, 1, 2, 3, 100, 2047, 2048, 4095, 4096, 8191, 8192, 8193, 32768, 65535, 131071, 262143]
SHORT = [0, 1, 2, 3, 100, 1000, 2047, 4094, 4095]  # seq_len 4096: at the threshold, not past
_LISTS = np.random.default_rng(13)


def _image_positions(start: int, rows: int, cols: int) -> np.ndarray:
    """M-RoPE (t, h, w) positions, (3, seq): 3 text tokens, an image of rows x cols patches
    (t fixed, h and w its row and column), 3 more text tokens, all from ``start``."""
    t, h, w = (
        [start, start + 1, start + 2],
        [start, start + 1, start + 2],
        [start, start + 1, start + 2],
    )
    first = start + 3
    for r in range(rows):
        for c in range(cols):
            t.append(first)
            h.append(first + r)
            w.append(first + c)
    after = first + max(rows, cols)
    for k in range(3):
        t.append(after + k)
        h.append(after + k)
        w.append(after + k)
    return np.array([t, h, w])


IMAGE = np.concatenate([_image_positions(0, 3, 4), _image_positions(200000, 5, 2)], axis=1)


def _factors(n: int) -> dict:
    """Phi-3-like LongRoPE lists (seeded): short near 1, long rising to ~40."""
    short = np.round(1.0 + np.sort(_LISTS.uniform(0.0, 0.2, n)), 4).tolist()
    long = np.round(np.geomspace(1.0, 40.0, n), 4).tolist()
    return {"short_factor": short, "long_factor": long}


_PHI3 = {"type": "longrope", **_factors(8)}  # "su", Phi-3's first name: HF 5.24 raises
_PHI4 = {"rope_type": "longrope", **_factors(12)}
_MOE = {"num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 32}
_DEEPSEEK = {
    **_T,
    "num_key_value_heads": 4,
    "num_hidden_layers": 2,
    "qk_nope_head_dim": 8,
    "qk_rope_head_dim": 8,
    "v_head_dim": 8,
    "kv_lora_rank": 16,
    "q_lora_rank": None,
    "n_routed_experts": 4,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "first_k_dense_replace": 1,
    "n_group": 1,
    "topk_group": 1,
    "max_position_embeddings": 163840,
    "rope_theta": 10000.0,
}
_YARN_DS = {
    "type": "yarn",
    "factor": 40,
    "beta_fast": 32,
    "beta_slow": 1,
    "original_max_position_embeddings": 4096,
}


def _llama(**kw) -> dict:
    return {"model_type": "llama", **_T, "num_hidden_layers": 2, **kw}


#: Qwen3-VL's text model (interleaved M-RoPE), run at text and at image positions.
_QWEN3_VL = {
    "model_type": "qwen3_vl_text",
    **_T,
    "head_dim": 16,
    "num_hidden_layers": 2,
    "rope_theta": 5e6,
    "rope_scaling": {"rope_type": "default", "mrope_interleaved": True, "mrope_section": [2, 3, 3]},
}

CASES = {
    "llama-1": ("Llama", _llama(max_position_embeddings=2048), FAR),
    "llama-2": ("Llama", _llama(max_position_embeddings=4096, rope_theta=10000.0), FAR),
    "llama-3.1": (
        "Llama",
        _llama(max_position_embeddings=131072, rope_theta=500000.0, rope_scaling=_LLAMA31),
        FAR,
    ),
    "llama-3.2": (
        "Llama",
        _llama(
            max_position_embeddings=131072,
            head_dim=32,
            rope_theta=500000.0,
            rope_scaling={**_LLAMA31, "factor": 32.0},
        ),
        FAR,
    ),
    "llama linear": ("Llama", _llama(rope_scaling={"type": "linear", "factor": 4.0}), FAR),
    "llama dynamic, short": (
        "Llama",
        _llama(max_position_embeddings=4096, rope_scaling={"type": "dynamic", "factor": 2.0}),
        SHORT,
    ),
    "llama dynamic, far": (
        "Llama",
        _llama(max_position_embeddings=4096, rope_scaling={"type": "dynamic", "factor": 2.0}),
        FAR,
    ),
    "mistral": (
        "Mistral",
        {"model_type": "mistral", **_T, "num_hidden_layers": 2, "rope_theta": 1e6},
        FAR,
    ),
    "ministral": (
        "Ministral",
        {
            "model_type": "ministral",
            **_T,
            "head_dim": 16,
            "num_hidden_layers": 2,
            "rope_theta": 1e8,
        },
        FAR,
    ),
    "ministral-3 (yarn, llama_4_scaling_beta)": (
        "Ministral 3",
        {
            "model_type": "ministral3",
            **_T,
            "head_dim": 16,
            "num_hidden_layers": 2,
            "max_position_embeddings": 262144,
            "rope_parameters": {
                "rope_type": "yarn",
                "rope_theta": 1e6,
                "factor": 16.0,
                "original_max_position_embeddings": 16384,
                "beta_fast": 32.0,
                "beta_slow": 1.0,
                "mscale": 1.0,
                "mscale_all_dim": 1.0,
                "llama_4_scaling_beta": 0.1,
            },
        },
        FAR,
    ),
    "qwen2-vl (text positions)": (
        "Qwen2-VL",
        {
            "model_type": "qwen2_vl_text",
            **_T,
            "num_hidden_layers": 2,
            "rope_theta": 1e6,
            "rope_scaling": {"type": "mrope", "mrope_section": [2, 3, 3]},
        },
        FAR,
    ),
    "qwen2.5-vl (text positions)": (
        "Qwen2.5-VL",
        {
            "model_type": "qwen2_5_vl_text",
            **_T,
            "num_hidden_layers": 2,
            "rope_theta": 1e6,
            "rope_scaling": {"type": "mrope", "mrope_section": [2, 3, 3]},
        },
        FAR,
    ),
    "qwen3-vl (text positions)": (
        "Qwen3-VL",
        _QWEN3_VL,
        FAR,
    ),
    "qwen2.5-vl (image positions)": (
        "Qwen2.5-VL",
        {
            "model_type": "qwen2_5_vl_text",
            **_T,
            "num_hidden_layers": 2,
            "rope_theta": 1e6,
            "rope_scaling": {"type": "mrope", "mrope_section": [2, 3, 3]},
        },
        IMAGE,
    ),
    "qwen3-vl (image positions)": (
        "Qwen3-VL",
        _QWEN3_VL,
        IMAGE,
    ),
    "phi-2 (partial 0.4)": (
        "Phi",
        {
            "model_type": "phi",
            "hidden_size": 80,
            "num_attention_heads": 4,
            "num_hidden_layers": 2,
            "partial_rotary_factor": 0.4,
            "max_position_embeddings": 2048,
        },
        FAR,
    ),
    "qwen2 (yarn)": (
        "Qwen2",
        {
            "model_type": "qwen2",
            **_T,
            "num_hidden_layers": 2,
            "max_position_embeddings": 131072,
            "rope_theta": 1e6,
            "rope_scaling": {
                "type": "yarn",
                "factor": 4.0,
                "original_max_position_embeddings": 32768,
            },
        },
        FAR,
    ),
    "qwen2-moe": (
        "Qwen2-MoE",
        {
            "model_type": "qwen2_moe",
            **_T,
            **_MOE,
            "shared_expert_intermediate_size": 32,
            "num_hidden_layers": 2,
            "rope_theta": 1e6,
        },
        FAR,
    ),
    "qwen3": (
        "Qwen3",
        {"model_type": "qwen3", **_T, "head_dim": 16, "num_hidden_layers": 2, "rope_theta": 1e6},
        FAR,
    ),
    "qwen3-moe": (
        "Qwen3-MoE",
        {
            "model_type": "qwen3_moe",
            **_T,
            **_MOE,
            "head_dim": 16,
            "num_hidden_layers": 2,
            "rope_theta": 1e6,
        },
        FAR,
    ),
    "gemma": (
        "Gemma",
        {"model_type": "gemma", **_T, "head_dim": 16, "num_hidden_layers": 2},
        FAR,
    ),
    "gemma-2": (
        "Gemma 2",
        {"model_type": "gemma2", **_T, "head_dim": 16, "num_hidden_layers": 2},
        FAR,
    ),
    "gemma-3 (legacy keys)": (
        "Gemma 3",
        {
            "model_type": "gemma3_text",
            **_T,
            "head_dim": 16,
            "num_hidden_layers": 4,
            "sliding_window_pattern": 2,
            "rope_theta": 1e6,
            "rope_local_base_freq": 1e4,
            "rope_scaling": {"rope_type": "linear", "factor": 8.0},
        },
        FAR,
    ),
    "gemma-3 (rope_parameters)": (
        "Gemma 3",
        {
            "model_type": "gemma3_text",
            **_T,
            "head_dim": 16,
            "num_hidden_layers": 4,
            "layer_types": ["sliding_attention", "full_attention"] * 2,
            "rope_parameters": {
                "sliding_attention": {"rope_type": "default", "rope_theta": 1e4},
                "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1e6},
            },
        },
        FAR,
    ),
    "gemma-4": (
        "Gemma 4",
        {
            "model_type": "gemma4_text",
            **_T,
            "head_dim": 16,
            "global_head_dim": 32,
            "num_hidden_layers": 3,
            "hidden_size_per_layer_input": 16,
            "vocab_size_per_layer_input": 64,
        },
        FAR,
    ),
    "phi-3 (short factors)": (
        "Phi-3",
        {
            "model_type": "phi3",
            **_T,
            "num_hidden_layers": 2,
            "max_position_embeddings": 131072,
            "original_max_position_embeddings": 4096,
            "rope_scaling": _PHI3,
        },
        SHORT,
    ),
    "phi-3 (long factors)": (
        "Phi-3",
        {
            "model_type": "phi3",
            **_T,
            "num_hidden_layers": 2,
            "max_position_embeddings": 131072,
            "original_max_position_embeddings": 4096,
            "rope_scaling": _PHI3,
        },
        SHORT[:-1] + [4096],
    ),
    "phi-4-mini (partial 0.75)": (
        "Phi-3",
        {
            "model_type": "phi3",
            "hidden_size": 64,
            "num_attention_heads": 2,
            "num_key_value_heads": 1,
            "num_hidden_layers": 2,
            "partial_rotary_factor": 0.75,
            "max_position_embeddings": 131072,
            "original_max_position_embeddings": 4096,
            "rope_scaling": _PHI4,
        },
        FAR,
    ),
    "glm-4": (
        "GLM-4",
        {"model_type": "glm4", **_T, "head_dim": 16, "num_hidden_layers": 2},
        FAR,
    ),
    "glm": ("GLM", {"model_type": "glm", **_T, "head_dim": 16, "num_hidden_layers": 2}, FAR),
    "gpt-neox (pythia)": (
        "GPT-NeoX",
        {
            "model_type": "gpt_neox",
            "hidden_size": 64,
            "num_attention_heads": 4,
            "num_hidden_layers": 2,
            "rotary_pct": 0.25,
            "rotary_emb_base": 10000,
            "max_position_embeddings": 2048,
        },
        FAR,
    ),
    "gpt-j": (
        "GPT-J",
        {
            "model_type": "gptj",
            "n_embd": 64,
            "n_head": 4,
            "n_layer": 2,
            "rotary_dim": 8,
            "n_positions": 65536,
        },
        [p for p in FAR if p < 65536],
    ),
    "gpt-oss": (
        "GPT-OSS",
        {
            "model_type": "gpt_oss",
            **_T,
            "head_dim": 16,
            "num_hidden_layers": 2,
            "num_local_experts": 4,
            "num_experts_per_tok": 2,
            "sliding_window": 8,
        },
        FAR,
    ),
    "deepseek-v2": (
        "DeepSeek-V2",
        {
            "model_type": "deepseek_v2",
            **_DEEPSEEK,
            "rope_scaling": {**_YARN_DS, "mscale": 0.707, "mscale_all_dim": 0.707},
        },
        FAR,
    ),
    "deepseek-v3 (rope_interleave)": (
        "DeepSeek-V3",
        {
            "model_type": "deepseek_v3",
            **_DEEPSEEK,
            "rope_scaling": {**_YARN_DS, "mscale": 1.0, "mscale_all_dim": 1.0},
        },
        FAR,
    ),
    "deepseek-v3 (no interleave)": (
        "DeepSeek-V3",
        {
            "model_type": "deepseek_v3",
            **_DEEPSEEK,
            "rope_interleave": False,
            "rope_scaling": {**_YARN_DS, "mscale": 1.0, "mscale_all_dim": 1.0},
        },
        FAR,
    ),
    "llama-4 (NoPE layers)": (
        "Llama 4",
        {
            "model_type": "llama4_text",
            **_T,
            "head_dim": 16,
            "num_hidden_layers": 4,
            "num_local_experts": 2,
            "intermediate_size_mlp": 64,
            "max_position_embeddings": 10485760,
            "rope_theta": 500000.0,
            "rope_scaling": {**_LLAMA31, "factor": 16.0, "high_freq_factor": 1.0},
        },
        FAR,
    ),
    "modernbert": (
        "ModernBERT",
        {
            "model_type": "modernbert",
            "hidden_size": 64,
            "num_attention_heads": 4,
            "num_hidden_layers": 4,
            "global_attn_every_n_layers": 3,
            "global_rope_theta": 160000.0,
            "local_rope_theta": 10000.0,
            "max_position_embeddings": 8192,
        },
        FAR,
    ),
    "cohere": (
        "Cohere",
        {"model_type": "cohere", **_T, "num_hidden_layers": 2, "rope_theta": 8e6},
        FAR,
    ),
    "cohere2 (NoPE global layers)": (
        "Cohere2",
        {"model_type": "cohere2", **_T, "num_hidden_layers": 4, "sliding_window": 8},
        FAR,
    ),
    "roformer": (
        "RoFormer",
        {
            "model_type": "roformer",
            "hidden_size": 64,
            "num_attention_heads": 4,
            "num_hidden_layers": 2,
            "max_position_embeddings": 1536,
        },
        list(range(1100)),
    ),
    "smollm3 (NoPE layers)": (
        "SmolLM3",
        {"model_type": "smollm3", **_T, "num_hidden_layers": 4, "rope_theta": 5e6},
        FAR,
    ),
}
