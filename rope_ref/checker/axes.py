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

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from rope_ref.checker.case import frequencies_for, theta_error_for
from rope_ref.checker.models import Fit, Model, compare, fit, pair_ratios, turn
from rope_ref.checker.precision import PRECISIONS, round_to, tolerance
from rope_ref.checker.vocabulary import CLASSES
from rope_ref.paper.axes import STYLES, axis_angles, axis_frequencies, mrope_axes, split_scaling
from rope_ref.scaling.config import stated
from rope_ref.validation import (
    check_base,
    check_layout,
    check_outputs_array,
    check_precision,
    check_rotary_dim,
)
from rope_ref.validation.axes import check_section, check_style

#: The coordinates ``check`` runs an M-RoPE implementation at: axis 0 climbs the 1D
#: checker's ladder (0 .. 65535), the other axes take it in seeded orders, so every token
#: has distinct coordinates and every mistake above changes the outputs.
LADDER = np.array(
    [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100, 255, 256, 257, 1000, 2047, 4095, 4096, 8191,
     16384, 32767, 65535],
    dtype=np.int64,
)  # fmt: skip
#: The 2D styles' ladder: patch coordinates of images up to 256 x 256 patches (Qwen2-VL's
#: largest dynamic resolutions; 1-based, as Llama 4's are), with 127/128/129 and 255/256
#: where bfloat16's spacing is 1 and 2.
LADDER_2D = np.array(
    [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 100, 127, 128, 129, 144, 160, 192, 200, 233, 250,
     255, 256],
    dtype=np.int64,
)  # fmt: skip
CHECK_SEED = 12


@dataclass(frozen=True)
class AxisCase:
    """One run of a multi-axis implementation and the RoPE it claims to be.

    x, y: (batch, heads, seq, d) float64; positions: (k, seq) float64; theta, axes:
    (rotary_dim/2,); style, section: the stated style (``rope_ref.paper.axes.STYLES``).
    """

    x: np.ndarray
    y: np.ndarray
    positions: np.ndarray
    d: int
    rotary_dim: int
    base: float
    layout: str
    style: str
    section: tuple | None
    theta: np.ndarray
    axes: np.ndarray
    factor: float
    precision: str
    theta_error: float

    @property
    def phi(self) -> np.ndarray:
        """(seq, rotary_dim/2) stated angles p_(a(i)) theta_i."""
        return axis_angles(self.positions, self.theta, self.axes)

    def model(self, name, what, phi, *, layout=None, precision=None, plausible=True) -> Model:
        return Model(
            name=name,
            what=what,
            phi=phi,
            layout=layout or self.layout,
            rotary_dim=self.rotary_dim,
            scale=self.factor,
            precision=precision or self.precision,
            theta_error=self.theta_error,
            plausible=plausible,
        )

    def with_axes(self, name, what, axes, positions=None, theta=None) -> Model:
        p = self.positions if positions is None else positions
        return self.model(name, what, axis_angles(p, self.theta if theta is None else theta, axes))


def stated_axes(d, base, layout, rotary_dim, rope_scaling, style, section):
    """(theta, axes, style, section, rotary_dim, base, factor, theta_error) of a stated
    multi-axis configuration: a style (with section), or a rope dict carrying
    ``mrope_section``; its rope_theta and partial_rotary_factor read as ``check`` does."""
    check_layout(layout)
    rest, dict_style, dict_section = split_scaling(rope_scaling, None)
    if dict_style is not None and style is None:
        style, section = dict_style, dict_section
    style = check_style(style, tuple(STYLES))
    base, rotary_dim, rest = stated(d, check_base(base), rotary_dim, rest)
    r = check_rotary_dim(rotary_dim, d)
    if STYLES[style][0] == 3:
        section = check_section(STYLES[style][1] if section is None else section, style, r // 2)
        theta, factor = frequencies_for(r, base, rest, None)
        return (
            theta,
            mrope_axes(style, section),
            style,
            section,
            r,
            base,
            factor,
            (theta_error_for(r, base, rest, None)),
        )
    if rest is not None:
        raise ValueError(
            f"rope_scaling must be None for style {style!r} (a vision tower's 2D RoPE has "
            f"no scaling variant), got {rest!r}"
        )
    theta, axes = axis_frequencies(r, base, style=style, section=section)
    return theta, axes, style, None, r, base, 1.0, theta_error_for(r // 2, base, None, None)


def check_positions_for(k: int) -> np.ndarray:
    """(k, 22) int64: axis 0 a ladder (``LADDER`` for M-RoPE's 3 axes, ``LADDER_2D`` for
    2D), the others seeded orders of it."""
    rng = np.random.default_rng(CHECK_SEED)
    ladder = LADDER if k == 3 else LADDER_2D
    rows = [ladder] + [ladder[rng.permutation(ladder.size)] for _ in range(k - 1)]
    return np.stack(rows)


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
    best: dict[str, tuple[Fit, Model]] = {}
    tokens = np.arange(case.positions.shape[1])
    for model in models(case):
        result = fit(model, case.x, tokens, case.y)
        rank = (result.ratio > 1.0, not model.plausible, result.ratio)
        if model.name not in best or rank < _rank(*best[model.name]):
            best[model.name] = (result, model)
    strict = sorted(
        (n for n in best if best[n][0].ratio <= 1.0),
        key=lambda n: (not best[n][1].plausible, CLASSES.index(n)),
    )
    if strict:
        result, model = best[strict[0]]
        detail = _evidence(case, model.what, before, result)
        if len(strict) > 1:
            others = "; ".join(f"{n} ({best[n][1].what})" for n in strict[1:])
            detail += f"; the same outputs also fit: {others}"
        return strict[0], detail
    name = min(best, key=lambda n: best[n][0].ratio)
    result, model = best[name]
    return "unexplained", (
        f"no bug class explains the outputs (max error/tolerance {before.ratio:.3g} at "
        f"token {before.position:g}, p = {_at(case, before)}, feature {before.feature}); "
        f"closest: {name} ({model.what}), within tolerance on {100 * result.fraction:.1f}% "
        "of outputs"
    )


def _rank(result: Fit, model: Model) -> tuple:
    return (result.ratio > 1.0, not model.plausible, result.ratio)


def _at(case: AxisCase, f: Fit) -> str:
    return str(tuple(int(v) if v == int(v) else v for v in case.positions[:, int(f.position)]))


def _evidence(case: AxisCase, what: str, before: Fit, after: Fit) -> str:
    return (
        f"the implementation {what}; max error/tolerance {before.ratio:.3g} before, "
        f"{after.ratio:.3g} after this explanation, which accounts for every output (worst "
        f"error {before.error:.3g} at token {before.position:g}, p = {_at(case, before)} -> "
        f"{after.error:.3g})"
    )


def models(c: AxisCase):
    """Every model of every class, for a stated multi-axis case."""
    yield from _one_d_mistakes(c)
    yield from _section_mismatches(c)
    yield from _style_swaps(c)
    yield from _hw_swaps(c)
    yield from _half_duplication(c)
    yield from _scalar_positions(c)
    yield from _fitted(c)


def _one_d_mistakes(c: AxisCase):
    other = "half" if c.layout == "interleaved" else "interleaved"
    phi = c.phi
    yield c.model("layout_swapped", f"pairs features {other} where {c.layout} is stated", phi,
                  layout=other)  # fmt: skip
    yield c.model("rotation_reversed", "turns by -p_(a(i)) theta_i (R^T)", -phi)
    yield c.model("cos_sin_swapped", "exchanges cos and sin", np.pi / 2 - phi)
    for k in (-1, 1):
        yield c.model(
            "position_offset",
            f"uses every coordinate {'+' if k > 0 else '-'} 1"
            + (" (0-based where 1-based are stated)" if k < 0 else ""),
            axis_angles(c.positions + k, c.theta, c.axes),
        )
    for base in (1e4, 5e5, 1e6, 5e6):
        if base != c.base:
            theta, _ = _theta_of(c, base)
            yield c.model(
                "wrong_base", f"uses base {base:g} where {c.base:g} is stated",
                axis_angles(c.positions, theta, c.axes),
            )  # fmt: skip
    tol_precision = "float32" if c.precision == "float64" else c.precision
    for q in ["bfloat16", "float16"] + (["float32"] if c.precision == "float64" else []):
        theta_q, p_q = round_to(c.theta, q), round_to(c.positions, q)
        for what, phi in (
            (f"rounds theta to {q} before the phase", axis_angles(c.positions, theta_q, c.axes)),
            (f"computes the phase p theta in {q}", round_to(_raw_angles(p_q, theta_q, c.axes), q)),
        ):
            yield c.model("low_precision_angles", what, phi, precision=tol_precision)


def _raw_angles(p: np.ndarray, theta: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """p_(a(i)) theta_i without the finiteness check: a coordinate rounded to float16
    can be inf (65535), and the model then holds NaN there (``turn`` keeps it)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.moveaxis(p[axes], 0, -1) * theta


def _theta_of(c: AxisCase, base: float):
    if STYLES[c.style][0] == 3:
        return frequencies_for(c.rotary_dim, base, None, None)
    return axis_frequencies(c.rotary_dim, base, style=c.style)[0], 1.0


def _mrope_family(c: AxisCase) -> bool:
    return STYLES[c.style][0] == 3


def _section_mismatches(c: AxisCase):
    if not _mrope_family(c):
        return
    half = c.rotary_dim // 2
    sections = {tuple(s) for s in itertools.permutations(c.section)}
    sections |= {STYLES[s][1] for s in STYLES if STYLES[s][0] == 3}
    for section in sorted(sections - {tuple(c.section)}):
        axes = _axes_or_none(c.style, section, half)
        if axes is not None:
            yield c.with_axes(
                "mrope_section_mismatch",
                f"uses mrope_section {list(section)} where {list(c.section)} is stated",
                axes,
            )
    names = _axis_names(c)
    for order in itertools.permutations(range(3)):
        if order in ((0, 1, 2), (0, 2, 1)):  # (0, 2, 1) is hw_swapped
            continue
        yield c.with_axes(
            "mrope_section_mismatch",
            "gives the chunks to the axes in the order "
            + "".join(names[j] for j in order)
            + " (rows of the positions in another order)",
            np.asarray(order)[c.axes],
        )


def _axes_or_none(style: str, section: tuple, half: int):
    if sum(section) != half or (style == "mrope_ernie" and section[0] != section[1]):
        return None
    return mrope_axes(style, tuple(section))


def _style_swaps(c: AxisCase):
    if not _mrope_family(c):
        return
    half = c.rotary_dim // 2
    for style in ("mrope", "mrope_interleaved", "mrope_ernie"):
        if style == c.style:
            continue
        for section in dict.fromkeys([tuple(c.section), STYLES[style][1]]):
            axes = _axes_or_none(style, section, half)
            if axes is not None and not np.array_equal(axes, c.axes):
                yield c.with_axes(
                    "mrope_style_swapped",
                    f"assigns frequencies as {_STYLE_WORDS[style]} (section {list(section)}) "
                    f"where {_STYLE_WORDS[c.style]} is stated",
                    axes,
                )


_STYLE_WORDS = {
    "mrope": "chunked M-RoPE (Qwen2-VL)",
    "mrope_interleaved": "interleaved M-RoPE (Qwen3-VL)",
    "mrope_ernie": "Ernie-4.5-VL's M-RoPE (h, w alternating, then t)",
}


def _hw_swaps(c: AxisCase):
    h, w = (1, 2) if _mrope_family(c) else (0, 1)
    p = c.positions.copy()
    p[[h, w]] = p[[w, h]]
    yield c.with_axes("hw_swapped", "exchanges the h and w coordinates", c.axes, positions=p)


def _half_duplication(c: AxisCase):
    quarter = c.rotary_dim // 4
    if quarter == 0 or c.rotary_dim % 4:
        return
    phi = c.phi
    yield c.model(
        "half_duplication",
        "gives the second half of the pairs the first half's angles (both halves share "
        "one cos/sin table)",
        np.concatenate([phi[:, :quarter], phi[:, :quarter]], axis=1),
    )


def _scalar_positions(c: AxisCase):
    names = _axis_names(c)
    for j in range(c.positions.shape[0]):
        yield c.with_axes(
            "scalar_positions",
            f"uses one coordinate, {names[j]}, for every pair (1D positions where vector "
            "positions are stated)",
            np.full_like(c.axes, j),
        )
    seq = np.broadcast_to(np.arange(c.positions.shape[1], dtype=np.float64), c.positions.shape)
    yield c.with_axes(
        "scalar_positions",
        "ignores the positions given and uses the token index 0, 1, ..., seq-1 on every axis",
        c.axes,
        positions=np.ascontiguousarray(seq),
    )


def _axis_names(c: AxisCase) -> str:
    return "thw" if _mrope_family(c) else "hw"


def fitted_axes(c: AxisCase) -> np.ndarray:
    """a*(i): for each pair, the axis whose coordinates explain its turns best (the phase
    of the least-squares ratio of output to input pairs, ``pair_ratios``)."""
    w = pair_ratios(c.x, c.y, c.layout, c.rotary_dim)  # (seq, r/2): s e^(i phi)
    k = c.positions.shape[0]
    cost = np.empty((k, c.theta.size))
    for j in range(k):
        guess = np.exp(1j * c.positions[j][:, None] * c.theta[None, :]) * c.factor
        cost[j] = np.mean(np.abs(w - guess), axis=0)
    return np.argmin(cost, axis=0)


def _fitted(c: AxisCase):
    axes = fitted_axes(c)
    name = None if np.array_equal(axes, c.axes) else _classify(c, axes)
    if name is not None:
        yield c.with_axes(name, f"turns the pairs by the axes {_runs(c, axes)} (fitted)", axes)


def _classify(c: AxisCase, axes: np.ndarray) -> str | None:
    """The class a fitted assignment belongs to (None: none of the multi-axis classes)."""
    h, w = (1, 2) if _mrope_family(c) else (0, 1)
    swapped = np.where(c.axes == h, w, np.where(c.axes == w, h, c.axes))
    if np.array_equal(axes, swapped):
        return "hw_swapped"
    if np.all(axes == axes[0]):
        return "scalar_positions"
    if not _mrope_family(c):
        return None
    half = c.rotary_dim // 2
    for style in ("mrope", "mrope_interleaved", "mrope_ernie"):
        for section in (tuple(c.section), STYLES[style][1]):
            other = _axes_or_none(style, section, half) if style != c.style else None
            if other is not None and np.array_equal(other, axes):
                return "mrope_style_swapped"
    k = c.positions.shape[0]
    chunked = len([g for g, _ in itertools.groupby(axes.tolist())]) <= k  # one run per axis
    return "mrope_style_swapped" if chunked != (c.style == "mrope") else "mrope_section_mismatch"


def _runs(c: AxisCase, axes: np.ndarray) -> str:
    """'t x16, h x24, w x24': the fitted assignment as runs."""
    names = _axis_names(c)
    runs = [(names[j], len(list(g))) for j, g in itertools.groupby(axes.tolist())]
    if len(runs) > 8:
        return "".join(names[j] for j in axes.tolist())
    return ", ".join(f"{n} x{count}" for n, count in runs)


def run_axis_check(fn, x, call, *, d, base, layout, rotary_dim, rope_scaling, precision, style,
                   section):  # fmt: skip
    """``check``'s multi-axis path: run ``fn(x, positions)`` at ``check_positions_for(k)``
    (``call`` runs it, adding a note to fn's own exceptions) and give the verdict.

    x: the inputs ``check`` built (batch, heads, seq, d). Returns (ok, findings, fit,
    case) with findings [(name, detail)].
    """
    theta, axes, style, section, r, base, factor, theta_error = stated_axes(
        d, base, layout, rotary_dim, rope_scaling, style, section
    )
    positions = check_positions_for(STYLES[style][0])
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
        axes=axes, factor=factor, precision=precision, theta_error=theta_error,
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
