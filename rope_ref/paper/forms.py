"""Steps 3 and 4 of RoPE as the paper writes them (arXiv 2104.09864 v5): the rotary
matrix, and the three forms of rotating q and k, each as its own function:

- matrix form (eq 14):       f(x, m) = R^d_(Theta,m) x, R block-diagonal (eqs 13, 15);
- complex form (eqs 12, 33): pair i as the complex number x_a + i x_b, times e^(i m theta_i);
- element-wise form (eq 34): R x = x * cos(m theta) + rot(x) * sin(m theta), with
  rot(x) = (-x2, x1, -x4, x3, ...) for interleaved pairs.

tests/proofs prove that these are the same map (for both layouts), and tests/paper/
test_forms.py that ``rope_ref.rotate``, the blocked fast path of eq 34
(``rope_ref.paper.rotary``), equals each of them. These are the readable forms: they
build full-size float64 temporaries (the matrix form a (..., seq, r, r) array).

Shapes: x is (..., seq, d); positions (seq,) or broadcastable to x.shape[:-1], or with
``axes`` vector positions (k, ...) (``rope_ref.paper.axes``); theta (rotary_dim/2,).
The first ``rotary_dim`` features are rotated, the rest pass through.
All trigonometry is float64; the output has x's dtype.
"""

from __future__ import annotations

import numpy as np

from rope_ref.paper.angles import angles
from rope_ref.paper.axes import axis_angles, prepare_axes
from rope_ref.paper.layouts import pair_indices
from rope_ref.validation import check_layout, check_positions, check_theta
from rope_ref.validation.axes import check_single_vector_position
from rope_ref.validation.core import check_size, fit_rotated


def rotary_matrix(m: float, theta, layout: str = "interleaved", axes=None) -> np.ndarray:
    """R^d_(Theta,m) of eq 15: d/2 blocks [[cos m theta_i, -sin m theta_i],
    [sin m theta_i, cos m theta_i]] on the pairs of ``layout`` (eq 13 for one block).

    Args:
        m: a finite real position.
        theta: (d/2,) frequencies.
        layout: ``"interleaved"`` (block-diagonal, as printed) or ``"half"`` (the same
            blocks on pairs (i, i + d/2), i.e. P^T R P).
        axes: (d/2,) the axis of each frequency (``rope_ref.paper.axes``); m is then one
            vector position p of shape (k,), and block i turns by p_(a(i)) theta_i.

    Returns:
        R: (d, d) float64, orthogonal with determinant 1.
    """
    m, theta = check_positions(m, "m"), check_theta(theta)
    d = 2 * theta.size
    check_size("theta is", f"R of shape (d, d) = ({d}, {d})", (d, d))
    if axes is not None:  # block i turns by p_(a(i)) theta_i
        check_single_vector_position(m)
        return matrices(axis_angles(m, theta, axes), check_layout(layout))
    if m.size != 1:
        raise ValueError(f"m must be a single position, got shape {m.shape}")
    return matrices(angles(m.reshape(1), theta)[0], check_layout(layout))  # m of any shape


def rotate_matrix_form(
    x: np.ndarray,
    positions,
    *,
    theta=None,
    axes=None,
    base: float = 10000.0,
    layout: str = "interleaved",
    rotary_dim: int | None = None,
) -> np.ndarray:
    """The matrix form of eq 14: y = R^d_(Theta,m) x with R built explicitly per position.

    Teaching form: builds a (..., seq, rotary_dim, rotary_dim) array. Same arguments,
    shapes and dtype rules as ``rotate``.
    """
    x, phi, layout, r = prepare_axes(x, positions, theta, base, layout, rotary_dim, axes)
    check_size("x (or positions) is", "R of shape (..., seq, r, r)", phi.shape[:-1] + (r, r))
    R = matrices(phi, layout)
    out = x.copy()
    with np.errstate(over="ignore", invalid="ignore"):  # named by fit_rotated
        y = np.einsum("...ij,...j->...i", R, x[..., :r].astype(np.float64))  # eq 14
    out[..., :r] = fit_rotated(y, x.dtype)
    return out


