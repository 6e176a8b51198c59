"""The multi-axis mistakes as models of an implementation (``rope_ref.checker.axes``):
each proposes the angles p'_(a'(i)) theta'_i a port with that mistake turns pair i by, for
the stated case: sections in another order or size, chunked and interleaved swapped, h and
w swapped, the first half's angles on both halves, one coordinate for every pair; the 1D
mistakes (layout, direction, cos/sin, an offset, another base, low-precision angles); and
the axes fitted pair by pair from the outputs (``fitted_axes``), named by what they are.

Each mistake is a change of the stated case (``mistakes``: the AxisCase fields a port
with that mistake states differently), so that a case adopting one mistake proposes every
other on top of it (two mistakes at once, ``rope_ref.checker.axes``)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from rope_ref.checker.axis_case import AxisCase
from rope_ref.checker.case import frequencies_for
from rope_ref.checker.models import Model, pair_ratios, phase_lines
from rope_ref.checker.precision import C_ANGLE, angle_coefficients, angle_unit
from rope_ref.paper.axes import STYLES, axis_frequencies, mrope_axes
from rope_ref.paper.layouts import other_layouts


def models(c: AxisCase):
    """Every model of every class, for a stated multi-axis case."""
    for model, _ in mistakes(c):
        yield model


def mistakes(c: AxisCase):
    """(model, changes) of every model of every class: changes are the AxisCase fields a
    port making that mistake states otherwise (``replace(c, **changes)`` is that port's
    case, and ``model`` turns by its angles)."""
    for family in (
        _one_d_mistakes,
        _section_mismatches,
        _style_swaps,
        _hw_swaps,
        _half_duplication,
        _scalar_positions,
        _unrotated,
        _fitted,
    ):
        yield from family(c)


def _made(c: AxisCase, name: str, what: str, **changes) -> tuple[Model, dict]:
    """The model of the port whose case is c with ``changes``, and the changes."""
    port = replace(c, **changes)
    return port.model(name, what, port.phi), changes


def _one_d_mistakes(c: AxisCase):
    for other in other_layouts(c.layout):
        yield _made(c, "layout_swapped", f"pairs features {other} where {c.layout} is stated",
                    layout=other)  # fmt: skip
    yield _made(c, "rotation_reversed", "turns by -p_(a(i)) theta_i (R^T)",
                alpha=-c.alpha, beta=-c.beta)  # fmt: skip
    yield _made(c, "cos_sin_swapped", "exchanges cos and sin",
                alpha=-c.alpha, beta=np.pi / 2 - c.beta)  # fmt: skip
    lines = phase_fit(c)
    for k in fitted_offsets(c, lines):
        yield _made(
            c,
            "position_offset",
            f"uses every coordinate {'+' if k > 0 else '-'} {abs(k)}"
            + (" (0-based where 1-based are stated)" if k == -1 else ""),
            positions=c.positions + k,
        )
    yield from _wrong_bases(c, lines)
    tol_precision = "float32" if c.precision == "float64" else c.precision
    for q in ["bfloat16", "float16"] + (["float32"] if c.precision == "float64" else []):
        yield _made(c, "low_precision_angles", f"rounds theta to {q} before the phase",
                    theta_precision=q, precision=tol_precision)  # fmt: skip
        yield _made(c, "low_precision_angles", f"computes the phase p theta in {q}",
                    phase_precision=q, precision=tol_precision)  # fmt: skip


def phase_fit(c: AxisCase) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(omega, icpt, good, source), each (r/2,): the line icpt_i + omega_i p fitted to the
    phases of pair i (``pair_ratios``, ``phase_lines``) against the coordinate row the
    case says it reads, p_(a(source_i)); source_i is the pair whose angle pair i carries
    (itself, or the first half's with ``shared_halves``); good: pairs that turn (not held
    still by ``unrotated``) with a finite line."""
    w = pair_ratios(c.x, c.y, c.layout, c.rotary_dim)  # (seq, r/2): s e^(i phi)
    source = np.arange(c.theta.size)
    quarter = c.rotary_dim // 4
    if c.shared_halves and quarter and c.rotary_dim % 4 == 0:
        source[quarter:] = source[:quarter]
    rows = c.axes[source]
    omega, icpt = np.full(source.size, np.nan), np.full(source.size, np.nan)
    for j in np.unique(rows):  # every pair against row j (remembered: cases share rows)
        on = rows == j
        line, at_0 = phase_lines(c.positions[j], w)
        omega[on], icpt[on] = line[on], at_0[on]
    good = np.isfinite(omega) & np.isfinite(icpt)
    good[list(c.unrotated)] = False
    return omega, icpt, good, source


