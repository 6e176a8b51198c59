"""Proof 10: multi-axis RoPE (M-RoPE, 2D vision RoPE) keeps the paper's claims.

Block i of R(p) turns by p_(a(i)) theta_i: a linear function of the vector position p.
The proofs take the angle of block i to be theta_i (c_i . p) with symbolic weights c_ij,
which covers every axis assignment a at once (c_ij = 1 if a(i) = j, else 0) and more:

1. the relative identity R(p)^T R(q) = R(q - p) for vector positions, so q . k depends on
   the offset vector only (the block lemma for a linear angle; every d/2 <= 4 with k = 3
   symbolic coordinates; every assignment of d/2 = 3 pairs to 3 axes explicitly);
2. orthogonality: R(p)^T R(p) = I, det R(p) = 1;
3. the reduction to 1D RoPE: with p = (m, ..., m) and any assignment, R(p) = R^d_(Theta,m)
   of eq 15, so M-RoPE's text tokens are eq 34 itself; the library's rotary_matrix and
   rotate agree exactly for every style;
4. long-term decay along each axis: with the offset on axis j only, the score is a
   constant (the pairs of the other axes) plus eq 35's sum over the pairs of axis j, and
   eqs 36-37 bound it by that subsequence's partial sums; and what the bound does for
   Qwen2.5-VL's and Qwen3-VL's sections (derivations/10-multi-axis.md).
"""

from __future__ import annotations

import itertools

import mpmath
import numpy as np
import pytest
import sympy as sp

import rope_ref as rr
from proofs._sym import assert_matrix_zero, assert_zero, block, rotary_paper, symbols_theta
from rope_ref.paper.axes import STYLES

K = 3
P = sp.symbols("p_0:3", real=True)
Q = sp.symbols("q_0:3", real=True)


def weights(half: int) -> list[list[sp.Symbol]]:
    """c_ij, the weight of coordinate j in block i's angle (one-hot for an assignment)."""
    return [list(sp.symbols(f"c_{i}_0:{K}", real=True)) for i in range(half)]


def rotary_vector(p, thetas, c) -> sp.Matrix:
    """R(p): block-diagonal, block i turns by theta_i (c_i . p)."""
    return sp.diag(
        *[
            block(t * sum(cij * pj for cij, pj in zip(ci, p, strict=True)))
            for t, ci in zip(thetas, c, strict=True)
        ]
    )


def test_block_lemma_for_an_angle_linear_in_the_position_vector():
    """R(l(p))^T R(l(q)) = R(l(q - p)) for l(p) = theta (c . p): l is linear."""
    theta = sp.Symbol("theta", positive=True)
    c = sp.symbols("c_0:3", real=True)

    def angle(v):
        return theta * sum(ci * vi for ci, vi in zip(c, v, strict=True))

    diff = [qi - pi for pi, qi in zip(P, Q, strict=True)]
    residual = block(angle(P)).T * block(angle(Q)) - block(angle(diff))
    assert_matrix_zero(residual, "R(l(p))^T R(l(q)) != R(l(q - p))")


