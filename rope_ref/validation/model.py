"""Checks for ``rope_ref.attention`` (q, k, v, masks, the sums of eq 16 and eq 19) and
``rope_ref.encoder`` (RoFormer configs, weights, token ids, padding masks, positions)."""

from __future__ import annotations

import numpy as np

from rope_ref.validation.core import (
    as_array,
    broadcasts_to,
    check_bool,
    check_float_array,
    check_int,
    check_plain_array,
    check_positions,
    check_positive_real,
    check_size,
    describe,
)


def check_query_key(q, k) -> tuple[np.ndarray, np.ndarray]:
    """q, k: float arrays (..., seq, d) of one shape (self-attention)."""
    q = check_float_array("q", q, min_ndim=2)
    k = check_float_array("k", k, min_ndim=2)
    if k.shape != q.shape:
        raise ValueError(f"k must have q's shape {q.shape} (..., seq, d), got shape {k.shape}")
    return q, k


def check_attention_inputs(q, k, v, mask, *, linear: bool = False) -> np.ndarray | None:
    """q, k: (..., seq, d) of one shape; v: (..., seq, d_v); mask None or bool broadcastable
    to (..., seq, seq) ((..., 1, seq) for linear attention: keys only). Returns the mask."""
    q, k = check_query_key(q, k)
    v = check_float_array("v", v, min_ndim=2)
    if v.shape[:-1] != q.shape[:-1]:
        raise ValueError(
            f"v must have shape {q.shape[:-1]} + (d_v,) (q's leading axes and seq), "
            f"got shape {v.shape}"
        )
    if q.shape[-2] == 0:
        raise ValueError(f"q must have seq >= 1 (shape (..., seq, d)), got shape {q.shape}")
    if mask is None:
        return None
    if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_:
        raise TypeError(
            f"mask must be a NumPy bool array (True = may attend), got {describe(mask)}"
        )
    check_plain_array("mask", mask)
    seq = q.shape[-2]
    target = q.shape[:-2] + ((1, seq) if linear else (seq, seq))
    if not broadcasts_to(mask.shape, target):
        what = "(..., 1, seq): linear attention masks keys only" if linear else "(..., seq, seq)"
        raise ValueError(f"mask must broadcast to {target} {what}, got shape {mask.shape}")
    # linear attention swaps the mask's last two axes: a 0-d or (seq,) mask needs them
    return np.broadcast_to(mask, target) if linear else mask


def check_attention_size(q: np.ndarray, v: np.ndarray, *, linear: bool, causal: bool) -> None:
    """The largest array attention builds must fit MAX_ELEMENTS (checked before it is
    built): the scores (..., seq, seq) of eq 2 and 16, or causal linear attention's running
    sums (..., seq, d, d_v) of eq 19 (non-causal linear attention builds (..., d, d_v))."""
    lead, (seq, d), d_v = q.shape[:-2], q.shape[-2:], v.shape[-1]
    if not linear:
        check_size(
            "q and k are", "the scores q_m^T k_n of shape (..., seq, seq)", lead + (seq, seq)
        )
    elif causal:
        check_size(
            "q, k and v are",
            "causal linear attention's sums of shape (..., seq, d, d_v) (eq 19)",
            lead + (seq, d, d_v),
        )


