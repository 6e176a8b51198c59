"""Two mistakes at once: pairs of bug classes from independent stages (docs/compound.md).

An implementation computes RoPE in stages that go wrong independently (``STAGES``): the
positions it reads, the frequencies theta (eq 15 or a scaling variant), the precision it
rounds them to, how it applies cos and sin (eq 34), which features it pairs, the factor
it scales by. When no single class explains the outputs (``rope_ref.checker.diagnose``),
pairs are tried, each single-class model A as the first mistake and a model B of another
stage on top of it:

- A that turns by a map of the stated angles (phi' = alpha phi + beta: reversed, cos and
  sin swapped, rotated twice) or only scales (the attention factor) is applied to every
  single-class model B already fitted, and, for a reversed turn (alpha = -1), to every
  model fitted to the outputs with A undone (``_undone``): the composed model is A's
  map of B;
- any other A (other pairs, rotary_dim, positions m + k, frequencies theta') is adopted
  (``adopt``: the case "stated" as an implementation that makes A) and every class of
  another stage is fitted to that case (``rope_ref.checker.hypotheses.models``): B's
  model makes both mistakes.

A composed model that explains every output (``rope_ref.checker.models.fit``) makes a
pair; a bound on the least-squares pair ratios (``screen``) rules out the thousands
that cannot, so that only a few are fitted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from rope_ref.checker.case import Case
from rope_ref.checker.hypotheses import models
from rope_ref.checker.models import Fit, Model, fit, pair_ratios, phase_lines
from rope_ref.checker.precision import (
    C_TRIG,
    UNIT_ROUNDOFFS,
    angle_coefficients,
    angle_unit,
    offset_pairs,
)
from rope_ref.checker.vocabulary import CLASSES
from rope_ref.paper.frequencies import frequencies
from rope_ref.paper.layouts import pair_indices

#: The stage of the computation each class gets wrong; two mistakes compose only from
#: different stages. A class missing here is a stage of its own.
STAGES = {
    "position_offset": "positions",
    "positions_wrapped": "positions",
    "cache_too_short": "positions",
    "scaling_ignored": "angles",
    "frequency_formula": "angles",
    "wrong_base": "angles",
    "wrong_layer_base": "angles",
    "longrope_threshold_off_by_one": "angles",
    "longrope_wrong_factors": "angles",
    "yarn_truncate_ignored": "angles",
    "yarn_beta_swapped": "angles",
    "llama3_bands_swapped": "angles",
    "dynamic_ntk_wrong_length": "angles",
    "low_precision_angles": "precision",
    "rotation_reversed": "rotation",
    "cos_sin_swapped": "rotation",
    "rotated_twice": "rotation",
    "layout_swapped": "pairing",
    "rotary_dim_mismatch": "features",
    "partial_rotary_ignored": "features",
    "last_features_rotated": "features",
    "nope_layer_rotated": "features",
    "attention_factor_missing": "factor",
    "attention_factor_wrong": "factor",
}
#: The screen passes a model whose pair ratios are within this many times the bound an
#: explaining model keeps (a margin for the error model's rounding; ``fit`` decides).
SCREEN_SLACK = 4.0
#: A composed model whose tolerance allows any turn (its angles 1e6 radians and more) on
#: more than this share of the pairs explains nothing: a correct RoPE reaches such angles
#: only at positions past 2^20 on its fastest pairs.
VACUOUS_SHARE = 0.05
#: The closest pair is the one of this many with the least worst screened ratio that
#: ``fit`` finds within tolerance on the most outputs.
CLOSEST_FITTED = 8


@dataclass(frozen=True)
class Pair:
    """Two mistakes that together explain the outputs (or come closest to).

    first, second: the two single-class models, in the order of ``CLASSES`` (each with
    its own fitted values in ``what``); composed: the model making both; fit: its fit.
    """

    first: Model
    second: Model
    composed: Model
    fit: Fit

    @property
    def plausible(self) -> bool:
        return self.first.plausible and self.second.plausible


def stage(name: str) -> str:
    """The stage class ``name`` gets wrong (``STAGES``; else its own)."""
    return STAGES.get(name, name)


def fit_pairs(case: Case, fits: list[tuple[Fit, Model]]) -> tuple[list[Pair], Pair | None]:
    """(the pairs that explain every output, best first; the closest pair if none does).

    fits: every single-class model fitted to ``case`` (``rope_ref.checker.diagnose``).
    Explaining pairs come plausible first, then in the order of ``CLASSES`` of their two
    classes, then by fit; one pair per two classes. The closest pair (of the
    CLOSEST_FITTED least worst over the screen's bound, the one ``fit`` finds within
    tolerance on the most outputs) is None when a pair explains or none is composed.
    """
    generated: dict[tuple, tuple[Case, list[Model]]] = {}  # each stated case, its models
    triples = list(_composed(case, fits, generated))
    maybe, worst = screen(case, [composed for _, _, composed in triples])
    exact: dict[tuple, Fit] = {}
    passed: dict[tuple[str, str], Pair] = {}
    for k in np.flatnonzero(maybe):
        a, b, composed = triples[k]
        key = _model_key(composed)
        if key not in exact:
            exact[key] = fit(composed, case.x, case.positions, case.y)
        if exact[key].ratio > 1.0 or not _uses_first(case, a, b, composed, generated):
            continue
        pair = _pair(a, b, composed, exact[key])
        names = (pair.first.name, pair.second.name)
        if names not in passed or _order(pair) < _order(passed[names]):
            passed[names] = pair
    ranked = sorted(passed.values(), key=_order)
    near = [k for k in np.argsort(worst, kind="stable")[:CLOSEST_FITTED] if np.isfinite(worst[k])]
    if ranked or not near:
        return ranked, None
    tried = [_pair(*triples[k], fit(triples[k][2], case.x, case.positions, case.y)) for k in near]
    return [], max(tried, key=lambda pair: pair.fit.fraction)


def _composed(case: Case, fits, generated) -> Iterator[tuple[Model, Model, Model]]:
    """(A, B, the model making both) for every first mistake A and second mistake B of
    another stage: where A is a map of the stated angles (``_angle_map``), A's map of
    every single model B, and of every model fitted to the outputs with A undone
    (``_undone``: a reversed turn read as a forward one, so that a base or an offset is
    fitted from its phases); else B fitted on the case adopting A."""
    singles = [model for _, model in fits if model.also is None]
    adopted = []
    for a in _first_mistakes(case, fits):
        mapping = _angle_map(case, a)
        if mapping is None:
            adopted.append(a)
            continue
        alpha, beta, gain = mapping
        refitted = []
        if alpha == -1.0:
            refitted = [
                b
                for b in _second_mistakes(_undone(case, beta), generated)
                if (b.layout, b.rotary_dim) == (case.layout, case.rotary_dim)
            ]
        for b in singles + refitted:
            if stage(b.name) != stage(a.name):
                yield a, b, replace(b, phi=alpha * b.phi + beta, scale=b.scale * gain)
    for a in adopted:
        case_a = adopt(case, a)
        if case_a is None:
            continue
        for b in _second_mistakes(case_a, generated):
            if stage(b.name) != stage(a.name):
                yield a, b, _on_slice(b, a.offset)


def _on_slice(model: Model, offset: int) -> Model:
    """A model fitted on the slice from feature ``offset`` on (``adopt``) as a model of
    the whole head: its pairs moved by ``offset``, the features outside passing through."""
    return replace(model, offset=model.offset + offset) if offset else model


def _undone(case: Case, beta: float) -> Case:
    """The case whose outputs turn forward where ``case``'s turn by beta - phi.

    With z = x_a + i x_b and y_z = s e^(i (beta - phi)) z: conj(e^(-i beta) y_z) =
    s e^(i phi) conj(z), so the inputs with x_b negated and the outputs (a, b) mapped to
    (cos beta y_a + sin beta y_b, sin beta y_a - cos beta y_b) turn by phi.
    """
    a, b = pair_indices(case.rotary_dim, case.layout)
    x, y = case.x.copy(), case.y.copy()
    x[..., b] = -case.x[..., b]
    c, s = np.cos(beta), np.sin(beta)
    y[..., a] = c * case.y[..., a] + s * case.y[..., b]
    y[..., b] = s * case.y[..., a] - c * case.y[..., b]
    return replace(case, x=x, y=y)


def _first_mistakes(case: Case, fits) -> list[Model]:
    """The first mistakes tried: every map of the stated angles, every model with other
    pairs (layout; the rotary_dim the outputs show), the offset the phases give, and the
    model of each class that explains the most outputs. Models that already make two
    mistakes (``Model.also``), and vacuous ones (``_vacuous``), are left out."""
    seen_r = _rotary_dim_seen(case)
    best: dict[str, tuple[Fit, Model]] = {}
    picks: dict[int, Model] = {}
    for result, model in fits:
        if model.also is not None or _vacuous(model):
            continue
        other_pairs = model.layout != case.layout or model.rotary_dim == seen_r != case.rotary_dim
        if other_pairs or _angle_map(case, model) is not None:
            picks[id(model)] = model
        elif model.name not in best or result.fraction > best[model.name][0].fraction:
            best[model.name] = (result, model)
    for _, model in best.values():
        picks.setdefault(id(model), model)
    return [*picks.values(), *_offset_models(case)]


def _vacuous(model: Model) -> bool:
    """Whether the model's tolerance allows any turn ((a_i u_A + theta_error) |phi| >= 1/2)
    on more than VACUOUS_SHARE of its pairs: it explains outputs by explaining nothing."""
    phi = np.abs(np.asarray(model.phi, dtype=np.float64))
    theta = np.ones(model.rotary_dim // 2) if model.theta is None else model.theta
    rate = angle_coefficients(theta) * angle_unit(model.precision) + model.theta_error
    with np.errstate(invalid="ignore"):
        return bool(np.mean(~(rate * phi < 0.5)) > VACUOUS_SHARE)


def _rotary_dim_seen(case: Case) -> int:
    """The rotary_dim the outputs show: features from it on come out unchanged."""
    changed = np.flatnonzero(np.any(~(case.y == case.x), axis=(0, 1, 2)))
    return 2 * ((int(changed[-1]) + 2) // 2) if changed.size else 0


def _angle_map(case: Case, model: Model):
    """(alpha, beta, gain) where the model turns the stated pairs by alpha phi + beta
    (phi the stated angles; alpha, beta scalars) with factor gain times the stated one,
    and is not the stated RoPE itself; else None (a model at a feature offset turns other
    pairs)."""
    if model.offset or (model.layout, model.rotary_dim, model.precision) != (
        case.layout,
        case.rotary_dim,
        case.precision,
    ):
        return None
    phi, turned = case.phi, np.asarray(model.phi, dtype=np.float64)
    if turned.shape != phi.shape or not np.all(np.isfinite(turned) & np.isfinite(phi)):
        return None
    if np.ptp(phi) == 0 or case.factor == 0:
        return None
    alpha, beta = np.polyfit(phi.ravel(), turned.ravel(), 1)
    alpha = float(np.round(alpha)) if abs(alpha - np.round(alpha)) < 1e-9 else float(alpha)
    beta = 0.0 if abs(beta) < 1e-9 else float(beta)
    gain = model.scale / case.factor
    if not _close(turned, alpha * phi + beta, 1e-9) or (alpha, beta, gain) == (1.0, 0.0, 1.0):
        return None
    return alpha, beta, gain


def _second_mistakes(case_a: Case, generated) -> list[Model]:
    """Every single-class model fitted to ``case_a`` (once per distinct case); a class
    whose fit fails on the adopted case (a LongRoPE list of another length) gives none,
    nor do the classes after it."""
    key = _case_key(case_a)
    if key not in generated:
        found = []
        try:
            for model in models(case_a):
                if model.also is None:
                    found.append(model)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            pass
        generated[key] = (case_a, found)  # the case keeps its x and y (their ids) alive
    return generated[key][1]


def _uses_first(case: Case, a: Model, b: Model, composed: Model, generated) -> bool:
    """False where B, fitted on the case adopting A, drops A's angles and keeps only its
    pairs (wrong_base recomputes theta: on ``last_features_rotated``'s case it is the
    whole head turned, ``rotary_dim_mismatch``'s pair, not last features at another
    base): the same model B comes of A's pairs with the stated frequencies."""
    if a.offset:  # adopted on its slice, whose rotary_dim is d: no pairs to drop
        return True
    case_a = adopt(case, a)
    if case_a is None or case_a.adopted_phi is not None:
        return True
    try:
        theta = case.theta if a.rotary_dim == case.rotary_dim else None
        theta = case.frequencies(rotary_dim=a.rotary_dim)[0] if theta is None else theta
    except ValueError:
        return True
    pairs_only = replace(
        case,
        layout=a.layout,
        rotary_dim=a.rotary_dim,
        factor=a.scale,
        precision=a.precision,
        theta=theta,
    )
    if _case_key(pairs_only) == _case_key(case_a):
        return True
    phi = composed.phi.tobytes()
    return not any(
        m.name == b.name and m.phi.shape == composed.phi.shape and m.phi.tobytes() == phi
        for m in _second_mistakes(pairs_only, generated)
    )


