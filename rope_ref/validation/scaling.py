"""Checks for ``rope_scaling`` / ``rope_parameters`` dicts as HF configs carry them
(``rope_ref.scaling``): keys per rope_type, values, and the relations between them."""

from __future__ import annotations

import math
import numbers

import numpy as np

from rope_ref.validation.core import (
    MAX_EXACT_INT,
    check_base,
    check_finite_real,
    check_int,
    check_plain_array,
    check_positive_real,
    describe,
)

#: rope_type -> (required keys, optional keys), besides rope_type/type, rope_theta and
#: partial_rotary_factor, which every type accepts. HF keeps ``max_position_embeddings`` on
#: the model config, outside ``rope_parameters``; here it goes into the dict.
ROPE_SCALING_KEYS = {
    "default": (frozenset(), frozenset()),
    "linear": (frozenset({"factor"}), frozenset()),
    "ntk": (frozenset({"factor"}), frozenset()),
    "dynamic": (frozenset({"factor", "max_position_embeddings"}), frozenset()),
    "yarn": (
        frozenset({"original_max_position_embeddings"}),
        frozenset(
            {
                "factor",
                "attention_factor",
                "beta_fast",
                "beta_slow",
                "mscale",
                "mscale_all_dim",
                "truncate",
                "max_position_embeddings",
            }
        ),
    ),
    "llama3": (
        frozenset(
            {"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}
        ),
        frozenset({"max_position_embeddings"}),
    ),
    "longrope": (
        frozenset({"short_factor", "long_factor", "original_max_position_embeddings"}),
        frozenset({"factor", "attention_factor", "max_position_embeddings"}),
    ),
    "proportional": (frozenset(), frozenset({"factor"})),
}
#: The keys that name the rope_type: HF's, then the older spelling.
TYPE_KEYS = ("rope_type", "type")
#: M-RoPE's keys (Qwen2-VL's and Qwen3-VL's configs): which axis each frequency turns with,
#: not the frequencies, so a variant's theta ignores them (``rope_ref.paper.axes`` reads
#: them); Qwen2-VL's older ``"type": "mrope"`` is the default frequencies, as HF reads it.
AXIS_KEYS = ("mrope_section", "mrope_interleaved")
_COMMON_SCALING_KEYS = frozenset({*TYPE_KEYS, "rope_theta", "partial_rotary_factor"})
_POSITIVE_KEYS = (
    "factor",
    "attention_factor",
    "beta_fast",
    "beta_slow",
    "low_freq_factor",
    "high_freq_factor",
)
_INT_KEYS = ("original_max_position_embeddings", "max_position_embeddings")


def check_rope_scaling_keys(rope_scaling: object) -> dict:
    """A ``rope_scaling`` / ``rope_parameters`` dict as HF configs carry it: its rope_type
    (``type`` is the older spelling), its keys for that type, and each value, checked.

    Returns a new dict: ``rope_type`` and each given key's value as float/int (factor lists
    as float64 arrays). Resolving it (base, rotary dimension, defaults) is
    ``rope_ref.scaling.config.resolve``'s; the relations between values are
    ``check_scaling_relations``'.
    """
    if not isinstance(rope_scaling, dict):
        raise TypeError(
            f"rope_scaling must be a dict such as HF's rope_parameters, "
            f"got {describe(rope_scaling)}"
        )
    rope_scaling = {
        k: ("default" if k in TYPE_KEYS and v == "mrope" else v)
        for k, v in rope_scaling.items()
        if k not in AXIS_KEYS
    }
    rope_type = _scaling_type(rope_scaling)
    required, optional = ROPE_SCALING_KEYS[rope_type]
    keys = set(rope_scaling)
    unknown = keys - required - optional - _COMMON_SCALING_KEYS
    if unknown:
        raise ValueError(
            f"rope_scaling has unknown key(s) {sorted(map(str, unknown))} for rope_type "
            f"'{rope_type}'; expected {sorted(required | optional | _COMMON_SCALING_KEYS)}"
        )
    missing = required - keys
    if rope_type == "yarn" and "factor" not in keys and "max_position_embeddings" not in keys:
        missing = missing | {"factor"}
    if missing:
        raise ValueError(
            f"rope_scaling is missing required key(s) {sorted(missing)} for rope_type '{rope_type}'"
        )
    out = {"rope_type": rope_type}
    for key, value in rope_scaling.items():
        if key not in TYPE_KEYS:
            out[key] = _scaling_value(key, value)
    return out


def check_seq_len(seq_len: object, rope_type: str) -> int | None:
    """The current sequence length: an int >= 1; required by rope_type 'dynamic'."""
    if seq_len is None:
        if rope_type == "dynamic":
            raise ValueError(
                "seq_len is required for rope_type 'dynamic' (dynamic NTK rescales "
                "the base from the current sequence length), got None"
            )
        return None
    return check_int("seq_len", seq_len, minimum=1, maximum=MAX_EXACT_INT)


def _scaling_type(rope_scaling: dict) -> str:
    names = [rope_scaling[k] for k in TYPE_KEYS if k in rope_scaling]
    if not names:
        raise ValueError(
            "rope_scaling is missing required key 'rope_type' (or the older "
            f"'type'); expected one of {tuple(ROPE_SCALING_KEYS)}"
        )
    if len(names) == 2 and names[0] != names[1]:
        raise ValueError(
            f"rope_scaling['rope_type'] and rope_scaling['type'] disagree: "
            f"{names[0]!r} != {names[1]!r}"
        )
    if not isinstance(names[0], str) or names[0] not in ROPE_SCALING_KEYS:
        raise ValueError(
            f"rope_scaling['rope_type'] must be one of {tuple(ROPE_SCALING_KEYS)}, "
            f"got {describe(names[0])}"
        )
    return names[0]


def _scaling_value(key: str, value: object):
    name = f"rope_scaling['{key}']"
    if key == "rope_theta":
        return check_base(value, name)
    if key in ("short_factor", "long_factor"):
        return _factor_list(name, value)
    if key == "truncate":
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be a bool, got {describe(value)}")
        return value
    if key in _INT_KEYS:
        return check_int(name, value, minimum=1, maximum=MAX_EXACT_INT)
    if key == "factor" and value is None:
        return None  # HF: yarn/longrope derive it from max_position_embeddings
    if key in _POSITIVE_KEYS:
        return check_positive_real(name, value)
    value = check_finite_real(name, value)
    if key in ("mscale", "mscale_all_dim") and value < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    if key == "partial_rotary_factor":
        return check_partial_rotary_factor(value)
    return value


def check_partial_rotary_factor(value: object) -> float:
    """rope_scaling['partial_rotary_factor']: a real number in (0, 1]."""
    name = "rope_scaling['partial_rotary_factor']"
    value = check_finite_real(name, value)
    if not 0.0 < value <= 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {value}")
    return value


def _factor_list(name: str, value: object) -> np.ndarray:
    if isinstance(value, np.ndarray):
        arr = check_plain_array(name, value)
    elif isinstance(value, (list, tuple)):
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value):
            raise TypeError(f"{name} must be a list of real numbers, got {describe(value)}")
        try:
            arr = np.asarray(value, dtype=np.float64)
        except OverflowError:  # an int beyond float64's range
            raise ValueError(f"{name} must hold finite numbers, got {describe(value)}") from None
    else:
        raise TypeError(f"{name} must be a list of real numbers, got {describe(value)}")
    if arr.ndim != 1 or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a 1-D list of real numbers, got {describe(arr)}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0.0):
        raise ValueError(f"{name} must hold finite numbers > 0, got {arr.tolist()[:8]}...")
    return arr


