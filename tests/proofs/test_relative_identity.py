"""Proof 2: the relative identity of eq 16, (R^d_(Theta,m))^T R^d_(Theta,n) = R^d_(Theta,n-m).

Proven three ways (see derivations/02-relative-identity.md):

1. the 2x2 block identity R(m theta)^T R(n theta) = R((n - m) theta), symbolically;
2. block-diagonal products are blockwise, for blocks of any size (SymPy block matrices
   with a symbolic size k), which with 1. gives the identity for every even d by
   induction on d;
3. directly, exactly, for every even d from 2 to 16 with symbolic m, n, theta_1..theta_(d/2).

The paper prints eq 16 without the transpose and with a loose subscript; the correct
statement is q_m^T k_n = x_m^T W_q^T R^d_(Theta,n-m) W_k x_n.
"""

import pytest
import sympy as sp
from sympy import BlockMatrix, MatrixSymbol, ZeroMatrix, block_collapse

from proofs._sym import assert_matrix_zero, block, rotary_paper, symbols_theta

m, n, theta = sp.symbols("m n theta", real=True)


def assert_relative_identity(d: int) -> None:
    """R_m^T R_n - R_(n-m) == 0 entry by entry, naming the 2x2 block of a failure."""
    thetas = symbols_theta(d // 2)
    residual = rotary_paper(m, thetas).T * rotary_paper(n, thetas) - rotary_paper(n - m, thetas)
    assert_matrix_zero(
        residual, f"R_m^T R_n != R_(n-m) (d = {d})", block_of=lambda r, c: (r // 2, c // 2)
    )


def test_block_relative_identity():
    """Lemma 1 (eq 13): R(m theta)^T R(n theta) = R((n - m) theta) for one 2x2 block."""
    residual = block(m * theta).T * block(n * theta) - block((n - m) * theta)
    assert_matrix_zero(residual, "R(m theta)^T R(n theta) != R((n-m) theta)")


def test_block_diagonal_products_are_blockwise():
    """Lemma 2: diag(A, B)^T diag(C, D) = diag(A^T C, B^T D) for A, C 2x2 and B, D k x k,
    k symbolic: the transpose and the product of block-diagonal matrices act blockwise."""
    k = sp.Symbol("k", integer=True, positive=True)
    A, C = MatrixSymbol("A", 2, 2), MatrixSymbol("C", 2, 2)
    B, D = MatrixSymbol("B", k, k), MatrixSymbol("D", k, k)

    def diag(X, Y):
        return BlockMatrix([[X, ZeroMatrix(2, k)], [ZeroMatrix(k, 2), Y]])

    product = block_collapse(diag(A, B).T * diag(C, D))
    expected = [[A.T * C, ZeroMatrix(2, k)], [ZeroMatrix(k, 2), B.T * D]]
    for i in range(2):
        for j in range(2):
            got = product.blocks[i, j]
            assert got == expected[i][j], (
                f"diag(A, B)^T diag(C, D) is not blockwise at block ({i}, {j}): {got}"
            )


def test_relative_identity_for_all_d_by_induction():
    """The induction: R^(d+2)_m = diag(R(m theta_1), R^d_m') where R^d_m' holds theta_2.. .

    If R'_m^T R'_n = R'_(n-m) (the hypothesis, symbolic k x k blocks) then lemma 2 and
    lemma 1 give R^(d+2)_m^T R^(d+2)_n = diag(R((n-m) theta_1), R'_(n-m)) = R^(d+2)_(n-m).
    The base case d = 2 is lemma 1. Here the step is checked with the hypothesis
    substituted into the collapsed block product.
    """
    k = sp.Symbol("k", integer=True, positive=True)
    Rm_, Rn_, Rd_ = (MatrixSymbol(s, k, k) for s in ("Rp_m", "Rp_n", "Rp_nm"))
    bm, bn = block(m * theta), block(n * theta)

    def diag(X, Y):
        return BlockMatrix([[X, ZeroMatrix(2, k)], [ZeroMatrix(k, 2), Y]])

    product = block_collapse(
        diag(sp.ImmutableMatrix(bm), Rm_).T * diag(sp.ImmutableMatrix(bn), Rn_)
    )
    head = sp.Matrix(product.blocks[0, 0]) - block((n - m) * theta)
    assert_matrix_zero(head, "induction step: first block of R_m^T R_n != R((n-m) theta_1)")
    tail = product.blocks[1, 1].subs(Rm_.T * Rn_, Rd_)
    assert tail == Rd_, f"induction step: remaining block is {tail}, not R'_(n-m)"
    for i, j in ((0, 1), (1, 0)):
        assert product.blocks[i, j].is_ZeroMatrix, f"induction step: block ({i}, {j}) not 0"


@pytest.mark.parametrize("d", range(2, 17, 2))
def test_relative_identity(d):
    """Eq 16 exactly for d = 2, 4, ..., 16 with symbolic m, n, theta_1..theta_(d/2)."""
    assert_relative_identity(d)