def _pair(a: Model, b: Model, composed: Model, result: Fit) -> Pair:
    first, second = (a, b) if _index(a.name) <= _index(b.name) else (b, a)
    return Pair(first=first, second=second, composed=composed, fit=result)


def _order(pair: Pair) -> tuple:
    """Plausible first, then CLASSES order of the two classes, then the better fit."""
    return (not pair.plausible, _index(pair.first.name), _index(pair.second.name), pair.fit.ratio)


def _index(name: str) -> int:
    return CLASSES.index(name) if name in CLASSES else len(CLASSES)


def adopt(case: Case, model: Model) -> Case | None:
    """``case`` stated as an implementation that makes ``model``'s mistake, or None.

    The pairs, rotary_dim, factor and precision are the model's. Its angles phi become
    the stated positions and frequencies where phi = q theta' (``_factor_angles``: q = m
    + k or another position per row; rope_scaling dropped where theta' is plain eq 15 of
    the stated base, the variant ignored); otherwise phi is adopted as it is
    (``Case.adopted_phi``), which the classes that change the pairs, the factor or how cos
    and sin are applied turn on. None where phi is no product and rotary_dim changes. A
    model at a feature offset k (``last_features_rotated``) is adopted on its slice: the
    case of x[..., k:k + r] and y[..., k:k + r] with d = r (``_on_slice``: B's models
    are moved back to offset k).
    """
    if model.offset:
        o, r = model.offset, model.rotary_dim
        sliced = replace(case, x=case.x[..., o : o + r], y=case.y[..., o : o + r], d=r)
        return adopt(sliced, replace(model, offset=0))
    same_pairs = model.rotary_dim == case.rotary_dim
    factored = _factor_angles(model.phi, case.positions, case.theta if same_pairs else None)
    common = dict(
        layout=model.layout,
        rotary_dim=model.rotary_dim,
        factor=model.scale,
        precision=model.precision,
    )
    if factored is None:
        return replace(case, **common, adopted_phi=model.phi) if same_pairs else None
    q, theta = factored
    scaling = case.rope_scaling
    plain = frequencies(model.rotary_dim, case.base)
    if same_pairs and _close(theta, case.theta, 1e-12):
        theta = case.theta
    elif scaling is not None and _close(theta, plain, 1e-12):
        theta, scaling = plain, None
    if _close(q, case.positions, 0.0, 1e-9):
        q = case.positions
    return replace(case, **common, positions=q, theta=theta, rope_scaling=scaling, adopted_phi=None)


