"""Proof 5 (section 3.4.1): the conditions of eqs 24-29 force phi(m) = m theta + gamma (eq 30).

The set-up: write f_q(x_q, m) = R_q(x_q, m) e^{i Theta_q(x_q, m)} and the same for k
(eq 23). The goal (eqs 20-22; eq 21 writes n - m where eq 11 writes m - n) splits into a
radial and an angular condition (eq 24):

    R_q(x_q, m) R_k(x_k, n) = R_g(x_q, x_k, n - m),
    Theta_k(x_k, n) - Theta_q(x_q, m) = Theta_g(x_q, x_k, n - m).

With m = n the radial parts are position-free (eqs 25-27); the angle splits as
Theta_f(x, m) = phi(m) + theta_f(x) (eq 28); n = m + 1 in eq 24 makes phi(m + 1) - phi(m)
a constant (eq 29); and a first-order recurrence with constant step is an arithmetic
progression (eq 30). SymPy's rsolve solves it. See derivations/05-arithmetic-progression.md.
"""

import sympy as sp

from proofs._sym import trig_residual

m, n, gamma, theta_q, theta_k = sp.symbols("m n gamma theta_q theta_k", real=True)
phi = sp.Function("phi")
Theta_g = sp.Function("Theta_g")


def test_angle_step_is_constant():
    """Eq 28 in eq 24 at n = m + 1: phi(m+1) - phi(m) = Theta_g(1) + theta_q - theta_k,
    which does not depend on m (eq 29)."""
    Theta_q = phi(m) + theta_q  # eq 28 for the query at m
    Theta_k = phi(m + 1) + theta_k  # eq 28 for the key at n = m + 1
    eq24 = sp.Eq(Theta_k - Theta_q, Theta_g(1))
    step = sp.solve(eq24, phi(m + 1))[0] - phi(m)
    assert not step.has(m), f"phi(m+1) - phi(m) depends on m: {step}"
    assert sp.simplify(step - (Theta_g(1) + theta_q - theta_k)) == 0, f"step is {step}"


def test_angle_is_arithmetic_progression():
    """Eq 30: the recurrence phi(m+1) - phi(m) = theta with phi(0) = gamma has the unique
    solution phi(m) = m theta + gamma (rsolve: general solution C0 + m theta)."""
    theta = sp.Symbol("theta", real=True)
    general = sp.rsolve(phi(m + 1) - phi(m) - theta, phi(m))
    c0 = sp.Symbol("C0")
    assert sp.expand(general - (c0 + m * theta)) == 0, f"general solution is {general}"
    solution = sp.rsolve(phi(m + 1) - phi(m) - theta, phi(m), {phi(0): gamma})
    assert sp.expand(solution - (m * theta + gamma)) == 0, f"phi(m) = {solution}, not eq 30"


def test_arithmetic_progression_satisfies_eq24():
    """Conversely phi(m) = m theta + gamma meets eq 24: Theta_k(n) - Theta_q(m) =
    (n - m) theta + theta_k - theta_q depends on n - m only (d/dm at fixed n - m is 0)."""
    theta, delta = sp.symbols("theta delta", real=True)

    def progression(p):
        return p * theta + gamma

    angle = (progression(n) + theta_k) - (progression(m) + theta_q)
    at_fixed_delta = angle.subs(n, m + delta)
    assert sp.diff(at_fixed_delta, m) == 0, f"angle depends on m: {at_fixed_delta}"


def test_non_arithmetic_angle_breaks_eq24():
    """A control: phi(m) = m^2 theta is not an arithmetic progression, and the angle
    difference then depends on m at fixed n - m (so the checks above can fail)."""
    theta, delta = sp.symbols("theta delta", real=True)
    angle = ((m + delta) ** 2 * theta + theta_k) - (m**2 * theta + theta_q)
    assert sp.diff(angle, m) != 0


def test_radial_parts_are_position_free():
    """Eqs 25-27: R_q(x_q, m) R_k(x_k, m) = R_g(0) = R_q(x_q, 0) R_k(x_k, 0) = |q| |k| for
    all m; with the 2D solution f = (W x) e^{i m theta} the radius |W x| is constant."""
    w1, w2, theta = sp.symbols("w_1 w_2 theta", real=True)
    f = (w1 + sp.I * w2) * sp.exp(sp.I * m * theta)
    radius_sq = sp.expand_complex(f * sp.conjugate(f))
    assert trig_residual(radius_sq - (w1**2 + w2**2)) == 0, f"|f|^2 = {radius_sq}"
