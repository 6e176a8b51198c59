"""Shared SymPy tools for the proofs: the paper's objects built from their definitions,
an exact zero test for trigonometric polynomials, and readable failure messages.

Nothing here imports rope_ref except ``library_rotary_matrix``, which reads the library's
own R off ``rope_ref.rotary_matrix`` (proof 8).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

#: the position m, a real symbol.
M = sp.Symbol("m", real=True)


def symbols_theta(half: int) -> list[sp.Symbol]:
    """theta_1..theta_(d/2) as positive symbols (eq 15 indexes them from 1)."""
    return list(sp.symbols(f"theta_1:{half + 1}", positive=True))


def block(phi: sp.Expr) -> sp.Matrix:
    """The 2x2 rotation of eq 13: [[cos phi, -sin phi], [sin phi, cos phi]]."""
    return sp.Matrix([[sp.cos(phi), -sp.sin(phi)], [sp.sin(phi), sp.cos(phi)]])


def rotary_paper(m: sp.Expr, thetas) -> sp.Matrix:
    """R^d_(Theta,m) of eq 15, as printed: block-diagonal, block i turns by m theta_i."""
    return sp.diag(*[block(m * t) for t in thetas])


def rotary_from_pairs(m: sp.Expr, thetas, a, b) -> sp.Matrix:
    """The same blocks placed on feature pairs (a[i], b[i]) (a layout)."""
    d = 2 * len(thetas)
    R = sp.zeros(d, d)
    for t, ai, bi in zip(thetas, a, b, strict=True):
        c, s = sp.cos(m * t), sp.sin(m * t)
        R[int(ai), int(ai)], R[int(ai), int(bi)] = c, -s
        R[int(bi), int(ai)], R[int(bi), int(bi)] = s, c
    return R


def elementwise_interleaved(x, thetas, m=M):
    """Eq 34: x * (cos m theta_1, cos m theta_1, ...) + (-x_2, x_1, -x_4, x_3, ...) * sin."""
    cos = [sp.cos(m * t) for t in thetas for _ in (0, 1)]
    sin = [sp.sin(m * t) for t in thetas for _ in (0, 1)]
    rotated = [v for i in range(len(thetas)) for v in (-x[2 * i + 1], x[2 * i])]
    return sp.Matrix([x[j] * cos[j] + rotated[j] * sin[j] for j in range(len(x))])


def elementwise_half(x, thetas, m=M):
    """HF's rotate_half form: x * cat(cos, cos) + cat(-x[h:], x[:h]) * cat(sin, sin)."""
    h = len(thetas)
    cos = [sp.cos(m * t) for t in thetas] * 2
    sin = [sp.sin(m * t) for t in thetas] * 2
    rotated = [-x[j + h] for j in range(h)] + [x[j] for j in range(h)]
    return sp.Matrix([x[j] * cos[j] + rotated[j] * sin[j] for j in range(2 * h)])


def permutation_matrix(P) -> sp.Matrix:
    """The matrix Pi with (Pi x)_j = x[P[j]], i.e. Pi x = x[..., P] (to_half_layout)."""
    d = len(P)
    Pi = sp.zeros(d, d)
    for j, p in enumerate(P):
        Pi[j, int(p)] = 1
    return Pi


def _reduce_pythagoras(expr: sp.Expr) -> sp.Expr:
    """Rewrite every sin(a)^k, k >= 2, as (1 - cos(a)^2) sin(a)^(k-2) until none is left.

    A polynomial in cos(a_j), sin(a_j) with sin of degree <= 1 in each a_j is a normal
    form modulo sin^2 + cos^2 = 1 (the monomials cos^p, sin cos^p form a basis), so the
    result is 0 exactly when the input is 0 as a function (for independent a_j).
    """

    def is_sin_power(e):
        return e.is_Pow and isinstance(e.base, sp.sin) and e.exp.is_Integer and e.exp >= 2

    def lower(e):
        return (1 - sp.cos(e.base.args[0]) ** 2) * sp.sin(e.base.args[0]) ** (e.exp - 2)

    while expr.has(sp.sin) and expr.find(is_sin_power):
        expr = sp.expand(expr.replace(is_sin_power, lower))
    return expr


def trig_residual(expr: sp.Expr) -> sp.Expr:
    """A canonical form of ``expr`` that is 0 iff expr == 0 identically.

    Steps: expand arguments, expand_trig (angle sums into products), expand_complex
    (e^(i a) into cos a + i sin a for real symbols), expand, reduce sin^2 + cos^2 = 1.
    """
    expr = sp.expand(sp.expand_complex(sp.expand_trig(sp.expand(expr))))
    expr = sp.expand(sp.expand_trig(expr))
    return _reduce_pythagoras(expr)


def assert_zero(expr: sp.Expr, claim: str) -> None:
    """Fail with ``claim: residual ...`` unless expr is identically 0."""
    residual = trig_residual(expr)
    assert residual == 0, f"{claim}: residual {residual}"


def assert_matrix_zero(M: sp.Matrix, claim: str, block_of=None) -> None:
    """Fail naming the first nonzero entry of M (and its 2x2 block if block_of is given)."""
    for r in range(M.rows):
        for c in range(M.cols):
            residual = trig_residual(M[r, c])
            if residual != 0:
                where = f"entry ({r}, {c})"
                if block_of is not None:
                    where = f"block {block_of(r, c)}, {where}"
                raise AssertionError(f"{claim} at {where}: residual {residual}")


def library_rotary_matrix(d: int, layout: str, m: sp.Expr, thetas) -> sp.Matrix:
    """The library's R^d_(Theta,m), read off ``rope_ref.rotary_matrix`` as a SymPy matrix.

    rotary_matrix(1, theta) is probed at theta = 0 (R0), and with theta_i = pi (cos -1,
    sin 0) or pi/2 (cos 0, sin 1) for one i: if the library's R is R0 + (cos - 1) A_i +
    sin B_i per frequency, then A_i = (R0 - R(pi))/2 and B_i = R(pi/2) - R0 + A_i, and

        R_lib(m) = R0 + sum_i (cos(m theta_i) - 1) A_i + sin(m theta_i) B_i.

    The probes are rounded to integers (they are 0, +-1 up to float rounding). That the
    model is right, i.e. that R_lib equals rotary_matrix at other points, is tested
    separately on random points (tests/proofs/test_library_matches_proofs.py).
    """
    from rope_ref import rotary_matrix

    half = d // 2
    R0 = np.rint(rotary_matrix(1.0, np.zeros(half), layout))
    R = sp.Matrix(R0.astype(int))
    for i in range(half):
        theta = np.zeros(half)
        theta[i] = np.pi
        A = np.rint((R0 - rotary_matrix(1.0, theta, layout)) / 2).astype(int)
        theta[i] = np.pi / 2
        B = np.rint(rotary_matrix(1.0, theta, layout) - R0 + A).astype(int)
        phi = m * thetas[i]
        R += (sp.cos(phi) - 1) * sp.Matrix(A) + sp.sin(phi) * sp.Matrix(B)
    return R