def _factor_angles(phi, positions, theta):
    """(q, theta') with phi = q theta' (eq 13 at positions q), or None.

    First q = m + k with k common to every pair (an offset), theta' the slope of phi
    between the lowest and highest positions; else any q per row (positions rounded,
    0..seq-1), theta' equal to the stated ``theta`` (P,) on the pair that turns most (so
    the product splits one way; None: not tried).
    """
    phi = np.asarray(phi, dtype=np.float64)
    if phi.ndim != 2 or phi.shape[0] < 2 or not np.all(np.isfinite(phi)):
        return None
    lo, hi = int(np.argmin(positions)), int(np.argmax(positions))
    span = positions[hi] - positions[lo]
    if not np.isfinite(span) or span == 0:
        return None
    with np.errstate(all="ignore"):
        slope = (phi[hi] - phi[lo]) / span
        turning = slope != 0
        if np.any(turning):
            k = float(np.median(phi[lo, turning] / slope[turning] - positions[lo]))
            k = float(np.round(k)) if abs(k - np.round(k)) < 1e-6 else k
            if np.isfinite(k) and _close(phi, np.outer(positions + k, slope), 1e-9):
                return positions + k, slope
        if theta is None:
            return None
        j = int(np.argmax(np.max(np.abs(phi), axis=0)))
        row = int(np.argmax(np.abs(phi[:, j])))
        if phi[row, j] == 0 or theta[j] == 0:
            return None
        q = phi[:, j] / theta[j]
        theta_q = phi[row] / q[row]
        if _close(phi, np.outer(q, theta_q), 1e-9):
            return q, theta_q
    return None


