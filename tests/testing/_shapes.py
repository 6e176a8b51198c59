"""Implementations of RoPE in the call shapes test suites use (HF's apply_rotary_pos_emb
with (batch, seq, heads, d) tensors and (batch, seq) position_ids), right and wrong."""

from __future__ import annotations

import numpy as np


def rotate_half(x):
    """HF's rotate_half: (-x2, x1) of the two halves of the last axis."""
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def hf_qk(q, k, position_ids, *, base=10000.0, offset=0, dtype=np.float32):
    """HF's apply_rotary_pos_emb in float32: q, k (batch, seq, heads, d), position_ids
    (batch, seq) int64 -> (q_out, k_out), half layout."""
    d = q.shape[-1]
    inv_freq = 1.0 / (np.float32(base) ** (np.arange(0, d, 2).astype(np.float32) / np.float32(d)))
    freqs = (position_ids + offset).astype(np.float32)[..., None] * inv_freq  # (b, s, d/2)
    emb = np.concatenate([freqs, freqs], axis=-1)[:, :, None, :]  # (b, s, 1, d)
    cos, sin = np.cos(emb).astype(dtype), np.sin(emb).astype(dtype)
    q, k = q.astype(dtype), k.astype(dtype)
    return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
