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
"""

from __future__ import annotations

import os
import re

import numpy as np

from rope_ref._safetensors import read_safetensors
from rope_ref._special import gelu
from rope_ref._validate import (
    check_encoder_positions,
    check_padding_mask,
    check_roformer_config,
    check_token_ids,
    check_weight_table,
)
from rope_ref.attention import rope_attention
from rope_ref.frequencies import frequencies


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
        (batch, seq, hidden_size) array of the weights' dtype.
    """
    cfg = check_roformer_config(config)
    dtype = _check_weights(weights, cfg)
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

    x = _embed(weights, ids, types, cfg, dtype)
    for i in range(cfg["num_hidden_layers"]):
        x = _layer(weights, f"layer.{i}.", x, m, mask, cfg)
    return x


def _embed(w: dict, ids, types, cfg: dict, dtype) -> np.ndarray:
    """Word + token-type embeddings, LayerNorm, optional projection: (batch, seq, H).

    No absolute position embedding: RoPE adds position inside attention.
    """
    x = w["word_embeddings"][ids] + w["token_type_embeddings"][types]
    x = _layer_norm(x, w["embeddings_ln.gamma"], w["embeddings_ln.beta"], cfg)
    if cfg["embedding_size"] != cfg["hidden_size"]:
        x = _linear(x, w["embeddings_project.W"], w["embeddings_project.b"])
    return x.astype(dtype, copy=False)


def _layer(w: dict, p: str, x: np.ndarray, m, mask, cfg: dict) -> np.ndarray:
    """One encoder layer (post-LayerNorm, as BERT and RoFormer): (batch, seq, H) -> same."""
    o = _self_attention(w, p, x, m, mask, cfg)
    x = _layer_norm(
        x + _linear(o, w[p + "W_o"], w[p + "b_o"]), w[p + "ln_1.gamma"], w[p + "ln_1.beta"], cfg
    )
    f = _linear(gelu(_linear(x, w[p + "W_1"], w[p + "b_1"])), w[p + "W_2"], w[p + "b_2"])
    return _layer_norm(x + f, w[p + "ln_2.gamma"], w[p + "ln_2.beta"], cfg)


def _self_attention(w: dict, p: str, x: np.ndarray, m, mask, cfg: dict) -> np.ndarray:
    """Multi-head self-attention with RoPE per head (eqs 2, 16): (batch, seq, H) -> same."""
    q, k, v = _project_qkv(w, p, x, cfg["num_attention_heads"])  # (batch, h, seq, d)
    theta = frequencies(q.shape[-1])  # eq 15, base 10000
    o = rope_attention(
        q,
        k,
        v,
        m,
        mask=mask,
        causal=cfg["is_decoder"],
        rotary_value=cfg["rotary_value"],
        theta=theta,
    )
    batch, heads, seq, d = o.shape
    return o.transpose(0, 2, 1, 3).reshape(batch, seq, heads * d)


