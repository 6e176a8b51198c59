"""The bug classes of the checker, each a model of a wrong implementation.

When outputs fail the stated RoPE, each class proposes models (``_models.Model``) of the
implementation with that mistake, its parameters fitted to the outputs: the offset of the
positions, the base, the dtype of the angles, the number of rotated features, ... The
checker keeps the class whose model explains every output within that model's tolerance
(``_precision``). Names are DESIGN.md's fixed vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from rope_ref.checker.case import Case, frequencies_for
from rope_ref.checker.models import Model, pair_ratios, phase_lines
from rope_ref.checker.precision import C_ANGLE, angle_coefficients, angle_unit
from rope_ref.checker.precision_models import low_precision_angles
from rope_ref.checker.tracker_bugs import fit_base, ntk_words, tracker_models
from rope_ref.paper.frequencies import frequencies
from rope_ref.paper.layouts import other_layouts
from rope_ref.scaling.config import rope_type_of
from rope_ref.scaling.yarn import index_ramp, ramp_ends


def models(case: Case) -> Iterator[Model]:
    """Every model of every bug class, parameters fitted to ``case``."""
    for make in (
        _layout_swapped,
        _rotation_reversed,
        _cos_sin_swapped,
        _position_offset,
        _rotary_dim_mismatch,
        _scaling_ignored,
        _attention_factor_missing,
        _frequency_formula,
        _wrong_base,
        low_precision_angles,
        tracker_models,
    ):
        yield from make(case)


def _layout_swapped(c: Case) -> Iterator[Model]:
    if c.rotary_dim > 2:
        for other in other_layouts(c.layout):
            yield c.model(
                "layout_swapped", f"pairs features {other} where {c.layout} is stated", layout=other
            )


def _rotation_reversed(c: Case) -> Iterator[Model]:
    yield c.model("rotation_reversed", "turns by -m theta (R^T, the inverse rotation)", -c.phi)


def _cos_sin_swapped(c: Case) -> Iterator[Model]:
    # x sin + rot(x) cos instead of eq 34's x cos + rot(x) sin: a turn by pi/2 - m theta.
    yield c.model(
        "cos_sin_swapped",
        "uses sin where eq 34 has cos and cos where it has sin",
        np.pi / 2 - c.phi,
    )


#: How many of the offsets the pairs' phase lines suggest are tried (the commonest).
MAX_OFFSET_GUESSES = 8


def _position_offset(c: Case) -> Iterator[Model]:
    w = pair_ratios(c.x, c.y, c.layout, c.rotary_dim)
    omega, icpt = phase_lines(c.positions, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        guesses = np.round(icpt / omega)
    guesses = guesses[np.isfinite(guesses) & (np.abs(guesses) < 1e7)]
    # the offsets most pairs agree on: an offset k moves every pair's line by k theta_i, so
    # its pairs agree; phases of another mistake scatter one guess per pair, and trying
    # each (d/2 of them) made a failing check at d = 4096 take 40 s
    values, counts = np.unique(guesses, return_counts=True)
    common = values[np.argsort(-counts, kind="stable")[:MAX_OFFSET_GUESSES]]
    offsets = {int(k) for k in common} | {-2, -1, 1, 2}
    for k in sorted(offsets - {0}, key=abs):
        shifted = (c.positions + k)[:, None] * c.theta[None, :]
        yield c.model(
            "position_offset", f"uses positions m {'+' if k > 0 else '-'} {abs(k)}", shifted
        )
    seq = np.arange(len(c.positions), dtype=np.float64)
    if not np.array_equal(seq, c.positions):
        yield c.model(
            "position_offset",
            "ignores the positions given and uses 0, 1, ..., seq-1",
            seq[:, None] * c.theta[None, :],
        )


#: Up to this d every rotary dimension 2, 4, ..., d is tried; above it (no head in use is
#: so wide) only ``_rotary_dim_candidates``, so a failing check costs O(d), not O(d^2).
ALL_ROTARY_DIMS_UP_TO = 256


def _rotary_dim_candidates(c: Case) -> list[int]:
    """The rotary dimensions r to try: all of them for d <= ALL_ROTARY_DIMS_UP_TO; else the
    r the outputs show (features from r on pass through unchanged: y == x), its
    neighbours, and the usual fractions of d and of the stated rotary_dim."""
    if c.d <= ALL_ROTARY_DIMS_UP_TO:
        return list(range(2, c.d + 1, 2))
    changed = np.flatnonzero(np.any(~(c.y == c.x), axis=(0, 1, 2)))
    seen = 2 * ((int(changed[-1]) + 2) // 2) if changed.size else 0  # 0: none turned
    picks = {seen - 2, seen, seen + 2, c.d, c.rotary_dim // 2, 2 * c.rotary_dim}
    picks |= {c.d * k // 8 for k in range(1, 8)}
    return sorted(r for r in picks if 2 <= r <= c.d and r % 2 == 0)


def _rotary_dim_mismatch(c: Case) -> Iterator[Model]:
    for r in _rotary_dim_candidates(c):
        theta = _frequencies_or_none(c, r) if r != c.rotary_dim else None
        if theta is not None:
            yield c.model(
                "rotary_dim_mismatch",
                f"rotates {r} features where rotary_dim={c.rotary_dim} is stated",
                c.positions[:, None] * theta[None, :],
                rotary_dim=r,
            )
    theta = _frequencies_or_none(c, c.d) if c.rotary_dim < c.d else None
    if theta is not None:
        yield c.model(
            "rotary_dim_mismatch",
            f"rotates {c.rotary_dim} features with the frequencies of d={c.d}",
            c.positions[:, None] * theta[None, : c.rotary_dim // 2],
        )


def _frequencies_or_none(c: Case, rotary_dim: int):
    """theta for another rotary_dim, or None where the scaling cannot have one (LongRoPE's
    factor lists have exactly rotary_dim/2 entries)."""
    try:
        return c.frequencies(rotary_dim=rotary_dim)[0]
    except ValueError:
        return None


def _scaling_ignored(c: Case) -> Iterator[Model]:
    if c.rope_scaling is None:
        return
    theta = frequencies(c.rotary_dim, c.base)
    if np.array_equal(theta, c.theta):
        return
    phi = c.positions[:, None] * theta[None, :]
    kind = rope_type_of(c.rope_scaling) or "?"
    yield c.model(
        "scaling_ignored",
        f"ignores rope_scaling ({kind}): unscaled frequencies, no attention factor",
        phi,
        scale=1.0,
    )
    if c.factor != 1.0:
        yield c.model(
            "scaling_ignored",
            f"ignores rope_scaling ({kind}) for the frequencies but applies its attention factor",
            phi,
        )


def _attention_factor_missing(c: Case) -> Iterator[Model]:
    if c.factor == 1.0:
        return
    yield c.model(
        "attention_factor_missing",
        f"drops the attention factor {c.factor:.6g} (multiplies by 1)",
        scale=1.0,
    )
    yield c.model(
        "attention_factor_missing",
        f"applies the attention factor {c.factor:.6g} twice",
        scale=c.factor**2,
    )


def _frequency_formula(c: Case) -> Iterator[Model]:
    if c.rope_scaling is not None:
        yield from _other_form_of_variant(c)
        yield from misreadings(c)
        return
    r, base = c.rotary_dim, c.base
    variants = [
        (
            "uses theta_i = base^(-i/d): the exponent lacks the factor 2",
            frequencies(2 * r, base)[: r // 2],
        ),
        (
            "uses theta_i = base^(-2i/d) for i = 1..d/2: eq 15 without its -1",
            frequencies(r, base) * base ** (-2.0 / r),
        ),
        (
            "uses theta_i = base^(+2(i-1)/d): the frequencies, not their inverses",
            1.0 / frequencies(r, base),
        ),
        (
            "uses theta in reverse order: the lowest frequency on the first pair",
            frequencies(r, base)[::-1],
        ),
    ]
    if r >= 4:
        variants.append(
            (
                "uses theta_i = base^(-(i-1)/(d/2-1)) (linspace(0, 1, d/2))",
                np.append(frequencies(r - 2, base), 1.0 / base),
            )
        )
    for what, theta in variants:
        if not np.allclose(theta, c.theta, rtol=1e-12, atol=0):
            yield c.model("frequency_formula", what, c.positions[:, None] * theta[None, :])


def _other_form_of_variant(c: Case) -> Iterator[Model]:
    """The scaling variant in its other form: the paper's where the released code's is
    stated, or back (``rope_ref.scaling``'s form; YaRN's ramp and mscale differ)."""
    other = "paper" if c.form == "code" else "code"
    try:
        theta, factor = frequencies_for(c.rotary_dim, c.base, c.rope_scaling, c.seq_len, other)
    except ValueError:  # a key only one form has (YaRN's truncate)
        return
    if np.allclose(theta, c.theta, rtol=1e-12, atol=0) and factor == c.factor:
        return
    kind = rope_type_of(c.rope_scaling)
    form = (
        "the paper's form"
        if other == "paper"
        else "HF transformers' form (the released code's; hf_compat=True)"
    )
    yield c.model(
        "frequency_formula",
        f"uses {form} of {kind} (check with form={other!r})",
        c.positions[:, None] * theta[None, :],
        scale=factor,
    )


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


def _wrong_base(c: Case) -> Iterator[Model]:
    fitted = fit_base(c, lambda b: c.frequencies(base=b)[0])
    bases = {fitted} | {float(f"{fitted:.{s}g}") for s in (1, 2, 3, 4)}
    # A base within max_i a_i u_A (relative) of the stated one moves theta_i by less than
    # a correct implementation's own angle error (``_precision``): it is the stated base
    # (mlx's float32 exp2 form fits 500000.4 for 500000), not another one.
    same = float(np.max(angle_coefficients(c.theta), initial=C_ANGLE)) * angle_unit(c.precision)
    for b in sorted(bases):
        if abs(np.log(b / c.base)) > same:
            theta, _ = c.frequencies(base=b)
            yield c.model(
                "wrong_base",
                _base_words(c, b, fitted, theta),
                c.positions[:, None] * theta[None, :],
                plausible=b == float(f"{b:.3g}"),
            )


def _base_words(c: Case, b: float, fitted: float, theta: np.ndarray) -> str:
    """What a fitted base says: the base the code turns by (NTK-scaled where the stated
    variant scales it: the base before scaling would hide what the code uses)."""
    kind = rope_type_of(c.rope_scaling) if c.rope_scaling is not None else None
    if kind in ("ntk", "dynamic") and c.rotary_dim >= 4:
        r = c.rotary_dim
        used = float(theta[1] ** (-r / 2))  # theta_1 = b'^(-2/r)
        stated = float(c.theta[1] ** (-r / 2))
        if ntk_words(c, b):  # b is itself the stated base NTK-scaled
            return (
                f"uses base {used:.6g}: the stated {stated:.6g} (= {c.base:.6g} NTK-scaled) "
                f"NTK-scaled again, {kind} scaling applied twice (fitted {fitted:.6g} before "
                "scaling)"
            )
        return (
            f"uses base {used:.6g}, {b:.6g} NTK-scaled (fitted {fitted:.6g} before {kind} "
            f"scaling), where {stated:.6g} = {c.base:.6g} NTK-scaled is stated"
        )
    return (
        f"uses base {_distinct(b, c.base)}{ntk_words(c, b)} where {c.base:.6g} is stated "
        f"(fitted {_distinct(fitted, c.base)})"
    )


def _distinct(value: float, stated: float) -> str:
    """value with 6 significant digits, or as many more as it takes not to print as the
    stated base: a wrong_base never reads "base 500000 where 500000 is stated"."""
    for digits in range(6, 18):
        text = f"{value:.{digits}g}"
        if text != f"{stated:.{digits}g}":
            return text
    return repr(value)
