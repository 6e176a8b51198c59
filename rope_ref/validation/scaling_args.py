"""Checks for what goes with a ``rope_scaling`` dict (``rope_ref.scaling``,
``rope_ref.rotary``): base, seq_len and rotary_dim beside it, the NTK base, and the
theta and attention factor it gives."""

from __future__ import annotations

import math

import numpy as np

from rope_ref.validation.core import (
    MIN_BASE,
    check_base,
    describe,
)


def check_ntk_base(base: float, s: float, r: int, rope_type: str) -> None:
    """The NTK-aware base b' = b s^(r/(r-2)) (ntk, dynamic) must lie in float64's range
    [MIN_BASE, max] (checked in logs, with a margin for rounding), so that forming it
    raises no OverflowError and does not underflow to 0."""
    log_b = math.log(base) + math.log(s) * r / (r - 2)
    low, high = math.log(MIN_BASE) + 1e-6, math.log(np.finfo(np.float64).max) - 1e-6
    # s^(r/(r-2)) is formed first, so it must fit too (b = 1e-300, s = 1e300: b' = 1e300
    # but s^2 overflows, an OverflowError from Python's float power)
    if not low <= log_b <= high or math.log(s) * r / (r - 2) > high:
        raise ValueError(
            f"rope_scaling['factor'] gives rope_type '{rope_type}' the base b s^(r/(r-2)) = "
            f"e^{log_b:.6g} (b = {base:g}, s = {s:g}, r = {r}): it, or s^(r/(r-2)), lies "
            f"outside float64's range [{MIN_BASE:.3g}, {np.finfo(np.float64).max:.3g}]"
        )


def check_scaled_theta(theta: np.ndarray, attention_factor: float, p: dict):
    """A variant's theta and attention factor must be finite (theta >= 0, factor > 0):
    extreme but individually valid values (factor = 1e-320: theta_i / factor overflows;
    mscale = 1e308) can still leave float64's range."""
    given = {k: v for k, v in p.items() if k not in ("rotary_dim", "rope_type") and v is not None}
    if not (np.all(np.isfinite(theta)) and np.all(theta >= 0.0)):
        raise ValueError(
            f"rope_scaling (rope_type '{p['rope_type']}') gives theta outside float64's "
            f"range (inf or NaN) with {_describe_params(given)}"
        )
    if not (math.isfinite(attention_factor) and attention_factor > 0.0):
        raise ValueError(
            f"rope_scaling (rope_type '{p['rope_type']}') gives the attention factor "
            f"{attention_factor} (it must be finite and > 0) with {_describe_params(given)}"
        )
    return theta, attention_factor


def _describe_params(params: dict) -> str:
    text = ", ".join(
        f"{k}={np.array2string(v, threshold=4) if isinstance(v, np.ndarray) else repr(v)}"
        for k, v in params.items()
    )
    return text if len(text) < 200 else text[:197] + "..."


def check_scaled_rotary_dim(rotary_dim: object, r: int) -> int:
    """rotary_dim, if given, must match the r that a rope_scaling dict fixes."""
    if rotary_dim is not None and rotary_dim != r:
        raise ValueError(
            f"rotary_dim must match the rotary dimension that rope_scaling gives "
            f"(2 * len(theta) = {r}), got rotary_dim={rotary_dim!r}"
        )
    return r


def check_base_agrees(base: object, rope_theta: float | None) -> float:
    """An explicit ``base`` (not None) and rope_scaling's ``rope_theta``, when both are
    given, must be equal; returns the checked base."""
    base = check_base(base)
    if rope_theta is not None and rope_theta != base:
        raise ValueError(
            f"base ({base}) and rope_scaling['rope_theta'] ({rope_theta}) "
            "disagree; give one of them, or the same value"
        )
    return base


#: The forms of a scaling variant (``rope_ref.scaling``): "code", the released reference
#: code that models run (HF transformers, the YaRN authors' code), the default; "paper",
#: the variant's paper where it differs (only YaRN's ramp and mscale do).
FORMS = ("code", "paper")


def check_form(form: object, hf_compat: object = None) -> str:
    """The form to compute a variant in: ``form`` ("code" when None), or the older
    ``hf_compat`` (True means "code", False "paper"); both given must agree."""
    if form is not None and form not in FORMS:
        raise ValueError(f"form must be one of {list(FORMS)}, got {describe(form)}")
    if hf_compat is None:
        return form or "code"
    if not isinstance(hf_compat, (bool, np.bool_)):
        raise TypeError(f"hf_compat must be a bool (or None), got {describe(hf_compat)}")
    implied = "code" if hf_compat else "paper"
    if form is not None and form != implied:
        raise ValueError(
            f"form={form!r} and hf_compat={bool(hf_compat)} disagree (hf_compat=True is "
            "form='code', False is form='paper'); give form alone"
        )
    return implied


def check_llama3_band(medium: np.ndarray, wavelength: float) -> None:
    """llama3 with high_freq_factor = low_freq_factor: no wavelength may fall exactly on
    L / low_freq_factor, where the smooth factor would be 0/0 (HF gives NaN there)."""
    if np.any(medium):
        raise ValueError(
            "rope_scaling has high_freq_factor = low_freq_factor and a wavelength 2 pi / "
            f"theta_i exactly at original_max_position_embeddings / low_freq_factor = "
            f"{wavelength:g}, where llama3's smooth factor is 0/0"
        )


def check_yarn_truncate(params: dict, form: str) -> None:
    """``truncate`` belongs to the released code's index ramp; the YaRN paper's has none."""
    if "truncate" in params and form == "paper":
        raise ValueError(
            "rope_scaling['truncate'] applies to the released code's index ramp only (HF, "
            "the YaRN authors' code: form='code', the default); the YaRN paper's ramp "
            "(form='paper') has no truncation"
        )


def check_scaling_args(
    theta: object, rope_scaling: object, seq_len: object, *, base: object = None
) -> None:
    """``rotate``: theta excludes rope_scaling and base; seq_len needs rope_scaling."""
    if theta is not None and base is not None:
        raise ValueError(
            f"give theta or base, not both (theta fixes the frequencies), got base={describe(base)}"
        )
    if rope_scaling is None and seq_len is not None:
        raise ValueError(f"seq_len applies only with rope_scaling, got seq_len={seq_len!r}")
    if rope_scaling is not None and theta is not None:
        raise ValueError("give theta or rope_scaling, not both (rope_scaling determines theta)")
