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
from rope_ref.paper.frequencies import frequencies
from rope_ref.paper.layouts import other_layouts
from rope_ref.scaling.config import rope_type_of


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


def _position_offset(c: Case) -> Iterator[Model]:
    w = pair_ratios(c.x, c.y, c.layout, c.rotary_dim)
    omega, icpt = phase_lines(c.positions, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        guesses = np.round(icpt / omega)
    guesses = guesses[np.isfinite(guesses) & (np.abs(guesses) < 1e7)]
    offsets = {int(k) for k in guesses} | {-2, -1, 1, 2}
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
# variant with one of its rules misread, as real ports do. They are ``frequency_formula``
# models (``rope_ref.checker.hypotheses``) when a rope_scaling dict is stated:
#
# - YaRN's ``truncate`` ignored or forced: the ramp ends rounded (floor, ceil) to whole
#   dimensions where the dict says ``truncate: false`` (gpt-oss), or not rounded where it
#   does not (vLLM #28244, sglang #14270: truncate=False ignored);
# - YaRN's ramp blended the wrong way round: theta_i / s on the high frequencies and
#   theta_i on the low ones, the reverse of NTK-by-parts (YaRN sec 3.2, eq 18's gamma); the
#   same numbers as beta_fast and beta_slow swapped up to their rounding (torchtitan #3787);
# - LongRoPE's other factor list: the long factors where the sequence calls for the short
#   ones or back (factors chosen by the wrong length: vLLM #27431, llama.cpp #24823);
# - every theta_i divided by one constant c (position interpolation, Chen et al. 2023)
#   where another variant is stated, c fitted to the outputs (an NTK factor applied to the
#   frequencies instead of the base gives c = s^(r/(r-2))).
#
# Each misreading where the stated variant has an attention factor is also tried with the
# factor dropped (two mistakes at once, named both: ``Model.also``).


def misreadings(c: Case) -> Iterator[Model]:
    """Every misreading model of the stated scaling variant, and each with the attention
    factor dropped too."""
    kind = rope_type_of(c.rope_scaling)
    makers = [_position_interpolation]
    if kind == "yarn":
        makers += [_yarn_truncate_flipped, _yarn_ramp_reversed]
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


def _model(c: Case, what: str, theta, factor: float | None = None) -> Model:
    return c.model("frequency_formula", what, c.positions[:, None] * theta[None, :], scale=factor)


def _yarn_truncate_flipped(c: Case, kind: str) -> Iterator[Model]:
    truncate = bool(c.rope_scaling.get("truncate", True))
    flipped = dict(c.rope_scaling, truncate=not truncate)
    try:
        theta, factor = frequencies_for(c.rotary_dim, c.base, flipped, c.seq_len, c.form)
    except ValueError:  # the paper's form has no truncate
        return
    what = (
        "does not round YaRN's ramp ends to whole dimensions, as if truncate were false"
        if truncate
        else "ignores truncate=false: rounds YaRN's ramp ends (floor, ceil) to whole dimensions"
    )
    yield _model(c, what, theta, factor)


def _yarn_ramp_reversed(c: Case, kind: str) -> Iterator[Model]:
    # Stated: theta_i = theta0_i ((1 - g_i) + g_i / s), g_i the ramp (0 on the high
    # frequencies). Reversed: theta0_i (g_i + (1 - g_i) / s) = theta0_i (1 + 1/s - t_i),
    # t_i = theta_i / theta0_i.
    s = c.rope_scaling.get("factor")
    if not isinstance(s, (int, float)) or s <= 1:
        return
    theta0 = frequencies(c.rotary_dim, c.base)
    reversed_theta = theta0 * (1.0 + 1.0 / s - c.theta / theta0)
    yield _model(
        c,
        "blends YaRN's ramp the wrong way round: theta_i / s on the high frequencies and "
        "theta_i on the low ones (NTK-by-parts reversed; beta_fast and beta_slow swapped)",
        reversed_theta,
    )


def _longrope_other_factors(c: Case, kind: str) -> Iterator[Model]:
    original = c.rope_scaling.get("original_max_position_embeddings")
    if not isinstance(original, int) or c.seq_len is None:
        return
    long_now = c.seq_len > original
    other_len = original if long_now else original + 1
    theta, factor = frequencies_for(c.rotary_dim, c.base, c.rope_scaling, other_len, c.form)
    which = "short" if long_now else "long"
    yield _model(
        c,
        f"uses LongRoPE's {which} factors where a sequence of {c.seq_len} "
        f"(original_max_position_embeddings {original}) calls for the "
        f"{'long' if long_now else 'short'} ones",
        theta,
        factor,
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
    w = pair_ratios(c.x, c.y, c.layout, c.rotary_dim)
    omega, _ = phase_lines(c.positions, w)
    m_max = float(np.max(np.abs(c.positions))) or 1.0

    def misfit(log_b: float) -> float:
        theta, _ = c.frequencies(base=float(np.exp(log_b)))
        return float(np.sum((m_max * (omega - theta)) ** 2))

    grid = np.linspace(np.log(1.5), np.log(1e10), 241)
    costs = [misfit(g) for g in grid]
    k = int(np.argmin(costs))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    for _ in range(60):  # golden-section search on the bracket around the grid minimum
        m1, m2 = hi - 0.618 * (hi - lo), lo + 0.618 * (hi - lo)
        lo, hi = (lo, m2) if misfit(m1) < misfit(m2) else (m1, hi)
    fitted = float(np.exp((lo + hi) / 2))
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
                f"uses base {b:.6g} where {c.base:.6g} is stated (fitted {fitted:.6g})",
                c.positions[:, None] * theta[None, :],
                plausible=b == float(f"{b:.3g}"),
            )
