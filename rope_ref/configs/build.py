"""From a model's config to its RoPE, layer by layer: ``model_rope(config)``.

``rope = model_rope(config)`` (config: a config.json as a dict, or a preset name of
``rope_ref.configs.presets``) gives ``rope.layers``, one entry per layer: None where the
layer has no RoPE (Llama 4's and SmolLM3's NoPE layers, Cohere2's global layers), else a
``LayerRope`` (``rope_ref.configs.layers``) whose ``rotate(x, positions)`` is exactly what
that layer's attention receives from its rotary function, for q and for k. Layers whose
RoPE is the same share one ``LayerRope`` (``rope.groups()``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from rope_ref.configs.families import FAMILIES, FULL, Family
from rope_ref.configs.layers import COMMON_KEYS, LayerRope
from rope_ref.configs.presets import PRESETS, preset_key
from rope_ref.configs.read import (
    at,
    chunked_layer_types,
    has_rope,
    layer_types,
    number,
    rope_dicts,
    split_axis_keys,
    text_config,
)
from rope_ref.scaling.scaled import scaled_frequencies
from rope_ref.validation import (
    ROPE_SCALING_KEYS,
    check_config,
    check_form,
    check_head_split,
    check_model_type,
    check_preset,
)


@dataclass(frozen=True)
class ModelRope:
    """A model's RoPE, layer by layer.

    layers: one entry per layer, None for a layer without RoPE; layer_types: HF's layer
    type of each; family: the family's name; max_position_embeddings: the context length
    (None when the config has none); source: where the config came from; notes: what the
    family's attention does beside RoPE that changes q or the scores; ignored: rope dict
    keys HF's RoPE does not read.
    """

    name: str
    model_type: str
    family: str
    layer_types: tuple
    layers: tuple
    max_position_embeddings: int | None
    source: str = ""
    notes: tuple = ()
    ignored: tuple = ()

    def groups(self) -> list[tuple[LayerRope | None, list[int]]]:
        """The distinct RoPEs (None: no RoPE), each with the layers that use it, in order of
        their first layer."""
        out: list = []
        for i, spec in enumerate(self.layers):
            for other, indices in out:
                if other == spec:
                    indices.append(i)
                    break
            else:
                out.append((spec, [i]))
        return out


def model_rope(config, *, form: str | None = None) -> ModelRope:
    """The RoPE of every layer of a model.

    Args:
        config: a model's config.json as a dict (transformers 5 ``rope_parameters``,
            per layer type or flat, or the older keys: ``rope_scaling``, ``rope_theta``,
            ``rotary_pct``, ``rotary_emb_base``, ``rotary_dim``, ``rope_local_base_freq``,
            ``partial_rotary_factor``, ``head_dim``, ``qk_rope_head_dim``,
            ``rope_interleave``, ``no_rope_layers``, ``layer_types``,
            ``global_attn_every_n_layers``, ``mrope_section``; a multimodal config's
            ``text_config``), or a preset name (``rope_ref.configs.presets.PRESETS``).
        form: "code" (default: what the model runs) or "paper" (``rope_ref.scaling``).

    Returns:
        ModelRope. Raises ValueError / TypeError naming the config key for an unknown
        model type or an inconsistent config.
    """
    config, name, source = _resolve(check_config(config))
    form = check_form(form)
    cfg, where, model_type = text_config(config)
    family = FAMILIES[check_model_type(model_type, at(where, "model_type"), FAMILIES)]
    n = number(cfg, where, "num_hidden_layers")
    types = layer_types(cfg, where, family, n)
    rope = has_rope(cfg, where, family, types)
    if family.name == "Llama 4" and cfg.get("layer_types") is None:
        types = chunked_layer_types(cfg, rope)
    dicts = rope_dicts(cfg, where, family, types) if family.positions == "position_ids" else {}
    fixed = ({"rope_type": "default", "rope_theta": family.default_theta}, where)
    max_pos = number(cfg, where, "max_position_embeddings", None)
    built, ignored, layers = {}, set(), []
    for i, t in enumerate(types):
        d, path = dicts.get(t, fixed)
        if not rope[i] or d is None:
            layers.append(None)
            continue
        if t not in built:
            built[t], extra = _layer(cfg, where, family, t, (d, path), max_pos, form)
            ignored |= extra
        layers.append(built[t])
    return ModelRope(
        name=name or model_type,
        model_type=model_type,
        family=family.name,
        layer_types=tuple(types),
        layers=tuple(layers),
        max_position_embeddings=max_pos,
        source=source,
        notes=family.notes,
        ignored=tuple(sorted(ignored)),
    )


def _resolve(config) -> tuple[dict, str | None, str]:
    """(config dict, preset name or None, source)."""
    if isinstance(config, str):
        preset = PRESETS[check_preset(preset_key(config), PRESETS)]
        return copy.deepcopy(preset["config"]), preset_key(config), preset["source"]
    return config, None, "config"


def _layer(cfg, where, family: Family, layer_type, given, max_pos, form):
    """(LayerRope, ignored keys) for one layer type; given: (its rope dict, the dict's path)."""
    head, offset, rope_dim = _geometry(cfg, where, family, layer_type)
    d, axis = split_axis_keys(given[0])
    if d.get("rope_type") in ("dynamic", "yarn", "longrope") and max_pos is not None:
        d["max_position_embeddings"] = max_pos  # HF reads it from the model config
    allowed = ROPE_SCALING_KEYS.get(d.get("rope_type"))
    ignored = set()
    if allowed is not None:
        ignored = set(d) - allowed[0] - allowed[1] - COMMON_KEYS
        d = {k: v for k, v in d.items() if k not in ignored}
    key = given[1]
    seq_len = d.get("max_position_embeddings") if d.get("rope_type") == "dynamic" else None
    try:
        theta, _ = scaled_frequencies(rope_dim, None, d, seq_len, form=form)
    except (ValueError, TypeError) as err:
        raise type(err)(f"{key} (the RoPE of {layer_type} layers): {err}") from None
    rotary_dim = 2 * theta.size
    check_head_split(head, rotary_dim, offset, key)
    layout = family.layout
    if family.name == "DeepSeek-V3" and not cfg.get("rope_interleave", True):
        layout = "half"
    spec = LayerRope(
        head_dim=head,
        offset=offset,
        rope_dim=rope_dim,
        rotary_dim=rotary_dim,
        params=tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in d.items())),
        layout=layout,
        output_layout="half" if layout == "half" else family.output_layout or layout,
        form=form,
        positions=family.positions,
        mrope=tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in axis.items())),
        rotates_values=bool(cfg.get("rotary_value", False)) and family.name == "RoFormer",
    )
    return spec, ignored


