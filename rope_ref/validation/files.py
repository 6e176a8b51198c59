"""Checks for what rope_ref reads from files it did not write: JSON (golden manifests,
exported config.json, safetensors headers) and NumPy's .npy format (golden arrays,
exported inputs and outputs, the members of an .npz of weights).

A file's own claims are checked against the file before anything is allocated: an .npy
header that claims 10^12 values where the file holds 64 bytes is a ValueError naming the
file, not a MemoryError, and JSON nested deeper than the parser's recursion limit is a
ValueError, not a RecursionError.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np

#: The largest compression ratio deflate (the .npz codec) reaches is about 1032:1, so a
#: member that claims to unpack to more than this many times its compressed size lies.
MAX_DEFLATE_RATIO = 1100


def parse_json(name: str, text: str | bytes) -> object:
    """json.loads(text); invalid JSON, bytes that are not UTF-8, or nesting deeper than
    Python's recursion limit (about 1000 levels; no file rope_ref reads nests more than
    five) raise ValueError naming ``name``."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text)
    except UnicodeDecodeError as err:
        raise ValueError(f"{name} is not UTF-8 text: {err}") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"{name} is not valid JSON: {err}") from None
    except RecursionError:
        raise ValueError(
            f"{name} is JSON nested too deeply (deeper than Python's recursion limit "
            "allows; expected a few levels)"
        ) from None


def npy_header(name: str, stream) -> tuple[np.dtype, tuple[int, ...], bool, int]:
    """(dtype, shape, fortran_order, data bytes claimed) from the header of an .npy stream,
    which is left at the start of the data. Object dtypes (pickles) are refused."""
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unknown .npy format version {version}")
    except (ValueError, EOFError, SyntaxError, TypeError, OverflowError) as err:
        raise ValueError(f"{name} is not a readable .npy array: {err}") from None
    if dtype.hasobject:
        raise ValueError(f"{name} holds Python objects (dtype {dtype}); expected numbers")
    return dtype, tuple(shape), bool(fortran), math.prod(shape) * dtype.itemsize


def npy_from_bytes(name: str, data: bytes) -> np.ndarray:
    """The array an .npy file's bytes hold, after checking that the header's claim (shape
    times item size) is exactly the bytes that follow it."""
    stream = io.BytesIO(data)
    dtype, shape, fortran, claimed = npy_header(name, stream)
    held = len(data) - stream.tell()
    if claimed != held:
        raise ValueError(
            f"{name} is not a readable .npy array: its header claims shape {shape} of "
            f"{dtype} ({claimed} bytes of data), but the file holds {held} bytes after it"
        )
    arr = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=stream.tell())
    return arr.reshape(shape, order="F" if fortran else "C").copy()


def read_npy(name: str, path: Path) -> np.ndarray:
    """An .npy file on disk, read whole once its header's claim matches its size."""
    with open(path, "rb") as f:
        dtype, shape, _, claimed = npy_header(name, f)
        held = path.stat().st_size - f.tell()
    if claimed != held:
        raise ValueError(
            f"{name} is not a readable .npy array: its header claims shape {shape} of "
            f"{dtype} ({claimed} bytes of data), but the file holds {held} bytes after it"
        )
    return npy_from_bytes(name, path.read_bytes())


def check_npz_member(name: str, info, stream) -> None:
    """A member of an .npz (a ``zipfile.ZipInfo`` and its open stream): the data its .npy
    header claims must be what the member unpacks to, and no member may claim to unpack
    to more than MAX_DEFLATE_RATIO times its compressed size."""
    if info.file_size > MAX_DEFLATE_RATIO * max(info.compress_size, 1):
        raise ValueError(
            f"{name} claims to unpack to {info.file_size} bytes from {info.compress_size}, "
            f"more than deflate's ratio allows (at most {MAX_DEFLATE_RATIO}:1)"
        )
    dtype, shape, _, claimed = npy_header(name, stream)
    held = info.file_size - stream.tell()
    if claimed != held:
        raise ValueError(
            f"{name} is not a readable .npy array: its header claims shape {shape} of "
            f"{dtype} ({claimed} bytes of data), but the member holds {held} bytes after it"
        )
