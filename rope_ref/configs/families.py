"""What each model family's code does with its config's RoPE fields (transformers 5.24).

A family is data: the pairs its rotary function forms, the config keys it reads (and
their defaults, which its ``configuration_*.py`` fixes), how its layer types fall, which
layers skip RoPE, and the shape of the head its rotary function sees. ``FAMILIES`` maps
every ``model_type`` rope_ref reads to its family; ``rope_ref.configs.read`` applies the
rules and ``rope_ref.configs.layers`` builds each layer's RoPE from them.

Layouts, as each family's modeling file pairs the features of a head (eq 15's blocks):
"half" pairs (i, i + r/2) (``rotate_half``: Llama and most), "interleaved" pairs
(2i, 2i + 1) (GPT-J's ``rotate_every_two``, GLM's and Cohere's interleaved
``rotate_half``, Llama 4's and DeepSeek-V2's ``view_as_complex``, RoFormer's sin/cos
stack). DeepSeek-V3 with ``rope_interleave`` reads interleaved pairs and writes the
rotated pairs half-split (``apply_rotary_pos_emb_interleave``): output layout "half".
"""

from __future__ import annotations

from dataclasses import dataclass, field

FULL, SLIDING = "full_attention", "sliding_attention"


@dataclass(frozen=True)
class Family:
    """How one family's code reads RoPE from its config.

    name: the family as the table names it; layout / output_layout: the pairs it rotates
    (output_layout None: the same); theta_key, default_theta: where the base b of eq 15 is
    read, and its default; partial_key, default_partial: the rotated share of the head;
    per_type_theta: layer type -> (legacy key, default) for families with one base per
    layer type (Gemma 3, ModernBERT); legacy_scaling_types: the layer types an old flat
    ``rope_scaling`` applies to; default_rope: the rope dict when the config gives none;
    type_aliases: old rope_type names; original_from_config: the top-level
    original_max_position_embeddings (its default) always wins, as Phi-3's config does;
    pattern: (kind, key, default) of the layer types when ``layer_types`` is absent;
    nope: how NoPE layers are found; head: how the head is shaped; positions: where the
    positions come from ("position_ids", "arange": RoFormer's 0..seq-1 plus the cached
    length, "table": GPT-J's sin/cos table of max_position_embeddings rows); notes:
    sentences about the layer's attention that are not RoPE but change what it computes.
    """

    name: str
    layout: str = "half"
    output_layout: str | None = None
    theta_key: str = "rope_theta"
    default_theta: float = 10000.0
    partial_key: str = "partial_rotary_factor"
    default_partial: float | None = None
    per_type_theta: dict = field(default_factory=dict)
    legacy_scaling_types: tuple = ()
    default_rope: dict | None = None
    type_aliases: dict = field(default_factory=dict)
    original_from_config: int | None = None
    pattern: tuple | None = None
    nope: str | None = None
    head: str = "head_dim"
    positions: str = "position_ids"
    notes: tuple = ()


_QWEN_SLIDING = ("from", "max_window_layers", 28)
_GEMMA3 = Family(
    name="Gemma 3",
    default_theta=1_000_000.0,
    per_type_theta={FULL: ("rope_theta", 1_000_000.0), SLIDING: ("rope_local_base_freq", 10000.0)},
    legacy_scaling_types=(FULL,),
    pattern=("every", "sliding_window_pattern", 6),
)
_GEMMA4 = Family(
    name="Gemma 4",
    default_rope={
        SLIDING: {"rope_type": "default", "rope_theta": 10000.0},
        FULL: {"rope_type": "proportional", "partial_rotary_factor": 0.25, "rope_theta": 1e6},
    },
    pattern=("every_last_full", "sliding_window_pattern", 6),
    head="gemma4",
)
_LLAMA4 = Family(
    name="Llama 4",
    layout="interleaved",
    default_theta=500000.0,
    nope="no_rope_layers",
    notes=(
        "NoPE layers scale q by log1p(floor((p + 1) / floor_scale)) * attn_scale + 1 "
        "(attn_temperature_tuning), with p = 0..seq-1 plus the cached length, not position_ids",
    ),
)
_DEEPSEEK_NOTE = (
    "the softmax scale is multiplied by mscale(factor, mscale_all_dim)^2 when rope_scaling "
    "gives mscale_all_dim (yarn_apply_mscale / yarn_get_mscale)"
)
_GLM = dict(layout="interleaved", default_partial=0.5)
_COHERE = dict(layout="interleaved", default_theta=500000.0)