def _geometry(cfg, where, family: Family, layer_type) -> tuple[int, int, int]:
    """(head_dim, offset, rope_dim) of a layer type's q/k head."""
    if family.head == "deepseek":
        nope = number(cfg, where, "qk_nope_head_dim")
        rope = number(cfg, where, "qk_rope_head_dim")
        return nope + rope, nope, rope
    head = _head_dim(cfg, where, family)
    if family.head == "gemma4" and layer_type == FULL:
        head = number(cfg, where, "global_head_dim", 512)
    if family.head == "gptj":  # GPTJConfig's rotary_dim defaults to 64; null: the head
        rotary = cfg.get("rotary_dim", 64)
        return head, 0, head if rotary is None else number(cfg, where, "rotary_dim")
    return head, 0, head


def _head_dim(cfg, where, family: Family) -> int:
    if family.head != "hidden" and cfg.get("head_dim") is not None:
        return number(cfg, where, "head_dim")
    hidden = number(cfg, where, "hidden_size")
    heads = number(cfg, where, "num_attention_heads")
    if hidden % heads:
        raise ValueError(
            f"{at(where, 'hidden_size')} ({hidden}) is not a multiple of "
            f"{at(where, 'num_attention_heads')} ({heads}), and there is no head_dim"
        )
    return hidden // heads
