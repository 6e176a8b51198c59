"""Checks for a model's config.json read by ``rope_ref.model_rope`` (``rope_ref.configs``):
the config itself, its numbers, its per-layer lists, its model type and preset names.

Every message names the key as a path into the config (``config['text_config']
['num_hidden_layers']``), what was expected and what came.
"""

from __future__ import annotations

import numbers

from rope_ref.validation.core import describe


def check_config(config: object) -> dict:
    """A config as a dict (what config.json holds), or a preset name (a str)."""
    if not isinstance(config, (dict, str)):
        raise TypeError(
            "config must be a dict (a model's config.json, as json.load gives it) or a preset "
            f"name (rope_ref.configs.PRESETS), got {describe(config)}"
        )
    return config


def check_config_dict(value: object, where: str) -> dict:
    """A nested dict of the config (``text_config``, a rope dict)."""
    if not isinstance(value, dict):
        raise TypeError(f"{where} must be a dict, got {describe(value)}")
    return value


def check_config_int(value: object, where: str, minimum: int = 1) -> int:
    """An integer >= minimum (not a bool; 4096.0 is accepted as JSON writes it)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok and float(value).is_integer() and value >= minimum:
        return int(value)
    raise ValueError(f"{where} must be an integer >= {minimum}, got {describe(value)}")


def check_config_real(value: object, where: str, *, positive: bool = True) -> float:
    """A finite real number (> 0 when ``positive``)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok and float(value) == float(value) and abs(float(value)) != float("inf"):
        if not positive or value > 0:
            return float(value)
    expected = "a finite real number > 0" if positive else "a finite real number"
    raise ValueError(f"{where} must be {expected}, got {describe(value)}")


def check_config_bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{where} must be true or false, got {describe(value)}")
    return value


def check_layer_list(value: object, where: str, n_layers: int, allowed=None) -> list:
    """A list with one entry per layer (num_hidden_layers of them), each in ``allowed``."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{where} must be a list with one entry per layer, got {describe(value)}")
    if len(value) != n_layers:
        raise ValueError(
            f"{where} has {len(value)} entries but the model has {n_layers} layers "
            "(num_hidden_layers); the config is inconsistent"
        )
    bad = [v for v in value if allowed is not None and v not in allowed]
    if bad:
        raise ValueError(f"{where} entries must be among {sorted(allowed)}, got {bad[0]!r}")
    return list(value)


def check_model_type(model_type: object, where: str, known) -> str:
    """A model type rope_ref knows the RoPE of."""
    if not isinstance(model_type, str):
        raise ValueError(
            f"{where} must name the model type (a string such as 'llama'), got "
            f"{describe(model_type)}; rope_ref reads the RoPE of {', '.join(sorted(known))}"
        )
    if model_type not in known:
        raise ValueError(
            f"{where} is {model_type!r}, a model type whose RoPE rope_ref does not know; "
            f"known: {', '.join(sorted(known))}"
        )
    return model_type


def check_preset(name: str, known) -> str:
    """A preset name (case and '_' vs '-' ignored are the caller's normalisation)."""
    if name not in known:
        raise ValueError(
            f"config {name!r} is neither a config dict nor a preset name; presets: "
            f"{', '.join(sorted(known))}"
        )
    return name


def check_head_split(head_dim: int, rotary_dim: int, offset: int, where: str) -> None:
    """The rotated features [offset, offset + rotary_dim) must fit in the head."""
    if rotary_dim < 2 or rotary_dim % 2 or offset + rotary_dim > head_dim:
        raise ValueError(
            f"{where} gives a rotary dimension of {rotary_dim} features at offset {offset} "
            f"in a head of {head_dim}; it must be even, >= 2 and fit in the head"
        )
