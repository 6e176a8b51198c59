"""Published models' RoPE, as data: ``model_rope("qwen3-8b")`` works offline.

Each preset holds the RoPE-relevant fields of one model's public config.json (model type,
layer count, head shape, context length, the rope keys, the layer-type and NoPE keys),
typed in by hand, never downloaded, with the model id and the date of the file they were
read from. Fields a config does not give are left out, so the family's defaults apply as
transformers applies them. To check a preset against the hub, compare these fields with
that revision of the file; a field that differs is a bug here.

Not typed in: models whose RoPE needs long per-frequency lists (Phi-3-mini-128k,
Phi-3.5-mini, Phi-4-mini: 48-entry LongRoPE short_factor / long_factor lists) are not
presets, since those lists could not be copied here digit for digit; paste their
config.json into ``model_rope`` instead.
"""

from __future__ import annotations


def _cite(model_id: str, date: str) -> str:
    return f"config.json of {model_id} on the Hugging Face hub, as of {date}"


def _llama3(factor: float, low: float = 1.0, high: float = 4.0, original: int = 8192) -> dict:
    return {
        "factor": factor,
        "low_freq_factor": low,
        "high_freq_factor": high,
        "original_max_position_embeddings": original,
        "rope_type": "llama3",
    }


def _every(step: int, n: int) -> list[int]:
    """no_rope_layers: 1 (RoPE) except every step-th layer, 0 (NoPE)."""
    return [int((i + 1) % step != 0) for i in range(n)]


_DEEPSEEK_YARN = {
    "beta_fast": 32,
    "beta_slow": 1,
    "factor": 40,
    "original_max_position_embeddings": 4096,
    "type": "yarn",
}

