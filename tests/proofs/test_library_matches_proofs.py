"""Proof 8: the library computes the maps the proofs are about.

A proof about a formula the library does not use proves nothing about the library, so:

1. ``rotary_matrix`` is read off the library as a SymPy matrix (``_sym.library_rotary_matrix``
   probes it at angles 0, pi/2, pi), that model is checked against the library at random
   points, and then it is shown to be *exactly* eq 15's R (interleaved) and Pi R Pi^T with
   Pi from the library's ``half_permutation`` (half); proofs 2 and 3 are re-run on it.
2. ``to_half_layout``, ``to_interleaved_layout`` and ``permute_qk_weights`` run on SymPy
   object arrays as they are, so their claims are proven on the library's own code.
3. ``rotate``, ``rotate_matrix_form``, ``rotate_complex_form``, ``unrotate`` and the decay
   functions take float arrays only; the proven forms are lambdified and compared with
   them at many random points to 1e-13.

See derivations/08-library-matches-proofs.md.
"""

import numpy as np
import pytest
import sympy as sp

import rope_ref
from proofs._sym import (
    assert_matrix_zero,
    elementwise_half,
    elementwise_interleaved,
    library_rotary_matrix,
    permutation_matrix,
    rotary_paper,
    symbols_theta,
)
from rope_ref import (
    half_permutation,
    pair_products,
    permute_qk_weights,
    rotary_matrix,
    to_half_layout,
    to_interleaved_layout,
)

m, n = sp.symbols("m n", real=True)
LAYOUTS = ("interleaved", "half")
TOL = 1e-13


