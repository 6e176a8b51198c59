"""Read a ``.safetensors`` file with NumPy alone (no safetensors, no torch).

The format (https://github.com/huggingface/safetensors): 8 bytes, a little-endian
unsigned 64-bit header length N; N bytes of UTF-8 JSON mapping each tensor name to
``{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}`` (plus an optional
``"__metadata__"`` entry of strings); then the raw little-endian tensor bytes, with
offsets relative to the end of the header. BF16 has no NumPy dtype: it is widened to
float32 exactly (a bfloat16 is the top 16 bits of a float32).
"""

from __future__ import annotations

import math
import os

import numpy as np

from rope_ref.validation.files import parse_json

_DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
    "BOOL": "?",
    "BF16": "<u2",  # widened to float32 below
}


def read_safetensors(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """All tensors of a .safetensors file as NumPy arrays (native byte order).

    Raises ValueError naming the file and the problem for a truncated file, a bad
    header, an unknown dtype or offsets that do not match the shape.
    """
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: not a safetensors file (only {len(data)} bytes)")
    n = int.from_bytes(data[:8], "little")
    if n > len(data) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the file ({len(data)} bytes)")
    header = parse_json(f"{path}: the safetensors header", data[8 : 8 + n])
    if not isinstance(header, dict):
        raise ValueError(f"{path}: the safetensors header must be a JSON object")
    body = memoryview(data)[8 + n :]
    return {
        name: _tensor(path, name, info, body)
        for name, info in header.items()
        if name != "__metadata__"
    }


def _tensor(path, name: str, info: object, body: memoryview) -> np.ndarray:
    try:
        code, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
    except (TypeError, KeyError, ValueError):
        raise ValueError(
            f"{path}: tensor {name!r} needs 'dtype', 'shape' and 'data_offsets', got {info!r}"
        ) from None
    if not isinstance(code, str) or code not in _DTYPES:
        raise ValueError(
            f"{path}: tensor {name!r} has dtype {code!r}; supported: {sorted(_DTYPES)}"
        )
    if not (_naturals(shape) and _naturals([begin, end])):
        raise ValueError(
            f"{path}: tensor {name!r} needs a shape and data_offsets of integers >= 0, "
            f"got shape {shape!r} and data_offsets {[begin, end]!r}"
        )
    dtype = np.dtype(_DTYPES[code])
    size = math.prod(shape) * dtype.itemsize
    if not (0 <= begin <= end <= len(body)) or end - begin != size:
        raise ValueError(
            f"{path}: tensor {name!r} of shape {shape} and dtype {code} needs {size} bytes, "
            f"got data_offsets [{begin}, {end}] in a body of {len(body)} bytes"
        )
    arr = np.frombuffer(body[begin:end], dtype=dtype).reshape(shape)
    if code == "BF16":
        return (arr.astype(np.uint32) << 16).view(np.float32)
    return arr.astype(dtype.newbyteorder("="), copy=True)


def _naturals(values: object) -> bool:
    """A JSON list of integers >= 0 (not bools)."""
    return isinstance(values, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values
    )