@pytest.mark.parametrize("half", [1, 2, 3, 4])
def test_relative_identity_for_vector_positions_and_any_axes(half):
    """R(p)^T R(q) = R(q - p), symbolic p, q in R^3, theta_i and weights c_ij."""
    thetas, c = symbols_theta(half), weights(half)
    diff = [qi - pi for pi, qi in zip(P, Q, strict=True)]
    residual = rotary_vector(P, thetas, c).T * rotary_vector(Q, thetas, c) - rotary_vector(
        diff, thetas, c
    )
    assert_matrix_zero(
        residual,
        f"R(p)^T R(q) != R(q - p) (d = {2 * half})",
        block_of=lambda r, s: (r // 2, s // 2),
    )


def test_relative_identity_for_every_assignment_of_three_pairs_to_three_axes():
    """The same with c one-hot: each of the 27 axis assignments a: {0, 1, 2} -> {t, h, w}."""
    thetas = symbols_theta(3)
    diff = [qi - pi for pi, qi in zip(P, Q, strict=True)]
    for a in itertools.product(range(K), repeat=3):
        c = [[int(j == a_i) for j in range(K)] for a_i in a]
        residual = rotary_vector(P, thetas, c).T * rotary_vector(Q, thetas, c) - rotary_vector(
            diff, thetas, c
        )
        assert_matrix_zero(residual, f"R(p)^T R(q) != R(q - p) for the assignment {a}")


@pytest.mark.parametrize("half", [1, 2])
def test_score_depends_on_the_offset_vector_only(half):
    """q_p . k_q = (R(p) x)^T (R(q) y) = x^T R(q - p) y: no p left once q - p is fixed."""
    thetas, c = symbols_theta(half), weights(half)
    x = sp.Matrix(sp.symbols(f"x_0:{2 * half}", real=True))
    y = sp.Matrix(sp.symbols(f"y_0:{2 * half}", real=True))
    delta = sp.symbols("delta_0:3", real=True)
    shifted = [pi + di for pi, di in zip(P, delta, strict=True)]
    score = ((rotary_vector(P, thetas, c) * x).T * (rotary_vector(shifted, thetas, c) * y))[0, 0]
    relative = (x.T * rotary_vector(delta, thetas, c) * y)[0, 0]
    assert_zero(score - relative, f"q_p . k_(p + delta) != x^T R(delta) y (d = {2 * half})")


@pytest.mark.parametrize("half", [1, 2, 3, 4])
def test_rotary_matrix_of_a_vector_position_is_orthogonal_with_determinant_one(half):
    thetas, c = symbols_theta(half), weights(half)
    R = rotary_vector(P, thetas, c)
    assert_matrix_zero(R.T * R - sp.eye(2 * half), f"R(p)^T R(p) != I (d = {2 * half})")
    outside = [(r, s) for r in range(2 * half) for s in range(2 * half) if r // 2 != s // 2]
    assert all(R[r, s] == 0 for r, s in outside), "R(p) is not block-diagonal"
    for i in range(half):  # det R(p) = the product of the block determinants
        det = R[2 * i : 2 * i + 2, 2 * i : 2 * i + 2].det()
        assert_zero(det - 1, f"det of block {i} of R(p) != 1 (d = {2 * half})")


@pytest.mark.parametrize("half", [1, 2, 3, 4])
def test_equal_coordinates_reduce_to_1d_rope(half):
    """p = (m, m, m) and one-hot weights (sum_j c_ij = 1): R(p) = R^d_(Theta,m) (eq 15)."""
    m = sp.Symbol("m", real=True)
    thetas, c = symbols_theta(half), weights(half)
    c = [[ci[0], ci[1], 1 - ci[0] - ci[1]] for ci in c]  # the weights of block i sum to 1
    residual = rotary_vector([m, m, m], thetas, c) - rotary_paper(m, thetas)
    assert_matrix_zero(residual, f"R((m, m, m)) != R_m (d = {2 * half})")


@pytest.mark.parametrize("style", sorted(STYLES))
def test_the_library_reduces_to_1d_rope_exactly_in_every_style(style):
    """rope_ref.rotary_matrix and rotate at (m, ..., m) are eq 15 / eq 34 of the same theta,
    bit for bit (the same products m theta_i)."""
    d = 128 if STYLES[style][0] == 3 else 64
    theta, axes = rr.axis_frequencies(d, 1e4, style=style)
    k = STYLES[style][0]
    for m in (0.0, 3.0, 4095.0, -17.5):
        vector = rr.rotary_matrix(np.full(k, m), theta, "half", axes=axes)
        assert np.array_equal(vector, rr.rotary_matrix(m, theta, "half")), f"m = {m}"
    x = np.random.default_rng(3).standard_normal((2, 7, d))
    ms = np.array([0, 1, 5, 100, 4096, 65535, 10**6])
    same = rr.rotate(x, np.stack([ms] * k), theta=theta, axes=axes)
    assert np.array_equal(same, rr.rotate(x, ms, theta=theta))


@pytest.mark.parametrize("half", [2, 3, 4])
def test_an_offset_on_one_axis_leaves_the_other_axes_pairs_constant(half):
    """Eq 35 per axis: with offset Delta on axis j only, (R(p) x)^T (R(p + Delta e_j) y) =
    Re[sum_(a(i) != j) h_i] + Re[sum_(a(i) = j) h_i e^(-i Delta theta_i)], h_i the pair
    products of eq 35, for an explicit assignment a (pairs alternating over the axes)."""
    thetas = symbols_theta(half)
    a = [i % K for i in range(half)]
    c = [[int(j == ai) for j in range(K)] for ai in a]
    x = sp.symbols(f"x_0:{2 * half}", real=True)
    y = sp.symbols(f"y_0:{2 * half}", real=True)
    h = [(x[2 * i] + sp.I * x[2 * i + 1]) * (y[2 * i] - sp.I * y[2 * i + 1]) for i in range(half)]
    delta = sp.Symbol("Delta", real=True)
    for j in range(K):
        moved = [P[t] + (delta if t == j else 0) for t in range(K)]
        score = (
            (rotary_vector(P, thetas, c) * sp.Matrix(x)).T
            * (rotary_vector(moved, thetas, c) * sp.Matrix(y))
        )[0, 0]
        rest = sum(h[i] for i in range(half) if a[i] != j)
        axis = sum(h[i] * sp.exp(-sp.I * delta * thetas[i]) for i in range(half) if a[i] == j)
        rhs = sp.re(sp.expand_complex(rest + axis))
        assert_zero(score - rhs, f"the score along axis {j} is not constant + its own sum")


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_abel_transformation_on_one_axis_subsequence(n):
    """Eq 36 on the pairs i_1 < ... < i_n of one axis: sum_l h_l E_l = -sum_l S_(l+1)
    (h_(l+1) - h_l) with S_l the partial sums of E over the subsequence, h_(n+1) = 0."""
    h = list(sp.symbols(f"h_1:{n + 1}")) + [0]
    E = sp.symbols(f"E_1:{n + 1}")
    S = [sum(E[:t]) for t in range(n + 1)]  # S_0 = 0
    direct = sum(h[t] * E[t] for t in range(n))
    abel = -sum(S[t + 1] * (h[t + 1] - h[t]) for t in range(n))
    assert sp.expand(direct - abel) == 0, f"Abel's transformation fails on n = {n} terms"


def _axis_sum(h, theta, delta):
    """mpmath: sum_l h_l e^(-i delta theta_l) and the bound max|h_(l+1) - h_l| sum |S_l|
    (eq 37 on one axis' subsequence, h_(n+1) = 0)."""
    terms = [mpmath.expj(-delta * t) for t in theta]
    total = mpmath.fsum(hl * e for hl, e in zip(h, terms, strict=True))
    hh = list(h) + [mpmath.mpc(0)]
    steps = max(abs(hh[t + 1] - hh[t]) for t in range(len(h)))
    partial, sums = mpmath.mpc(0), mpmath.mpf(0)
    for e in terms:
        partial += e
        sums += abs(partial)
    return total, steps * sums


@pytest.mark.parametrize(
    ("style", "d", "base"),
    [
        ("mrope", 128, 1e6),
        ("mrope_interleaved", 128, 5e6),
        ("axial", 80, 1e4),
        ("pixtral", 64, 1e4),
    ],
)
def test_long_term_decay_bound_holds_along_each_axis(style, d, base):
    """|sum_(a(i) = j) h_i e^(-i Delta theta_i)| <= max |h_(l+1) - h_l| sum_l |S_l| on each
    axis, mpmath at 30 digits, random q and k, Delta from 0 to 4096."""
    mpmath.mp.dps = 30
    theta, axes = rr.axis_frequencies(d, base, style=style)
    rng = np.random.default_rng(10)
    q, k = rng.standard_normal((2, d))
    a, b = rr.pair_indices(d, "interleaved")
    h_all = (q[a] + 1j * q[b]) * (k[a] - 1j * k[b])
    for j in range(int(axes.max()) + 1):
        h = [mpmath.mpc(v) for v in h_all[axes == j]]
        t = [mpmath.mpf(v) for v in theta[axes == j]]
        for delta in (0, 1, 7, 64, 255, 1000, 4096):
            total, bound = _axis_sum(h, t, delta)
            assert abs(total) <= bound * (1 + mpmath.mpf(10) ** -25), (
                f"{style} axis {j}, Delta = {delta}: |sum| = {abs(total)} > bound {bound}"
            )


def _relative_bound(theta: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """(1/n) sum_(l=1..n) |S_l(Delta)|: Figure 2's curve for one axis' n frequencies."""
    S = np.cumsum(np.exp(1j * np.outer(distances, theta)), axis=1)
    return np.abs(S).mean(axis=1)


def test_chunked_mrope_gives_w_no_decay_and_interleaving_gives_every_axis_some():
    """Qwen2.5-VL's sections [16, 24, 24] (base 1e6) hand w the 24 lowest frequencies
    (theta <= 1e6^(-80/128) = 1.8e-4): over distances 0..4096 its bound stays within 2% of
    its start, while t (the fastest 16) falls to a quarter. Qwen3-VL's interleaved sections
    spread each axis over the whole range: every axis falls below 0.55 of its start by
    distance 256 and below 0.4 by 4096."""
    distances = np.arange(4097)
    theta, axes = rr.axis_frequencies(128, 1e6, style="mrope")
    w = _relative_bound(theta[axes == 2], distances)
    t = _relative_bound(theta[axes == 0], distances)
    assert w.min() >= 0.98 * w[0], f"Qwen2.5-VL's w bound falls to {w.min() / w[0]:.3f}"
    assert t[4096] <= 0.25 * t[0], f"Qwen2.5-VL's t bound at 4096 is {t[4096] / t[0]:.3f}"
    theta, axes = rr.axis_frequencies(128, 5e6, style="mrope_interleaved")
    for j, name in enumerate("thw"):
        curve = _relative_bound(theta[axes == j], distances)
        assert curve[256] <= 0.55 * curve[0], f"Qwen3-VL {name} at 256: {curve[256] / curve[0]:.3f}"
        assert curve[4096] <= 0.4 * curve[0], (
            f"Qwen3-VL {name} at 4096: {curve[4096] / curve[0]:.3f}"
        )
