"""From a model's config to its RoPE, layer by layer: ``model_rope(config)``.

``rope = model_rope(config)`` (config: a config.json as a dict, or a preset name of
``rope_ref.configs.presets``) gives ``rope.layers``, one entry per layer: None where the
layer has no RoPE (Llama 4's and SmolLM3's NoPE layers, Cohere2's global layers), else a
``LayerRope`` whose ``rotate(x, positions)`` is exactly what that layer's attention
receives from its rotary function, for q and for k: x (..., seq, head_dim) -> the same
shape. Layers whose RoPE is the same share one ``LayerRope`` (``rope.groups()``).

What the spec does, in the paper's terms: theta of eq 15 over the features its rope dict
is defined over (or a scaling variant of it, ``rope_ref.scaling``; by default in the form
of the released code that the model runs), the angles m theta_i at the positions given
(eq 13), the rotation of eq 34 on ``rotary_dim`` features starting at ``offset``, pairs
as the family's code forms them (``layout``), cos and sin times the attention factor, the
rotated pairs written back in ``output_layout``, every other feature passed through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rope_ref.configs.families import FAMILIES, FULL, Family
from rope_ref.configs.presets import PRESETS, preset_key
from rope_ref.configs.read import (
    at,
    has_rope,
    layer_types,
    number,
    rope_dicts,
    split_axis_keys,
    text_config,
)
from rope_ref.paper.layouts import to_half_layout
from rope_ref.paper.rotary import rotate as rotate_paper
from rope_ref.scaling.scaled import scaled_frequencies
from rope_ref.validation import (
    ROPE_SCALING_KEYS,
    check_config,
    check_float_array,
    check_form,
    check_head_split,
    check_model_type,
    check_positions,
    check_preset,
)

_LENGTH_TYPES = ("dynamic", "longrope")  # theta depends on seq_len = max(position_ids) + 1
_COMMON = {"rope_type", "rope_theta", "partial_rotary_factor"}


@dataclass(frozen=True)
class LayerRope:
    """The RoPE of one layer, as its attention receives it.

    head_dim: features of a q/k head as the rotary function sees the layer's head (DeepSeek:
    qk_nope_head_dim + qk_rope_head_dim); offset: the first rotated feature; rope_dim: the
    features the rope dict is defined over (HF's head_dim in its init function);
    rotary_dim: the rotated features, 2 len(theta); params: the rope dict (rope_type,
    rope_theta, the variant's keys) as sorted (key, value) pairs; layout / output_layout:
    the pairs read and written ("half" or "interleaved"); form: "code" or "paper"
    (``rope_ref.scaling``); positions: where the model takes positions from
    ("position_ids", "arange", "table"); mrope: M-RoPE's section and style, for text
    tokens (t = h = w) the same as 1D RoPE; rotates_values: RoFormer's rotary_value.
    """

    head_dim: int
    offset: int
    rope_dim: int
    rotary_dim: int
    params: tuple
    layout: str
    output_layout: str
    form: str = "code"
    positions: str = "position_ids"
    mrope: tuple = ()
    rotates_values: bool = False

    @property
    def rope_scaling(self) -> dict:
        """The rope dict (``scaled_frequencies`` reads it over ``rope_dim`` features)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.params}

    @property
    def rope_type(self) -> str:
        return self.rope_scaling["rope_type"]

    @property
    def base(self) -> float:
        """b of eq 15 (rope_theta)."""
        return float(self.rope_scaling["rope_theta"])

    def frequencies(self, seq_len: int | None = None) -> tuple[np.ndarray, float]:
        """(theta (rotary_dim/2,), attention factor) at a sequence length (HF's
        max(position_ids) + 1; it matters for dynamic NTK and LongRoPE only; None: the
        model's initial state, max_position_embeddings for dynamic, short factors)."""
        p = self.rope_scaling
        if seq_len is None and p["rope_type"] == "dynamic":
            seq_len = p["max_position_embeddings"]
        if p["rope_type"] not in _LENGTH_TYPES:
            seq_len = None
        return scaled_frequencies(self.rope_dim, None, p, seq_len, form=self.form)

    @property
    def theta(self) -> np.ndarray:
        """(rotary_dim/2,) theta_i in the model's initial state (``frequencies()``)."""
        return self.frequencies()[0]

    @property
    def attention_factor(self) -> float:
        """The factor on cos and sin (YaRN's 0.1 ln s + 1, LongRoPE's, else 1)."""
        return self.frequencies()[1]

    def rotate(self, x, positions, *, seq_len: int | None = None) -> np.ndarray:
        """What this layer's attention receives for x (q or k after W_q / W_k).

        Args:
            x: (..., seq, head_dim) float16/32/64.
            positions: (seq,) (or broadcastable to x.shape[:-1]) finite positions m.
            seq_len: the length dynamic NTK and LongRoPE switch on; default HF's
                max(positions) + 1.

        Returns:
            (..., seq, head_dim), x's dtype: features [offset, offset + rotary_dim)
            rotated by eq 34 in float64 (pairs per ``layout``, times the attention factor,
            written in ``output_layout``), the rest passed through.
        """
        x = check_float_array("x", x, min_ndim=2)
        if x.shape[-1] != self.head_dim:
            raise ValueError(
                f"x must have head_dim = {self.head_dim} features in its last axis (this "
                f"layer's q/k head), got shape {x.shape}"
            )
        m = check_positions(positions)
        if seq_len is None and self.rope_type in _LENGTH_TYPES and m.size:
            seq_len = int(math.floor(float(np.max(m)))) + 1  # HF: max(position_ids) + 1
        theta, factor = self.frequencies(seq_len)
        part = slice(self.offset, self.offset + self.rotary_dim)
        y = rotate_paper(x[..., part].astype(np.float64), m, theta=theta, layout=self.layout)
        if factor != 1.0:
            y *= factor  # cos and sin times the attention factor (HF's attention_scaling)
        if self.output_layout != self.layout:
            y = to_half_layout(y)  # DeepSeek-V3: interleaved pairs in, half-split out
        out = x.copy()
        out[..., part] = y.astype(x.dtype)
        return out

    @property
    def description(self) -> str:
        """One line: the variant, its base, which features turn in which pairs, the factor."""
        p = self.rope_scaling
        keys = [_shown(k, v) for k, v in p.items() if k not in _NOT_SHOWN]
        kind = p["rope_type"] + (f" ({', '.join(keys)})" if keys else "")
        span = (
            f"all {self.head_dim} features"
            if self.rotary_dim == self.head_dim
            else f"features {self.offset}..{self.offset + self.rotary_dim - 1} of {self.head_dim}"
        )
        pairs = {"half": "half-split", "interleaved": "interleaved"}[self.layout]
        written = "" if self.output_layout == self.layout else ", written half-split"
        text = f"{kind} RoPE, base {self.base:g}: rotates {span} in {pairs} pairs{written}"
        text += f"; attention factor {self.attention_factor:.6g}"
        if self.mrope:
            text += f"; M-RoPE {dict(self.mrope)} (text tokens: as 1D)"
        return text


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
        return preset["config"], preset_key(config), preset["source"]
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
        ignored = set(d) - allowed[0] - allowed[1] - _COMMON
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


_NOT_SHOWN = _COMMON | {"max_position_embeddings"}
_SHORT = {
    "low_freq_factor": "low",
    "high_freq_factor": "high",
    "original_max_position_embeddings": "original",
}


def _shown(key: str, value) -> str:
    """A rope dict entry as the description shows it: "factor 8", "original 8192"."""
    name = _SHORT.get(key, key)
    if isinstance(value, bool):
        return f"{name} {str(value).lower()}"
    if isinstance(value, (list, tuple)):
        return f"{len(value)} {name}s"
    return f"{name} {value:g}"
