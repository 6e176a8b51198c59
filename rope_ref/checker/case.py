"""What the checker knows about one run: the inputs and outputs, and the RoPE the
implementation claims to be (configuration, theta of eq 15 or a scaling variant, the
attention factor), with HF dicts' rope_theta and partial_rotary_factor resolved."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rope_ref import validation
from rope_ref.checker.models import Model
from rope_ref.paper.bounds import scaled_theta_error_bound, theta_error_bound
from rope_ref.paper.frequencies import frequencies
from rope_ref.scaling.config import stated
from rope_ref.scaling.scaled import scaled_frequencies


@dataclass(frozen=True)
class Case:
    """One run of an implementation, and the RoPE it claims to be.

    x, y: (batch, heads, seq, d) float64 inputs and outputs (y may hold NaN);
    positions: (seq,) float64; theta: (rotary_dim/2,) stated frequencies; factor: the
    stated attention factor; precision: the stated working precision; form: the form of
    a scaling variant ("code", the released code, or "paper"; ``rope_ref.scaling``).
    adopted_phi: (seq, rotary_dim/2) angles that replace positions x theta as the stated
    ones, or None: a Case "stated" as an implementation with one mistake already made
    whose angles are no product of positions and frequencies (cos and sin swapped, a phase
    rounded to bfloat16), so that a second mistake on the pairs or the factor is fitted
    on top of it (``rope_ref.checker.compound``).
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
    form: str = "code"
    theta_error: float = 0.0
    adopted_phi: np.ndarray | None = None

    def frequencies(self, rotary_dim: int | None = None, base: float | None = None):
        """(theta, attention_factor) of the stated configuration with another rotary_dim
        or base."""
        return frequencies_for(
            rotary_dim or self.rotary_dim,
            self.base if base is None else base,
            self.rope_scaling,
            self.seq_len,
            self.form,
        )

    @property
    def phi(self) -> np.ndarray:
        """(seq, rotary_dim/2) stated angles m theta_i (eq 13), or ``adopted_phi``."""
        if self.adopted_phi is not None:
            return self.adopted_phi
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
            theta=self.theta if (rotary_dim or self.rotary_dim) == self.rotary_dim else None,
        )


def frequencies_for(
    rotary_dim: int, base: float, rope_scaling, seq_len, form: str = "code"
) -> tuple[np.ndarray, float]:
    """(theta, attention_factor): eq 15 over rotary_dim, or a scaling variant of it.

    rope_scaling is None or a dict for ``rope_ref.scaling.scaled_frequencies`` without
    rope_theta and partial_rotary_factor (``check`` moves them into base and rotary_dim;
    only rope_type proportional keeps its factor, as it is defined over the whole head).
    """
    key = (rotary_dim, base, None if rope_scaling is None else repr(rope_scaling), seq_len, form)
    if key not in _FREQUENCIES:
        if len(_FREQUENCIES) >= _FREQUENCIES_KEPT:
            _FREQUENCIES.clear()
        if rope_scaling is None:
            _FREQUENCIES[key] = (frequencies(rotary_dim, base), 1.0)
        else:
            theta, factor = scaled_frequencies(
                rotary_dim, base, rope_scaling, seq_len=seq_len, form=form
            )
            _FREQUENCIES[key] = (np.asarray(theta, dtype=np.float64), float(factor))
    theta, factor = _FREQUENCIES[key]
    return theta.copy(), factor


#: ``frequencies_for``'s answers by their arguments: a fitted base is searched on the
#: same grid of bases for every case a compound diagnosis states (``rope_ref.checker.
#: compound``), so each grid point's theta is computed once. Emptied when full.
_FREQUENCIES: dict[tuple, tuple[np.ndarray, float]] = {}
_FREQUENCIES_KEPT = 4096


def theta_error_for(
    rotary_dim: int, base: float, rope_scaling, seq_len, form: str = "code"
) -> float:
    """The largest relative error bound of ``frequencies_for``'s theta against the exact
    one (``rope_ref.angles.theta_error_bound``, or ``scaled_theta_error_bound``)."""
    if rope_scaling is None:
        return float(np.max(theta_error_bound(rotary_dim, base)))
    bound = scaled_theta_error_bound(rotary_dim, base, rope_scaling, seq_len, form=form)
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
    form=None,
    hf_compat=None,
):
    layout = validation.check_layout(layout)
    base, rotary_dim, scaling = stated(d, validation.check_base(base), rotary_dim, rope_scaling)
    r = validation.check_rotary_dim(rotary_dim, d)
    form = validation.check_form(form, hf_compat)
    theta, factor = frequencies_for(r, base, scaling, seq_len, form)
    theta_error = theta_error_for(r, base, scaling, seq_len, form)
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
        form=form,
        theta_error=theta_error,
    )