def check_linear_output(out: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Eq 19's quotient numerator / denominator, cast to q's dtype: finite numerator and
    denominator can still overflow there (a denominator of 1e-300, or float16 outputs
    past 65504). NaN is left for queries without keys (0/0, documented)."""
    if np.any(np.isinf(out)):
        raise ValueError(
            f"q, k or v are too large: the output of linear attention, eq 19's numerator "
            f"over its denominator, overflows {np.dtype(dtype)} (max finite "
            f"{np.finfo(dtype).max:.5g}); scale v down or compute in a wider dtype"
        )
    return out


def check_scores(
    scores: np.ndarray, what: str = "the scores q_m^T k_n / sqrt(d) (eq 16)"
) -> np.ndarray:
    """Attention's sums must be finite in their dtype: float16 q and k of magnitude 200
    already overflow 65504 in the scores."""
    if not np.all(np.isfinite(scores)):
        raise ValueError(
            f"q, k (or v) are too large: {what} overflow {scores.dtype} (max finite "
            f"{np.finfo(scores.dtype).max:.5g}); scale them down or compute in a wider dtype"
        )
    return scores


def check_denominator(denom: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Linear attention's denominator sum_n phi(q_m)^T varphi(k_n) (eq 19) must be finite,
    and > 0 for every query with an allowed key: elu(x) + 1 > 0, but it underflows to 0
    for x below about -745 (float64) or -104 (float32). Queries with no allowed key
    get 0/0 = nan, as documented."""
    check_scores(denom, "the denominator of eq 19")
    zero = (denom == 0) & (allowed > 0)
    if np.any(zero):
        raise ValueError(
            f"q or k are too negative: elu(x) + 1 underflows to 0 in {denom.dtype}, so the "
            f"denominator of eq 19 is 0 for {int(zero.sum())} query(s) that have keys"
        )
    return denom


#: HF RoFormerConfig fields the encoder reads, with HF's defaults where shapes do not
#: depend on them (``None``: required, the weights' shapes depend on it).
ROFORMER_FIELDS = {
    "vocab_size": None,
    "hidden_size": None,
    "num_hidden_layers": None,
    "num_attention_heads": None,
    "intermediate_size": None,
    "type_vocab_size": None,
    "embedding_size": "hidden_size",
    "hidden_act": "gelu",
    "layer_norm_eps": 1e-12,
    "rotary_value": False,
    "is_decoder": False,
    "add_cross_attention": False,
}


def check_roformer_config(config: object) -> dict:
    """A mapping with HF RoFormerConfig's field names (``RoFormerConfig(...).to_dict()``
    works as it is; fields the encoder does not use, such as dropout rates and
    ``max_position_embeddings``, are ignored). Returns the fields in ROFORMER_FIELDS."""
    from collections.abc import Mapping

    if not isinstance(config, Mapping):
        raise TypeError(
            "config must be a mapping with HF RoFormerConfig's field names "
            f"(e.g. RoFormerConfig(...).to_dict()), got {describe(config)}"
        )
    missing = [
        key for key, default in ROFORMER_FIELDS.items() if default is None and key not in config
    ]
    if missing:
        raise ValueError(f"config is missing the required field(s) {missing}")
    out = {key: config.get(key, default) for key, default in ROFORMER_FIELDS.items()}
    if out["embedding_size"] in (None, "hidden_size"):
        out["embedding_size"] = out["hidden_size"]
    for key in (
        "vocab_size",
        "hidden_size",
        "num_attention_heads",
        "intermediate_size",
        "type_vocab_size",
        "embedding_size",
    ):
        out[key] = check_int(f"config['{key}']", out[key], minimum=1)
    out["num_hidden_layers"] = check_int(
        "config['num_hidden_layers']", out["num_hidden_layers"], minimum=0
    )
    heads, hidden = out["num_attention_heads"], out["hidden_size"]
    if hidden % heads or (hidden // heads) % 2:
        raise ValueError(
            "config['hidden_size'] / config['num_attention_heads'] (the head dimension d) "
            f"must be an even integer (RoPE rotates pairs, eq 15), got {hidden} / {heads}"
        )
    if not isinstance(out["hidden_act"], str) or out["hidden_act"] != "gelu":
        raise ValueError(
            f"config['hidden_act'] must be 'gelu' (exact erf GELU), got {out['hidden_act']!r}"
        )
    out["layer_norm_eps"] = check_positive_real("config['layer_norm_eps']", out["layer_norm_eps"])
    for key in ("rotary_value", "is_decoder", "add_cross_attention"):
        check_bool(f"config['{key}']", out[key])
    if out["add_cross_attention"]:
        raise ValueError(
            "config['add_cross_attention'] must be False: the encoder has "
            "self-attention only, got True"
        )
    return out


def check_eps_fits(eps: float, dtype: np.dtype) -> None:
    """config['layer_norm_eps'] must stay > 0 and finite in the weights' dtype (1e-50 is
    0 in float32, and a constant row then divides 0 by 0)."""
    with np.errstate(over="ignore"):
        cast = np.asarray(eps).astype(dtype)
    if not (np.isfinite(cast) and cast > 0):
        raise ValueError(
            f"config['layer_norm_eps'] must be > 0 and finite in the weights' dtype "
            f"{np.dtype(dtype)}, got {eps} (it becomes {cast})"
        )


def check_encoder_finite(x: np.ndarray, where: str) -> np.ndarray:
    """Hidden states must stay finite: finite but huge weights can overflow the weights'
    dtype (float32 ends at 3.4e38); the message says where."""
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"weights overflow {x.dtype} in {where}: the hidden states hold NaN or inf "
            f"(max finite |value| {_max_abs(x, np.isfinite(x))}); check the weights' scale"
        )
    return x


def _max_abs(values: np.ndarray, keep: np.ndarray) -> str:
    kept = np.abs(values[keep])
    return f"{kept.max():.3g}" if kept.size else "none"


def check_layer_count(configured: int, present: int) -> None:
    """config['num_hidden_layers'] may exceed the layers the weights hold by one layer at
    most before their keys are listed one by one (a config of 10**9 layers would list
    1.6e10 missing keys); more is this error."""
    if configured > present + 1:
        raise ValueError(
            f"config['num_hidden_layers'] is {configured} but the weights hold {present} layer(s)"
        )


def check_layer_indices(name: str, layers: set[int]) -> int:
    """Encoder layers must be numbered 0..L-1 without gaps; returns L."""
    count = max(layers) + 1 if layers else 0
    if count != len(layers):
        missing = sorted(set(range(min(count, len(layers) + 20))) - layers)[:10]
        raise ValueError(
            f"{name} must number its layers 0..L-1 without gaps, got {len(layers)} layer(s) "
            f"up to index {count - 1}; missing e.g. {missing}"
        )
    return count


def check_weight_table(name: str, problems: dict[str, list[str]]) -> None:
    """Raise one ValueError listing the missing keys, unknown keys and wrong shapes (the
    first 20 of each kind, and how many more)."""
    lines = [
        f"  {kind}: {', '.join(items[:20])}"
        + (f" and {len(items) - 20} more" if len(items) > 20 else "")
        for kind, items in problems.items()
        if items
    ]
    if lines:
        raise ValueError(f"{name} does not match the RoFormer encoder:\n" + "\n".join(lines))


def check_weight_arrays(weights: dict) -> dict:
    """The encoder's weights: str keys, each a plain NumPy array (a list, a torch tensor
    or a masked array is refused here rather than failing inside the encoder)."""
    for key, value in weights.items():
        if not isinstance(key, str):
            raise TypeError(f"weights must have str keys (names), got the key {describe(key)}")
        if not isinstance(value, np.ndarray):
            raise TypeError(
                f"weights[{key!r}] must be an array, a NumPy one (weights_from_hf_state_dict "
                f"converts lists and torch tensors), got {describe(value)}"
            )
        check_plain_array(f"weights[{key!r}]", value)
    return weights


#: The dtypes ``weights_from_hf_state_dict`` converts weights to (float16 goes to float32).
WEIGHT_DTYPES = ("float16", "float32", "float64")


def check_weights_dtype(dtype: object) -> np.dtype:
    """``dtype``: float32 or float64 (or float16, read as float32), as NumPy spells them."""
    try:
        if isinstance(dtype, (bool, np.bool_)) or dtype is None:
            raise TypeError
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"dtype must be float32 or float64 (or None: the word embeddings'), got "
            f"{describe(dtype)}"
        ) from None
    if dtype.newbyteorder("=").name not in WEIGHT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype.newbyteorder("=")


