"""Proof 3: R^d_(Theta,m) is orthogonal with determinant 1, so rotation preserves norms.

Symbolic m and theta_1..theta_(d/2); d = 2..16 for orthogonality and norms. The
determinant uses the block structure: R is block-diagonal (checked entry by entry), so
det R is the product of the 2x2 block determinants cos^2 + sin^2 = 1; d = 2..8 also
compute the full determinant directly. See derivations/03-orthogonality.md.
"""

import pytest
import sympy as sp

from proofs._sym import assert_matrix_zero, assert_zero, block, rotary_paper, symbols_theta

m = sp.Symbol("m", real=True)
EVEN_D = range(2, 17, 2)


@pytest.mark.parametrize("d", EVEN_D)
def test_rotary_matrix_is_orthogonal(d):
    """R^T R = I (so R^(-1) = R^T = R_(-m), the inverse rotation)."""
    R = rotary_paper(m, symbols_theta(d // 2))
    assert_matrix_zero(R.T * R - sp.eye(d), f"R^T R != I (d = {d})")


def test_block_determinant_is_one():
    """det of the eq 13 block is cos^2 + sin^2 = 1."""
    phi = sp.Symbol("phi", real=True)
    assert_zero(block(phi).det() - 1, "det R(phi) != 1")


@pytest.mark.parametrize("d", EVEN_D)
def test_rotary_matrix_has_determinant_one(d):
    """R is block-diagonal with the eq 13 blocks, so det R = prod of block dets = 1."""
    thetas = symbols_theta(d // 2)
    R = rotary_paper(m, thetas)
    outside = [(r, c) for r in range(d) for c in range(d) if r // 2 != c // 2 and R[r, c] != 0]
    assert not outside, f"R is not block-diagonal: nonzero entries at {outside}"
    blocks = [R[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] for i in range(d // 2)]
    for i, B in enumerate(blocks):
        assert B == block(m * thetas[i]), f"block {i} of R is {B}, not R(m theta_{i + 1})"
    assert_zero(sp.prod([B.det() for B in blocks]) - 1, f"det R != 1 (d = {d})")
    if d <= 8:
        assert_zero(R.det(method="berkowitz") - 1, f"full det R != 1 (d = {d})")


@pytest.mark.parametrize("d", EVEN_D)
def test_rotation_preserves_norm(d):
    """|R x|^2 = |x|^2 for symbolic x."""
    x = sp.Matrix(sp.symbols(f"x_1:{d + 1}", real=True))
    Rx = rotary_paper(m, symbols_theta(d // 2)) * x
    assert_zero((Rx.T * Rx)[0, 0] - (x.T * x)[0, 0], f"|R x|^2 != |x|^2 (d = {d})")
