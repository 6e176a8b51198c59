"""Reading a model's config.json as transformers 5.24 reads it: the text model's part,
its numbers, its layer types, which layers skip RoPE, and the rope dict of each layer
type (``convert_rope_params_to_dict`` and ``standardize_rope_params`` of
``modeling_rope_utils.py``, with each family's overrides from ``rope_ref.configs.families``).

The rules, written once here:

- the rope dict is ``rope_scaling`` when the config has a non-empty one, else
  ``rope_parameters`` (HF: ``rope_scaling or rope_parameters``), else the family's
  default; it is per layer type ("nested") when any of its keys is a layer type;
- rope_type is ``rope_type``, else ``type``, else "default" (old names: the family's
  aliases, e.g. Phi-3's "su");
- rope_theta: the dict's own, else the config's (``rope_theta``, or the family's older key
  such as GPT-NeoX's ``rotary_emb_base``), else the family's default;
- partial_rotary_factor: the dict's own, else the config's (GPT-NeoX: ``rotary_pct``),
  else the family's default (GPT-NeoX 0.25, GLM 0.5), else none (the whole head);
- llama3 / yarn / longrope need original_max_position_embeddings: a top-level one wins
  for a flat dict (HF gives it priority), else the dict's, else max_position_embeddings;
- a nested yarn dict takes ``truncate`` from the outer dict (HF reads
  ``config.rope_parameters.get("truncate", True)``, not the layer type's);
- Gemma 3 and ModernBERT read one base per layer type from legacy keys
  (``rope_local_base_freq``; ``global_rope_theta`` / ``local_rope_theta``), and an old flat
  ``rope_scaling`` updates only their full-attention dict (ModernBERT: both).
"""

from __future__ import annotations

import copy

from rope_ref.configs.families import (
    ALIASES,
    FULL,
    TEXT_MODEL_TYPES,
    Family,
    default_layer_types,
)
from rope_ref.scaling.config import TYPE_KEYS, rope_type_of
from rope_ref.validation import (
    check_config_dict,
    check_config_int,
    check_config_real,
    check_layer_list,
)

MISSING = object()
#: Keys of a rope dict that describe M-RoPE (Qwen2-VL, Qwen3-VL): read into the layer's
#: spec, not the 1D dict.
AXIS_KEYS = ("mrope_section", "mrope_interleaved")
_NEEDS_ORIGINAL = ("llama3", "yarn", "longrope")


def at(where: str, key: str) -> str:
    """The path of ``key`` inside the dict at ``where``, for error messages."""
    return f"{where}[{key!r}]"


def text_config(config: dict) -> tuple[dict, str, object]:
    """(the dict that describes the text model, its path, its model_type).

    ``config['text_config']`` when present (Gemma 3, Gemma 4, Llama 4, Qwen3-VL ...), its
    model_type from itself or from the outer one (``TEXT_MODEL_TYPES``); else the config.
    """
    inner = config.get("text_config")
    if inner is None:
        return config, "config", config.get("model_type")
    where = "config['text_config']"
    inner = check_config_dict(inner, where)
    model_type = inner.get("model_type") or TEXT_MODEL_TYPES.get(config.get("model_type"))
    return inner, where, model_type


def number(cfg: dict, where: str, key: str, default=MISSING, *, real: bool = False):
    """A config number under ``key`` (or its older name, ``ALIASES``), checked; ``default``
    when absent or null, an error naming the key when there is no default."""
    for name in ALIASES.get(key, (key,)):
        if cfg.get(name) is not None:
            check = check_config_real if real else check_config_int
            return check(cfg[name], at(where, name))
    if default is MISSING:
        raise ValueError(f"{at(where, key)} is missing; the RoPE of this model needs it")
    return default


def layer_types(cfg: dict, where: str, family: Family, n: int) -> list[str]:
    """One layer type per layer: ``layer_types``, else the family's rule."""
    if cfg.get("layer_types") is None:
        return default_layer_types(family, cfg, n)
    types = check_layer_list(cfg["layer_types"], at(where, "layer_types"), n)
    bad = [t for t in types if not isinstance(t, str)]
    if bad:
        raise ValueError(f"{at(where, 'layer_types')} entries must be strings, got {bad[0]!r}")
    return types


def has_rope(cfg: dict, where: str, family: Family, types: list[str]) -> list[bool]:
    """Whether each layer applies RoPE. Llama 4 / SmolLM3: ``no_rope_layers[i]`` is 1 for a
    RoPE layer and 0 for a NoPE one (default: NoPE every ``no_rope_layer_interval``-th, 4);
    Cohere2: full-attention layers skip RoPE."""
    n = len(types)
    if family.nope == "no_rope_layers":
        given = cfg.get("no_rope_layers")
        if not given:
            step = number(cfg, where, "no_rope_layer_interval", 4)
            return [(i + 1) % step != 0 for i in range(n)]
        flags = check_layer_list(given, at(where, "no_rope_layers"), n, allowed={0, 1})
        return [bool(f) for f in flags]
    if family.nope is not None:
        return [t != family.nope for t in types]
    return [True] * n


