"""Checks for ``rope_ref.check`` and ``rope_ref.golden``: the implementation under test,
its outputs and precisions, and golden groups, versions and folders."""

from __future__ import annotations

import numpy as np

from rope_ref.validation.core import (
    _describe,
)


def check_callable(name: str, value: object) -> object:
    """A callable, such as the implementation ``check`` runs."""
    if not callable(value):
        raise TypeError(f"{name} must be callable as {name}(x, positions), got {_describe(value)}")
    return value


def check_precision(precision: object, allowed: tuple[str, ...], *, allow_none: bool = False):
    """One of ``allowed`` (working precisions such as "float32"), or None if allowed."""
    if precision is None and allow_none:
        return None
    if not isinstance(precision, str) or precision not in allowed:
        raise ValueError(f"precision must be one of {allowed}, got {_describe(precision)}")
    return precision


def check_outputs_array(
    name: str, y: object, shape: tuple[int, ...], *, allow_nonfinite: bool
) -> np.ndarray:
    """Outputs of an implementation: a real float array of ``shape``, as a NumPy array
    of its own dtype (float16/32/64 or ml_dtypes' bfloat16).

    ``y`` may be anything ``np.asarray`` accepts (a CPU torch tensor, a list, an
    ml_dtypes bfloat16 array). NaN or inf is an error unless ``allow_nonfinite``.
    """
    try:
        arr = np.asarray(y)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(
            f"{name} must be convertible by np.asarray, got {_describe(y)}: {err}"
        ) from err
    if arr.dtype.kind != "f" and arr.dtype.name != "bfloat16":
        raise TypeError(f"{name} must be a float array, got dtype {arr.dtype}")
    if arr.shape != tuple(shape):
        raise ValueError(
            f"{name} must have the inputs' shape {tuple(shape)}, got shape {arr.shape}"
        )
    finite = np.isfinite(arr.astype(np.float64))
    if not allow_nonfinite and not np.all(finite):
        bad = int(arr.size - np.count_nonzero(finite))
        raise ValueError(f"{name} must be finite, got {bad} NaN or inf value(s)")
    return arr


def check_golden_group(group: object) -> object:
    """A golden group's name (str), or a group as ``rope_ref.golden.load_group`` returns."""
    if not isinstance(group, str) and not (hasattr(group, "arrays") and hasattr(group, "config")):
        raise TypeError(
            "group must be a golden group's name (str) or a GoldenGroup from "
            f"rope_ref.golden.load_group, got {_describe(group)}"
        )
    return group


def check_golden_version(version: object) -> str:
    """A golden set version: a plain folder name such as 'v1' (no separator, no NUL, at
    most 255 characters: a name no file system refuses)."""
    if not isinstance(version, str) or not version or "/" in version or "\\" in version:
        raise ValueError(f"version must be a folder name such as 'v1', got {_describe(version)}")
    if version in (".", "..") or "\x00" in version or len(version) > 255:
        raise ValueError(f"version must be a folder name such as 'v1', got {_describe(version)}")
    return version


def check_golden_root(root: object) -> object:
    """``root``: None (the packaged vectors) or a folder path (str or os.PathLike)."""
    import os

    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder path (str or os.PathLike), got {_describe(root)}")
    return root