def _project_qkv(w: dict, p: str, x: np.ndarray, n_heads: int):
    """q = x W_q^T + b_q (likewise k, v), split into heads: three (batch, h, seq, d)."""
    batch, seq, hidden = x.shape

    def heads(y):
        return y.reshape(batch, seq, n_heads, hidden // n_heads).transpose(0, 2, 1, 3)

    return tuple(heads(_linear(x, w[p + "W_" + c], w[p + "b_" + c])) for c in "qkv")


def _linear(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x W^T + b with W of shape (out, in): (..., in) -> (..., out)."""
    y = x.reshape(-1, x.shape[-1]) @ W.T  # one BLAS call over all positions
    y += b
    return y.reshape(*x.shape[:-1], W.shape[0])


def _layer_norm(x: np.ndarray, gamma, beta, cfg: dict) -> np.ndarray:
    """(x - mean) / sqrt(var + eps) * gamma + beta over the last axis (biased variance)."""
    mu = x.mean(axis=-1, keepdims=True)
    var = np.square(x - mu).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + x.dtype.type(cfg["layer_norm_eps"])) * gamma + beta


# --- weights ---------------------------------------------------------------------------

_HF_NAMES = {  # rope_ref name <- HF RoFormerModel state-dict name
    "word_embeddings": "embeddings.word_embeddings.weight",
    "token_type_embeddings": "embeddings.token_type_embeddings.weight",
    "embeddings_ln.gamma": "embeddings.LayerNorm.weight",
    "embeddings_ln.beta": "embeddings.LayerNorm.bias",
    "embeddings_project.W": "embeddings_project.weight",
    "embeddings_project.b": "embeddings_project.bias",
}
_HF_LAYER_NAMES = {
    "W_q": "attention.self.query.weight", "b_q": "attention.self.query.bias",
    "W_k": "attention.self.key.weight", "b_k": "attention.self.key.bias",
    "W_v": "attention.self.value.weight", "b_v": "attention.self.value.bias",
    "W_o": "attention.output.dense.weight", "b_o": "attention.output.dense.bias",
    "ln_1.gamma": "attention.output.LayerNorm.weight",
    "ln_1.beta": "attention.output.LayerNorm.bias",
    "W_1": "intermediate.dense.weight", "b_1": "intermediate.dense.bias",
    "W_2": "output.dense.weight", "b_2": "output.dense.bias",
    "ln_2.gamma": "output.LayerNorm.weight", "ln_2.beta": "output.LayerNorm.bias",
}  # fmt: skip
_HF_POSITION_TABLE = "encoder.embed_positions.weight"
_HF_LAYER = re.compile(r"encoder\.layer\.(\d+)\.(.+)")


def weights_from_hf_state_dict(state_dict, *, dtype=None) -> dict[str, np.ndarray]:
    """Map an HF RoFormerModel state dict to the encoder's weight dict (module doc).

    Args:
        state_dict: a mapping of HF names to arrays (NumPy, or anything ``np.asarray``
            takes, e.g. CPU torch tensors), or the path of a ``.npz`` or ``.safetensors``
            file holding one. A ``roformer.`` prefix (task models) is stripped.
            ``encoder.embed_positions.weight``, HF's sin/cos table, is checked against
            eq 15 (base 10000) and dropped: rope_ref computes the angles itself, at any
            position.
        dtype: float32 or float64; default the word embeddings' dtype (float16 and
            bfloat16 become float32).

    Returns:
        dict name -> array of ``dtype``. Raises ValueError listing every unknown key,
        missing key and wrong shape.
    """
    sd = _read_state_dict(state_dict)
    sd = {k.removeprefix("roformer."): v for k, v in sd.items()}
    table = sd.pop(_HF_POSITION_TABLE, None)
    weights, unknown = {}, []
    for name, value in sd.items():
        ours = _our_name(name)
        if ours is None:
            unknown.append(name)
        else:
            weights[ours] = value
    dims = _dims_from_weights(weights)
    _check_shapes("state_dict", weights, dims, hf_names=True, unknown=unknown)
    dtype = _pick_dtype(weights["word_embeddings"].dtype if dtype is None else dtype)
    if table is not None:
        _check_position_table(table)
    return {k: np.ascontiguousarray(v, dtype=dtype) for k, v in weights.items()}


def _read_state_dict(state_dict) -> dict[str, np.ndarray]:
    if isinstance(state_dict, (str, os.PathLike)):
        path = os.fspath(state_dict)
        if path.endswith(".safetensors"):
            return read_safetensors(path)
        if path.endswith(".npz"):
            with np.load(path, allow_pickle=False) as f:
                return {k: f[k] for k in f.files}
        raise ValueError(f"state_dict path must end in .npz or .safetensors, got {path!r}")
    if not hasattr(state_dict, "items"):
        raise TypeError(
            "state_dict must be a mapping of names to arrays or a .npz/.safetensors path, "
            f"got {type(state_dict).__name__}"
        )
    out = {}
    for k, v in state_dict.items():
        arr = np.asarray(v)
        if arr.dtype.kind != "f":
            raise TypeError(f"state_dict[{k!r}] must be a float array, got dtype {arr.dtype}")
        out[str(k)] = arr
    return out


def _our_name(hf_name: str) -> str | None:
    for ours, theirs in _HF_NAMES.items():
        if hf_name == theirs:
            return ours
    match = _HF_LAYER.fullmatch(hf_name)
    if match:
        for ours, theirs in _HF_LAYER_NAMES.items():
            if match.group(2) == theirs:
                return f"layer.{int(match.group(1))}.{ours}"
    return None


def _expected_shapes(V: int, T: int, E: int, H: int, I: int, L: int) -> dict[str, tuple]:  # noqa: E741
    shapes = {
        "word_embeddings": (V, E),
        "token_type_embeddings": (T, E),
        "embeddings_ln.gamma": (E,),
        "embeddings_ln.beta": (E,),
    }
    if E != H:
        shapes |= {"embeddings_project.W": (H, E), "embeddings_project.b": (H,)}
    layer = {"W_q": (H, H), "W_k": (H, H), "W_v": (H, H), "W_o": (H, H),
             "b_q": (H,), "b_k": (H,), "b_v": (H,), "b_o": (H,),
             "ln_1.gamma": (H,), "ln_1.beta": (H,), "W_1": (I, H), "b_1": (I,),
             "W_2": (H, I), "b_2": (H,), "ln_2.gamma": (H,), "ln_2.beta": (H,)}  # fmt: skip
    for i in range(L):
        shapes |= {f"layer.{i}.{k}": s for k, s in layer.items()}
    return shapes


def _dims_from_weights(w: dict) -> dict[str, int]:
    """V, T, E, H, I, L read off the weights (checked against every shape afterwards)."""
    layers = {int(k.split(".")[1]) for k in w if k.startswith("layer.")}
    L = max(layers) + 1 if layers else 0

    def size(key, axis, fallback):
        return w[key].shape[axis] if key in w and w[key].ndim > axis else fallback

    E = size("word_embeddings", 1, size("embeddings_ln.gamma", 0, 0))
    H = size("layer.0.W_q", 0, size("embeddings_project.W", 0, E))
    return {"V": size("word_embeddings", 0, 0), "T": size("token_type_embeddings", 0, 0),
            "E": E, "H": H, "I": size("layer.0.W_1", 0, 0), "L": L}  # fmt: skip


def _check_shapes(name: str, w: dict, dims: dict, hf_names=False, unknown=()) -> None:
    expected = _expected_shapes(**dims)

    def show(key):
        if not hf_names:
            return key
        if key.startswith("layer."):
            _, i, rest = key.split(".", 2)
            return f"encoder.layer.{i}.{_HF_LAYER_NAMES[rest]}"
        return _HF_NAMES[key]

    check_weight_table(name, {
        "missing keys": [show(k) for k in expected if k not in w],
        "unknown keys": [*unknown, *(show(k) for k in w if k not in expected)],
        "wrong shapes": [f"{show(k)} is {w[k].shape}, expected {s}"
                         for k, s in expected.items() if k in w and w[k].shape != s],
    })  # fmt: skip


def _check_weights(w: dict, cfg: dict):
    """The weights must be the ones the config describes; returns their dtype."""
    if not isinstance(w, dict):
        raise TypeError(
            f"weights must be a dict from weights_from_hf_state_dict, got {type(w).__name__}"
        )
    dims = {"V": cfg["vocab_size"], "T": cfg["type_vocab_size"], "E": cfg["embedding_size"],
            "H": cfg["hidden_size"], "I": cfg["intermediate_size"],
            "L": cfg["num_hidden_layers"]}  # fmt: skip
    _check_shapes("weights (for this config)", w, dims)
    by_dtype: dict[str, list[str]] = {}
    for k, v in w.items():
        by_dtype.setdefault(str(np.asarray(v).dtype), []).append(k)
    if len(by_dtype) != 1 or set(by_dtype) - {"float32", "float64"}:
        raise TypeError(
            "weights must be all float32 or all float64, got "
            + ", ".join(
                f"{t} ({len(ks)} arrays)" if len(ks) > 3 else f"{t} ({', '.join(ks)})"
                for t, ks in by_dtype.items()
            )
        )
    return w["word_embeddings"].dtype


def _pick_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype in (np.float16,):
        return np.dtype(np.float32)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def _check_position_table(table) -> None:
    """HF's table: row m = (sin(m theta_1..d/2), cos(m theta_1..d/2)) in float32 (eq 15)."""
    table = np.asarray(table, dtype=np.float64)
    d = table.shape[-1] if table.ndim == 2 else 0
    if d < 2 or d % 2:
        raise ValueError(
            f"{_HF_POSITION_TABLE} must have shape (max_positions, d) with d "
            f"even, got shape {table.shape}"
        )
    phi = np.arange(table.shape[0])[:, None] * frequencies(d)
    err = float(np.abs(table - np.concatenate([np.sin(phi), np.cos(phi)], axis=1)).max())
    if err > 1e-6:
        raise ValueError(
            f"{_HF_POSITION_TABLE} differs from eq 15's sin/cos (base 10000) by {err:.3g}; "
            "rope_ref computes the rotation angles from eq 15 and cannot follow this table"
        )
