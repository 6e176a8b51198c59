"""Steps 3 and 4 of RoPE: the rotary matrix and rotating q and k (arXiv 2104.09864 v5).

Three forms of the same map, each with its own function, all agreeing
(tests/test_forms.py):

- matrix form (eq 14):       f(x, m) = R^d_(Theta,m) x, R block-diagonal (eqs 13, 15);
- complex form (eqs 12, 33): pair i as the complex number x_a + i x_b, times e^(i m theta_i);
- element-wise form (eq 34): R x = x * cos(m theta) + rot(x) * sin(m theta), with
  rot(x) = (-x2, x1, -x4, x3, ...) for interleaved pairs. ``rotate`` uses this one.

Shapes: x is (..., seq, d); positions (seq,) or broadcastable to x.shape[:-1];
theta (rotary_dim/2,). The first ``rotary_dim`` features are rotated, the rest pass through.
All trigonometry is float64; the output has x's dtype.
"""

from __future__ import annotations

import numpy as np

from rope_ref.paper import blockwise
from rope_ref.paper.angles import UNIT_ROUNDOFF, angle_error_bound, angles
from rope_ref.paper.frequencies import frequencies
from rope_ref.paper.layouts import pair_indices
from rope_ref.scaling.scaled import _head_frequencies, _scaling_dim, scaled_theta_error_bound
from rope_ref.validation import (
    check_base,
    check_bool,
    check_float_array,
    check_layout,
    check_positions,
    check_positions_fit,
    check_rotary_dim,
    check_scaling_args,
    check_theta,
)


def rotary_matrix(m: float, theta, layout: str = "interleaved") -> np.ndarray:
    """R^d_(Theta,m) of eq 15: d/2 blocks [[cos m theta_i, -sin m theta_i],
    [sin m theta_i, cos m theta_i]] on the pairs of ``layout`` (eq 13 for one block).

    Args:
        m: a finite real position.
        theta: (d/2,) frequencies.
        layout: ``"interleaved"`` (block-diagonal, as printed) or ``"half"`` (the same
            blocks on pairs (i, i + d/2), i.e. P^T R P).

    Returns:
        R: (d, d) float64, orthogonal with determinant 1.
    """
    m = check_positions(m, "m")
    if m.size != 1:
        raise ValueError(f"m must be a single position, got shape {m.shape}")
    return _matrices(angles(m, theta)[0], check_layout(layout))


