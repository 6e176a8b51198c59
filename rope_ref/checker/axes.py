"""The checker for multi-axis RoPE: an implementation that turns pair i by p_(a(i))
theta_i (``rope_ref.paper.axes``) is run at vector positions p of shape (k, seq), compared
with rope_ref's float64 rotation within the error model of its precision
(``rope_ref.checker.precision``), and, when it fails, each multi-axis mistake is fitted
as a model of it (``rope_ref.checker.models``):

- ``mrope_section_mismatch``: M-RoPE's sections in another order or of other sizes, or
  its chunks given to the axes in another order;
- ``mrope_style_swapped``: chunked (Qwen2-VL) where interleaved (Qwen3-VL) is stated, or
  back (or Ernie-4.5-VL's order for either);
- ``hw_swapped``: the h and w coordinates exchanged;
- ``half_duplication``: the second half of the pairs given the first half's angles (a
  fused kernel that assumes both halves of the table share cos and sin);
- ``scalar_positions``: one coordinate (or the token index) for every pair: 1D positions
  used where vector positions are stated;

plus the mistakes 1D RoPE makes too (layout, direction, cos/sin, positions off by one,
angles in low precision, another base). Besides the listed candidates, the axis of each
pair is fitted from the outputs themselves (``fitted_axes``) and the fitted assignment is
named by what it is. When no class explains the outputs, two mistakes at once are tried
(``axis_pairs``, the machinery of ``rope_ref.checker.compound``; docs/compound.md,
"Multi-axis").
"""

from dataclasses import replace

import numpy as np

from rope_ref.checker import probe
from rope_ref.checker.axis_case import AxisCase, check_positions_for, stated_axes
from rope_ref.checker.axis_models import mistakes
from rope_ref.checker.compound import CLOSEST_FITTED, Pair, screen, stage
from rope_ref.checker.diagnose import also_fit, best_fits, explaining, pair_findings
from rope_ref.checker.models import Fit, Model, compare, fit, remembering, turn
from rope_ref.checker.precision import PRECISIONS, tolerance
from rope_ref.checker.vocabulary import CLASSES
from rope_ref.paper.axes import STYLES, axis_angles, split_scaling
from rope_ref.validation import check_outputs_array, check_precision


def axis_verdict(case: AxisCase) -> tuple[bool, list[tuple[str, str]], Fit]:
    """(ok, [(name, detail)], fit at the worst output) of a case."""
    phi = axis_angles(case.positions, case.theta, case.axes)  # checked: a golden group's
    ref = turn(case.x, phi, case.layout, case.rotary_dim, case.factor)
    tol = _tolerance(case, phi, case.layout, case.precision)
    before = compare(case.y, ref, tol, np.arange(case.positions.shape[1]))
    if before.ratio <= 1.0:
        return True, [], before
    with np.errstate(over="ignore", invalid="ignore"):
        return False, _diagnose(case, before), before


def _tolerance(case, phi, layout, precision):
    return tolerance(
        case.x,
        phi,
        layout=layout,
        rotary_dim=case.rotary_dim,
        scale=case.factor,
        precision=precision,
        theta_error=case.theta_error,
    )


#: The stage (``rope_ref.checker.compound.STAGES``) of each multi-axis class: which
#: coordinate each pair reads (axes), which pairs turn (features). Two mistakes compose
#: only from different stages.
AXIS_STAGES = {
    "mrope_section_mismatch": "axes",
    "mrope_style_swapped": "axes",
    "hw_swapped": "axes",
    "scalar_positions": "axes",
    "half_duplication": "axes",
    "pairs_unrotated": "features",
}


def _stage(name: str) -> str:
    return AXIS_STAGES.get(name) or stage(name)


def _diagnose(case: AxisCase, before: Fit) -> list[tuple[str, str]]:
    """The class whose best model explains every output (plausible first, then the order
    of CLASSES), with evidence; else the pair of classes that does (``axis_pairs``), both
    named; else ``unexplained`` naming the two closest classes and the closest pair."""
    tokens = np.arange(case.positions.shape[1])  # a model's phi is per token already
    with remembering():  # the adopted cases share one x and y
        found = list(mistakes(case))
        best = best_fits([model for model, _ in found], case.x, tokens, case.y)
        strict = explaining(best)
        if strict:
            result, model = best[strict[0]]
            detail = _evidence(case, model.what, before, result) + also_fit(best, strict)
            return [(strict[0], detail)]
        pairs, near = axis_pairs(case, found)
    if pairs:
        at = f"token {before.position:g}, p = {_at(case, before)}"
        return pair_findings(pairs, before, best, at)
    closest = sorted(best, key=lambda n: (best[n][0].ratio, CLASSES.index(n)))[:2]
    text = (
        f"no bug class nor pair of classes explains the outputs (max error/tolerance "
        f"{before.ratio:.3g} at token {before.position:g}, p = {_at(case, before)}, feature "
        f"{before.feature}); closest: "
        + ", then ".join(
            f"{n} ({best[n][1].what}), within tolerance on {100 * best[n][0].fraction:.1f}% "
            "of outputs"
            for n in closest
        )
    )
    if near is not None:
        text += (
            f"; closest pair: {near.first.name} ({near.first.what}) with {near.second.name} "
            f"({near.second.what}), within tolerance on {100 * near.fit.fraction:.1f}% of outputs"
        )
    return [("unexplained", text)]