def _close(a, b, rtol: float, atol: float | None = None) -> bool:
    """a == b up to rtol relative (atol absolute; default rtol times a's largest value)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if atol is None:
        atol = rtol * float(np.max(np.abs(a), initial=0.0))
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def _offset_models(case: Case) -> Iterator[Model]:
    """A position_offset model at the offset k the phase intercepts give together.

    Outputs turned by c + s (m + k) theta_i (s = -1 reversed, c = pi/2 with cos and sin
    swapped) have phase lines (``phase_lines``) of slope omega_i = s theta_i and
    intercept c + k omega_i: across pairs, a line in omega_i of slope k, unwrapped from
    the slowest pair up as ``phase_lines`` unwraps along positions (theta_i grows by
    base^(2/d) from pair to pair). The single class's guess, intercept / slope pair by
    pair, misses k where c != 0.
    """
    omega, icpt = phase_lines(
        case.positions, pair_ratios(case.x, case.y, case.layout, case.rotary_dim)
    )
    good = np.isfinite(omega) & np.isfinite(icpt) & (omega != 0)
    if np.count_nonzero(good) < 3:
        return
    sign = 1.0 if np.median(omega[good]) > 0 else -1.0
    slope, _ = phase_lines(np.abs(omega[good]), np.exp(1j * icpt[good])[:, None])
    k = sign * float(slope[0])
    if not np.isfinite(k) or abs(k) >= 1e7 or np.round(k) == 0:
        return
    k = int(np.round(k))
    what = f"uses positions m {'+' if k > 0 else '-'} {abs(k)}"
    yield case.model("position_offset", what, np.outer(case.positions + k, case.theta))


def _case_key(c: Case) -> tuple:
    """What tells stated cases apart (x and y by identity: a case undone has its own)."""
    phi = None if c.adopted_phi is None else c.adopted_phi.tobytes()
    scaling = None if c.rope_scaling is None else repr(sorted(c.rope_scaling.items()))
    return (
        id(c.x),
        id(c.y),
        c.layout,
        c.rotary_dim,
        c.factor,
        c.precision,
        scaling,
        c.positions.tobytes(),
        c.theta.tobytes(),
        phi,
    )


def _model_key(m: Model) -> tuple:
    theta = None if m.theta is None else np.asarray(m.theta).tobytes()
    return (
        m.layout,
        m.rotary_dim,
        m.offset,
        m.scale,
        m.precision,
        m.theta_error,
        theta,
        m.phi.tobytes(),
    )


def screen(case: Case, candidates: list[Model]) -> tuple[np.ndarray, np.ndarray]:
    """(may explain, worst pair ratio over its bound), each (len(candidates),).

    A model that explains every output (each within tol = |s| (|x_a| + |x_b|) (a_i u_A
    |phi| + C_TRIG u_p), or the floor u_p 1e-3 max|x|: ``rope_ref.checker.precision``)
    has its least-squares pair ratios w (``pair_ratios``) within

        |w - s e^(i phi)| <= 2 |s| (a_i u_A |phi| + C_TRIG u_p) + sqrt(2) floor sum|z| / sum|z|^2

    (the error of each complex pair is at most sqrt(2) tol, and |x_a| + |x_b| <= sqrt(2)
    |z|), and its unrotated features within tolerance. A model the bound rules out
    (SCREEN_SLACK times it) cannot explain the outputs. A model with finite angles has
    finite outputs, so it explains no output that is not finite (worst: inf), and one
    with non-finite angles explains finite outputs nowhere; non-finite outputs and
    angles are left to ``fit`` (may: True, worst: 0). Nor does a model whose bound is 1
    or more (any turn allowed) on more than VACUOUS_SHARE of the pairs explain anything:
    angles of 1e6 radians and more, theta_i = base^(+2i/d) at positions m + k. Models of
    the same pairs, factor, precision and frequencies are screened together.
    """
    maybe = np.zeros(len(candidates), dtype=bool)
    worst = np.full(len(candidates), np.inf)
    finite = bool(np.isfinite(case.y).all())
    groups: dict[tuple, list[int]] = {}
    for k, m in enumerate(candidates):
        phi = m.phi
        if not np.isfinite(phi).all():
            maybe[k], worst[k] = not finite, np.inf if finite else 0.0
        elif finite:
            theta = None if m.theta is None else np.asarray(m.theta).tobytes()
            key = (m.layout, m.rotary_dim, m.offset, m.scale, m.precision, m.theta_error, theta)
            groups.setdefault(key, []).append(k)
    floor = 1e-3 * max(float(np.max(np.abs(case.x), initial=0.0)), 1.0)
    ratios: dict[tuple[str, int, int], tuple[np.ndarray, np.ndarray]] = {}
    for (layout, r, offset, scale, precision, theta_error, _), ks in groups.items():
        if not _unrotated_within(case, r, precision, floor, offset):
            continue  # features outside the rotated ones changed: none of these explains
        model = candidates[ks[0]]
        phi = np.stack([candidates[k].phi for k in ks])  # (n, seq, r/2)
        if (layout, r, offset) not in ratios:
            ratios[(layout, r, offset)] = _pair_ratios_and_spread(case, layout, r, offset)
        w, spread = ratios[(layout, r, offset)]
        u_p, u_a = UNIT_ROUNDOFFS[precision], angle_unit(precision)
        theta = np.ones(r // 2) if model.theta is None else model.theta
        slope = 2 * abs(scale) * (angle_coefficients(theta) * u_a + theta_error)
        bound = slope * np.abs(phi) + (
            2 * abs(scale) * C_TRIG * u_p + np.sqrt(2) * u_p * floor * spread
        )
        with np.errstate(all="ignore"):
            ratio = np.abs(w - scale * np.exp(1j * phi)) / bound
        worst[ks] = np.max(np.where(np.isnan(ratio), np.inf, ratio), axis=(1, 2))
        vacuous = np.mean(bound >= 1.0, axis=(1, 2)) > VACUOUS_SHARE
        worst[ks] = np.where(vacuous, np.inf, worst[ks])
        maybe[ks] = worst[ks] <= SCREEN_SLACK
    return maybe, worst


def _pair_ratios_and_spread(
    case: Case, layout: str, r: int, offset: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(w, sum|z| / sum|z|^2), each (seq, r/2): ``pair_ratios`` and its spread over batch
    and heads (inf where every pair is 0), the pairs at features [offset, offset + r)."""
    a, b = offset_pairs(r, layout, offset, case.d)
    z2 = case.x[..., a] ** 2 + case.x[..., b] ** 2
    den = np.sum(z2, axis=(0, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(den > 0, np.sum(np.sqrt(z2), axis=(0, 1)) / den, np.inf)
    return pair_ratios(case.x, case.y, layout, r, offset), spread


def _unrotated_within(case: Case, r: int, precision: str, floor: float, offset: int = 0) -> bool:
    """The features outside [offset, offset + r) within SCREEN_SLACK times their tolerance
    of y = x."""
    u_p = UNIT_ROUNDOFFS[precision]
    keep = np.r_[0:offset, offset + r : case.x.shape[-1]]
    xs, ys = case.x[..., keep], case.y[..., keep]
    tol = np.maximum(C_TRIG * u_p * np.abs(xs), u_p * floor)
    return bool(np.all(np.abs(ys - xs) <= SCREEN_SLACK * tol))
