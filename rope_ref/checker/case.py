"""What the checker knows about one run: the inputs and outputs, and the RoPE the
implementation claims to be (configuration, theta of eq 15 or a scaling variant, the
attention factor), with HF dicts' rope_theta and partial_rotary_factor resolved."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rope_ref import validation
from rope_ref.checker.models import Model
from rope_ref.paper.angles import theta_error_bound
from rope_ref.paper.frequencies import frequencies
from rope_ref.scaling.scaled import scaled_frequencies, scaled_theta_error_bound


@dataclass(frozen=True)
class Case:
    """One run of an implementation, and the RoPE it claims to be.

    x, y: (batch, heads, seq, d) float64 inputs and outputs (y may hold NaN);
    positions: (seq,) float64; theta: (rotary_dim/2,) stated frequencies; factor: the
    stated attention factor; precision: the stated working precision.
    """

    x: np.ndarray
    y: np.ndarray
    positions: np.ndarray
    d: int
    rotary_dim: int
    base: float
    layout: str
    rope_scaling: dict | None
    seq_len: int | None
    precision: str
    theta: np.ndarray
    factor: float
    hf_compat: bool = False
    theta_error: float = 0.0

    def frequencies(self, rotary_dim: int | None = None, base: float | None = None):
        """(theta, attention_factor) of the stated configuration with another rotary_dim
        or base."""
        return frequencies_for(
            rotary_dim or self.rotary_dim,
            self.base if base is None else base,
            self.rope_scaling,
            self.seq_len,
            self.hf_compat,
        )

    @property
    def phi(self) -> np.ndarray:
        """(seq, rotary_dim/2) stated angles m theta_i (eq 13)."""
        return self.positions[:, None] * self.theta[None, :]

    def model(
        self,
        name,
        what,
        phi=None,
        *,
        layout=None,
        rotary_dim=None,
        scale=None,
        precision=None,
        plausible=True,
    ) -> Model:
        """A model that differs from the stated RoPE only in the arguments given."""
        return Model(
            name=name,
            what=what,
            phi=self.phi if phi is None else phi,
            layout=layout or self.layout,
            rotary_dim=rotary_dim or self.rotary_dim,
            scale=self.factor if scale is None else scale,
            precision=precision or self.precision,
            theta_error=self.theta_error,
            plausible=plausible,
        )


def frequencies_for(
    rotary_dim: int, base: float, rope_scaling, seq_len, hf_compat: bool = False
) -> tuple[np.ndarray, float]:
    """(theta, attention_factor): eq 15 over rotary_dim, or a scaling variant of it.

    rope_scaling is None or a dict for ``rope_ref.scaling.scaled_frequencies`` without
    rope_theta and partial_rotary_factor (``check`` moves them into base and rotary_dim;
    only rope_type proportional keeps its factor, as it is defined over the whole head).
    """
    if rope_scaling is None:
        return frequencies(rotary_dim, base), 1.0
    theta, factor = scaled_frequencies(
        rotary_dim, base, rope_scaling, seq_len=seq_len, hf_compat=hf_compat
    )
    return np.asarray(theta, dtype=np.float64), float(factor)


def theta_error_for(
    rotary_dim: int, base: float, rope_scaling, seq_len, hf_compat: bool = False
) -> float:
    """The largest relative error bound of ``frequencies_for``'s theta against the exact
    one (``rope_ref.angles.theta_error_bound``, or ``scaled_theta_error_bound``)."""
    if rope_scaling is None:
        return float(np.max(theta_error_bound(rotary_dim, base)))
    bound = scaled_theta_error_bound(rotary_dim, base, rope_scaling, seq_len, hf_compat=hf_compat)
    return float(np.max(bound))


def make_case(
    x,
    y,
    positions,
    *,
    d,
    base,
    layout,
    rotary_dim,
    rope_scaling,
    seq_len,
    precision,
    hf_compat=False,
):
    layout = validation.check_layout(layout)
    base, rotary_dim, scaling = _stated_scaling(
        d, validation.check_base(base), rotary_dim, rope_scaling
    )
    r = validation.check_rotary_dim(rotary_dim, d)
    if not isinstance(hf_compat, bool):
        raise TypeError(f"hf_compat must be a bool, got {hf_compat!r}")
    theta, factor = frequencies_for(r, base, scaling, seq_len, hf_compat)
    theta_error = theta_error_for(r, base, scaling, seq_len, hf_compat)
    return Case(
        x=x,
        y=y,
        positions=positions.astype(np.float64),
        d=d,
        rotary_dim=r,
        base=base,
        layout=layout,
        rope_scaling=scaling,
        seq_len=seq_len,
        precision=precision,
        theta=theta,
        factor=factor,
        hf_compat=hf_compat,
        theta_error=theta_error,
    )


def _stated_scaling(d: int, base: float, rotary_dim, rope_scaling):
    """Move an HF dict's rope_theta into base and its partial_rotary_factor into rotary_dim.

    Returns (base, rotary_dim, scaling dict or None). rope_theta is the stated base; an
    explicit base other than the default 10000 must agree with it. proportional keeps its
    partial_rotary_factor: its theta covers the whole head, zero past the rotated pairs.
    """
    if rope_scaling is None:
        return base, rotary_dim, None
    if not isinstance(rope_scaling, dict):
        raise TypeError(
            "rope_scaling must be a dict such as HF's rope_parameters, or None, "
            f"got {type(rope_scaling).__name__}"
        )
    scaling = dict(rope_scaling)
    rope_theta = scaling.pop("rope_theta", None)
    if rope_theta is not None:
        rope_theta = validation.check_base(rope_theta, "rope_scaling['rope_theta']")
        if base not in (10000.0, rope_theta):
            raise ValueError(
                f"base ({base:g}) and rope_scaling['rope_theta'] ({rope_theta:g}) "
                "disagree; give one of them, or the same value"
            )
        base = rope_theta
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "proportional":
        return base, d if rotary_dim is None else rotary_dim, scaling
    if "partial_rotary_factor" in scaling:
        factor = validation.check_partial_rotary_factor(scaling.pop("partial_rotary_factor"))
        from_dict = int(d * factor)
        if rotary_dim is not None and rotary_dim != from_dict:
            raise ValueError(
                f"rotary_dim ({rotary_dim}) and int(d * partial_rotary_factor) "
                f"({from_dict}) disagree; give one of them, or the same value"
            )
        rotary_dim = from_dict
    return base, rotary_dim, scaling
