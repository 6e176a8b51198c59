"""The RoFormer encoder in NumPy (Su et al., arXiv 2104.09864 v5, section 3; HF's
``RoFormerModel``), readable top to bottom.

    x = LayerNorm(E_word[input_ids] + E_type[token_type_ids])      no position table
    x = x W_p^T + b_p                                              if embedding_size != hidden
    for each of the N layers:
        q, k, v = x W_q^T + b_q, x W_k^T + b_k, x W_v^T + b_v        split into h heads of d
        o = attention(q, k, v, m)        RoPE on q and k per head (eqs 14, 16, 34),
                                         softmax attention (eq 2); v too if rotary_value
        x = LayerNorm(x + o W_o^T + b_o)
        x = LayerNorm(x + gelu(x W_1^T + b_1) W_2^T + b_2)         exact (erf) GELU
    return x                                                       (batch, seq, hidden)

Positions enter only through the rotation R^d_(Theta,m) of q and k (base 10000, the
paper's interleaved pairs; HF's ``apply_rotary_position_embeddings`` pairs (2i, 2i+1)
as well, see tests/encoder/test_parity.py), so the encoder runs at any length and its
scores depend on m - n only (eq 16).

Weights are a flat dict of arrays, W in HF's (out, in) orientation:

    word_embeddings (vocab_size, E)    token_type_embeddings (type_vocab_size, E)
    embeddings_ln.gamma, .beta (E,)    embeddings_project.W (H, E), .b (H,) if E != H
    layer.{i}.W_q/W_k/W_v/W_o (H, H), b_q/b_k/b_v/b_o (H,)
    layer.{i}.ln_1.gamma/.beta (H,)    after attention
    layer.{i}.W_1 (I, H), b_1 (I,), W_2 (H, I), b_2 (H,)
    layer.{i}.ln_2.gamma/.beta (H,)    after the feed-forward

with E = embedding_size, H = hidden_size, I = intermediate_size.
``weights_from_hf_state_dict`` (from ``rope_ref.model.weights``) builds this dict
from an HF RoFormerModel state dict, a .npz or a .safetensors file.
"""

from __future__ import annotations

import numpy as np

from rope_ref.model.attention import rope_attention
from rope_ref.model.gelu import gelu
from rope_ref.model.weights import check_weights, weights_from_hf_state_dict
from rope_ref.paper.frequencies import frequencies
from rope_ref.validation import (
    check_encoder_finite,
    check_encoder_positions,
    check_eps_fits,
    check_padding_mask,
    check_roformer_config,
    check_token_ids,
)

__all__ = ["encode", "weights_from_hf_state_dict"]


def encode(
    weights: dict,
    input_ids,
    *,
    config,
    attention_mask=None,
    token_type_ids=None,
    positions=None,
) -> np.ndarray:
    """Run the RoFormer encoder: the last hidden states, as HF RoFormerModel returns them.

    Args:
        weights: from ``weights_from_hf_state_dict``; float32 or float64 (the encoder
            computes in that dtype; rotations in float64, see ``rope_ref.rotate``).
        input_ids: (batch, seq) integers in [0, vocab_size).
        config: a mapping with HF RoFormerConfig's field names, e.g.
            ``RoFormerConfig(...).to_dict()``. ``is_decoder=True`` makes attention causal.
            ``max_position_embeddings`` is ignored: there is no position table.
        attention_mask: (batch, seq) of 1 (token) / 0 (padding); default all 1.
        token_type_ids: (batch, seq) integers in [0, type_vocab_size); default 0.
        positions: the positions m, (seq,) or (batch, seq), finite reals;
            default 0, 1, ..., seq - 1 (HF's). Shifting them all by a constant leaves
            the output unchanged (eq 16).

    Returns:
        (batch, seq, hidden_size) array of the weights' dtype. Raises ValueError naming
        the stage if finite but huge weights overflow that dtype.
    """
    cfg = check_roformer_config(config)
    check_eps_fits(cfg["layer_norm_eps"], check_weights(weights, cfg))
    ids = check_token_ids("input_ids", input_ids, cfg["vocab_size"])
    batch, seq = ids.shape
    types = (
        np.zeros_like(ids)
        if token_type_ids is None
        else check_token_ids("token_type_ids", token_type_ids, cfg["type_vocab_size"], ids.shape)
    )
    m = np.arange(seq, dtype=np.float64) if positions is None else positions
    m = check_encoder_positions(m, batch, seq)
    mask = None
    if attention_mask is not None:
        mask = check_padding_mask(attention_mask, ids.shape)[:, None, None, :]  # keys

    with np.errstate(over="ignore", invalid="ignore"):  # reported by check_encoder_finite
        x = check_encoder_finite(_embed(weights, ids, types, cfg), "the embeddings")
        for i in range(cfg["num_hidden_layers"]):
            x = _layer(weights, f"layer.{i}.", x, m, mask, cfg)
    return x


