"""Naming the mistake: every model of every bug class is fitted to the outputs, and the
class whose model explains them (every output within that model's tolerance) is named,
the earliest in ``CLASSES`` when several do. Failing that, a model within tolerance on
at least 99% of the outputs is named with that share (an emulated rounding can differ
from the real one in a rare tie); otherwise the verdict is ``unexplained``."""

from __future__ import annotations

import numpy as np

from rope_ref._case import Case
from rope_ref._hypotheses import CLASSES, models
from rope_ref._models import Fit, fit, pair_ratios

_SOFT_FRACTION = 0.99


def diagnose(case: Case, before: Fit) -> tuple[str, str]:
    """Try every model of every bug class; name the one that explains the outputs."""
    best: dict[str, tuple[Fit, str]] = {}
    for model in models(case):
        result = fit(model, case.x, case.positions, case.y)
        if model.name not in best or result.ratio < best[model.name][0].ratio:
            best[model.name] = (result, model.what)
    for name in CLASSES:
        if name in best and best[name][0].ratio <= 1.0:
            result, what = best[name]
            return name, _evidence(what, before, result, "every output")
    if best:
        name = max(best, key=lambda n: (best[n][0].fraction, -CLASSES.index(n)))
        result, what = best[name]
        if result.fraction >= _SOFT_FRACTION:
            share = f"{100 * result.fraction:.2f}% of outputs"
            return name, _evidence(what, before, result, share)
        return "unexplained", _unexplained(case, before, name, result, what)
    return "unexplained", _unexplained(case, before, None, None, "")


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
