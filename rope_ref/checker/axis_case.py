"""What the multi-axis checker knows about one run (``rope_ref.checker.axes``): the inputs
and outputs, the vector positions it ran at, and the RoPE the implementation claims to be:
its style (``rope_ref.paper.axes.STYLES``), theta and axis of every pair, read from a style
and section or from a pasted rope dict carrying ``mrope_section``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rope_ref.checker import probe
from rope_ref.checker.case import frequencies_for, theta_error_for
from rope_ref.checker.models import Model
from rope_ref.checker.precision import round_to
from rope_ref.paper.axes import STYLES, axis_frequencies, mrope_axes, split_scaling
from rope_ref.scaling.config import stated
from rope_ref.validation import check_base, check_layout, check_rotary_dim
from rope_ref.validation.axes import check_section, check_style

#: The 2D styles' ladder: patch coordinates of images up to 256 x 256 patches (Qwen2-VL's
#: largest dynamic resolutions; 1-based, as Llama 4's are), with 127/128/129 and 255/256
#: where bfloat16's spacing is 1 and 2.
LADDER_2D = np.array(
    [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 100, 127, 128, 129, 144, 160, 192, 200, 233, 250,
     255, 256],
    dtype=np.int64,
)  # fmt: skip
CHECK_SEED = 12
#: The largest coordinate of the 2D styles' positions by default (LADDER_2D's last).
MAX_PATCH = 256


@dataclass(frozen=True)
class AxisCase:
    """One run of a multi-axis implementation and the RoPE it claims to be.

    x, y: (batch, heads, seq, d) float64; positions: (k, seq) float64; theta, axes:
    (rotary_dim/2,); style, section: the stated style (``rope_ref.paper.axes.STYLES``).
    seed, max_position, drawn: the seed of the drawn positions, the largest coordinate
    and how many tokens were drawn (``check_positions_for``); None, None, 0 for a golden
    group's positions.

    The rest is how the angles are formed (``angles``), as stated by default; a case that
    adopts a mistake (``rope_ref.checker.axes``' compound diagnosis) sets them:
    theta_precision, phase_precision: theta (or p, theta and p theta) rounded to that
    precision; shared_halves: the second half of the pairs given the first half's angles;
    unrotated: pairs held at angle 0; alpha, beta: the turn alpha phi + beta (reversed:
    -1, 0; cos and sin swapped: -1, pi/2).
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
    seed: int | None = None
    max_position: int | None = None
    drawn: int = 0
    theta_precision: str | None = None
    phase_precision: str | None = None
    shared_halves: bool = False
    unrotated: tuple = ()
    alpha: float = 1.0
    beta: float = 0.0

    @property
    def phi(self) -> np.ndarray:
        """(seq, rotary_dim/2) the case's angles (``angles``): p_(a(i)) theta_i as stated."""
        return self.angles()

    def angles(self, positions=None, theta=None, axes=None) -> np.ndarray:
        """(seq, rotary_dim/2) the angles this case's implementation turns by, at vector
        positions (k, seq), frequencies and axes (rotary_dim/2,) (default the case's):
        alpha phi + beta, phi = p_(a(i)) theta_i (eq 13 per axis) formed as the case says."""
        p = self.positions if positions is None else positions
        theta = self.theta if theta is None else theta
        axes = self.axes if axes is None else axes
        if self.theta_precision is not None:
            theta = round_to(theta, self.theta_precision)
        q = self.phase_precision
        if q is None:  # the case's arrays are checked already (``stated_axes``)
            phi = raw_angles(p, theta, axes)
        else:  # p and theta rounded, their product rounded (a 16-bit phase)
            phi = round_to(raw_angles(round_to(p, q), round_to(theta, q), axes), q)
        quarter = self.rotary_dim // 4
        if self.shared_halves and quarter and self.rotary_dim % 4 == 0:
            phi = np.concatenate([phi[:, :quarter], phi[:, :quarter]], axis=1)
        if self.unrotated:
            phi = phi.copy()
            phi[:, list(self.unrotated)] = 0.0
        if (self.alpha, self.beta) == (1.0, 0.0):
            return phi
        return self.alpha * phi + self.beta

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


def raw_angles(p: np.ndarray, theta: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """p_(a(i)) theta_i without the finiteness check: a coordinate rounded to float16
    can be inf (65535), and the angles then hold NaN there (``models.turn`` keeps it)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.moveaxis(p[axes], 0, -1) * theta


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


def check_positions_for(k: int, max_position: int | None = None, seed: int | None = None):
    """(positions, drawn): the vector positions of a run, (k, n) int64, and how many of its
    tokens were drawn from ``seed``.

    Axis 0 is a ladder (``probe.ladder(max_position)`` for M-RoPE's 3 axes, default 65535;
    ``LADDER_2D`` cut at max_position, default MAX_PATCH, for 2D), the other axes seeded
    orders of it (always the same); then, when ``seed`` is not None, ``probe.RANDOM_DRAW``
    tokens whose coordinates are drawn from it, each uniform in [0, max_position] (2D:
    [1, max_position], the patches' 1-based coordinates).
    """
    low = 0 if k == 3 else 1
    top = max_position or (probe.DEFAULT_MAX_POSITION if k == 3 else MAX_PATCH)
    if k == 3:
        ladder = probe.ladder(top)
    else:
        ladder = np.union1d(LADDER_2D[LADDER_2D <= top], [top]).astype(np.int64)
    rng = np.random.default_rng(CHECK_SEED)
    rows = np.stack([ladder] + [ladder[rng.permutation(ladder.size)] for _ in range(k - 1)])
    if seed is None:
        return rows, 0
    drawn = np.random.default_rng(seed).integers(
        low, top, size=(k, probe.RANDOM_DRAW), endpoint=True
    )
    return np.concatenate([rows, drawn], axis=1), probe.RANDOM_DRAW