def chunked_layer_types(cfg: dict, rope: list[bool]) -> list[str]:
    """Llama 4's layer types: its RoPE layers attend in chunks of attention_chunk_size
    (default 8192), its NoPE layers to everything."""
    chunked = cfg.get("attention_chunk_size", 8192) is not None
    return ["chunked_attention" if r and chunked else FULL for r in rope]


def rope_dicts(cfg: dict, where: str, family: Family, types: list[str]) -> dict:
    """layer type -> (the rope dict HF builds for it, or None for no RoPE; its path).

    Each dict is a new one with rope_type, rope_theta and, where the config gives one,
    partial_rotary_factor and original_max_position_embeddings filled in as HF fills them.
    """
    params, path = _given(cfg, where, family)
    labels = set(types)
    nested = [k for k in params if k in labels]
    if not nested:
        flat = _standardized(params, cfg, where, family, flat=True)
        return {t: (flat, path) for t in labels}
    out = {}
    for t in labels:
        if t not in params:
            raise ValueError(
                f"{path} is given per layer type but has no entry for {t!r}, a type in "
                "layer_types; give one (or null for no RoPE)"
            )
        if params[t] is None:
            out[t] = (None, f"{path}[{t!r}]")
            continue
        d = check_config_dict(params[t], f"{path}[{t!r}]")
        d = _standardized(d, cfg, where, family, flat=False)
        if d["rope_type"] == "yarn":
            d["truncate"] = params.get("truncate", True)  # HF reads the outer dict's
        out[t] = (d, f"{path}[{t!r}]")
    return out


def _given(cfg: dict, where: str, family: Family) -> tuple[dict, str]:
    """(the rope dict as the config gives it, after the family's own conversion; its path)."""
    scaling, params = cfg.get("rope_scaling"), cfg.get("rope_parameters")
    if family.per_type_theta:
        return _per_type(cfg, where, family, params, scaling), at(where, "rope_parameters")
    key = "rope_scaling" if scaling else "rope_parameters"
    given = scaling or params
    if not given:
        given, key = family.default_rope or {}, None
    path = at(where, key) if key else f"{where} (no rope dict: {family.name}'s default)"
    return copy.deepcopy(check_config_dict(given, path)), path


def _per_type(cfg, where, family, params, scaling) -> dict:
    """Gemma 3, ModernBERT: one base per layer type, from legacy keys (their
    ``convert_rope_params_to_dict``)."""
    if params:
        params = copy.deepcopy(check_config_dict(params, at(where, "rope_parameters")))
    else:
        params = {t: {"rope_type": "default"} for t in family.per_type_theta}
    for t, (key, default) in family.per_type_theta.items():
        if params.get(t) is None:
            params[t] = {"rope_type": "default"}
        check_config_dict(params[t], f"{at(where, 'rope_parameters')}[{t!r}]")
        if scaling and t in family.legacy_scaling_types:
            params[t].update(check_config_dict(scaling, at(where, "rope_scaling")))
        if "rope_theta" not in params[t]:
            params[t]["rope_theta"] = number(cfg, where, key, default, real=True)
    return params


def _standardized(d: dict, cfg: dict, where: str, family: Family, *, flat: bool) -> dict:
    """One rope dict with HF's defaults filled in (``standardize_rope_params``)."""
    d = dict(d)
    kind = rope_type_of(d) or "default"
    for key in TYPE_KEYS:
        d.pop(key, None)
    d["rope_type"] = family.type_aliases.get(kind, kind)
    if "rope_theta" not in d:
        d["rope_theta"] = number(cfg, where, family.theta_key, family.default_theta, real=True)
    partial = number(cfg, where, family.partial_key, family.default_partial, real=True)
    if partial is not None:
        d.setdefault("partial_rotary_factor", partial)
    if d["rope_type"] in _NEEDS_ORIGINAL:
        top = cfg.get("original_max_position_embeddings", family.original_from_config)
        if flat and top is not None:
            d["original_max_position_embeddings"] = number(
                cfg, where, "original_max_position_embeddings", top
            )
        elif "original_max_position_embeddings" not in d:
            d["original_max_position_embeddings"] = number(cfg, where, "max_position_embeddings")
    return d


def split_axis_keys(d: dict) -> tuple[dict, dict]:
    """(the dict without its M-RoPE keys, those keys)."""
    axis = {k: d[k] for k in AXIS_KEYS if k in d}
    return {k: v for k, v in d.items() if k not in AXIS_KEYS}, axis
