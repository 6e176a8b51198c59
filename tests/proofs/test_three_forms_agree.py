"""Proof 4: the matrix (eqs 14-15), complex (eqs 12, 33) and element-wise (eq 34) forms
are the same map, for both layouts.

Interleaved (the paper): pair i is features (2i, 2i+1). Half (GPT-NeoX, HF Llama): pair i
is features (i, i + d/2); a vector in that layout is Pi x where Pi is the permutation that
``rope_ref.to_half_layout`` applies (x_half = x[..., P], P = half_permutation(d)), so the
half-layout rotation must be Pi R Pi^T. All symbolic: x, m, theta_1..theta_(d/2), every
even d up to 16. See derivations/04-three-forms.md.

Eq 34 prints the product as a circled times; it is the element-wise product, and the
rotated vector is interleaved: (-x_2, x_1, -x_4, x_3, ..., -x_d, x_(d-1)).
"""

import numpy as np
import pytest
import sympy as sp

from proofs._sym import (
    assert_matrix_zero,
    elementwise_half,
    elementwise_interleaved,
    permutation_matrix,
    rotary_paper,
    symbols_theta,
)
from rope_ref import half_permutation, to_half_layout

m = sp.Symbol("m", real=True)
EVEN_D = range(2, 17, 2)


def _setup(d):
    x = sp.Matrix(sp.symbols(f"x_1:{d + 1}", real=True))
    return x, symbols_theta(d // 2)


def matrix_form(x, thetas):
    """Eq 14: R^d_(Theta,m) x with R block-diagonal as printed in eq 15."""
    return rotary_paper(m, thetas) * x


def complex_form(x, thetas, first, second):
    """Eqs 12/33: z_i = x[first(i)] + i x[second(i)], times e^{i m theta_i}."""
    y = sp.zeros(len(x), 1)
    for i, t in enumerate(thetas):
        w = sp.expand_complex((x[first(i)] + sp.I * x[second(i)]) * sp.exp(sp.I * m * t))
        y[first(i)], y[second(i)] = sp.re(w), sp.im(w)
    return y


def half_matrix_by_definition(thetas):
    """The eq 13 blocks placed on pairs (i, i + d/2), written out entry by entry."""
    h = len(thetas)
    R = sp.zeros(2 * h, 2 * h)
    for i, t in enumerate(thetas):
        c, s = sp.cos(m * t), sp.sin(m * t)
        R[i, i], R[i, i + h], R[i + h, i], R[i + h, i + h] = c, -s, s, c
    return R


@pytest.mark.parametrize("d", EVEN_D)
def test_interleaved_forms_are_one_map(d):
    """Matrix = complex = element-wise for interleaved pairs (2i, 2i+1)."""
    x, thetas = _setup(d)
    y = matrix_form(x, thetas)
    z = complex_form(x, thetas, lambda i: 2 * i, lambda i: 2 * i + 1)
    assert_matrix_zero(y - z, f"matrix form != complex form (interleaved, d = {d})")
    e = elementwise_interleaved(x, thetas)
    assert_matrix_zero(y - e, f"matrix form != element-wise form eq 34 (d = {d})")


@pytest.mark.parametrize("d", EVEN_D)
def test_library_permutation_is_to_half_layout(d):
    """Pi built from half_permutation(d) acts as to_half_layout does (on symbols)."""
    x, _ = _setup(d)
    Pi = permutation_matrix(half_permutation(d))
    via_library = sp.Matrix(to_half_layout(np.array(list(x), dtype=object)).tolist())
    assert Pi * x == via_library, f"Pi x != to_half_layout(x) (d = {d}): {via_library.T}"
    assert Pi * Pi.T == sp.eye(d), f"Pi is not a permutation (d = {d})"


@pytest.mark.parametrize("d", EVEN_D)
def test_half_layout_is_P_R_P_transpose(d):
    """Pi R Pi^T (Pi from the library's half_permutation) is the rotation on pairs
    (i, i + d/2), and its complex and rotate_half forms are the same map."""
    x, thetas = _setup(d)
    Pi = permutation_matrix(half_permutation(d))
    R_half = Pi * rotary_paper(m, thetas) * Pi.T
    assert_matrix_zero(
        R_half - half_matrix_by_definition(thetas), f"Pi R Pi^T != half-layout R (d = {d})"
    )
    y = R_half * x
    h = d // 2
    z = complex_form(x, thetas, lambda i: i, lambda i: i + h)
    assert_matrix_zero(y - z, f"Pi R Pi^T x != complex form on pairs (i, i+d/2) (d = {d})")
    e = elementwise_half(x, thetas)
    assert_matrix_zero(y - e, f"Pi R Pi^T x != rotate_half form (d = {d})")
