"""Loading HF RoFormer weights for ``rope_ref.encoder``: names, shapes and files.

``weights_from_hf_state_dict`` maps HF RoFormerModel's parameter names to the flat dict
the encoder reads (listed in ``rope_ref.encoder``'s docstring) and lists every unknown
key, missing key and wrong shape in one error. ``check_weights`` checks a weight dict
against a config before the encoder runs.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib

import numpy as np

from rope_ref.model.safetensors import read_safetensors
from rope_ref.paper.frequencies import frequencies
from rope_ref.validation import (
    as_array,
    check_layer_count,
    check_layer_indices,
    check_weight_table,
)
from rope_ref.validation.files import check_npz_member
from rope_ref.validation.model import check_weight_arrays, check_weights_dtype

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
        missing key and wrong shape, or naming a malformed file; a file that cannot be
        opened raises the OSError that ``open`` raises (e.g. FileNotFoundError).
    """
    if dtype is not None:
        check_weights_dtype(dtype)  # before any file is read
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
    check_weight_table("state_dict", {
        "non-finite values in": [k for k, v in sd.items() if not np.all(np.isfinite(v))],
    })  # fmt: skip
    dtype = _pick_dtype(weights["word_embeddings"].dtype if dtype is None else dtype)
    if table is not None:
        _check_position_table(table)
    return {k: np.ascontiguousarray(v, dtype=dtype) for k, v in weights.items()}


def _read_state_dict(state_dict) -> dict[str, np.ndarray]:
    if isinstance(state_dict, (str, os.PathLike)):
        state_dict = _read_file(os.fspath(state_dict))
    if not hasattr(state_dict, "items"):
        raise TypeError(
            "state_dict must be a mapping of names to arrays or a .npz/.safetensors path, "
            f"got {type(state_dict).__name__}"
        )
    out = {}
    for k, v in state_dict.items():
        arr = as_array(f"state_dict[{k!r}]", v)
        if arr.dtype.kind != "f":
            raise TypeError(f"state_dict[{k!r}] must be a float array, got dtype {arr.dtype}")
        out[str(k)] = arr
    return out


def _read_file(path: str) -> dict[str, np.ndarray]:
    """The arrays of a .safetensors or .npz file (OSError if it cannot be opened)."""
    if path.endswith(".safetensors"):
        return read_safetensors(path)
    if not path.endswith(".npz"):
        raise ValueError(f"state_dict path must end in .npz or .safetensors, got {path!r}")
    try:
        _check_npz_headers(path)
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    except (ValueError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise ValueError(f"state_dict file {path!r} is not a readable .npz: {err}") from None


def _check_npz_headers(path: str) -> None:
    """Every member's .npy header must claim the bytes the member unpacks to (a 200-byte
    .npz claiming 10^10 floats made np.load allocate 75 GiB first)."""
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.filename.endswith(".npy"):
                with z.open(info) as stream:
                    check_npz_member(f"member {info.filename!r}", info, stream)


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
    L = check_layer_indices("state_dict", layers)

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
        "wrong shapes": [f"{show(k)} is {_shape(w, k)}, expected {s}"
                         for k, s in expected.items() if k in w and _shape(w, k) != s],
    })  # fmt: skip


def _shape(w: dict, key: str) -> tuple:
    return as_array(f"weights[{key!r}]", w[key]).shape


def check_weights(w: dict, cfg: dict):
    """The weights must be the ones the config describes; returns their dtype."""
    if not isinstance(w, dict):
        raise TypeError(
            f"weights must be a dict from weights_from_hf_state_dict, got {type(w).__name__}"
        )
    check_weight_arrays(w)
    dims = {"V": cfg["vocab_size"], "T": cfg["type_vocab_size"], "E": cfg["embedding_size"],
            "H": cfg["hidden_size"], "I": cfg["intermediate_size"],
            "L": cfg["num_hidden_layers"]}  # fmt: skip
    layers = {int(m.group(1)) for k in w if (m := re.match(r"layer\.(\d+)\.", str(k)))}
    check_layer_count(cfg["num_hidden_layers"], len(layers))
    _check_shapes("weights (for this config)", w, dims)
    by_dtype: dict[str, list[str]] = {}
    for k, v in w.items():  # either byte order: a big-endian float64 is a float64
        by_dtype.setdefault(str(v.dtype.newbyteorder("=")), []).append(k)
    if len(by_dtype) != 1 or set(by_dtype) - {"float32", "float64"}:
        raise TypeError(
            "weights must be all float32 or all float64, got "
            + ", ".join(
                f"{t} ({len(ks)} arrays)" if len(ks) > 3 else f"{t} ({', '.join(ks)})"
                for t, ks in by_dtype.items()
            )
        )
    return w["word_embeddings"].dtype.newbyteorder("=")


def _pick_dtype(dtype) -> np.dtype:
    dtype = check_weights_dtype(dtype)
    if dtype in (np.float16,):
        return np.dtype(np.float32)
    return dtype


def _check_position_table(table) -> None:
    """HF's table: row m = (sin(m theta_1..d/2), cos(m theta_1..d/2)) (eq 15), rounded
    to the table's dtype (float32 in HF, even in a float64 model)."""
    # HF rounds the table to float32 whatever the model's dtype; float16 rounds coarser
    tolerance = 4 * max(float(np.finfo(np.asarray(table).dtype).eps), 2.0**-23)
    table = np.asarray(table, dtype=np.float64)
    d = table.shape[-1] if table.ndim == 2 else 0
    if d < 2 or d % 2 or table.shape[0] == 0:
        raise ValueError(
            f"{_HF_POSITION_TABLE} must have shape (max_positions, d) with d "
            f"even and at least one position, got shape {table.shape}"
        )
    phi = np.arange(table.shape[0])[:, None] * frequencies(d)
    err = float(np.abs(table - np.concatenate([np.sin(phi), np.cos(phi)], axis=1)).max())
    if err > tolerance:
        raise ValueError(
            f"{_HF_POSITION_TABLE} differs from eq 15's sin/cos (base 10000) by {err:.3g}; "
            "rope_ref computes the rotation angles from eq 15 and cannot follow this table"
        )