def axis_pairs(case: AxisCase, found) -> tuple[list[Pair], Pair | None]:
    """(the pairs of mistakes that explain every output, best first; the closest pair if
    none does), as ``rope_ref.checker.compound.fit_pairs`` for a 1D case.

    found: (model, changes) of every single mistake (``axis_models.mistakes``). Each is
    adopted as the first mistake A (the case ``replace(case, **changes)``: a port making
    A), and every mistake B of another stage (``AXIS_STAGES``, ``compound.stage``) is
    proposed on that case: B's model makes both. ``compound.screen`` rules out the
    composed models whose pair ratios cannot be within tolerance; the rest are fitted.
    Explaining pairs come plausible first, then in the order of ``CLASSES``, then by fit;
    one per two classes. The closest pair (of the CLOSEST_FITTED least worst screened, the
    one within tolerance on the most outputs) is None when a pair explains.
    """
    tokens = np.arange(case.positions.shape[1])
    triples = [
        (a, b)
        for a, changes in found
        for b, _ in mistakes(replace(case, **changes))
        if _stage(b.name) != _stage(a.name)
    ]
    maybe, worst = screen(case, [b for _, b in triples])
    passed: dict[tuple[str, str], Pair] = {}
    for k in np.flatnonzero(maybe):
        pair = _pair(*triples[k], fit(triples[k][1], case.x, tokens, case.y))
        names = (pair.first.name, pair.second.name)
        if pair.fit.ratio <= 1.0 and (names not in passed or _order(pair) < _order(passed[names])):
            passed[names] = pair
    ranked = sorted(passed.values(), key=_order)
    near = [k for k in np.argsort(worst, kind="stable")[:CLOSEST_FITTED] if np.isfinite(worst[k])]
    if ranked or not near:
        return ranked, None
    tried = [_pair(*triples[k], fit(triples[k][1], case.x, tokens, case.y)) for k in near]
    return [], max(tried, key=lambda pair: pair.fit.fraction)


def _pair(a: Model, b: Model, result: Fit) -> Pair:
    first, second = sorted((a, b), key=lambda m: CLASSES.index(m.name))
    return Pair(first=first, second=second, composed=b, fit=result)


def _order(pair: Pair) -> tuple:
    """Plausible first, then CLASSES order of the two classes, then the better fit."""
    first, second = CLASSES.index(pair.first.name), CLASSES.index(pair.second.name)
    return (not pair.plausible, first, second, pair.fit.ratio)


def _at(case: AxisCase, f: Fit) -> str:
    return str(tuple(int(v) if v == int(v) else v for v in case.positions[:, int(f.position)]))


def _evidence(case: AxisCase, what: str, before: Fit, after: Fit) -> str:
    return (
        f"the implementation {what}; max error/tolerance {before.ratio:.3g} before, "
        f"{after.ratio:.3g} after this explanation, which accounts for every output (worst "
        f"error {before.error:.3g} at token {before.position:g}, p = {_at(case, before)} -> "
        f"{after.error:.3g})"
    )


def run_axis_check(fn, inputs, call, *, d, base, layout, rotary_dim, rope_scaling, precision,
                   style, section, seed=None, max_position=None):  # fmt: skip
    """``check``'s multi-axis path: run ``fn(x, positions)`` at ``check_positions_for(k,
    max_position, seed)`` (a new seed when None; ``call`` runs fn, adding a note to fn's
    own exceptions) and give the verdict.

    inputs: seq -> x (batch, heads, seq, d), the inputs ``check`` builds. Returns (ok,
    findings, fit, case) with findings [(name, detail)]; case carries seed, max_position
    and how many tokens were drawn.
    """
    theta, axes, style, section, r, base, factor, theta_error = stated_axes(
        d, base, layout, rotary_dim, rope_scaling, style, section
    )
    seed = probe.new_seed() if seed is None else seed
    positions, drawn = check_positions_for(STYLES[style][0], max_position, seed)
    x = inputs(positions.shape[1])
    x64 = x.astype(np.float64)  # a copy: fn may write into x
    y = check_outputs_array(
        "the output of fn", call(fn, x, positions.copy()), x.shape, allow_nonfinite=True
    )
    if precision is None:
        precision = check_precision(
            "bfloat16" if y.dtype.name == "bfloat16" else y.dtype.name, PRECISIONS
        )
    case = AxisCase(
        x=x64, y=y.astype(np.float64), positions=positions.astype(np.float64),
        d=d, rotary_dim=r, base=base, layout=layout, style=style, section=section, theta=theta,
        axes=axes, factor=factor, precision=precision, theta_error=theta_error, seed=seed,
        max_position=int(positions.max()), drawn=drawn,
    )  # fmt: skip
    return (*axis_verdict(case), case)


def run_axis_outputs(x, y, positions, config: dict, precision: str):
    """``check_outputs``' multi-axis path for a golden group (``config`` its config, with
    ``style`` and ``section``): (ok, findings, fit, case)."""
    theta, axes, style, section, r, base, factor, theta_error = stated_axes(
        int(config["d"]), config["base"], config["layout"], config.get("rotary_dim"), None,
        config["style"], config.get("section"),
    )  # fmt: skip
    case = AxisCase(
        x=x, y=y, positions=np.asarray(positions, dtype=np.float64), d=int(config["d"]),
        rotary_dim=r, base=base, layout=config["layout"], style=style, section=section,
        theta=theta, axes=axes, factor=factor, precision=precision, theta_error=theta_error,
    )  # fmt: skip
    return (*axis_verdict(case), case)


def describe(case: AxisCase) -> str:
    """The stated configuration in words, for the report's first line."""
    text = f"d={case.d}, rotary_dim={case.rotary_dim}, base {case.base:g}, {case.layout}"
    section = "" if case.section is None else f" {list(case.section)}"
    return text + f", {case.style}{section} on {case.positions.shape[0]} axes"


def axes_stated(rope_scaling) -> bool:
    """Whether a rope dict states M-RoPE (carries ``mrope_section``)."""
    return split_scaling(rope_scaling, None)[1] is not None
