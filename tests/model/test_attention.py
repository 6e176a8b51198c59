"""Attention with RoPE (eqs 2, 16, 19) against the equations written out with explicit
rotary matrices R^d_(Theta,m) (rope_ref.rotary_matrix)."""

from __future__ import annotations

import numpy as np
import pytest

import rope_ref
from rope_ref.model.attention import attention_scores, linear_attention, rope_attention

D, SEQ = 8, 7


def qkv(seed=0, batch=(2, 3), d=D, seq=SEQ):
    rng = np.random.default_rng(seed)
    return tuple(rng.standard_normal((*batch, seq, d)) for _ in range(3))


def explicit_rotated(x, positions):
    """R_m x_m with R from rotary_matrix (eq 15): x (..., seq, d)."""
    theta = rope_ref.frequencies(x.shape[-1])
    R = np.stack([rope_ref.rotary_matrix(m, theta) for m in positions])  # (seq, d, d)
    return np.einsum("sij,...sj->...si", R, x)


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def elu1(x):
    return np.where(x > 0, x + 1, np.exp(x))


def test_scores_are_eq_16_with_explicit_matrices():
    q, k, _ = qkv()
    m = np.arange(SEQ) * 3.0 - 4
    expected = explicit_rotated(q, m) @ np.swapaxes(explicit_rotated(k, m), -1, -2)
    assert np.allclose(attention_scores(q, k, m), expected / np.sqrt(D), atol=1e-13)


def test_scores_depend_on_m_minus_n_only():
    q, k, _ = qkv(1)
    m = np.arange(SEQ, dtype=float)
    s = attention_scores(q, k, m)
    for shift in (1, 1000, -12.5):
        assert np.abs(attention_scores(q, k, m + shift) - s).max() < 1e-11


@pytest.mark.parametrize("causal", [False, True])
def test_softmax_attention_is_eq_2_with_masks(causal):
    q, k, v = qkv(2)
    m = np.arange(SEQ, dtype=float)
    keys = np.ones((2, 1, 1, SEQ), dtype=bool)
    keys[1, ..., 5:] = False  # padding of the second batch row
    allowed = keys & (np.tri(SEQ, dtype=bool) if causal else True)
    s = explicit_rotated(q, m) @ np.swapaxes(explicit_rotated(k, m), -1, -2) / np.sqrt(D)
    expected = softmax(np.where(allowed, s, -np.inf)) @ v
    got = rope_attention(q, k, v, m, mask=keys, causal=causal)
    assert np.abs(got - expected).max() < 1e-13
    v2 = v.copy()
    v2[1, :, 5:] += 100.0  # padded keys: no influence
    assert np.abs(rope_attention(q, k, v2, m, mask=keys, causal=causal)[1] - got[1]).max() < 1e-13


def test_rotary_value_rotates_v_by_its_own_position():
    q, k, v = qkv(3)
    m = np.arange(SEQ, dtype=float) + 2
    s = attention_scores(q, k, m)
    expected = softmax(s) @ explicit_rotated(v, m)
    assert np.abs(rope_attention(q, k, v, m, rotary_value=True) - expected).max() < 1e-13


@pytest.mark.parametrize("causal", [False, True])
def test_linear_attention_is_eq_19(causal):
    """Numerator rotated, denominator not; O(n^2) form written out for comparison."""
    q, k, v = qkv(4)
    m = np.arange(SEQ, dtype=float) * 1.5
    keys = np.ones((2, 1, 1, SEQ), dtype=bool)
    keys[0, ..., :2] = False
    allowed = keys & (np.tri(SEQ, dtype=bool) if causal else True)
    pq, pk = elu1(q), elu1(k)
    numer_w = explicit_rotated(pq, m) @ np.swapaxes(explicit_rotated(pk, m), -1, -2)
    denom_w = pq @ np.swapaxes(pk, -1, -2)
    numer = np.where(allowed, numer_w, 0) @ v
    denom = np.where(allowed, denom_w, 0).sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        expected = numer / denom
    got = linear_attention(q, k, v, m, mask=keys, causal=causal)
    assert np.array_equal(np.isnan(got), np.isnan(expected))  # causal rows with no key
    ok = ~np.isnan(expected)
    assert ok.sum() > 0.8 * expected.size
    assert np.abs(got[ok] - expected[ok]).max() < 1e-12
    assert np.array_equal(
        got, rope_attention(q, k, v, m, mask=keys, causal=causal, linear=True), equal_nan=True
    )