def fit_axis_base(c: AxisCase, lines) -> float | None:
    """The base b whose frequencies (``_theta_of``) best match the phase slopes of the
    pairs, each against the coordinate row it reads (lines: ``phase_fit``; a reversed
    turn's slopes are -theta_i): the misfit of ``tracker_bugs.fit_base`` (a grid over
    [1.5, 1e10] in ln b, refined around its minimum), per axis. Every
    multi-axis style's theta_i is b^(-e_i) (eq 15 over its axis' share), so theta at b is
    exp(-e_i ln b), e_i read from theta at base e. None: no pair turns."""
    omega, _, good, source = lines
    if not good.any():
        return None
    slope = (omega / c.alpha)[good]  # alpha theta_i p + beta: slope alpha theta_i
    rows = c.axes[source][good]
    m_max = np.max(np.abs(c.positions), axis=1)[rows]  # each pair's largest coordinate
    m_max = np.where(m_max > 0, m_max, 1.0)
    exponent = -np.log(_theta_of(c, np.e)[0])[source][good]  # e_i: theta_i = b^(-e_i)

    def misfit(log_b):
        theta = np.exp(-np.multiply.outer(log_b, exponent))  # (..., pairs)
        return np.sum((m_max * (slope - theta)) ** 2, axis=-1)

    grid = np.linspace(np.log(1.5), np.log(1e10), 241)
    for _ in range(4):  # the bracket around the grid's minimum, 100 times finer each time
        k = int(np.argmin(misfit(grid)))
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
        grid = np.linspace(lo, hi, 201)
    return float(np.exp(grid[int(np.argmin(misfit(grid)))]))


#: How many of the offsets the pairs' intercepts suggest are tried (the commonest): each
#: is proposed on every adopted case, so fewer than the 1D path's MAX_OFFSET_GUESSES.
OFFSET_GUESSES = 2

#: The bases tried besides the fitted one (and its roundings): the usual ones.
USUAL_BASES = (1e4, 5e5, 1e6, 5e6)


def _wrong_bases(c: AxisCase, lines):
    """wrong_base at the fitted base (``fit_axis_base``), its roundings to 1-4 digits and
    the usual bases; a base within max_i a_i u_A (relative) of the stated one moves theta
    by less than a correct port's own angle error: it is the stated base, not named."""
    fitted = fit_axis_base(c, lines)
    near = set() if fitted is None else {fitted} | {float(f"{fitted:.{s}g}") for s in (1, 2, 3, 4)}
    bases = near | set(USUAL_BASES)
    same = float(np.max(angle_coefficients(c.theta), initial=C_ANGLE)) * angle_unit(c.precision)
    for base in sorted(bases):
        if abs(np.log(base / c.base)) <= same:
            continue
        what = f"uses base {_digits(base, c.base)} where {c.base:g} is stated"
        if base in near:  # a usual base far from the fitted one is a guess, not a fit
            what += f" (fitted {_digits(fitted, c.base)})"
        port = replace(c, theta=_theta_of(c, base)[0], base=base)
        plausible = base == float(f"{base:.3g}")
        model = port.model("wrong_base", what, port.phi, plausible=plausible)
        yield model, {"theta": port.theta, "base": base}


def _digits(value: float, stated: float) -> str:
    """value as %g, or with as many more digits as it takes not to print as the stated
    base (a wrong_base never reads "base 500000 where 500000 is stated")."""
    for digits in range(6, 18):
        text = f"{value:.{digits}g}"
        if text != f"{stated:.{digits}g}":
            return f"{value:g}" if float(f"{value:g}") == value else text
    return repr(value)


