"""Scaling variants read wrong: the stated variant computed with one of its rules misread,
as real ports do, each model named by its misreading (docs/bug-classes.md). Used by
``rope_ref.checker.hypotheses`` whenever a rope_scaling dict is stated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from rope_ref.checker.case import Case, frequencies_for
from rope_ref.checker.models import Model, pair_ratios, phase_lines
from rope_ref.paper.frequencies import frequencies
from rope_ref.scaling.config import rope_type_of
from rope_ref.scaling.yarn import index_ramp, ramp_ends

# Scaling variants read wrong: models of an implementation that computes the stated
# variant with one of its rules misread, as real ports do, each named by its misreading
# (docs/bug-classes.md) when a rope_scaling dict is stated:
#
# - ``yarn_truncate_ignored``: YaRN's ramp ends rounded (floor, ceil) to whole dimensions
#   where the dict says ``truncate: false`` (gpt-oss; vLLM #28244, sglang #14270), or not
#   rounded where it does not;
# - ``yarn_beta_swapped``: YaRN's ramp the wrong way round, theta_i / s on the high
#   frequencies and theta_i on the low ones: beta_fast and beta_slow swapped as HF's code
#   then computes it, or the blend reversed (YaRN sec 3.2's gamma; torchtitan #3787);
# - ``llama3_bands_swapped``: llama3's low_freq_factor and high_freq_factor swapped as
#   HF's code then computes it, or its bands reversed (the high frequencies interpolated);
# - ``longrope_wrong_factors``: LongRoPE's other factor list, chosen by another length
#   than seq_len (vLLM #27431, llama.cpp #24823); ``longrope_threshold_off_by_one`` when
#   seq_len is the switch itself, L or L + 1 (unsloth #10681);
# - ``frequency_formula``: every theta_i divided by one constant c (position
#   interpolation, Chen et al. 2023) where another variant is stated, c fitted to the
#   outputs (an NTK factor applied to the frequencies instead of the base gives
#   c = s^(r/(r-2))).
#
# Each misreading where the stated variant has an attention factor is also tried with the
# factor dropped (two mistakes at once, named both: ``Model.also``).


def misreadings(c: Case) -> Iterator[Model]:
    """Every misreading model of the stated scaling variant, and each with the attention
    factor dropped too."""
    kind = rope_type_of(c.rope_scaling)
    makers = [_position_interpolation]
    if kind in ("yarn", "llama3"):
        makers.append(_blend_reversed)
    if kind == "yarn":
        makers += [_yarn_truncate_flipped, _yarn_betas_swapped]
    if kind == "llama3":
        makers.append(_llama3_factors_swapped)
    if kind == "longrope":
        makers.append(_longrope_other_factors)
    for make in makers:
        for model in make(c, kind):
            yield model
            if c.factor != 1.0 and model.scale == c.factor:
                yield replace(
                    model,
                    scale=1.0,
                    also=(
                        "attention_factor_missing",
                        f"drops the attention factor {c.factor:.6g} (multiplies by 1)",
                    ),
                )


def _model(c: Case, what: str, theta, factor=None, name="frequency_formula") -> Model:
    return c.model(name, what, c.positions[:, None] * theta[None, :], scale=factor)


def _yarn_truncate_flipped(c: Case, kind: str) -> Iterator[Model]:
    truncate = bool(c.rope_scaling.get("truncate", True))
    flipped = dict(c.rope_scaling, truncate=not truncate)
    try:
        theta, factor = frequencies_for(c.rotary_dim, c.base, flipped, c.seq_len, c.form)
    except ValueError:  # the paper's form has no truncate
        return
    raw = _ramp(c, truncate=False)
    ends = f"{raw[0]:.4g}, {raw[1]:.4g}" if raw else "?"
    what = (
        f"does not round YaRN's ramp ends ({ends}) to whole dimensions, as if truncate were false"
        if truncate
        else f"ignores truncate=false: rounds YaRN's ramp ends {ends} (floor, ceil) to "
        "whole dimensions"
    )
    yield _model(c, what, theta, factor, "yarn_truncate_ignored")


def _ramp(c: Case, *, truncate: bool, swap: bool = False):
    """(low, high) of HF's YaRN ramp for the stated dict (betas swapped if ``swap``), or
    None where the dict has no factor or original length."""
    p = c.rope_scaling
    big = p.get("original_max_position_embeddings")
    if not isinstance(big, int) or c.base <= 1:
        return None
    fast, slow = p.get("beta_fast", 32.0), p.get("beta_slow", 1.0)
    if swap:
        fast, slow = slow, fast
    return ramp_ends(c.rotary_dim, c.base, big, fast, slow, truncate)


def _yarn_betas_swapped(c: Case, kind: str) -> Iterator[Model]:
    s = c.rope_scaling.get("factor")
    ends = _ramp(c, truncate=bool(c.rope_scaling.get("truncate", True)), swap=True)
    if c.form != "code" or ends is None or not isinstance(s, (int, float)) or s <= 1:
        return
    p = c.rope_scaling
    fast, slow = p.get("beta_fast", 32.0), p.get("beta_slow", 1.0)
    # HF's code with the two swapped: the ramp runs from index_of(beta_slow) down to
    # index_of(beta_fast), so 1 - gamma is 1 on the high frequencies (YaRN sec 3.2)
    gamma = index_ramp(c.rotary_dim, c.base, p["original_max_position_embeddings"],
                       slow, fast, bool(p.get("truncate", True)))  # fmt: skip
    theta0 = frequencies(c.rotary_dim, c.base)
    theta = (1 - gamma) * theta0 / s + gamma * theta0  # h(theta_i), NTK-by-parts
    what = (
        f"swaps beta_fast ({fast:g}) and beta_slow ({slow:g}): YaRN's ramp (ends "
        f"{ends[0]:.4g}, {ends[1]:.4g}) runs the wrong way round, theta_i / s on the high "
        "frequencies and theta_i on the low ones"
    )
    yield _model(c, what, theta, None, "yarn_beta_swapped")


def _blend_reversed(c: Case, kind: str) -> Iterator[Model]:
    # Stated: theta_i = theta0_i ((1 - g_i) / s + g_i), g_i the blend (1 on the high
    # frequencies). Reversed: theta0_i (g_i / s + 1 - g_i) = theta0_i (1 + 1/s - t_i),
    # t_i = theta_i / theta0_i.
    s = c.rope_scaling.get("factor")
    if not isinstance(s, (int, float)) or s <= 1:
        return
    theta0 = frequencies(c.rotary_dim, c.base)
    reversed_theta = theta0 * (1.0 + 1.0 / s - c.theta / theta0)
    if kind == "yarn":
        name, what = (
            "yarn_beta_swapped",
            (
                "blends YaRN's ramp the wrong way round: theta_i / s on the high frequencies and "
                "theta_i on the low ones (NTK-by-parts reversed; beta_fast and beta_slow swapped)"
            ),
        )
    else:
        name, what = (
            "llama3_bands_swapped",
            (
                "swaps llama3's bands: theta_i / s on the high frequencies (wavelength < L / "
                "high_freq_factor) and theta_i on the low ones, the smooth band reversed"
            ),
        )
    yield _model(c, what, reversed_theta, None, name)


def _llama3_factors_swapped(c: Case, kind: str) -> Iterator[Model]:
    p = c.rope_scaling
    s, big = p.get("factor"), p.get("original_max_position_embeddings")
    low, high = p.get("low_freq_factor"), p.get("high_freq_factor")
    if not all(isinstance(v, (int, float)) for v in (s, big, low, high)) or low == high:
        return
    # HF's _compute_llama3_parameters with low_freq_factor and high_freq_factor swapped
    theta0 = frequencies(c.rotary_dim, c.base)
    wavelen = 2 * np.pi / theta0
    low_wavelen, high_wavelen = big / high, big / low  # L / low, L / high, swapped
    theta = np.where(wavelen > low_wavelen, theta0 / s, theta0)
    smooth = (big / wavelen - high) / (low - high)
    medium = (wavelen >= high_wavelen) & (wavelen <= low_wavelen)
    theta = np.where(medium, (1 - smooth) * theta0 / s + smooth * theta0, theta)
    what = (
        f"swaps low_freq_factor ({low:g}) and high_freq_factor ({high:g}): llama3 then "
        f"interpolates every wavelength above L / {high:g} = {big / high:g}, where the "
        f"stated bands interpolate above {big / low:g} and smooth down to {big / high:g}"
    )
    yield _model(c, what, theta, None, "llama3_bands_swapped")


def _longrope_other_factors(c: Case, kind: str) -> Iterator[Model]:
    original = c.rope_scaling.get("original_max_position_embeddings")
    if not isinstance(original, int) or c.seq_len is None:
        return
    long_now = c.seq_len > original
    other_len = original if long_now else original + 1
    theta, factor = frequencies_for(c.rotary_dim, c.base, c.rope_scaling, other_len, c.form)
    which, due = ("short", "long") if long_now else ("long", "short")
    if c.seq_len in (original, original + 1):  # the switch itself: the comparison is off
        name = "longrope_threshold_off_by_one"
        rule = (
            f"switches at seq_len >= {original} (or compares the last position, not the "
            f"length, with L = {original}) where HF switches at seq_len > L"
        )
    else:
        name = "longrope_wrong_factors"
        rule = f"chosen by a length {'<=' if long_now else '>'} {original}, not seq_len"
    yield _model(
        c,
        f"uses LongRoPE's {which} factors where a sequence of {c.seq_len} "
        f"(original_max_position_embeddings {original}) calls for the {due} ones ({rule})",
        theta,
        factor,
        name,
    )


def _position_interpolation(c: Case, kind: str) -> Iterator[Model]:
    theta0 = frequencies(c.rotary_dim, c.base)
    omega, _ = phase_lines(c.positions, pair_ratios(c.x, c.y, c.layout, c.rotary_dim))
    good = np.isfinite(omega) & (omega > 0)
    if not np.any(good):
        return
    fitted = float(np.exp(np.median(np.log(theta0[good] / omega[good]))))
    if not np.isfinite(fitted) or fitted <= 0 or abs(np.log(fitted)) < 1e-6:
        return
    note = ""
    s = c.rope_scaling.get("factor")
    r = c.rotary_dim
    if isinstance(s, (int, float)) and s > 0 and r > 2:
        if abs(fitted / s ** (r / (r - 2)) - 1) < 1e-4:
            note = f" = factor^(r/(r-2)) = {s:g}^({r}/{r - 2}): NTK's base factor put on theta"
        elif abs(fitted / s - 1) < 1e-4:
            note = f" = the factor {s:g}"
    yield _model(
        c,
        f"divides every theta_i by one constant {fitted:.6g}{note} (position interpolation) "
        f"where {kind} is stated",
        theta0 / fitted,
        1.0,
    )
