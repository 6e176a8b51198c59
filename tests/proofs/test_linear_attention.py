"""Proof 7: RoPE with linear attention (eq 19).

Linear attention (eq 18) replaces exp(q^T k) by phi(q)^T varphi(k) with non-negative
feature maps. Eq 19 rotates the features in the numerator only:

    sum_n (R_m phi(q_m))^T (R_n varphi(k_n)) v_n  /  sum_n phi(q_m)^T varphi(k_n).

Claims: (a) the unrotated denominator stays positive for positive features (SymPy decides
it from the symbols' assumptions); (b) the rotated numerator equals the relative form
sum_n phi(q_m)^T R_(n-m) varphi(k_n) v_n (symbolically, and property-tested on the library's
rotate); (c) why the denominator is left unrotated: rotated, it can be negative.
See derivations/07-linear-attention.md.
"""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from proofs._sym import assert_matrix_zero, rotary_paper, symbols_theta
from rope_ref import frequencies, rotary_matrix, rotate

SEQ = 3


def _features(name: str, d: int, count: int) -> list[sp.Matrix]:
    """count positive feature vectors (phi(q) or varphi(k_n)) of length d."""
    return [sp.Matrix(sp.symbols(f"{name}{j}_0:{d}", positive=True)) for j in range(count)]


@pytest.mark.parametrize("d", (2, 4, 8))
def test_unrotated_denominator_is_positive(d):
    """sum_n phi(q_m)^T varphi(k_n) > 0 when the features are positive (eq 19's
    denominator); SymPy's assumption system proves the sign."""
    (phi,) = _features("phi", d, 1)
    varphi = _features("varphi", d, SEQ)
    denominator = sum((phi.T * k)[0, 0] for k in varphi)
    assert denominator.is_positive is True, f"cannot show {denominator} > 0"


@pytest.mark.parametrize("d", (2, 4, 8))
def test_rotated_numerator_equals_relative_form(d):
    """sum_n (R_m phi)^T (R_n varphi_n) v_n = sum_n phi^T R_(n-m) varphi_n v_n."""
    thetas = symbols_theta(d // 2)
    m = sp.Symbol("m", real=True)
    ns = sp.symbols(f"n_0:{SEQ}", real=True)
    vs = sp.symbols(f"v_0:{SEQ}", real=True)
    (phi,) = _features("phi", d, 1)
    varphi = _features("varphi", d, SEQ)
    rotated = sum(
        ((rotary_paper(m, thetas) * phi).T * rotary_paper(n, thetas) * k)[0, 0] * v
        for n, k, v in zip(ns, varphi, vs, strict=True)
    )
    relative = sum(
        (phi.T * rotary_paper(n - m, thetas) * k)[0, 0] * v
        for n, k, v in zip(ns, varphi, vs, strict=True)
    )
    assert_matrix_zero(sp.Matrix([rotated - relative]), f"eq 19 numerator != relative form (d={d})")


def test_rotated_denominator_can_be_negative():
    """With positive features the rotated score (R_m phi)^T (R_n varphi) = cos((n-m) theta_1)
    for phi = varphi = e_1 (d = 2) is -1 at (n - m) theta_1 = pi: a rotated denominator
    could vanish or change sign, which is why eq 19 leaves it unrotated."""
    e1 = np.array([[1.0, 0.0]])
    theta = frequencies(2)
    score = float(rotate(e1, [0.0], theta=theta)[0] @ rotate(e1, [np.pi], theta=theta)[0])
    assert score < -0.999, f"rotated score {score} is not negative"


@given(
    seed=st.integers(0, 2**32 - 1),
    d=st.sampled_from([2, 4, 8, 16]),
    shift=st.integers(-1000, 1000),
)
def test_linear_attention_with_library_rotate(seed, d, shift):
    """On the library: for positive features (elu + 1, as in linear attention), the
    unrotated denominator is > 0, the numerator built with ``rotate`` equals the relative
    form built with ``rotary_matrix(n - m)``, and shifting every position leaves it unchanged."""
    rng = np.random.default_rng(seed)
    seq = 5
    q, k = rng.standard_normal((seq, d)), rng.standard_normal((seq, d))
    v = rng.standard_normal((seq, 3))
    phi_q, phi_k = _elu_plus_one(q), _elu_plus_one(k)
    positions = rng.integers(-500, 500, size=seq).astype(np.float64)
    assert np.all(phi_q @ phi_k.T @ np.ones(seq) > 0), "unrotated denominator not positive"

    def numerator(pos):
        scores = rotate(phi_q, pos) @ rotate(phi_k, pos).T  # (seq, seq): [m, n]
        return scores @ v

    theta = frequencies(d)
    relative = np.array(
        [
            sum(
                phi_q[a] @ rotary_matrix(positions[b] - positions[a], theta) @ phi_k[b] * v[b]
                for b in range(seq)
            )
            for a in range(seq)
        ]
    )
    np.testing.assert_allclose(
        numerator(positions),
        relative,
        rtol=1e-10,
        atol=1e-10,
        err_msg="rotated numerator != relative form (eq 19)",
    )
    np.testing.assert_allclose(
        numerator(positions + shift),
        relative,
        rtol=1e-10,
        atol=1e-10,
        err_msg="rotated numerator changes under a shift of positions",
    )


def _elu_plus_one(x: np.ndarray) -> np.ndarray:
    """The feature map of Katharopoulos et al. (2020): elu(x) + 1 > 0."""
    return np.where(x > 0, x + 1.0, np.exp(np.minimum(x, 0.0)))
