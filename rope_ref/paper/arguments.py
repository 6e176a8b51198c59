"""The arguments of step 4, checked once for every form of the rotation: x, positions,
theta (or base, or a rope_scaling dict that gives theta and an attention factor), layout
and rotary_dim. Shapes: x is (..., seq, d); positions (seq,) or broadcastable to
x.shape[:-1]; theta (rotary_dim/2,)."""

from __future__ import annotations

from rope_ref.paper.angles import angles
from rope_ref.paper.frequencies import frequencies
from rope_ref.scaling.config import base_or_default
from rope_ref.scaling.scaled import head_frequencies
from rope_ref.validation import (
    check_float_array,
    check_form,
    check_layout,
    check_layout_dim,
    check_positions,
    check_positions_fit,
    check_rotary_dim,
    check_scaling_args,
    check_theta,
)


def scaled_head(x, theta, base, rotary_dim, rope_scaling, seq_len, form, hf_compat=None):
    """(theta, rotary_dim, attention_factor): from rope_scaling when given, else as passed.
    form / hf_compat: as in ``scaled_frequencies`` (checked here even without rope_scaling)."""
    check_scaling_args(theta, rope_scaling, seq_len, base=base)
    form = check_form(form, hf_compat)
    if rope_scaling is None:
        return theta, rotary_dim, 1.0
    x = check_float_array("x", x, min_ndim=2)
    theta, factor, r = head_frequencies(x.shape[-1], rotary_dim, base, rope_scaling, seq_len, form)
    return theta, r, factor


def checked(x, positions, theta, base, layout, rotary_dim):
    """Check every argument once; return (x, m, theta, layout, rotary_dim)."""
    x = check_float_array("x", x, min_ndim=2)
    layout = check_layout(layout)
    r = check_layout_dim(layout, check_rotary_dim(rotary_dim, x.shape[-1]))
    m = check_positions(positions)
    check_positions_fit(m, x.shape)
    if theta is None:
        theta = frequencies(r, base_or_default(base))
    else:
        theta = check_theta(theta, r)
    return x, m, theta, layout, r


def prepare(x, positions, theta, base, layout, rotary_dim):
    """Check every argument once; return (x, phi, layout, rotary_dim).

    phi has shape positions.shape + (rotary_dim/2,), float64.
    """
    x, m, theta, layout, r = checked(x, positions, theta, base, layout, rotary_dim)
    return x, angles(m, theta), layout, r