def _random_points(rng, count, half):
    """Positions in [-100, 100] and frequencies in (0, 1]: angles up to 100 rad, whose
    float64 error (rope_ref.angles) stays below 1e-13."""
    return rng.uniform(-100, 100, count), rng.uniform(0.0, 1.0, (count, half)) + 1e-3


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("d", (2, 8, 16))
def test_library_rotary_matrix_model_is_exact(d, layout):
    """The SymPy model of rotary_matrix equals the library at 50 random (m, theta)."""
    thetas = symbols_theta(d // 2)
    model = sp.lambdify([m, thetas], library_rotary_matrix(d, layout, m, thetas), "numpy")
    rng = np.random.default_rng(d)
    for position, theta in zip(*_random_points(rng, 50, d // 2), strict=True):
        got = rotary_matrix(position, theta, layout)
        err = np.abs(got - model(position, theta)).max()
        assert err < TOL, f"rotary_matrix({position}, layout={layout}) off its model by {err}"


@pytest.mark.parametrize("d", range(2, 17, 2))
def test_library_rotary_matrix_is_eq15_and_P_R_P_transpose(d):
    """Exactly: the library's interleaved R is eq 15's, and its half R is Pi R Pi^T with
    Pi from half_permutation (the permutation to_half_layout applies)."""
    thetas = symbols_theta(d // 2)
    R = rotary_paper(m, thetas)
    lib = library_rotary_matrix(d, "interleaved", m, thetas)
    assert_matrix_zero(lib - R, f"library R != eq 15 R (d = {d})")
    Pi = permutation_matrix(half_permutation(d))
    lib_half = library_rotary_matrix(d, "half", m, thetas)
    assert_matrix_zero(lib_half - Pi * R * Pi.T, f"library half R != Pi R Pi^T (d = {d})")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_library_rotary_matrix_relative_identity_and_orthogonality(layout):
    """Proofs 2 and 3 on the library's own matrices (d = 16): R_m^T R_n = R_(n-m),
    R^T R = I."""
    d = 16
    thetas = symbols_theta(d // 2)

    def R(p):
        return library_rotary_matrix(d, layout, p, thetas)

    assert_matrix_zero(R(m).T * R(n) - R(n - m), f"library R_m^T R_n != R_(n-m) ({layout})")
    assert_matrix_zero(R(m).T * R(m) - sp.eye(d), f"library R^T R != I ({layout})")


@pytest.mark.parametrize("d", (2, 4, 8))
def test_layout_functions_conjugate_the_rotation(d):
    """On SymPy symbols, with the library's layout functions: to_half_layout(R x) =
    R_half to_half_layout(x), to_interleaved_layout inverts it, and permute_qk_weights
    keeps every score q_m^T k_n (eq 16) for the half-layout rotation."""
    thetas = symbols_theta(d // 2)
    x = np.array(sp.symbols(f"x_0:{d}", real=True), dtype=object)
    R, R_half = (library_rotary_matrix(d, lay, m, thetas) for lay in LAYOUTS)
    lhs = sp.Matrix(to_half_layout(np.array(list(R * sp.Matrix(x)), dtype=object)).tolist())
    rhs = R_half * sp.Matrix(to_half_layout(x).tolist())
    assert_matrix_zero(lhs - rhs, f"to_half_layout(R x) != R_half to_half_layout(x) (d={d})")
    back = to_interleaved_layout(to_half_layout(x))
    assert list(back) == list(x), f"to_interleaved_layout does not invert: {back}"

    Wq = np.array(sp.symbols(f"a_0:{d * d}", real=True), dtype=object).reshape(d, d)
    Wk = np.array(sp.symbols(f"b_0:{d * d}", real=True), dtype=object).reshape(d, d)
    y = np.array(sp.symbols(f"y_0:{d}", real=True), dtype=object)

    def score(Wq_, Wk_, R_of):
        q, k = sp.Matrix(Wq_.tolist()) * sp.Matrix(x), sp.Matrix(Wk_.tolist()) * sp.Matrix(y)
        return ((R_of(m) * q).T * (R_of(n) * k))[0, 0]

    paper = score(Wq, Wk, lambda p: library_rotary_matrix(d, "interleaved", p, thetas))
    converted = score(
        permute_qk_weights(Wq, 1, to="half"),
        permute_qk_weights(Wk, 1, to="half"),
        lambda p: library_rotary_matrix(d, "half", p, thetas),
    )
    assert_matrix_zero(sp.Matrix([paper - converted]), f"permuted weights change scores (d={d})")


def _proven_rotation(d: int, layout: str):
    """Lambdified element-wise form (eq 34, or rotate_half for the half layout), proven
    equal to the matrix and complex forms in test_three_forms_agree.py."""
    thetas = symbols_theta(d // 2)
    x = sp.Matrix(sp.symbols(f"x_0:{d}", real=True))
    form = elementwise_interleaved if layout == "interleaved" else elementwise_half
    f = sp.lambdify([x, m, thetas], list(form(x, thetas)), "numpy")
    return lambda xv, pos, th: np.array(f(xv, pos, th))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("d,rotary_dim", [(2, 2), (8, 8), (16, 16), (10, 6)])
def test_library_rotations_match_proven_form(d, rotary_dim, layout):
    """rotate, rotate_matrix_form, rotate_complex_form and unrotate (with -m) equal the
    proven element-wise form on the first rotary_dim features, and pass the rest through,
    at 200 random (x, m, theta) per case, to 1e-13."""
    rng = np.random.default_rng(100 * d + rotary_dim)
    proven = _proven_rotation(rotary_dim, layout)
    positions, thetas = _random_points(rng, 200, rotary_dim // 2)
    x = rng.standard_normal((200, d))
    for position, theta, row in zip(positions, thetas, x, strict=True):
        expected = row.copy()
        expected[:rotary_dim] = proven(row[:rotary_dim], position, theta)
        kwargs = dict(theta=theta, layout=layout, rotary_dim=rotary_dim)
        for fn in (
            rope_ref.rotate,
            rope_ref.rotate_matrix_form,
            rope_ref.rotate_complex_form,
            rope_ref.rotate_elementwise_form,
        ):
            got = fn(row[None, :], [position], **kwargs)[0]
            err = np.abs(got - expected).max()
            assert err < TOL, f"{fn.__name__} off the proven form by {err} ({layout}, d={d})"
        back = rope_ref.unrotate(expected[None, :], [position], **kwargs)[0]
        err = np.abs(back - row).max()
        assert err < TOL, f"unrotate is not R_(-m) ({layout}): off by {err}"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_library_decay_functions_match_proven_forms(layout):
    """pair_products, partial_sums, relative_score, decay_bound and relative_upper_bound
    equal the lambdified h_i, S_j (eq 35), Re[sum h_i (S_(i+1) - S_i)] and the eq 37 bound
    at 100 random (q, k, m - n), d = 16, base 10000, to 1e-13 relative."""
    d, half = 16, 8
    a, b = (
        (np.arange(half), np.arange(half) + half)
        if layout == "half"
        else (np.arange(0, d, 2), np.arange(1, d, 2))
    )
    q_s = sp.symbols(f"q_0:{d}", real=True)
    k_s = sp.symbols(f"k_0:{d}", real=True)
    delta = sp.Symbol("delta", real=True)
    theta = [sp.Integer(10000) ** sp.Rational(-2 * i, d) for i in range(half)]
    h = [(q_s[a[i]] + sp.I * q_s[b[i]]) * (k_s[a[i]] - sp.I * k_s[b[i]]) for i in range(half)]
    S = [sum(sp.exp(sp.I * delta * theta[i]) for i in range(j)) for j in range(half + 1)]
    score = sp.re(sum(h[i] * (S[i + 1] - S[i]) for i in range(half)))
    bound = sp.Max(*[sp.Abs(hi) for hi in np.diff(h + [0])]) * sum(sp.Abs(s) for s in S[1:])
    curve = sum(sp.Abs(s) for s in S[1:]) / half
    f_h, f_S, f_score, f_bound, f_curve = (
        sp.lambdify([q_s, k_s, delta], expr, "numpy") for expr in (h, S, score, bound, curve)
    )
    rng = np.random.default_rng(7)
    for _ in range(100):
        q, k, dist = rng.standard_normal(d), rng.standard_normal(d), rng.uniform(-300, 300)
        pairs = {
            "pair_products": (pair_products(q, k, layout)[:half], np.array(f_h(q, k, dist))),
            "partial_sums": (rope_ref.partial_sums(dist, d)[0], np.array(f_S(q, k, dist))),
            "relative_score": (
                rope_ref.relative_score(q, k, dist, layout=layout)[0],
                f_score(q, k, dist),
            ),
            "decay_bound": (
                rope_ref.decay_bound(q, k, dist, layout=layout)[0],
                f_bound(q, k, dist),
            ),
            "relative_upper_bound": (
                rope_ref.relative_upper_bound(dist, d)[0],
                f_curve(q, k, dist),
            ),
        }
        for name, (got, expected) in pairs.items():
            err = np.max(np.abs(got - expected)) / max(1.0, np.max(np.abs(expected)))
            assert err < TOL, f"{name} off the proven form by {err} at m - n = {dist}"
