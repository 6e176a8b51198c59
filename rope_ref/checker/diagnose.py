"""Naming the mistake: every model of every bug class is fitted to the outputs, and the
class whose model explains them (every output within that model's tolerance) is named:
a plausible one first (a wrong base fitted to 9980.49 is less likely than the bfloat16
rounding that looks like it), then the earliest in ``CLASSES``. Failing that, a model
within tolerance on at least 99% of the outputs is named with that share (an emulated
rounding can differ from the real one in a rare tie); otherwise the verdict is
``unexplained``."""

from __future__ import annotations

import numpy as np

from rope_ref.checker.case import Case
from rope_ref.checker.hypotheses import models
from rope_ref.checker.models import Fit, Model, fit, pair_ratios
from rope_ref.checker.vocabulary import CLASSES

_SOFT_FRACTION = 0.99


def diagnose(case: Case, before: Fit, extra=()) -> list[tuple[str, str]]:
    """Try every model of every bug class (and the ``extra`` models a caller that knows
    more fits too: ``rope_ref.checker.layers``'s per-layer classes); name the one that
    explains the outputs.

    Returns [(name, detail)], or two where the model makes two mistakes at once
    (``Model.also``: a misread scaling variant that also drops its attention factor).
    Among the classes whose best model explains every output, plausible models come
    first, then the order of ``CLASSES``; the detail names the other classes that explain
    the outputs just as well (the same numbers: theta_i = base^(-i/rotary_dim) is theta
    of d = 2 rotary_dim).
    """
    best = best_fits((*extra, *models(case)), case.x, case.positions, case.y)
    strict = explaining(best)
    if strict:
        result, model = best[strict[0]]
        detail = _evidence(model.what, before, result, "every output") + also_fit(best, strict)
        found = [(strict[0], detail)]
        if model.also is not None:
            found.append((model.also[0], f"the implementation also {model.also[1]}"))
        return found
    if best:
        name = max(best, key=lambda n: (best[n][0].fraction, -CLASSES.index(n)))
        result, model = best[name]
        if result.fraction >= _SOFT_FRACTION:
            share = f"{100 * result.fraction:.2f}% of outputs"
            return [(name, _evidence(model.what, before, result, share))]
        return [("unexplained", _unexplained(case, before, name, result, model.what))]
    return [("unexplained", _unexplained(case, before, None, None, ""))]


def best_fits(candidates, x, positions, y) -> dict[str, tuple[Fit, Model]]:
    """Each bug class's best model among ``candidates``, fitted to outputs y of inputs x at
    ``positions``: within a class, explaining every output first, then plausible, then the
    best fit. Returns {class name: (fit, model)}."""
    best: dict[str, tuple[Fit, Model]] = {}
    for model in candidates:
        result = fit(model, x, positions, y)
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


def _unexplained(case: Case, before: Fit, name, result, what) -> str:
    w = pair_ratios(case.x, case.y, case.layout, case.rotary_dim)
    gain = float(np.median(np.abs(w))) / max(case.factor, 1e-300)
    text = (
        f"no bug class explains the outputs (max error/tolerance {before.ratio:.3g} at "
        f"position {before.position:g}, feature {before.feature}); stated pairs change "
        f"norm by a median factor {gain:.4g}"
    )
    if name is not None:
        text += (
            f"; closest: {name} ({what}), within tolerance on "
            f"{100 * result.fraction:.1f}% of outputs"
        )
    return text
