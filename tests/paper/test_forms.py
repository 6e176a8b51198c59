"""The matrix (eq 14), complex (eqs 12/33) and element-wise (eq 34) forms are one map, and
``rotate`` (eq 34 computed block by block, paper/blockwise.py) is the element-wise form."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import rope_ref as rr
from paper._strategies import rope_cases
from rope_ref.paper.forms import quarter_turn


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


@given(rope_cases())
def test_three_forms_agree_in_float64(case):
    x, positions, layout, rotary_dim = case
    kw = dict(layout=layout, rotary_dim=rotary_dim)
    y = rr.rotate(x, positions, **kw)
    y_matrix = rr.rotate_matrix_form(x, positions, **kw)
    y_complex = rr.rotate_complex_form(x, positions, **kw)
    y_elementwise = rr.rotate_elementwise_form(x, positions, **kw)
    assert _rel(y_matrix, y) <= 1e-12, f"matrix form differs from eq 34 by {_rel(y_matrix, y)}"
    assert _rel(y_complex, y) <= 1e-12, f"complex form differs from eq 34 by {_rel(y_complex, y)}"
    assert _rel(y_elementwise, y) <= 1e-12, f"eq 34 written out differs by {_rel(y_elementwise, y)}"


@given(rope_cases())
def test_the_blocked_fast_path_is_the_elementwise_form(case):
    """rotate and rotate_elementwise_form compute the same products and sums (eq 34) in
    float64: per pair they differ by at most 4 roundings, 4u (|x_a| + |x_b|), of each
    other, whatever the block size, layout and rotary_dim."""
    x, positions, layout, rotary_dim = case
    kw = dict(layout=layout, rotary_dim=rotary_dim)
    fast, readable = rr.rotate(x, positions, **kw), rr.rotate_elementwise_form(x, positions, **kw)
    a, b = rr.pair_indices(rotary_dim, layout)
    mag = np.abs(x[..., a]) + np.abs(x[..., b])
    bound = np.zeros_like(x)
    bound[..., a] = bound[..., b] = 4 * rr.UNIT_ROUNDOFF * mag
    assert np.all(np.abs(fast - readable) <= bound), np.max(np.abs(fast - readable) - bound)
    assert np.array_equal(fast[..., rotary_dim:], readable[..., rotary_dim:])


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("layout", ["interleaved", "half"])
def test_the_fast_path_and_the_elementwise_form_agree_in_low_precision(dtype, layout):
    """Both round one float64 result to x's dtype: at most 1 ulp of x's dtype apart."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 40, 24)).astype(dtype)
    positions = rng.integers(-70000, 70000, 40)
    fast = rr.rotate(x, positions, layout=layout).astype(np.float64)
    readable = rr.rotate_elementwise_form(x, positions, layout=layout)
    assert readable.dtype == dtype
    ulp = np.spacing(np.abs(readable)).astype(np.float64)
    assert np.all(np.abs(fast - readable.astype(np.float64)) <= ulp)


@pytest.mark.parametrize("layout", ["interleaved", "half"])
def test_quarter_turn_is_eq_34s_rot_and_hf_rotate_half(layout):
    """rot(x) of eq 34: (-x2, x1, -x4, x3, ...) for interleaved pairs; for half-split pairs
    HF's rotate_half, cat(-x[r/2:], x[:r/2])."""
    x = np.arange(1.0, 9.0)
    got = quarter_turn(x, layout)
    if layout == "interleaved":
        assert got.tolist() == [-2.0, 1.0, -4.0, 3.0, -6.0, 5.0, -8.0, 7.0]
    else:
        assert got.tolist() == np.concatenate([-x[4:], x[:4]]).tolist()
    assert np.array_equal(quarter_turn(quarter_turn(x, layout), layout), -x)  # two turns: -1


@given(rope_cases(max_d=32))
def test_rotary_matrix_is_the_matrix_that_rotate_applies(case):
    x, positions, layout, rotary_dim = case
    theta = rr.frequencies(rotary_dim)
    for s, m in enumerate(positions):
        R = rr.rotary_matrix(m, theta, layout=layout)
        expected = x[:, s, :rotary_dim] @ R.T
        got = rr.rotate(x, positions, layout=layout, rotary_dim=rotary_dim)[:, s, :rotary_dim]
        assert np.allclose(got, expected, rtol=0, atol=1e-12 * np.max(np.abs(x)))


def test_rotary_matrix_is_block_diagonal_as_eq_15_prints_it():
    theta = rr.frequencies(8)
    m = 3.0
    R = rr.rotary_matrix(m, theta)
    for i, t in enumerate(theta):
        block = R[2 * i : 2 * i + 2, 2 * i : 2 * i + 2]
        c, s = np.cos(m * t), np.sin(m * t)
        assert np.array_equal(block, np.array([[c, -s], [s, c]]))
    mask = np.kron(np.eye(4), np.ones((2, 2))) == 0
    assert np.all(R[mask] == 0), "R must be zero off its 2x2 diagonal blocks"


def test_half_layout_matrix_is_the_permuted_interleaved_matrix():
    theta = rr.frequencies(16)
    P = rr.half_permutation(16)
    R_inter = rr.rotary_matrix(7.5, theta, layout="interleaved")
    R_half = rr.rotary_matrix(7.5, theta, layout="half")
    assert np.array_equal(R_half, R_inter[np.ix_(P, P)])


def test_elementwise_form_is_eq_34_written_out():
    """x * (cos t1, cos t1, ...) + (-x2, x1, -x4, x3, ...) * (sin t1, sin t1, ...)."""
    rng = np.random.default_rng(1)
    d, m = 10, 37.0
    x = rng.standard_normal((1, d))
    phi = m * rr.frequencies(d)
    cos, sin = np.repeat(np.cos(phi), 2), np.repeat(np.sin(phi), 2)
    rot = np.empty(d)
    rot[0::2], rot[1::2] = -x[0, 1::2], x[0, 0::2]
    expected = x[0] * cos + rot * sin
    assert np.allclose(rr.rotate(x, [m])[0], expected, rtol=0, atol=1e-14)
    assert np.allclose(rr.rotate_elementwise_form(x, [m])[0], expected, rtol=0, atol=1e-14)


def test_rotary_matrix_of_a_one_element_array_is_d_by_d():
    """rotary_matrix(np.array([[3.0]]), theta) had shape (1, d, d) (issue 15): one position
    of any shape gives the (d, d) matrix of that position."""
    theta = rr.frequencies(4)
    want = rr.rotary_matrix(3.0, theta)
    for m in (np.array([[3.0]]), np.array([3.0]), np.array(3.0), [[[3]]]):
        got = rr.rotary_matrix(m, theta)
        assert got.shape == (4, 4) and np.array_equal(got, want), np.shape(m)
