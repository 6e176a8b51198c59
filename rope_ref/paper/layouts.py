"""Which features form a rotated pair: interleaved (the paper) or half-split.

- ``"interleaved"``: pairs (0, 1), (2, 3), ..., as eq 15 writes R^d_(Theta,m) and eq 34
  writes (-x2, x1, -x4, x3, ...). Meta's llama, GPT-J and rotary-embedding-torch use it.
- ``"half"``: pairs (i, i + d_rot/2). GPT-NeoX and HF Llama (``rotate_half``) use it.
- ``"half_in_halves"``: the half split inside each half: pairs (i, i + d_rot/4) for
  i < d_rot/4, then (d_rot/2 + i, 3 d_rot/4 + i). Gemma 4's vision tower uses it
  (transformers 5.24 ``apply_multidimensional_rope``: x split into its two halves, one per
  axis, each rotated by ``apply_rotary_pos_emb``'s ``rotate_half``).

All are the same rotation up to a fixed permutation P of the features: if
x_half = x[..., P] then rotate_half(x_half) = rotate_interleaved(x)[..., P]. Converting a
Meta checkpoint to HF applies P to the rows of W_q and W_k (per head), so that scores
q_m^T k_n (eq 16) are unchanged; ``permute_qk_weights`` does that.

This module imports nothing of rope_ref's but ``_validate``; ``rotary`` builds on it.
"""

from __future__ import annotations

import numpy as np

from rope_ref.validation import (
    as_array,
    check_even_dim,
    check_feature_axis,
    check_head_rows,
    check_int,
    check_layout,
    check_layout_dim,
    check_rotary_dim,
)


def pair_indices(rotary_dim: int, layout: str = "interleaved") -> tuple[np.ndarray, np.ndarray]:
    """Indices (a, b) of the pairs that turn by theta_1..theta_(d/2): pair i is (a[i], b[i]).

    Returns two (rotary_dim/2,) int arrays: interleaved a = 0, 2, 4, ..., b = 1, 3, 5, ...;
    half a = 0, 1, ..., rotary_dim/2 - 1, b = rotary_dim/2, ..., rotary_dim - 1;
    half_in_halves (rotary_dim a multiple of 4, q = rotary_dim/4) the half layout of q
    pairs inside each half: a = 0, ..., q - 1, 2q, ..., 3q - 1, b = a + q.
    """
    rotary_dim = check_even_dim("rotary_dim", rotary_dim)
    layout = check_layout(layout)
    k = np.arange(rotary_dim // 2)
    if layout == "interleaved":
        return 2 * k, 2 * k + 1
    if layout == "half_in_halves":
        q = check_layout_dim(layout, rotary_dim) // 4
        # Gemma 4 vision: x_parts = torch.split(x, [r/2, r/2]), rotate_half in each part
        # (transformers 5.24 apply_multidimensional_rope): pair i of part j is
        # (j r/2 + i, j r/2 + i + r/4), turned by cos/sin column j r/2 + i.
        a = k + (k // q) * q  # 0..q-1, then 2q..3q-1
        return a, a + q
    return k, k + rotary_dim // 2


def other_layouts(layout: str) -> tuple[str, ...]:
    """The layouts a port may use in place of a stated one (the checker's layout_swapped):
    each other for interleaved and half; both for half_in_halves (the usual half split
    over the whole head is Gemma 4 vision's likeliest mistake)."""
    layout = check_layout(layout)
    if layout == "half_in_halves":
        return ("half", "interleaved")
    return ("half",) if layout == "interleaved" else ("interleaved",)


def layout_permutation(rotary_dim: int, layout: str) -> np.ndarray:
    """P, shape (rotary_dim,): x_layout = x_interleaved[..., P], the features of pair i
    moved from (2i, 2i + 1) to ``pair_indices(rotary_dim, layout)``'s (a[i], b[i])."""
    a, b = pair_indices(rotary_dim, layout)
    k = np.arange(rotary_dim // 2)
    perm = np.empty(rotary_dim, dtype=np.int64)
    perm[a], perm[b] = 2 * k, 2 * k + 1
    return perm


def half_permutation(d: int, rotary_dim: int | None = None) -> np.ndarray:
    """P, shape (d,): x_half = x_interleaved[..., P]. Features past rotary_dim stay put.

    P = (0, 2, 4, ..., r-2, 1, 3, ..., r-1, r, r+1, ..., d-1) with r = rotary_dim.
    """
    d = check_even_dim("d", d)
    r = check_rotary_dim(rotary_dim, d)
    a, b = pair_indices(r, "interleaved")
    return np.concatenate([a, b, np.arange(r, d)])


def to_half_layout(x: np.ndarray, rotary_dim: int | None = None) -> np.ndarray:
    """Reorder the last axis from interleaved pairs to half-split pairs: x[..., P].

    x: (..., d) any dtype. Returns a new array of the same shape and dtype.
    """
    x = check_feature_axis("x", x)
    return x[..., half_permutation(x.shape[-1], rotary_dim)]


def to_interleaved_layout(x: np.ndarray, rotary_dim: int | None = None) -> np.ndarray:
    """Inverse of ``to_half_layout``: x[..., P^-1]. x: (..., d)."""
    x = check_feature_axis("x", x)
    return x[..., np.argsort(half_permutation(x.shape[-1], rotary_dim))]


def permute_qk_weights(
    W: np.ndarray, n_heads: int, *, to: str = "half", rotary_dim: int | None = None
) -> np.ndarray:
    """Permute the rows of W_q or W_k (or a bias) head by head, as Meta -> HF conversion does.

    Args:
        W: (n_heads * head_dim, d_in) weight (rows are output features, as in
            ``q = W @ x``), or (n_heads * head_dim,) bias.
        n_heads: number of heads; head_dim = W.shape[0] // n_heads must be even.
        to: ``"half"`` (interleaved weights -> weights for a half-split rotation) or
            ``"interleaved"`` (the inverse), or ``"half_in_halves"`` (interleaved weights
            -> weights for that layout's rotation).
        rotary_dim: rotated features per head (default head_dim).

    Returns:
        W permuted, same shape and dtype. With W' = permute_qk_weights(W, h, to="half"),
        rotate(W' x, layout="half") = to_half_layout(rotate(W x, layout="interleaved"))
        per head, so the scores q_m^T k_n (eq 16) are identical.
    """
    W = as_array("W", W)
    n_heads = check_int("n_heads", n_heads, minimum=1)
    to = check_layout(to)
    head_dim = check_head_rows(W, n_heads)
    perm = half_permutation(head_dim, rotary_dim)
    if to == "interleaved":
        perm = np.argsort(perm)
    elif to == "half_in_halves":
        r = check_rotary_dim(rotary_dim, head_dim)
        perm = np.concatenate([layout_permutation(r, to), np.arange(r, head_dim)])
    rows = (np.arange(n_heads)[:, None] * head_dim + perm[None, :]).reshape(-1)
    return W[rows]
