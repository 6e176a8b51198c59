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
named by what it is.
"""

import numpy as np

from rope_ref.checker import probe
from rope_ref.checker.axis_case import AxisCase, check_positions_for, stated_axes
from rope_ref.checker.axis_models import models
from rope_ref.checker.diagnose import also_fit, best_fits, explaining
from rope_ref.checker.models import Fit, compare, turn
from rope_ref.checker.precision import PRECISIONS, tolerance
from rope_ref.paper.axes import STYLES, split_scaling
from rope_ref.validation import check_outputs_array, check_precision


def axis_verdict(case: AxisCase) -> tuple[bool, list[tuple[str, str]], Fit]:
    """(ok, [(name, detail)], fit at the worst output) of a case."""
    ref = turn(case.x, case.phi, case.layout, case.rotary_dim, case.factor)
    tol = _tolerance(case, case.phi, case.layout, case.precision)
    before = compare(case.y, ref, tol, np.arange(case.positions.shape[1]))
    if before.ratio <= 1.0:
        return True, [], before
    with np.errstate(over="ignore", invalid="ignore"):
        return False, [_diagnose(case, before)], before


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


def _diagnose(case: AxisCase, before: Fit) -> tuple[str, str]:
    """The class whose best model explains every output (plausible first, then the order
    of CLASSES), with evidence; else ``unexplained`` naming the closest."""
    tokens = np.arange(case.positions.shape[1])  # a model's phi is per token already
    best = best_fits(models(case), case.x, tokens, case.y)
    strict = explaining(best)
    if strict:
        result, model = best[strict[0]]
        return strict[0], _evidence(case, model.what, before, result) + also_fit(best, strict)
    name = min(best, key=lambda n: best[n][0].ratio)
    result, model = best[name]
    return "unexplained", (
        f"no bug class explains the outputs (max error/tolerance {before.ratio:.3g} at "
        f"token {before.position:g}, p = {_at(case, before)}, feature {before.feature}); "
        f"closest: {name} ({model.what}), within tolerance on {100 * result.fraction:.1f}% "
        "of outputs"
    )


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
