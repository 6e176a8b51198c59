"""Naming the mistake: every model of every bug class is fitted to the outputs, and the
class whose model explains them (every output within that model's tolerance) is named:
a plausible one first (a wrong base fitted to 9980.49 is less likely than the bfloat16
rounding that looks like it), then the earliest in ``CLASSES``. Failing that, a model
within tolerance on at least 99% of the outputs is named with that share (an emulated
rounding can differ from the real one in a rare tie). Failing that, two mistakes at once
are tried (``rope_ref.checker.compound``: a pair of classes from independent stages whose
composed model explains every output is named both); otherwise the verdict is
``unexplained``, naming the two closest classes and the closest pair."""

from __future__ import annotations

import numpy as np

from rope_ref.checker.case import Case
from rope_ref.checker.compound import Pair, fit_pairs
from rope_ref.checker.hypotheses import models
from rope_ref.checker.models import Fit, Model, fit, pair_ratios, remembering
from rope_ref.checker.vocabulary import CLASSES

_SOFT_FRACTION = 0.99


def diagnose(case: Case, before: Fit, extra=()) -> list[tuple[str, str]]:
    """Try every model of every bug class (and the ``extra`` models a caller that knows
    more fits too: ``rope_ref.checker.layers``'s per-layer classes); name the one that
    explains the outputs.

    Returns [(name, detail)], or two where the model makes two mistakes at once
    (``Model.also``: a misread scaling variant that also drops its attention factor), or
    two where no single class explains the outputs and a pair of them does
    (``rope_ref.checker.compound``; named in the order of ``CLASSES``).
    Among the classes whose best model explains every output, plausible models come
    first, then the order of ``CLASSES``; the detail names the other classes that explain
    the outputs just as well (the same numbers: theta_i = base^(-i/rotary_dim) is theta
    of d = 2 rotary_dim).
    """
    with remembering():  # the many cases a diagnosis states share one x and y
        return _diagnose(case, before, extra)


def _diagnose(case: Case, before: Fit, extra) -> list[tuple[str, str]]:
    fits = fit_all((*extra, *models(case)), case.x, case.positions, case.y)
    best = _best_of(fits)
    strict = explaining(best)
    if strict:
        result, model = best[strict[0]]
        detail = _evidence(model.what, before, result, "every output") + also_fit(best, strict)
        found = [(strict[0], detail)]
        if model.also is not None:
            found.append((model.also[0], f"the implementation also {model.also[1]}"))
        return found
    closest = sorted(best, key=lambda n: (-best[n][0].fraction, CLASSES.index(n)))
    if closest and best[closest[0]][0].fraction >= _SOFT_FRACTION:
        result, model = best[closest[0]]
        share = f"{100 * result.fraction:.2f}% of outputs"
        return [(closest[0], _evidence(model.what, before, result, share))]
    pairs, near = fit_pairs(case, fits)
    if pairs:
        return pair_findings(pairs, before, best, f"position {before.position:g}")
    return [("unexplained", _unexplained(case, before, [best[n] for n in closest[:2]], near))]


def fit_all(candidates, x, positions, y) -> list[tuple[Fit, Model]]:
    """Every model of ``candidates`` with its fit to outputs y of inputs x at positions."""
    return [(fit(model, x, positions, y), model) for model in candidates]


def best_fits(candidates, x, positions, y) -> dict[str, tuple[Fit, Model]]:
    """Each bug class's best model among ``candidates``, fitted to outputs y of inputs x at
    ``positions``: within a class, explaining every output first, then plausible, then the
    best fit. Returns {class name: (fit, model)}."""
    return _best_of(fit_all(candidates, x, positions, y))


def _best_of(fits: list[tuple[Fit, Model]]) -> dict[str, tuple[Fit, Model]]:
    best: dict[str, tuple[Fit, Model]] = {}
    for result, model in fits:
        if model.name not in best or _rank(result, model) < _rank(*best[model.name]):
            best[model.name] = (result, model)
    return best


def explaining(best: dict[str, tuple[Fit, Model]]) -> list[str]:
    """The classes of ``best_fits`` whose model explains every output: plausible models
    first, then the order of ``CLASSES`` (the simplest explanation first)."""
    return sorted(
        (n for n in best if best[n][0].ratio <= 1.0),
        key=lambda n: (not best[n][1].plausible, CLASSES.index(n)),
    )


def also_fit(best: dict[str, tuple[Fit, Model]], strict: list[str]) -> str:
    """ "; the same outputs also fit: ..." naming the other explaining classes, or ""."""
    if len(strict) < 2:
        return ""
    others = "; ".join(f"{n} ({best[n][1].what})" for n in strict[1:])
    return f"; the same outputs also fit: {others}"


def _rank(result: Fit, model: Model) -> tuple:
    """Within a class: explaining every output first, then plausible, then the best fit."""
    return (result.ratio > 1.0, not model.plausible, result.ratio)


def _evidence(what: str, before: Fit, after: Fit, where: str) -> str:
    return (
        f"the implementation {what}; max error/tolerance {before.ratio:.3g} before, "
        f"{after.ratio:.3g} after this explanation, which accounts for {where} "
        f"(worst error {before.error:.3g} at position {before.position:g} -> "
        f"{after.error:.3g})"
    )


def pair_findings(pairs: list[Pair], before: Fit, best, at: str) -> list[tuple[str, str]]:
    """The two findings of the best explaining pair: each its own model's evidence, the
    share its class explains alone, the combined fit, and (on the first) the other pairs
    that explain the outputs too. ``at`` says where the worst output is ("position 4095";
    the multi-axis checker gives the token and its vector position)."""
    pair, after = pairs[0], pairs[0].fit
    both = (
        f"max error/tolerance {before.ratio:.3g} before, {after.ratio:.3g} after both "
        f"explanations, which together account for every output (worst error "
        f"{before.error:.3g} at {at} -> {after.error:.3g})"
    )
    found = []
    for model, other in ((pair.first, pair.second), (pair.second, pair.first)):
        alone = best[model.name][0].fraction if model.name in best else 0.0
        found.append(
            (
                model.name,
                f"the implementation {model.what}, and also {other.name}; alone the best "
                f"{model.name} model is within tolerance on {100 * alone:.1f}% of outputs; {both}",
            )
        )
    if len(pairs) > 1:
        others = "; ".join(
            f"{p.first.name} ({p.first.what}) with {p.second.name} ({p.second.what})"
            for p in pairs[1:]
        )
        found[0] = (found[0][0], f"{found[0][1]}; the same outputs also fit: {others}")
    return found


def _unexplained(case: Case, before: Fit, closest, near: Pair | None) -> str:
    w = pair_ratios(case.x, case.y, case.layout, case.rotary_dim)
    gain = float(np.median(np.abs(w))) / max(case.factor, 1e-300)
    text = (
        f"no bug class nor pair of classes explains the outputs (max error/tolerance "
        f"{before.ratio:.3g} at position {before.position:g}, feature {before.feature}); "
        f"stated pairs change norm by a median factor {gain:.4g}"
    )
    if closest:
        text += "; closest: " + ", then ".join(
            f"{m.name} ({m.what}), within tolerance on {100 * r.fraction:.1f}% of outputs"
            for r, m in closest
        )
    if near is not None:
        text += (
            f"; closest pair: {near.first.name} ({near.first.what}) with {near.second.name} "
            f"({near.second.what}), within tolerance on {100 * near.fit.fraction:.1f}% of outputs"
        )
    return text