#: name -> {"id", "source", "config"}: the config holds only RoPE-relevant fields.
PRESETS = {
    "llama-2-7b": {
        "id": "meta-llama/Llama-2-7b-hf",
        "date": "2024-04-17",
        "config": {
            "model_type": "llama",
            "hidden_size": 4096,
            "num_attention_heads": 32,
            "num_hidden_layers": 32,
            "max_position_embeddings": 4096,
            "rope_theta": 10000.0,
            "rope_scaling": None,
        },
    },
    "llama-3.1-8b": {
        "id": "meta-llama/Llama-3.1-8B",
        "date": "2024-09-25",
        "config": {
            "model_type": "llama",
            "hidden_size": 4096,
            "num_attention_heads": 32,
            "num_key_value_heads": 8,
            "num_hidden_layers": 32,
            "max_position_embeddings": 131072,
            "rope_theta": 500000.0,
            "rope_scaling": _llama3(8.0),
        },
    },
    "llama-3.2-1b": {
        "id": "meta-llama/Llama-3.2-1B",
        "date": "2024-09-25",
        "config": {
            "model_type": "llama",
            "hidden_size": 2048,
            "num_attention_heads": 32,
            "num_key_value_heads": 8,
            "head_dim": 64,
            "num_hidden_layers": 16,
            "max_position_embeddings": 131072,
            "rope_theta": 500000.0,
            "rope_scaling": _llama3(32.0),
        },
    },
    "llama-3.3-70b": {
        "id": "meta-llama/Llama-3.3-70B-Instruct",
        "date": "2024-12-06",
        "config": {
            "model_type": "llama",
            "hidden_size": 8192,
            "num_attention_heads": 64,
            "num_key_value_heads": 8,
            "num_hidden_layers": 80,
            "max_position_embeddings": 131072,
            "rope_theta": 500000.0,
            "rope_scaling": _llama3(8.0),
        },
    },
    "llama-4-scout": {
        "id": "meta-llama/Llama-4-Scout-17B-16E",
        "date": "2025-04-05",
        "config": {
            "model_type": "llama4",
            "text_config": {
                "model_type": "llama4_text",
                "hidden_size": 5120,
                "num_attention_heads": 40,
                "num_key_value_heads": 8,
                "head_dim": 128,
                "num_hidden_layers": 48,
                "max_position_embeddings": 10485760,
                "rope_theta": 500000.0,
                "rope_scaling": _llama3(16.0, low=1.0, high=1.0),
                "no_rope_layers": _every(4, 48),
                "attention_chunk_size": 8192,
                "attn_temperature_tuning": True,
                "floor_scale": 8192,
                "attn_scale": 0.1,
            },
        },
    },
    "mistral-7b-v0.3": {
        "id": "mistralai/Mistral-7B-v0.3",
        "date": "2024-05-22",
        "config": {
            "model_type": "mistral",
            "hidden_size": 4096,
            "num_attention_heads": 32,
            "num_key_value_heads": 8,
            "num_hidden_layers": 32,
            "max_position_embeddings": 32768,
            "rope_theta": 1000000.0,
            "sliding_window": None,
        },
    },
    "ministral-8b": {
        "id": "mistralai/Ministral-8B-Instruct-2410",
        "date": "2024-10-16",
        "config": {
            "model_type": "mistral",
            "hidden_size": 4096,
            "num_attention_heads": 32,
            "num_key_value_heads": 8,
            "head_dim": 128,
            "num_hidden_layers": 36,
            "max_position_embeddings": 32768,
            "rope_theta": 100000000.0,
            "sliding_window": 32768,
        },
    },
    "qwen2.5-7b": {
        "id": "Qwen/Qwen2.5-7B",
        "date": "2024-09-19",
        "config": {
            "model_type": "qwen2",
            "hidden_size": 3584,
            "num_attention_heads": 28,
            "num_key_value_heads": 4,
            "num_hidden_layers": 28,
            "max_position_embeddings": 131072,
            "rope_theta": 1000000.0,
            "rope_scaling": None,
            "use_sliding_window": False,
            "sliding_window": 131072,
            "max_window_layers": 28,
        },
    },
    "qwen3-8b": {
        "id": "Qwen/Qwen3-8B",
        "date": "2025-04-29",
        "config": {
            "model_type": "qwen3",
            "hidden_size": 4096,
            "num_attention_heads": 32,
            "num_key_value_heads": 8,
            "head_dim": 128,
            "num_hidden_layers": 36,
            "max_position_embeddings": 40960,
            "rope_theta": 1000000,
            "rope_scaling": None,
            "use_sliding_window": False,
            "max_window_layers": 36,
        },
    },
    "qwen3-30b-a3b": {
        "id": "Qwen/Qwen3-30B-A3B",
        "date": "2025-04-29",
        "config": {
            "model_type": "qwen3_moe",
            "hidden_size": 2048,
            "num_attention_heads": 32,
            "num_key_value_heads": 4,
            "head_dim": 128,
            "num_hidden_layers": 48,
            "max_position_embeddings": 40960,
            "rope_theta": 1000000.0,
            "rope_scaling": None,
            "use_sliding_window": False,
            "max_window_layers": 48,
        },
    },
    "qwen2.5-vl-7b": {
        "id": "Qwen/Qwen2.5-VL-7B-Instruct",
        "date": "2025-01-26",
        "config": {
            "model_type": "qwen2_5_vl",
            "text_config": {
                "model_type": "qwen2_5_vl_text",
                "hidden_size": 3584,
                "num_attention_heads": 28,
                "num_key_value_heads": 4,
                "num_hidden_layers": 28,
                "max_position_embeddings": 128000,
                "rope_theta": 1000000.0,
                "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]},
            },
        },
    },
    "qwen3-vl-8b": {
        "id": "Qwen/Qwen3-VL-8B-Instruct",
        "date": "2025-10-15",
        "config": {
            "model_type": "qwen3_vl",
            "text_config": {
                "model_type": "qwen3_vl_text",
                "hidden_size": 4096,
                "num_attention_heads": 32,
                "num_key_value_heads": 8,
                "head_dim": 128,
                "num_hidden_layers": 36,
                "max_position_embeddings": 262144,
                "rope_theta": 5000000,
                "rope_scaling": {
                    "mrope_interleaved": True,
                    "mrope_section": [24, 20, 20],
                    "rope_type": "default",
                },
            },
        },
    },
    "gemma-2-9b": {
        "id": "google/gemma-2-9b",
        "date": "2024-06-27",
        "config": {
            "model_type": "gemma2",
            "hidden_size": 3584,
            "num_attention_heads": 16,
            "num_key_value_heads": 8,
            "head_dim": 256,
            "num_hidden_layers": 42,
            "max_position_embeddings": 8192,
            "rope_theta": 10000.0,
            "sliding_window": 4096,
        },
    },
    "gemma-3-1b": {
        "id": "google/gemma-3-1b-pt",
        "date": "2025-03-12",
        "config": {
            "model_type": "gemma3_text",
            "hidden_size": 1152,
            "num_attention_heads": 4,
            "num_key_value_heads": 1,
            "head_dim": 256,
            "num_hidden_layers": 26,
            "max_position_embeddings": 32768,
            "rope_theta": 1000000,
            "rope_local_base_freq": 10000,
            "rope_scaling": None,
            "sliding_window": 512,
            "sliding_window_pattern": 6,
        },
    },
    "gemma-3-27b": {
        "id": "google/gemma-3-27b-it",
        "date": "2025-03-12",
        "config": {
            "model_type": "gemma3",
            "text_config": {
                "model_type": "gemma3_text",
                "hidden_size": 5376,
                "num_attention_heads": 32,
                "num_key_value_heads": 16,
                "head_dim": 128,
                "num_hidden_layers": 62,
                "max_position_embeddings": 131072,
                "rope_theta": 1000000.0,
                "rope_local_base_freq": 10000.0,
                "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
                "sliding_window": 1024,
                "sliding_window_pattern": 6,
            },
        },
    },
    "phi-3-mini-4k": {
        "id": "microsoft/Phi-3-mini-4k-instruct",
        "date": "2024-07-01",
        "config": {
            "model_type": "phi3",
            "hidden_size": 3072,
            "num_attention_heads": 32,
            "num_key_value_heads": 32,
            "num_hidden_layers": 32,
            "max_position_embeddings": 4096,
            "original_max_position_embeddings": 4096,
            "rope_theta": 10000.0,
            "rope_scaling": None,
            "sliding_window": 2047,
        },
    },
    "deepseek-v2-lite": {
        "id": "deepseek-ai/DeepSeek-V2-Lite",
        "date": "2024-05-16",
        "config": {
            "model_type": "deepseek_v2",
            "hidden_size": 2048,
            "num_attention_heads": 16,
            "num_hidden_layers": 27,
            "qk_nope_head_dim": 128,
            "qk_rope_head_dim": 64,
            "max_position_embeddings": 163840,
            "rope_theta": 10000,
            "rope_scaling": {**_DEEPSEEK_YARN, "mscale": 0.707, "mscale_all_dim": 0.707},
        },
    },
    "deepseek-v3": {
        "id": "deepseek-ai/DeepSeek-V3",
        "date": "2024-12-26",
        "config": {
            "model_type": "deepseek_v3",
            "hidden_size": 7168,
            "num_attention_heads": 128,
            "num_hidden_layers": 61,
            "qk_nope_head_dim": 128,
            "qk_rope_head_dim": 64,
            "max_position_embeddings": 163840,
            "rope_theta": 10000,
            "rope_scaling": {**_DEEPSEEK_YARN, "mscale": 1.0, "mscale_all_dim": 1.0},
        },
    },
    "gpt-oss-20b": {
        "id": "openai/gpt-oss-20b",
        "date": "2025-08-05",
        "config": {
            "model_type": "gpt_oss",
            "hidden_size": 2880,
            "num_attention_heads": 64,
            "num_key_value_heads": 8,
            "head_dim": 64,
            "num_hidden_layers": 24,
            "max_position_embeddings": 131072,
            "rope_theta": 150000,
            "rope_scaling": {
                "beta_fast": 32.0,
                "beta_slow": 1.0,
                "factor": 32.0,
                "original_max_position_embeddings": 4096,
                "rope_type": "yarn",
                "truncate": False,
            },
            "sliding_window": 128,
            "layer_types": ["sliding_attention", "full_attention"] * 12,
        },
    },
    "glm-4-9b-0414": {
        "id": "THUDM/GLM-4-9B-0414",
        "date": "2025-04-14",
        "config": {
            "model_type": "glm4",
            "hidden_size": 4096,
            "num_attention_heads": 32,
            "num_key_value_heads": 2,
            "head_dim": 128,
            "num_hidden_layers": 40,
            "max_position_embeddings": 32768,
            "partial_rotary_factor": 0.5,
            "rope_theta": 10000.0,
        },
    },
    "pythia-1.4b": {
        "id": "EleutherAI/pythia-1.4b",
        "date": "2023-07-09",
        "config": {
            "model_type": "gpt_neox",
            "hidden_size": 2048,
            "num_attention_heads": 16,
            "num_hidden_layers": 24,
            "max_position_embeddings": 2048,
            "rotary_pct": 0.25,
            "rotary_emb_base": 10000,
        },
    },
    "gpt-j-6b": {
        "id": "EleutherAI/gpt-j-6b",
        "date": "2023-06-21",
        "config": {
            "model_type": "gptj",
            "n_embd": 4096,
            "n_head": 16,
            "n_layer": 28,
            "n_positions": 2048,
            "rotary_dim": 64,
        },
    },
    "modernbert-base": {
        "id": "answerdotai/ModernBERT-base",
        "date": "2024-12-19",
        "config": {
            "model_type": "modernbert",
            "hidden_size": 768,
            "num_attention_heads": 12,
            "num_hidden_layers": 22,
            "max_position_embeddings": 8192,
            "global_rope_theta": 160000.0,
            "local_rope_theta": 10000.0,
            "global_attn_every_n_layers": 3,
            "local_attention": 128,
        },
    },
    "command-r": {
        "id": "CohereForAI/c4ai-command-r-v01",
        "date": "2024-03-11",
        "config": {
            "model_type": "cohere",
            "hidden_size": 8192,
            "num_attention_heads": 64,
            "num_key_value_heads": 64,
            "num_hidden_layers": 40,
            "max_position_embeddings": 131072,
            "rope_theta": 8000000.0,
        },
    },
    "smollm3-3b": {
        "id": "HuggingFaceTB/SmolLM3-3B",
        "date": "2025-07-08",
        "config": {
            "model_type": "smollm3",
            "hidden_size": 2048,
            "num_attention_heads": 16,
            "num_key_value_heads": 4,
            "num_hidden_layers": 36,
            "max_position_embeddings": 65536,
            "rope_theta": 5000000.0,
            "no_rope_layer_interval": 4,
            "no_rope_layers": _every(4, 36),
        },
    },
    "roformer-chinese-base": {
        "id": "junnyu/roformer_chinese_base",
        "date": "2021-05-21",
        "config": {
            "model_type": "roformer",
            "hidden_size": 768,
            "num_attention_heads": 12,
            "num_hidden_layers": 12,
            "max_position_embeddings": 1536,
            "rotary_value": False,
        },
    },
}
for _name, _preset in PRESETS.items():
    _preset["source"] = _cite(_preset["id"], _preset["date"])


def preset_key(name: str) -> str:
    """A preset name as PRESETS spells it: lower case, '_' and ' ' read as '-'."""
    return name.strip().lower().replace("_", "-").replace(" ", "-")