def _embed(w: dict, ids, types, cfg: dict) -> np.ndarray:
    """Word + token-type embeddings, LayerNorm, optional projection: (batch, seq, H).

    No absolute position embedding: RoPE adds position inside attention.
    """
    x = w["word_embeddings"][ids] + w["token_type_embeddings"][types]
    x = _layer_norm(x, w["embeddings_ln.gamma"], w["embeddings_ln.beta"], cfg)
    if cfg["embedding_size"] != cfg["hidden_size"]:
        x = _affine(x, w["embeddings_project.W"], w["embeddings_project.b"])
    return x


def _layer(w: dict, p: str, x: np.ndarray, m, mask, cfg: dict) -> np.ndarray:
    """One encoder layer (post-LayerNorm, as BERT and RoFormer): (batch, seq, H) -> same."""
    a = _affine(_self_attention(w, p, x, m, mask, cfg), w[p + "W_o"], w[p + "b_o"])
    x = _layer_norm(x + a, w[p + "ln_1.gamma"], w[p + "ln_1.beta"], cfg)
    f = _affine(gelu(_affine(x, w[p + "W_1"], w[p + "b_1"])), w[p + "W_2"], w[p + "b_2"])
    x = _layer_norm(x + f, w[p + "ln_2.gamma"], w[p + "ln_2.beta"], cfg)
    return check_encoder_finite(x, f"{p[:-1]}'s output")


def _self_attention(w: dict, p: str, x: np.ndarray, m, mask, cfg: dict) -> np.ndarray:
    """Multi-head self-attention with RoPE per head (eqs 2, 16): (batch, seq, H) -> same.

    Each head's q and k are rotated by R^d_(Theta,m) with d = H / h and theta of eq 15.
    """
    q, k, v = _project_qkv(w, p, x, cfg["num_attention_heads"])  # (batch, h, seq, d)
    for name, y in zip("qkv", (q, k, v), strict=True):
        check_encoder_finite(y, f"{p}W_{name}'s projection")
    causal, rotary_value = cfg["is_decoder"], cfg["rotary_value"]
    theta = frequencies(q.shape[-1])  # eq 15, base 10000
    try:
        o = rope_attention(q, k, v, m, mask=mask, causal=causal, rotary_value=rotary_value,
                           theta=theta)  # fmt: skip
    except ValueError as err:  # q, k, v are the weights' doing, not the caller's
        raise ValueError(f"weights overflow {x.dtype} in {p[:-1]}'s attention: {err}") from None
    batch, heads, seq, d = o.shape
    return o.transpose(0, 2, 1, 3).reshape(batch, seq, heads * d)


def _project_qkv(w: dict, p: str, x: np.ndarray, n_heads: int):
    """q = x W_q^T + b_q (likewise k, v), split into heads: three (batch, h, seq, d)."""
    batch, seq, hidden = x.shape

    def heads(y):
        return y.reshape(batch, seq, n_heads, hidden // n_heads).transpose(0, 2, 1, 3)

    return tuple(heads(_affine(x, w[p + "W_" + c], w[p + "b_" + c])) for c in "qkv")


def _affine(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x W^T + b with W of shape (out, in): (..., in) -> (..., out)."""
    y = x.reshape(-1, x.shape[-1]) @ W.T  # one BLAS call over all positions
    y += b
    return y.reshape(*x.shape[:-1], W.shape[0])


def _layer_norm(x: np.ndarray, gamma, beta, cfg: dict) -> np.ndarray:
    """(x - mean) / sqrt(var + eps) * gamma + beta over the last axis (biased variance)."""
    y = x - x.mean(axis=-1, keepdims=True)
    var = np.square(y).mean(axis=-1, keepdims=True)
    var += x.dtype.type(cfg["layer_norm_eps"])
    y /= np.sqrt(var, out=var)  # in place from here on
    y *= gamma
    y += beta
    return y
