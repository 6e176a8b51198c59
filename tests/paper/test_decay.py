"""rope_ref.decay: shapes, the identities that tie it to rotate, and argument errors.

The mathematics (eqs 35-37 against SymPy and mpmath) is in tests/proofs/."""

import re

import numpy as np
import pytest

from rope_ref import (
    decay_bound,
    pair_products,
    partial_sums,
    relative_score,
    relative_upper_bound,
    rotate,
)
from rope_ref.cli import main


def test_shapes():
    distances = np.arange(12.0).reshape(3, 4)
    assert partial_sums(distances, 16).shape == (3, 4, 9)
    assert relative_upper_bound(distances, 16).shape == (3, 4)
    assert relative_upper_bound(7, 16).shape == (1,)
    q, k = np.ones((5, 16)), np.ones((5, 16))
    assert pair_products(q, k).shape == (5, 9)
    assert relative_score(q[0], k[0], distances).shape == (3, 4)
    assert decay_bound(q[0], k[0], distances).shape == (3, 4)


def test_partial_sums_start_at_zero_and_count_at_distance_zero():
    S = partial_sums([0.0, 3.5], 8)
    assert np.all(S[:, 0] == 0)
    np.testing.assert_array_equal(S[0], np.arange(5))


@pytest.mark.parametrize("layout", ["interleaved", "half"])
def test_relative_score_is_rotated_dot_product_and_bounded(layout):
    """Eq 35 against rotate, and |score| <= eq 37's bound, at m - n in [-300, 300]."""
    rng = np.random.default_rng(3)
    q, k = rng.standard_normal(32), rng.standard_normal(32)
    m, n = rng.integers(-150, 150, 40), rng.integers(-150, 150, 40)
    qm = rotate(np.broadcast_to(q, (40, 32)).copy(), m, layout=layout)
    kn = rotate(np.broadcast_to(k, (40, 32)).copy(), n, layout=layout)
    score = relative_score(q, k, m - n, layout=layout)
    np.testing.assert_allclose(score, np.sum(qm * kn, axis=-1), rtol=1e-12, atol=1e-12)
    assert np.all(np.abs(score) <= decay_bound(q, k, m - n, layout=layout))


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: partial_sums([0], 7), ValueError, "d must be even"),
        (lambda: partial_sums([np.nan], 8), ValueError, "distances must be finite"),
        (lambda: partial_sums("far", 8), TypeError, "distances"),
        (lambda: relative_upper_bound([1], 8, base=1.0), ValueError, "base"),
        (lambda: pair_products(np.ones(4), np.ones(6)), ValueError, "same shape"),
        (lambda: pair_products(np.ones(3), np.ones(3)), ValueError, "must be even"),
        (lambda: pair_products([1.0, 2.0], np.ones(2)), TypeError, "q must be a NumPy array"),
        (lambda: pair_products(np.ones(4), np.ones(4, dtype=int)), TypeError, "k must have"),
        (lambda: pair_products(np.ones(4), np.ones(4), "diagonal"), ValueError, "layout"),
        (lambda: relative_score(np.ones((2, 4)), np.ones((2, 4)), 1), ValueError, "shape (d,)"),
        (lambda: decay_bound(np.ones((2, 4)), np.ones((2, 4)), 1), ValueError, "shape (d,)"),
    ],
)
def test_bad_arguments_are_named(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_demo_prints_figure2(capsys):
    assert main(["demo", "--d", "8"]) == 0
    out = capsys.readouterr().out
    assert "long-term decay" in out
    line = next(s for s in out.splitlines() if s.split()[:1] == ["0"] and "32.5000" in s)
    assert line