def check_partial_rotary_dim(r: int, d: int, partial_rotary_factor: float) -> int:
    """r = int(d * partial_rotary_factor) must be an even rotary dimension >= 2."""
    if r < 2 or r % 2:
        raise ValueError(
            f"rope_scaling['partial_rotary_factor'] must give an even rotary "
            f"dimension int(d * partial_rotary_factor) >= 2; d={d} and "
            f"partial_rotary_factor={partial_rotary_factor} give {r}"
        )
    return r


def check_scaling_relations(p: dict) -> None:
    """The relations between a resolved dict's values (``rope_ref.scaling.config.resolve``:
    rotary_dim set, and for yarn beta_fast and beta_slow with their defaults)."""
    r, kind = p["rotary_dim"], p["rope_type"]
    if "factor" in p and p["factor"] is None and kind not in ("yarn", "longrope"):
        raise TypeError(
            f"rope_scaling['factor'] must be a real number for rope_type '{kind}' (None, "
            "factor = max / original, is for yarn and longrope only), got None"
        )
    if kind in ("ntk", "dynamic") and r < 4:
        raise ValueError(
            f"rope_type '{kind}' needs a rotary dimension >= 4 (its exponent is d/(d-2)), got {r}"
        )
    for key in ("short_factor", "long_factor"):
        if key in p and p[key].shape != (r // 2,):
            raise ValueError(
                f"rope_scaling['{key}'] must have rotary_dim/2 = {r // 2} entries "
                f"(one per theta_i), got {p[key].shape[0]}"
            )
    if kind == "llama3" and p["high_freq_factor"] < p["low_freq_factor"]:
        raise ValueError(
            f"rope_scaling['high_freq_factor'] must be >= low_freq_factor (equal: no smooth "
            f"band, as Llama 4 Scout's config), got {p['high_freq_factor']} < "
            f"{p['low_freq_factor']}"
        )
    if kind == "yarn":
        _check_yarn_betas(p)
    if kind == "longrope" and "attention_factor" not in p:
        if p["original_max_position_embeddings"] < 2:
            raise ValueError(
                "rope_scaling['original_max_position_embeddings'] must be >= 2 for rope_type "
                "'longrope' without attention_factor (its factor sqrt(1 + ln s / ln L) "
                f"divides by ln L), got {p['original_max_position_embeddings']}"
            )
    needs_factor = kind == "yarn" or (kind == "longrope" and "attention_factor" not in p)
    if needs_factor and p.get("factor") is None and "max_position_embeddings" not in p:
        raise ValueError(
            f"rope_scaling needs 'factor' (or max_position_embeddings, factor = "
            f"max / original) for rope_type '{kind}', got factor=None"
        )


def _check_yarn_betas(p: dict) -> None:
    """HF's ramp ends solve L theta_i / (2 pi) = beta (``rope_ref.scaling.yarn.index_of``):
    L / (2 pi beta) must be a finite float64 > 0 for beta_fast and beta_slow."""
    if p["beta_fast"] <= p["beta_slow"]:
        raise ValueError(
            f"rope_scaling['beta_fast'] must be > beta_slow, got "
            f"{p['beta_fast']} <= {p['beta_slow']}"
        )
    L = p["original_max_position_embeddings"]
    for key in ("beta_fast", "beta_slow"):
        beta = p[key]
        ratio = L / (2 * math.pi * beta)
        if not (math.isfinite(ratio) and ratio > 0.0):
            raise ValueError(
                f"rope_scaling['{key}'] must keep L / (2 pi {key}) a finite number > 0 "
                f"(L = original_max_position_embeddings = {L}), got {beta}"
            )
