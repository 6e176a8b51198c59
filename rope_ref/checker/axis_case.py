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
from rope_ref.paper.axes import STYLES, axis_angles, axis_frequencies, mrope_axes, split_scaling
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
