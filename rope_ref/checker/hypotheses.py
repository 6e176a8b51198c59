"""The bug classes of the checker, each a model of a wrong implementation.

When outputs fail the stated RoPE, each class proposes models (``_models.Model``) of the
implementation with that mistake, its parameters fitted to the outputs: the offset of the
positions, the base, the dtype of the angles, the number of rotated features, ... The
checker keeps the class whose model explains every output within that model's tolerance
(``_precision``). Names are DESIGN.md's fixed vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from rope_ref.checker.case import Case, frequencies_for
from rope_ref.checker.misreadings import misreadings
from rope_ref.checker.models import Model, pair_ratios, phase_lines
from rope_ref.checker.precision import C_ANGLE, angle_coefficients, angle_unit
from rope_ref.checker.precision_models import low_precision_angles
from rope_ref.checker.tracker_bugs import fit_base, ntk_words, tracker_models
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