def check_token_ids(name: str, ids: object, n_vocab: int, shape=None) -> np.ndarray:
    """Integer ids of shape (batch, seq) (or ``shape``) with 0 <= id < n_vocab."""
    arr = as_array(name, ids) if isinstance(ids, (list, tuple)) else check_plain_array(name, ids)
    if not isinstance(arr, np.ndarray) or arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must be an integer array of shape (batch, seq), got {describe(ids)}"
        )
    if shape is None and (arr.ndim != 2 or arr.size == 0):
        raise ValueError(
            f"{name} must have shape (batch, seq) with batch, seq >= 1, got shape {arr.shape}"
        )
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name} must have input_ids' shape {shape}, got shape {arr.shape}")
    bad = (arr < 0) | (arr >= n_vocab)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must lie in [0, {n_vocab}), got {int(bad.sum())} id(s) out of range, "
            f"e.g. {int(arr[where])} at index {where}"
        )
    return arr.astype(np.intp, copy=False)


def check_padding_mask(mask: object, shape: tuple[int, int]) -> np.ndarray:
    """attention_mask: (batch, seq) of 0/1 (bool, int or float); returns bool."""
    if isinstance(mask, (list, tuple)):
        arr = as_array("attention_mask", mask)
    else:
        arr = check_plain_array("attention_mask", mask)
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf":
        raise TypeError(
            f"attention_mask must be an array of 0/1 of shape {shape}, got {describe(mask)}"
        )
    if arr.shape != shape:
        raise ValueError(
            f"attention_mask must have input_ids' shape {shape} (batch, seq), got shape {arr.shape}"
        )
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError(
            "attention_mask must hold only 0 (padding) and 1 (token), got "
            f"values {np.unique(arr)[:6].tolist()}"
        )
    return arr.astype(bool)


def check_encoder_positions(positions: object, batch: int, seq: int) -> np.ndarray:
    """positions m: (seq,) or (batch, seq) finite reals; returns (seq,) or (batch, 1, seq)."""
    m = check_positions(positions)
    if m.shape == (seq,):
        return m
    if m.shape == (batch, seq):
        return m[:, None, :]
    raise ValueError(
        f"positions must have shape (seq,) = ({seq},) or (batch, seq) = "
        f"({batch}, {seq}), got shape {m.shape}"
    )
