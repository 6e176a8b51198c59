"""Proof 1: the 2D solution (eqs 12-13) meets the goal of eq 11.

Claim: with f_q(x_m, m) = R(m theta) W_q x_m and f_k(x_n, n) = R(n theta) W_k x_n, where
R(a) is the 2x2 rotation of eq 13, the inner product <f_q, f_k> is a function of x_m,
x_n and m - n only, namely g = Re[(W_q x_m)(W_k x_n)^* e^{i(m-n) theta}] (eq 12).
Everything is symbolic: m, n, theta, the 2x2 matrices W_q, W_k and the vectors x_m, x_n.
See derivations/01-goal-2d.md.
"""

import sympy as sp

from proofs._sym import assert_zero, block, trig_residual

m, n, theta, delta = sp.symbols("m n theta delta", real=True)
Wq = sp.Matrix(2, 2, sp.symbols("Wq_11 Wq_12 Wq_21 Wq_22", real=True))
Wk = sp.Matrix(2, 2, sp.symbols("Wk_11 Wk_12 Wk_21 Wk_22", real=True))
xm = sp.Matrix(sp.symbols("xm_1 xm_2", real=True))
xn = sp.Matrix(sp.symbols("xn_1 xn_2", real=True))


def _as_complex(v: sp.Matrix) -> sp.Expr:
    """The 2D vector (v_1, v_2) as the complex number v_1 + i v_2 (eq 12's reading)."""
    return v[0] + sp.I * v[1]


def _inner_product() -> sp.Expr:
    """<f_q(x_m, m), f_k(x_n, n)> with the rotations of eq 13."""
    fq = block(m * theta) * Wq * xm
    fk = block(n * theta) * Wk * xn
    return (fq.T * fk)[0, 0]


def test_2d_rotation_is_complex_multiplication():
    """Eq 13 is eq 12: R(m theta) v is (v_1 + i v_2) e^{i m theta} read back as a vector."""
    v = Wq * xm
    rotated = block(m * theta) * v
    z = sp.expand_complex(_as_complex(v) * sp.exp(sp.I * m * theta))
    assert_zero(rotated[0] - sp.re(z), "eq 13 != eq 12, real part")
    assert_zero(rotated[1] - sp.im(z), "eq 13 != eq 12, imaginary part")


def test_2d_solution_is_g_of_eq12():
    """<f_q, f_k> = Re[(W_q x_m)(W_k x_n)^* e^{i(m-n) theta}] (eq 12's g)."""
    q, k = _as_complex(Wq * xm), _as_complex(Wk * xn)
    g = sp.re(sp.expand_complex(q * sp.conjugate(k) * sp.exp(sp.I * (m - n) * theta)))
    assert_zero(_inner_product() - g, "<f_q(x_m, m), f_k(x_n, n)> != g of eq 12")


def test_2d_solution_depends_only_on_relative_position():
    """Eq 11: substituting m = n + delta, the inner product does not depend on n.

    d/dn of <f_q(x_m, n + delta), f_k(x_n, n)> is identically 0, so the score is a
    function of x_m, x_n and delta = m - n alone.
    """
    score = _inner_product().subs(m, n + delta)
    assert_zero(sp.diff(score, n), "<f_q, f_k> depends on n beyond m - n: d/dn")
    # and the dependence on m - n is real: the score at delta differs from delta = 0
    assert trig_residual(score - score.subs(delta, 0)) != 0, "score ignores m - n entirely"