def rotate_complex_form(
    x: np.ndarray,
    positions,
    *,
    theta=None,
    axes=None,
    base: float = 10000.0,
    layout: str = "interleaved",
    rotary_dim: int | None = None,
) -> np.ndarray:
    """The complex form of eqs 12 and 33: pair i is z_i = x_a + i x_b, and
    f(x, m)_i = z_i e^(i m theta_i). Same arguments, shapes and dtype rules as ``rotate``."""
    x, phi, layout, r = prepare_axes(x, positions, theta, base, layout, rotary_dim, axes)
    a, b = pair_indices(r, layout)
    z = x[..., a].astype(np.float64) + 1j * x[..., b].astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # named by fit_rotated
        w = z * np.exp(1j * phi)  # z_i e^(i m theta_i)  (eqs 12, 33)
    out = x.copy()
    out[..., a] = fit_rotated(w.real, x.dtype)
    out[..., b] = fit_rotated(w.imag, x.dtype)
    return out


def rotate_elementwise_form(
    x: np.ndarray,
    positions,
    *,
    theta=None,
    axes=None,
    base: float = 10000.0,
    layout: str = "interleaved",
    rotary_dim: int | None = None,
) -> np.ndarray:
    """The element-wise form of eq 34, written as the paper prints it:

        R^d_(Theta,m) x = x (*) (cos m theta_1, cos m theta_1, ..., cos m theta_(d/2),
                                 cos m theta_(d/2))
                        + rot(x) (*) (sin m theta_1, sin m theta_1, ...)

    with rot(x) = (-x_2, x_1, -x_4, x_3, ...) (``quarter_turn``). Same arguments, shapes
    and dtype rules as ``rotate``; ``rotate`` computes the same products block by block.
    """
    x, phi, layout, r = prepare_axes(x, positions, theta, base, layout, rotary_dim, axes)
    a, b = pair_indices(r, layout)
    cos = np.empty(phi.shape[:-1] + (r,))
    cos[..., a] = cos[..., b] = np.cos(phi)  # (cos m theta_1, cos m theta_1, ...)
    sin = np.empty(phi.shape[:-1] + (r,))
    sin[..., a] = sin[..., b] = np.sin(phi)  # (sin m theta_1, sin m theta_1, ...)
    x_r = x[..., :r].astype(np.float64)
    out = x.copy()
    with np.errstate(over="ignore", invalid="ignore"):  # named by fit_rotated
        y = x_r * cos + quarter_turn(x_r, layout) * sin  # eq 34
    out[..., :r] = fit_rotated(y, x.dtype)
    return out


def quarter_turn(x: np.ndarray, layout: str = "interleaved") -> np.ndarray:
    """rot(x) of eq 34: each pair (x_a, x_b) becomes (-x_b, x_a), a quarter turn.

    Interleaved pairs give (-x_2, x_1, -x_4, x_3, ...) as eq 34 prints it; half-split
    pairs give (-x_(r/2+1), ..., -x_r, x_1, ..., x_(r/2)), HF's ``rotate_half``.
    x: (..., r); returns (..., r).
    """
    a, b = pair_indices(x.shape[-1], check_layout(layout))
    out = np.empty_like(x)
    out[..., a] = -x[..., b]  # -x_2, -x_4, ...
    out[..., b] = x[..., a]  # x_1, x_3, ...
    return out


def matrices(phi: np.ndarray, layout: str) -> np.ndarray:
    """Rotary matrices for angles phi of shape (..., r/2): returns (..., r, r) float64."""
    r = 2 * phi.shape[-1]
    a, b = pair_indices(r, layout)
    cos, sin = np.cos(phi), np.sin(phi)
    R = np.zeros(phi.shape[:-1] + (r, r))
    R[..., a, a] = cos  # [[cos m theta_i, -sin m theta_i],
    R[..., a, b] = -sin  #  [sin m theta_i,  cos m theta_i]]  (eq 13, block i of eq 15)
    R[..., b, a] = sin
    R[..., b, b] = cos
    return R
