"""Checks for ``rope_ref.decay`` (q and k of eq 35) and ``rope_ref.figures`` (pairs of
arrays compared, the difference between them)."""

from __future__ import annotations

import numpy as np

from rope_ref.validation.core import (
    as_array,
    check_even_dim,
    check_float_array,
    describe,
)


def check_qk(q: object, k: object, *, single: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A query and a key: float arrays of the same shape (..., d), or (d,) if ``single``,
    with d even (eq 35)."""
    q = check_float_array("q", q, min_ndim=1)
    k = check_float_array("k", k, min_ndim=1)
    if single and q.ndim != 1:
        raise ValueError(f"q and k must have shape (d,), got q {q.shape} and k {k.shape}")
    if q.shape != k.shape:
        raise ValueError(f"q and k must have the same shape, got q {q.shape} and k {k.shape}")
    d = check_even_dim("d (the last axis of q and k)", q.shape[-1])
    q_max = float(np.abs(q).max()) if q.size else 0.0
    k_max = float(np.abs(k).max()) if k.size else 0.0
    if q_max * k_max * 4.0 * (d // 2 + 1) ** 2 > np.finfo(np.float64).max:
        raise ValueError(
            "q and k are too large: h_i = q k* (eq 35) and the bound of eq 37 overflow "
            f"float64 (max |q| = {q_max:.3g}, max |k| = {k_max:.3g}, d = {d})"
        )
    return q, k


def check_same_shape(name_a: str, a: object, name_b: str, b: object, *, ndim: int | None = None):
    """Two real arrays of one shape (with exactly ``ndim`` axes if given), as float64."""
    a, b = _real_array(name_a, a), _real_array(name_b, b)
    if a.shape != b.shape or (ndim is not None and a.ndim != ndim):
        want = "one shape" if ndim is None else f"one shape with {ndim} axes"
        raise ValueError(f"{name_a} and {name_b} must have {want}, got {a.shape} and {b.shape}")
    return a, b


def _real_array(name: str, value: object) -> np.ndarray:
    """Any array-like of reals (bool, int or float; not complex, not text) as a finite
    float64 array with at least one axis."""
    arr = as_array(name, value)
    if arr.dtype.kind not in "biuf" and arr.dtype.name != "bfloat16":
        raise TypeError(f"{name} must hold real numbers, got {describe(value)}")
    return check_float_array(name, arr.astype(np.float64), min_ndim=1)


def check_difference(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> np.ndarray:
    """|a - b| of two finite float64 arrays of one shape (..., d) with d >= 1, which must
    not overflow (1e308 - -1e308)."""
    if a.size == 0:
        raise ValueError(
            f"{name_a} and {name_b} must hold at least one value (shape (..., seq, d)), "
            f"got shape {a.shape}"
        )
    with np.errstate(over="ignore"):
        diff = np.abs(a - b)
    if not np.all(np.isfinite(diff)):
        raise ValueError(
            f"{name_a} - {name_b} overflows float64: they differ by more than "
            f"{np.finfo(np.float64).max:.4g} somewhere"
        )
    return diff
