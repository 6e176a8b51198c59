"""Attention with RoPE: softmax attention (eqs 2, 16) and linear attention (eq 19).

Shapes (self-attention: queries and keys share the sequence and its positions):

    q, k: (..., seq, d)       e.g. (batch, heads, seq, d), after W_q / W_k
    v:    (..., seq, d_v)
    positions: (seq,) or broadcastable to q.shape[:-1] (e.g. (batch, 1, seq)), finite reals
    mask: bool, broadcastable to (..., seq, seq); mask[..., m, n] True = query m may
          attend to key n (a padding mask over keys is mask[:, None, None, :])

Every rotation goes through ``rope_ref.rotate`` (eq 34), so the layouts, ``rotary_dim``
and the float64 trigonometry are the ones tested there.
"""

from __future__ import annotations

import math

import numpy as np

from rope_ref.paper.rotary import rotate
from rope_ref.validation import (
    check_attention_inputs,
    check_bool,
    check_denominator,
    check_even_dim,
    check_query_key,
    check_scores,
)
from rope_ref.validation.model import check_attention_size, check_linear_output


def attention_scores(q: np.ndarray, k: np.ndarray, positions, **rope) -> np.ndarray:
    """q_m^T k_n / sqrt(d) with q_m = R_m q, k_n = R_n k (eq 16: it equals
    x_m^T W_q^T R_(n-m) W_k x_n / sqrt(d), a function of n - m only).

    q, k: (..., seq, d). ``rope``: theta, base, layout, rotary_dim as in ``rotate``.
    Returns scores: (..., seq, seq), q's dtype.
    """
    q, k = check_query_key(q, k)
    check_attention_size(q, q, linear=False, causal=False)
    q_m = rotate(q, positions, **rope)
    k_n = rotate(k, positions, **rope)
    with np.errstate(over="ignore", invalid="ignore"):  # reported by check_scores
        scores = q_m @ np.swapaxes(k_n, -1, -2)
        scores /= np.asarray(math.sqrt(q.shape[-1]), q.dtype)
    return check_scores(scores)


def rope_attention(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    positions,
    *,
    mask: np.ndarray | None = None,
    causal: bool = False,
    linear: bool = False,
    rotary_value: bool = False,
    **rope,
) -> np.ndarray:
    """Self-attention with RoPE on q and k: o_m = sum_n a_(m,n) v_n.

    Softmax (default, eqs 2 and 16): a_(m,n) = softmax_n(q_m^T k_n / sqrt(d)) with the
    rotated q_m = R_m q and k_n = R_n k. Masked pairs get the score float_min (as HF
    does), so they receive weight exactly 0; a query with no allowed key gets the
    uniform average of all values (HF's behaviour, too).
    ``linear=True``: linear attention of eq 19, see ``linear_attention``.
    ``causal=True`` allows only n <= m. ``rotary_value=True`` also rotates v_n by R_n
    (HF RoFormer's ``rotary_value``: the output is sum_n a_(m,n) R_n v_n, not unrotated).

    Args:
        q, k: (..., seq, d); v: (..., seq, d_v); positions, mask: see the module doc.
        rope: theta, base, layout, rotary_dim as in ``rotate``.

    Returns:
        o: (..., seq, d_v), q's dtype.
    """
    mask = check_attention_inputs(q, k, v, mask, linear=check_bool("linear", linear))
    causal = check_bool("causal", causal)
    check_attention_size(q, v, linear=linear, causal=causal)
    if check_bool("rotary_value", rotary_value):
        check_even_dim("d_v (the last axis of v, rotated when rotary_value=True)", v.shape[-1])
        v = rotate(v, positions, **rope)
    if linear:
        return _linear_attention_sums(q, k, v, positions, mask, causal, rope)
    scores = attention_scores(q, k, positions, **rope)
    if causal:
        n = q.shape[-2]
        mask = np.tri(n, dtype=bool) if mask is None else mask & np.tri(n, dtype=bool)
    if mask is not None:
        np.copyto(scores, np.finfo(scores.dtype).min, where=~mask)  # mask broadcasts
    return _softmax_in_place(scores) @ v