def fitted_offsets(c: AxisCase, lines) -> list[int]:
    """The offsets k (every coordinate + k) the phase intercepts suggest, then -1 and 1
    (lines: ``phase_fit``): the commonest of (icpt_i - beta) / omega_i over the pairs (an
    offset k moves pair i's line alpha theta_i p + beta by alpha k theta_i, so its pairs
    agree; another mistake's scatter one guess per pair)."""
    omega, icpt, good, _ = lines
    good = good & (omega != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        votes = np.round((icpt[good] - c.beta) / omega[good])
    votes = votes[np.isfinite(votes) & (np.abs(votes) < 1e7)]
    values, counts = np.unique(votes, return_counts=True)
    guesses = [int(v) for v in values[np.argsort(-counts, kind="stable")[:OFFSET_GUESSES]]]
    return [k for k in dict.fromkeys(guesses + [-1, 1]) if k != 0]


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
            yield _made(
                c,
                "mrope_section_mismatch",
                f"uses mrope_section {list(section)} where {list(c.section)} is stated",
                axes=axes,
            )
    names = _axis_names(c)
    for order in itertools.permutations(range(3)):
        if order in ((0, 1, 2), (0, 2, 1)):  # (0, 2, 1) is hw_swapped
            continue
        yield _made(
            c,
            "mrope_section_mismatch",
            "gives the chunks to the axes in the order "
            + "".join(names[j] for j in order)
            + " (rows of the positions in another order)",
            axes=np.asarray(order)[c.axes],
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
                yield _made(
                    c,
                    "mrope_style_swapped",
                    f"assigns frequencies as {_STYLE_WORDS[style]} (section {list(section)}) "
                    f"where {_STYLE_WORDS[c.style]} is stated",
                    axes=axes,
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
    yield _made(c, "hw_swapped", "exchanges the h and w coordinates", positions=p)


def _half_duplication(c: AxisCase):
    if c.rotary_dim // 4 == 0 or c.rotary_dim % 4 or c.shared_halves:
        return
    yield _made(
        c,
        "half_duplication",
        "gives the second half of the pairs the first half's angles (both halves share "
        "one cos/sin table)",
        shared_halves=True,
    )


def _scalar_positions(c: AxisCase):
    names = _axis_names(c)
    for j in range(c.positions.shape[0]):
        yield _made(
            c,
            "scalar_positions",
            f"uses one coordinate, {names[j]}, for every pair (1D positions where vector "
            "positions are stated)",
            axes=np.full_like(c.axes, j),
        )
    seq = np.broadcast_to(np.arange(c.positions.shape[1], dtype=np.float64), c.positions.shape)
    yield _made(
        c,
        "scalar_positions",
        "ignores the positions given and uses the token index 0, 1, ..., seq-1 on every axis",
        positions=np.ascontiguousarray(seq),
    )


def _unrotated(c: AxisCase):
    """Some pairs never turn: their output equals their input (times the factor) at every
    position, where the case's angles move them. Those pairs, fitted from the outputs, get
    angle 0; the others keep the case's."""
    w = pair_ratios(c.x, c.y, c.layout, c.rotary_dim)  # (seq, r/2): s e^(i phi) per pair
    still = np.all(np.abs(w - c.factor) <= 1e-6 * c.factor, axis=0)
    moving = np.any(np.abs(np.sin(c.phi)) > 1e-3, axis=0)
    pairs = np.flatnonzero(still & moving)
    if not pairs.size:
        return
    shown = ", ".join(map(str, pairs[:8])) + (", ..." if pairs.size > 8 else "")
    what = (
        f"leaves {pairs.size} pair(s) unrotated (pairs {shown}: angle 0 at every "
        "position, as if turned by a position row that is always 0)"
    )
    if pairs.size == c.theta.size:  # as ``tracker_bugs`` names it on the 1D path
        what = "turns no pair at any position: RoPE is not applied (every position reads as 0)"
    unrotated = tuple(sorted(set(c.unrotated) | set(pairs.tolist())))
    yield _made(c, "pairs_unrotated", what, unrotated=unrotated)


def _axis_names(c: AxisCase) -> str:
    return "thw" if _mrope_family(c) else "hw"


def fitted_axes(c: AxisCase) -> np.ndarray:
    """a*(i): for each pair, the axis whose coordinates explain its turns best (the phase
    of the least-squares ratio of output to input pairs, ``pair_ratios``, against the
    case's angles with every pair on that axis: ``AxisCase.angles``)."""
    w = pair_ratios(c.x, c.y, c.layout, c.rotary_dim)  # (seq, r/2): s e^(i phi)
    k = c.positions.shape[0]
    cost = np.empty((k, c.theta.size))
    for j in range(k):
        guess = np.exp(1j * c.angles(axes=np.full_like(c.axes, j))) * c.factor
        with np.errstate(invalid="ignore"):
            cost[j] = np.mean(np.abs(w - guess), axis=0)
    return np.argmin(np.where(np.isnan(cost), np.inf, cost), axis=0)


def _fitted(c: AxisCase):
    axes = fitted_axes(c)
    name = None if np.array_equal(axes, c.axes) else _classify(c, axes)
    if name is not None:
        yield _made(c, name, f"turns the pairs by the axes {_runs(c, axes)} (fitted)", axes=axes)


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