#: model_type -> Family, for every model type ``model_rope`` reads.
FAMILIES = {
    "llama": Family(name="Llama"),
    "mistral": Family(name="Mistral"),
    "ministral": Family(name="Ministral", pattern=("window", "sliding_window", 4096)),
    "ministral3": Family(
        "Ministral 3",
        notes=(
            "q is multiplied by 1 + llama_4_scaling_beta * log(1 + floor(p / "
            "original_max_position_embeddings)) after RoPE (get_llama_4_attn_scale)",
        ),
    ),
    "qwen2": Family(name="Qwen2", pattern=_QWEN_SLIDING),
    "qwen2_moe": Family(name="Qwen2-MoE", pattern=_QWEN_SLIDING),
    "qwen3": Family(name="Qwen3", pattern=_QWEN_SLIDING),
    "qwen3_moe": Family(name="Qwen3-MoE", pattern=_QWEN_SLIDING),
    "qwen2_vl_text": Family(name="Qwen2-VL", default_theta=1e6, type_aliases={"mrope": "default"}),
    "qwen2_5_vl_text": Family("Qwen2.5-VL", default_theta=1e6, type_aliases={"mrope": "default"}),
    "qwen3_vl_text": Family(name="Qwen3-VL", default_theta=500000.0),
    "smollm3": Family(name="SmolLM3", nope="no_rope_layers"),
    "gemma": Family(name="Gemma"),
    "gemma2": Family(name="Gemma 2", pattern=("every", None, 2)),
    "gemma3_text": _GEMMA3,
    "gemma4_text": _GEMMA4,
    "phi3": Family(
        name="Phi-3",
        default_partial=1.0,
        type_aliases={"su": "longrope", "yarn": "longrope"},
        original_from_config=4096,
    ),
    "phi": Family(name="Phi", default_partial=0.5),
    "glm": Family(name="GLM", **_GLM),
    "glm4": Family(name="GLM-4", **_GLM),
    "gpt_neox": Family(
        name="GPT-NeoX", theta_key="rotary_emb_base", partial_key="rotary_pct", default_partial=0.25
    ),
    "gptj": Family(name="GPT-J", layout="interleaved", head="gptj", positions="table"),
    "gpt_oss": Family(
        name="GPT-OSS",
        default_theta=150000.0,
        default_rope={
            "rope_type": "yarn",
            "factor": 32.0,
            "beta_fast": 32.0,
            "beta_slow": 1.0,
            "truncate": False,
            "original_max_position_embeddings": 4096,
        },
        pattern=("every", None, 2),
    ),
    "deepseek_v2": Family(
        name="DeepSeek-V2", layout="interleaved", head="deepseek", notes=(_DEEPSEEK_NOTE,)
    ),
    "deepseek_v3": Family(
        name="DeepSeek-V3",
        layout="interleaved",
        output_layout="half",
        head="deepseek",
        notes=(_DEEPSEEK_NOTE,),
    ),
    "llama4_text": _LLAMA4,
    "modernbert": Family(
        name="ModernBERT",
        default_theta=160000.0,
        per_type_theta={
            FULL: ("global_rope_theta", 160000.0),
            SLIDING: ("local_rope_theta", 10000.0),
        },
        legacy_scaling_types=(FULL, SLIDING),
        pattern=("first", "global_attn_every_n_layers", 3),
    ),
    "cohere": Family(name="Cohere", **_COHERE),
    "cohere2": Family(
        name="Cohere2",
        layout="interleaved",
        pattern=("every", "sliding_window_pattern", 4),
        nope=FULL,
    ),
    "roformer": Family(name="RoFormer", layout="interleaved", head="hidden", positions="arange"),
}

#: An outer (multimodal) model_type -> the model_type of its text_config, for configs
#: whose text_config does not say it.
TEXT_MODEL_TYPES = {
    "gemma3": "gemma3_text",
    "gemma4": "gemma4_text",
    "llama4": "llama4_text",
    "qwen2_vl": "qwen2_vl_text",
    "qwen2_5_vl": "qwen2_5_vl_text",
    "qwen3_vl": "qwen3_vl_text",
}

#: Config keys and their older names (GPT-J's config.json uses GPT-2's).
ALIASES = {
    "num_hidden_layers": ("num_hidden_layers", "n_layer"),
    "hidden_size": ("hidden_size", "n_embd"),
    "num_attention_heads": ("num_attention_heads", "n_head"),
    "max_position_embeddings": ("max_position_embeddings", "n_positions"),
}


def default_layer_types(family: Family, cfg: dict, n: int) -> list[str]:
    """The layer types a family's config class builds when ``layer_types`` is absent."""
    if family.pattern is None:
        return [FULL] * n
    kind, key, default = family.pattern
    p = cfg.get(key, default) if key else default
    if kind == "first":  # ModernBERT: global every n-th layer, starting with the first
        return [SLIDING if i % p else FULL for i in range(n)]
    if kind == "window":  # Ministral: every layer slides when there is a window
        return [SLIDING if cfg.get(key, default) is not None else FULL] * n
    if kind == "from":  # Qwen: sliding from max_window_layers on, when enabled
        on = bool(cfg.get("use_sliding_window")) and cfg.get("sliding_window") is not None
        return [SLIDING if on and i >= p else FULL for i in range(n)]
    types = [SLIDING if (i + 1) % p else FULL for i in range(n)]
    if kind == "every_last_full" and types:  # Gemma 4 forces its last layer global
        types[-1] = FULL
    return types
