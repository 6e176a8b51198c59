"""RoPE's properties, on the library's own functions: relative position (eq 16), norms,
the inverse, rotary_dim pass-through, dtype rules and the two layouts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rope_ref as rr
from paper._strategies import rope_cases


@given(rope_cases())
def test_rotation_preserves_norm(case):
    x, positions, layout, rotary_dim = case
    y = rr.rotate(x, positions, layout=layout, rotary_dim=rotary_dim)
    assert np.allclose(np.linalg.norm(y, axis=-1), np.linalg.norm(x, axis=-1), rtol=1e-12)


@given(rope_cases(max_pos=2.0**20), st.floats(-1e5, 1e5, allow_nan=False))
def test_score_depends_only_on_relative_position(case, shift):
    """<R_m q, R_n k> = <q, R_(n-m) k> (eq 16), and is unchanged by shifting m and n."""
    x, positions, layout, rotary_dim = case
    q, k = x, x[..., ::-1, :].copy()
    kw = dict(layout=layout, rotary_dim=rotary_dim)
    m, n = positions.astype(np.float64), positions[::-1].astype(np.float64)
    lhs = np.sum(rr.rotate(q, m, **kw) * rr.rotate(k, n, **kw), axis=-1)
    rhs = np.sum(q * rr.rotate(k, n - m, **kw), axis=-1)
    shifted = np.sum(rr.rotate(q, m + shift, **kw) * rr.rotate(k, n + shift, **kw), axis=-1)
    scale = np.linalg.norm(q, axis=-1) * np.linalg.norm(k, axis=-1)
    # the angles m*theta carry an absolute error ~ |m| * 3u (rope_ref.angles, bound A)
    tol = scale * (1e-12 + 8 * rr.UNIT_ROUNDOFF * (np.max(np.abs(positions)) + abs(shift)))
    assert np.all(np.abs(lhs - rhs) <= tol)
    assert np.all(np.abs(lhs - shifted) <= tol)


@given(rope_cases())
def test_unrotate_inverts_rotate(case):
    x, positions, layout, rotary_dim = case
    kw = dict(layout=layout, rotary_dim=rotary_dim)
    back = rr.unrotate(rr.rotate(x, positions, **kw), positions, **kw)
    assert np.allclose(back, x, rtol=0, atol=1e-12 * np.max(np.abs(x)))


@given(rope_cases())
def test_features_past_rotary_dim_pass_through(case):
    x, positions, layout, rotary_dim = case
    y = rr.rotate(x, positions, layout=layout, rotary_dim=rotary_dim)
    assert np.array_equal(y[..., rotary_dim:], x[..., rotary_dim:])
    if np.any(positions != 0):
        assert not np.array_equal(y[..., :rotary_dim], x[..., :rotary_dim])


def test_position_zero_is_the_identity():
    x = np.random.default_rng(0).standard_normal((3, 4, 16))
    assert np.array_equal(rr.rotate(x, np.zeros(4)), x)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_output_has_input_dtype_and_float64_accuracy(dtype):
    """Trig is float64 whatever x's dtype: the result is the float64 result rounded once."""
    x64 = np.random.default_rng(2).standard_normal((2, 5, 32))
    x = x64.astype(dtype)
    positions = np.array([0, 1, 100, 4095, 65535])
    y = rr.rotate(x, positions)
    assert y.dtype == dtype
    once = rr.rotate(x.astype(np.float64), positions).astype(dtype)
    assert np.array_equal(y, once)


@given(rope_cases())
def test_layout_round_trip(case):
    x, _, _, rotary_dim = case
    assert np.array_equal(rr.to_interleaved_layout(rr.to_half_layout(x, rotary_dim), rotary_dim), x)
    assert np.array_equal(rr.to_half_layout(rr.to_interleaved_layout(x, rotary_dim), rotary_dim), x)


@given(rope_cases())
def test_half_rotation_is_the_permuted_interleaved_rotation(case):
    x, positions, _, rotary_dim = case
    inter = rr.rotate(x, positions, layout="interleaved", rotary_dim=rotary_dim)
    half = rr.rotate(
        rr.to_half_layout(x, rotary_dim), positions, layout="half", rotary_dim=rotary_dim
    )
    assert np.allclose(
        half, rr.to_half_layout(inter, rotary_dim), rtol=0, atol=1e-13 * np.max(np.abs(x))
    )