def rotate(
    x: np.ndarray,
    positions,
    *,
    theta=None,
    base: float | None = None,
    layout: str = "interleaved",
    rotary_dim: int | None = None,
    rope_scaling: dict | None = None,
    seq_len: int | None = None,
    hf_compat: bool = False,
) -> np.ndarray:
    """f_{q,k}(x, m) = R^d_(Theta,m) x in the element-wise form of eq 34.

    Args:
        x: (..., seq, d) float16/32/64 (queries or keys after W_q / W_k).
        positions: (seq,) or broadcastable to x.shape[:-1]; finite reals.
        theta: (rotary_dim/2,) frequencies; default ``frequencies(rotary_dim, base)``.
        base: the base of eq 15 when theta is not given; None means 10000 (or
            rope_scaling's rope_theta).
        layout: ``"interleaved"`` (the paper) or ``"half"`` (GPT-NeoX / HF Llama).
        rotary_dim: rotate the first rotary_dim features (even, <= d; default d).
        rope_scaling: an HF-style dict (``rope_ref.scaling.scaled_frequencies``); theta
            then comes from it, and cos and sin are multiplied by its attention_factor, as
            HF does (``cos = emb.cos() * attention_scaling``). With partial_rotary_factor
            (or rope_type proportional) it is defined over d and fixes rotary_dim.
        seq_len, hf_compat: passed to ``scaled_frequencies`` (only with rope_scaling).

    Returns:
        (..., seq, d) array of x's dtype. No (seq, d, d) array is ever built: per pair
        (a, b) and position m, in float64,

            y_a = x_a cos(m theta_i) - x_b sin(m theta_i)
            y_b = x_b cos(m theta_i) + x_a sin(m theta_i)              (eq 34)

        (cos and sin each times the attention factor when rope_scaling gives one),
        rounded once to x's dtype. How it runs fast (bench/: ``python -m bench``):
        the pair is held as the complex number x_a + i x_b, so the four products and
        two sums above are one NumPy complex multiply by cos + i sin; x is
        processed in blocks of about ``blockwise.BLOCK`` pairs, so the float64 copy of each block
        stays in cache; cos + i sin is computed once per (positions, theta, factor) and
        reused by the next calls (q and k of every layer share it).
    """
    theta, r, factor = _scaled(x, theta, base, rotary_dim, rope_scaling, seq_len, hf_compat)
    x, m, theta, layout, r = _checked(x, positions, theta, base, layout, r)
    turns = blockwise.turns(m, theta, factor)
    turns = np.broadcast_to(turns, x.shape[:-1] + (r // 2,))
    out = np.empty_like(x)
    out[..., r:] = x[..., r:]
    try:
        with np.errstate(over="raise", invalid="raise"):  # costs nothing when none occurs
            blockwise.rotate_pairs(x[..., :r], turns, out[..., :r], layout)
    except FloatingPointError:
        raise ValueError(
            f"x is too large to rotate in {x.dtype}: a rotated pair (times the attention "
            f"factor {factor}) overflows {x.dtype}'s largest value {np.finfo(x.dtype).max}"
        ) from None
    return out


def unrotate(x: np.ndarray, positions, **kwargs) -> np.ndarray:
    """The inverse rotation R^d_(Theta,-m) = (R^d_(Theta,m))^T: unrotate(rotate(x, m), m) = x.

    Takes the same arguments as ``rotate``.
    """
    return rotate(x, -check_positions(positions), **kwargs)


def rotate_matrix_form(
    x: np.ndarray,
    positions,
    *,
    theta=None,
    base: float = 10000.0,
    layout: str = "interleaved",
    rotary_dim: int | None = None,
) -> np.ndarray:
    """The matrix form of eq 14: y = R^d_(Theta,m) x with R built explicitly per position.

    Teaching form: builds a (..., seq, rotary_dim, rotary_dim) array. Same arguments,
    shapes and dtype rules as ``rotate``.
    """
    x, phi, layout, r = _prepare(x, positions, theta, base, layout, rotary_dim)
    R = _matrices(phi, layout)
    out = x.copy()
    out[..., :r] = np.einsum("...ij,...j->...i", R, x[..., :r].astype(np.float64))
    return out


def rotate_complex_form(
    x: np.ndarray,
    positions,
    *,
    theta=None,
    base: float = 10000.0,
    layout: str = "interleaved",
    rotary_dim: int | None = None,
) -> np.ndarray:
    """The complex form of eqs 12 and 33: pair i is z_i = x_a + i x_b, and
    f(x, m)_i = z_i e^(i m theta_i). Same arguments, shapes and dtype rules as ``rotate``."""
    x, phi, layout, r = _prepare(x, positions, theta, base, layout, rotary_dim)
    a, b = pair_indices(r, layout)
    z = x[..., a].astype(np.float64) + 1j * x[..., b].astype(np.float64)
    w = z * np.exp(1j * phi)
    out = x.copy()
    out[..., a] = w.real
    out[..., b] = w.imag
    return out


def rotation_error_bound(
    x: np.ndarray,
    positions,
    *,
    base: float | None = None,
    layout: str = "interleaved",
    rotary_dim: int | None = None,
    rope_scaling: dict | None = None,
    seq_len: int | None = None,
    hf_compat: bool = False,
) -> np.ndarray:
    """Per-element bound on |rotate(x, positions) - exact RoPE| with exact theta_i.

    For pair (a, b) with angle phi = m theta_i (see ``rope_ref.angles``):

        |y_a - y_a*|, |y_b - y_b*|  <=  (|x_a| + |x_b|) (dphi + 4u) + |y| u_x

    where dphi is bound A of ``angle_error_bound`` (grows with |m theta_i|), 4u covers
    float64 cos/sin (<= 1 ulp each) and the two products and one sum, and u_x is the unit
    roundoff of x's dtype (0 for float64: the float64 result is returned unrounded).
    Pass-through features have bound 0. Returns an x-shaped float64 array.

    With ``rope_scaling``, theta's relative error t_i is ``scaled_theta_error_bound``
    instead of ``theta_error_bound`` (so dphi = |m theta_i| (t_i + u)), and an attention
    factor A != 1 multiplies the bound by A and adds 6u for A's own rounding and the
    products cos * A, sin * A. Where (|x_a| + |x_b|) A exceeds float64's range the bound
    is inf (no finite statement can be made there).
    """
    theta, r, factor = _scaled(x, None, base, rotary_dim, rope_scaling, seq_len, hf_compat)
    x, phi, layout, r = _prepare(x, positions, theta, base, layout, r)
    a, b = pair_indices(r, layout)
    if rope_scaling is None:
        dphi = angle_error_bound(check_positions(positions), r, 10000.0 if base is None else base)
    else:
        n = _scaling_dim(x.shape[-1], rotary_dim, rope_scaling)
        t = scaled_theta_error_bound(n, base, rope_scaling, seq_len, hf_compat=hf_compat)
        dphi = np.abs(phi) * (t + UNIT_ROUNDOFF) * (1.0 + 1e-6)
    u_x = 0.0 if x.dtype == np.float64 else float(np.finfo(x.dtype).eps) / 2
    u_factor = 0.0 if factor == 1.0 else 6 * UNIT_ROUNDOFF
    with np.errstate(over="ignore"):  # past float64's range the bound is inf (see above)
        mag = np.abs(x[..., a].astype(np.float64)) + np.abs(x[..., b].astype(np.float64))
        per_pair = factor * mag * (dphi + 4 * UNIT_ROUNDOFF + u_factor + u_x)
    bound = np.zeros(np.broadcast_shapes(x.shape, per_pair.shape[:-1] + (x.shape[-1],)))
    bound[..., a] = per_pair
    bound[..., b] = per_pair
    return bound


def _prepare(x, positions, theta, base, layout, rotary_dim):
    """Check every argument once; return (x, phi, layout, rotary_dim).

    phi has shape positions.shape + (rotary_dim/2,), float64.
    """
    x, m, theta, layout, r = _checked(x, positions, theta, base, layout, rotary_dim)
    return x, angles(m, theta), layout, r


def _checked(x, positions, theta, base, layout, rotary_dim):
    """Check every argument once; return (x, m, theta, layout, rotary_dim)."""
    x = check_float_array("x", x, min_ndim=2)
    layout = check_layout(layout)
    r = check_rotary_dim(rotary_dim, x.shape[-1])
    m = check_positions(positions)
    check_positions_fit(m, x.shape)
    if theta is None:
        theta = frequencies(r, 10000.0 if base is None else check_base(base))
    else:
        theta = check_theta(theta, r)
    return x, m, theta, layout, r


def _scaled(x, theta, base, rotary_dim, rope_scaling, seq_len, hf_compat):
    """(theta, rotary_dim, attention_factor): from rope_scaling when given, else as passed."""
    check_scaling_args(theta, rope_scaling, seq_len, base=base)
    check_bool("hf_compat", hf_compat)
    if rope_scaling is None:
        return theta, rotary_dim, 1.0
    x = check_float_array("x", x, min_ndim=2)
    theta, factor, r = _head_frequencies(
        x.shape[-1], rotary_dim, base, rope_scaling, seq_len, hf_compat
    )
    return theta, r, factor


def _matrices(phi: np.ndarray, layout: str) -> np.ndarray:
    """Rotary matrices for angles phi of shape (..., r/2): returns (..., r, r) float64."""
    r = 2 * phi.shape[-1]
    a, b = pair_indices(r, layout)
    cos, sin = np.cos(phi), np.sin(phi)
    R = np.zeros(phi.shape[:-1] + (r, r))
    R[..., a, a] = cos
    R[..., a, b] = -sin
    R[..., b, a] = sin
    R[..., b, b] = cos
    return R