def test_linear_attention_at_one_position_is_eq_18():
    """All positions equal: every R cancels and eq 19 is plain linear attention (eq 18)."""
    q, k, v = qkv(5)
    w = elu1(q) @ np.swapaxes(elu1(k), -1, -2)
    expected = (w @ v) / w.sum(axis=-1, keepdims=True)
    got = linear_attention(q, k, v, np.full(SEQ, 17.0))
    assert np.abs(got - expected).max() < 1e-12


def test_float32_in_float32_out():
    q, k, v = (x.astype(np.float32) for x in qkv(6))
    m = np.arange(SEQ)
    assert rope_attention(q, k, v, m).dtype == np.float32
    assert linear_attention(q, k, v, m).dtype == np.float32


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"k": np.zeros((2, 3, SEQ, D + 2))}, ValueError, "k must have q's shape"),
        ({"v": np.zeros((2, 3, SEQ + 1, D))}, ValueError, "v must have shape"),
        ({"mask": np.ones((2, 1, 1, SEQ + 1), bool)}, ValueError, "mask must broadcast"),
        ({"mask": np.ones((2, 1, 1, SEQ))}, TypeError, "mask must be a NumPy bool array"),
        ({"q": [[1.0, 2.0]]}, TypeError, "q must be a NumPy array"),
        ({"positions": np.arange(SEQ + 1)}, ValueError, "positions"),
    ],
)
def test_bad_input_is_named(change, error, words):
    q, k, v = qkv(7)
    args = {"q": q, "k": k, "v": v, "positions": np.arange(SEQ)} | change
    with pytest.raises(error, match=words):
        rope_attention(**args)


def test_linear_attention_mask_must_be_per_key():
    q, k, v = qkv(8)
    with pytest.raises(ValueError, match="keys only"):
        linear_attention(q, k, v, np.arange(SEQ), mask=np.ones((SEQ, SEQ), bool))


def test_a_query_with_no_allowed_key_averages_all_values_as_hf_does():
    q, k, v = qkv(9)
    keys = np.ones((2, 1, 1, SEQ), dtype=bool)
    keys[1] = False  # a sequence that is all padding
    out = rope_attention(q, k, v, np.arange(SEQ), mask=keys)
    assert np.abs(out[1] - v[1].mean(axis=-2, keepdims=True)).max() < 1e-13


@pytest.mark.parametrize("causal", [False, True])
def test_a_0d_or_1d_mask_broadcasts_like_any_other(causal):
    """linear_attention with mask=np.array(True) was an AxisError (issue 15): a 0-d mask,
    or one of shape (seq,), broadcasts to every key like a full one."""
    q, k, v = qkv(10)
    m = np.arange(SEQ)
    keys = np.ones(SEQ, bool)
    keys[2] = False
    full = np.broadcast_to(keys, q.shape[:-2] + (1, SEQ))
    assert np.array_equal(
        linear_attention(q, k, v, m, mask=np.array(True), causal=causal),
        linear_attention(q, k, v, m, causal=causal),
    )
    assert np.array_equal(
        linear_attention(q, k, v, m, mask=keys, causal=causal),
        linear_attention(q, k, v, m, mask=full.copy(), causal=causal),
    )
    assert np.array_equal(
        rope_attention(q, k, v, m, mask=np.array(True), causal=causal),
        rope_attention(q, k, v, m, causal=causal),
    )