@given(st.integers(1, 4), st.integers(1, 16), st.integers(0, 2**31 - 1), st.booleans())
def test_permuted_weights_give_identical_scores_across_layouts(n_heads, half_dim, seed, partial):
    """Meta (interleaved) weights and HF (half-split, rows permuted) weights: same q.k."""
    rng = np.random.default_rng(seed)
    head_dim = 2 * half_dim
    rotary_dim = 2 * rng.integers(1, half_dim + 1) if partial else None
    d_in, seq = 12, 7
    W_q, W_k = rng.standard_normal((2, n_heads * head_dim, d_in))
    x = rng.standard_normal((seq, d_in))
    positions = rng.integers(0, 5000, seq)

    def scores(Wq, Wk, layout):
        q = (x @ Wq.T).reshape(seq, n_heads, head_dim).transpose(1, 0, 2)
        k = (x @ Wk.T).reshape(seq, n_heads, head_dim).transpose(1, 0, 2)
        kw = dict(layout=layout, rotary_dim=rotary_dim)
        return rr.rotate(q, positions, **kw) @ rr.rotate(k, positions, **kw).transpose(0, 2, 1)

    meta = scores(W_q, W_k, "interleaved")
    kw = dict(to="half", rotary_dim=rotary_dim)
    hf = scores(
        rr.permute_qk_weights(W_q, n_heads, **kw), rr.permute_qk_weights(W_k, n_heads, **kw), "half"
    )
    assert np.allclose(meta, hf, rtol=1e-12, atol=1e-12 * np.max(np.abs(meta)))
    back = rr.permute_qk_weights(
        rr.permute_qk_weights(W_q, n_heads, **kw), n_heads, to="interleaved", rotary_dim=rotary_dim
    )
    assert np.array_equal(back, W_q)


def test_weights_permuted_to_half_in_halves_give_identical_scores():
    rng = np.random.default_rng(3)
    n_heads, head_dim, seq = 2, 24, 6
    W_q, W_k = rng.standard_normal((2, n_heads * head_dim, 10))
    x = rng.standard_normal((seq, 10))
    m = rng.integers(0, 5000, seq)

    def scores(Wq, Wk, layout):
        q, k = ((x @ W.T).reshape(seq, n_heads, head_dim).transpose(1, 0, 2) for W in (Wq, Wk))
        kw = dict(layout=layout, rotary_dim=16)
        return rr.rotate(q, m, **kw) @ rr.rotate(k, m, **kw).transpose(0, 2, 1)

    kw = dict(to="half_in_halves", rotary_dim=16)
    permuted = (rr.permute_qk_weights(W, n_heads, **kw) for W in (W_q, W_k))
    meta = scores(W_q, W_k, "interleaved")
    assert np.allclose(
        meta, scores(*permuted, "half_in_halves"), rtol=1e-12, atol=1e-12 * np.max(np.abs(meta))
    )


def test_permute_qk_weights_matches_the_meta_to_hf_conversion_formula():
    """HF's convert_llama_weights_to_hf: w.view(h, dim/h/2, 2, d_in).transpose(1, 2)."""
    n_heads, head_dim, d_in = 3, 8, 5
    W = np.arange(n_heads * head_dim * d_in, dtype=np.float64).reshape(-1, d_in)
    hf = W.reshape(n_heads, head_dim // 2, 2, d_in).transpose(0, 2, 1, 3).reshape(-1, d_in)
    assert np.array_equal(rr.permute_qk_weights(W, n_heads, to="half"), hf)


def test_positions_broadcast_per_batch_row():
    """positions (batch, 1, seq) against x (batch, heads, seq, d): left padding per row."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 5, 8))
    positions = np.array([[0, 1, 2, 3, 4], [-2, -1, 0, 1, 2]])[:, None, :]
    y = rr.rotate(x, positions)
    for b in range(2):
        assert np.array_equal(y[b], rr.rotate(x[b], positions[b, 0]))


def test_large_trig_tables_are_not_kept_between_calls():
    """rotate remembers small cos + i sin tables only: a huge one must not stay alive."""
    from rope_ref.paper import blockwise

    blockwise.cached_table.cache_clear()
    x = np.zeros((1, 8))
    rr.rotate(x, np.array([5.0]))
    assert blockwise.cached_table.cache_info().currsize == 1
    big = np.arange(blockwise.CACHE_LIMIT // (16 * 4) + 1, dtype=np.float64)
    table = blockwise.cos_sin_table(big, rr.frequencies(8))
    assert table.shape == (big.size, 4)
    assert blockwise.cached_table.cache_info().currsize == 1
    assert np.array_equal(table.real, np.cos(rr.angles(big, rr.frequencies(8))))