def linear_attention(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    positions,
    *,
    mask: np.ndarray | None = None,
    causal: bool = False,
    **rope,
) -> np.ndarray:
    """Linear attention with RoPE (eq 19), feature maps phi = varphi = elu(x) + 1:

        o_m = sum_n (R_m phi(q_m))^T (R_n varphi(k_n)) v_n / sum_n phi(q_m)^T varphi(k_n)

    The numerator is rotated, the denominator is not (the paper's choice: elu + 1 > 0
    keeps the denominator positive; the numerator may be negative). Cost is
    O(seq d d_v): sum_n (R_n varphi(k_n)) v_n^T is formed once, or as a running sum over
    n <= m when ``causal``. ``mask`` here masks keys only: bool, broadcastable to
    (..., 1, seq); masked keys are left out of both sums (a query with no allowed key
    gets 0/0 = nan).

    Shapes as in ``attention``. Returns (..., seq, d_v), q's dtype.
    """
    mask = check_attention_inputs(q, k, v, mask, linear=True)
    causal = check_bool("causal", causal)
    check_attention_size(q, v, linear=True, causal=causal)
    return _linear_attention_sums(q, k, v, positions, mask, causal, rope)


def _linear_attention_sums(q, k, v, positions, key_mask, causal, rope):
    """Eq 19: sum_n (R_m phi(q_m))^T (R_n phi(k_n)) v_n / sum_n phi(q_m)^T phi(k_n), the
    numerator rotated and the denominator not, with phi = elu + 1 (eq 18)."""
    phi_q, phi_k = _elu_plus_one(q), _elu_plus_one(k)  # phi(q_m), varphi(k_n)  (eq 18)
    if key_mask is not None:
        phi_k = phi_k * np.swapaxes(key_mask, -1, -2)  # (..., seq, 1) zeros masked keys
    rq, rk = rotate(phi_q, positions, **rope), rotate(phi_k, positions, **rope)  # R phi (eq 19)
    with np.errstate(over="ignore", invalid="ignore"):  # reported by check_scores
        if causal:
            kv = np.cumsum(rk[..., :, None] * v[..., None, :], axis=-3)  # (..., seq, d, d_v)
            numer = np.einsum("...md,...mde->...me", rq, kv)  # sum_(n<=m) (R phi_q)^T R phi_k v_n
            denom = np.sum(phi_q * np.cumsum(phi_k, axis=-2), axis=-1)  # unrotated (eq 19)
        else:
            numer = rq @ (np.swapaxes(rk, -1, -2) @ v)  # (..., seq, d_v): eq 19's numerator
            denom = np.sum(phi_q * phi_k.sum(axis=-2, keepdims=True), axis=-1)  # unrotated
    check_scores(numer, "the numerator of eq 19")
    check_denominator(denom, _allowed_keys(phi_k.shape, key_mask, causal))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # named just below
        out = (numer / denom[..., None]).astype(q.dtype, copy=False)  # eq 19's quotient
    return check_linear_output(out, q.dtype)


def _allowed_keys(shape, key_mask, causal) -> np.ndarray:
    """How many keys each query may attend to: (..., seq) (or broadcastable)."""
    ones = np.ones(shape[:-1] + (1,))
    if key_mask is not None:
        ones = ones * np.swapaxes(key_mask, -1, -2)
    return (np.cumsum(ones, axis=-2) if causal else ones.sum(axis=-2, keepdims=True))[..., 0]


def _elu_plus_one(x: np.ndarray) -> np.ndarray:
    """elu(x) + 1: x + 1 for x > 0, e^x otherwise (positive everywhere)."""
    return np.where(x > 0, x + 1.0, np.exp(np.minimum(x, 0.0))).astype(x.dtype, copy=False)


def _softmax_in_place(scores: np.ndarray) -> np.ndarray:
    """softmax over the last axis (eq 2), shifted by the row maximum, written over scores."""
    with np.errstate(over="ignore"):  # float_min - a large max -> -inf -> weight exactly 0
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores
