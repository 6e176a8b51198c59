"""Checks for multi-axis RoPE (``rope_ref.paper.axes``, ``rope_ref.multimodal``): styles
and their sections, axis assignments a(i), vector positions p of shape (k, ...), and the
inputs of M-RoPE position ids (token types, grids (t, h, w), merge sizes, intervals)."""

from __future__ import annotations

import numbers

import numpy as np

from rope_ref.validation.core import (
    MAX_ELEMENTS,
    as_array,
    broadcasts_to,
    check_int,
    check_positions,
    describe,
)


def check_style(style: object, styles: tuple[str, ...]) -> str:
    """One of ``styles`` (the multi-axis styles of ``rope_ref.paper.axes.STYLES``)."""
    if not isinstance(style, str) or style not in styles:
        raise ValueError(f"style must be one of {styles}, got {describe(style)}")
    return style


def check_section(section: object, style: str, half: int) -> tuple[int, int, int]:
    """An M-RoPE ``mrope_section``: three non-negative integers (t, h, w chunks; Ernie:
    h, w, t) that add up to ``half`` = rotary_dim/2, the number of frequencies."""
    if isinstance(section, np.ndarray):
        section = section.tolist()
    if not isinstance(section, (list, tuple)) or len(section) != 3:
        raise ValueError(
            f"section must be a list of 3 integers (mrope_section, e.g. [16, 24, 24]) for "
            f"style {style!r}, got {describe(section)}"
        )
    out = tuple(check_int("section[" + str(j) + "]", s, minimum=0) for j, s in enumerate(section))
    if style == "mrope_ernie" and out[0] != out[1]:
        raise ValueError(
            f"section must have equal h and w entries for style 'mrope_ernie' (they "
            f"alternate), got {list(out)}"
        )
    if sum(out) != half:
        raise ValueError(
            f"section must add up to rotary_dim/2 = {half} (one entry per frequency) for style "
            f"{style!r}, got {list(out)} (sum {sum(out)})"
        )
    return out


def check_no_section(section: object, style: str) -> None:
    """A 2D style has no section: its axis assignment is fixed."""
    if section is not None:
        raise ValueError(
            f"section must be None for style {style!r} (its axes are fixed), got "
            f"{describe(section)}"
        )


def check_one_statement(axes: object) -> None:
    """axes and a rope dict's mrope_section must not both state the axes."""
    if axes is not None:
        raise ValueError(
            "axes and rope_scaling['mrope_section'] both state the axes; give one of them"
        )


def check_quarter_dim(d: int, style: str) -> int:
    """A 2D style splits the d/2 frequencies into two halves of d/4: d % 4 == 0."""
    if d % 4:
        raise ValueError(
            f"d must be a multiple of 4 for style {style!r} (d/4 frequencies per axis), got {d}"
        )
    return d


def check_axes(axes: object, half: int | None = None) -> np.ndarray:
    """An axis assignment a(i): a 1-D array of non-negative integers, one per frequency
    (``half`` = rotary_dim/2 of them when given). Returns it as int64."""
    arr = as_array("axes", axes) if not isinstance(axes, np.ndarray) else axes
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(
            f"axes must be a 1-D array of integers (the axis a(i) of each frequency), got "
            f"{describe(axes)}"
        )
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"axes must have shape (rotary_dim/2,), got shape {arr.shape}")
    if np.any(arr < 0):
        raise ValueError(f"axes must be >= 0 (axis numbers), got min {int(arr.min())}")
    if half is not None and arr.size != half:
        raise ValueError(
            f"axes must have shape (rotary_dim/2,) = ({half},), like theta, got shape {arr.shape}"
        )
    return arr.astype(np.int64)


def check_vector_positions(positions: object, axes: np.ndarray) -> np.ndarray:
    """Vector positions p: shape (k, ...) with k > max(axes), finite reals, as float64.
    positions[j] is the coordinate on axis j (M-RoPE: t, h, w; vision: h, w)."""
    p = check_positions(positions)
    k = int(axes.max()) + 1
    if p.shape[0] < k:
        raise ValueError(
            f"positions must have shape (n_axes, ...) with n_axes >= {k} (axes names axis "
            f"{k - 1}); got shape {p.shape}: a multi-axis rotation takes one row of "
            "coordinates per axis, positions[j] for axis j"
        )
    return p


def check_single_vector_position(m: np.ndarray) -> None:
    """rotary_matrix's m with axes: one vector position, shape (k,)."""
    if m.ndim != 1:
        raise ValueError(f"m must be a single vector position of shape (k,), got shape {m.shape}")


def check_axis_positions_fit(p: np.ndarray, x_shape: tuple[int, ...], k: int) -> None:
    """Each axis' coordinates positions[j] broadcast to x.shape[:-1], with a matching seq
    axis (as 1-D positions do)."""
    lead = x_shape[:-1]
    if not lead:
        raise ValueError(f"x must have shape (..., seq, d), got shape {x_shape}")
    if p.ndim < 2:
        raise ValueError(
            f"positions must have shape (n_axes, seq) = ({k}, {lead[-1]}) or (n_axes, "
            f"...), one row of coordinates per axis, got shape {p.shape}: 1-D positions of a "
            "multi-axis rotation are ambiguous (for text tokens give each axis the same row, "
            "np.stack([m] * n_axes))"
        )
    rest = p.shape[1:]
    if rest[-1] not in (lead[-1], 1) or len(rest) > len(lead) or not broadcasts_to(rest, lead):
        raise ValueError(
            f"positions must have shape (n_axes, seq) = ({k}, {lead[-1]}) or "
            f"(n_axes, ...) with each row broadcasting to x's leading axes {lead}, got shape "
            f"{p.shape}"
        )


def check_grid(name: str, grid: object, *, required: bool = False) -> np.ndarray:
    """Grids (t, h, w) of images or videos: an (n, 3) array of positive integers (None
    is no grid, unless ``required``), t h w at most MAX_ELEMENTS patches in all. Returns
    int64 (n, 3)."""
    if grid is None and not required:
        return np.zeros((0, 3), dtype=np.int64)
    if grid is None:
        raise TypeError(f"{name} must be an (n, 3) array of integers (t, h, w), got None")
    arr = as_array(name, grid)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must be an (n, 3) array of integers (t, h, w), got {describe(grid)}"
        )
    arr = np.atleast_2d(arr)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError(f"{name} must have shape (n, 3), one (t, h, w) per row, got {arr.shape}")
    if arr.size and np.any(arr < 1):
        raise ValueError(f"{name} must hold positive integers (t, h, w), got min {int(arr.min())}")
    if arr.shape[0] == 0 and required:
        raise ValueError(f"{name} must hold at least one grid (t, h, w), got none")
    total = sum(int(t) * int(h) * int(w) for t, h, w in arr.tolist())
    if total > MAX_ELEMENTS:
        raise ValueError(
            f"{name} must hold at most {MAX_ELEMENTS} patches in all (t h w summed), got {total}"
        )
    return arr.astype(np.int64)


def check_merge_fits(grids: np.ndarray, merge: int, name: str) -> None:
    """The spatial merge size divides every grid's h and w (the merged grid is h/m x w/m)."""
    bad = grids[(grids[:, 1] % merge != 0) | (grids[:, 2] % merge != 0)]
    if bad.size:
        raise ValueError(
            f"{name}'s h and w must be multiples of spatial_merge_size={merge}, got grid "
            f"{bad[0].tolist()}"
        )


def check_token_types(token_types: object) -> np.ndarray:
    """HF's ``mm_token_type_ids``: (batch, seq) or (seq,) integers, 0 text, 1 image, 2
    video. Returns int64 (batch, seq)."""
    arr = as_array("token_types", token_types)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(
            f"token_types must be integers (0 text, 1 image, 2 video), got {describe(token_types)}"
        )
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise ValueError(f"token_types must have shape (batch, seq) or (seq,), got {arr.shape}")
    if np.any((arr < 0) | (arr > 2)):
        other = sorted(set(arr.ravel().tolist()) - {0, 1, 2})
        raise ValueError(f"token_types must hold 0 (text), 1 (image) or 2 (video), got {other}")
    return arr.astype(np.int64)


def check_mask(mask: object, shape: tuple[int, int]) -> np.ndarray | None:
    """An attention mask (1 keep, 0 padding) of the token types' shape, or None."""
    if mask is None:
        return None
    arr = as_array("attention_mask", mask)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.shape != shape or arr.dtype.kind not in "biu" or np.any((arr != 0) & (arr != 1)):
        raise ValueError(
            f"attention_mask must be 0/1 values of token_types' shape {shape}, got {describe(mask)}"
        )
    return arr.astype(bool)


def check_real_list(name: str, values: object, count: int) -> list[float]:
    """``count`` finite non-negative reals (seconds per temporal grid, one per video)."""
    if values is None:
        return [1.0] * count
    arr = as_array(name, values)
    if arr.dtype.kind not in "iuf" or arr.ndim != 1 or arr.size < count:
        raise ValueError(
            f"{name} must be a 1-D list of at least {count} numbers (one per video), got "
            f"{describe(values)}"
        )
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be finite and >= 0, got {arr.tolist()}")
    return [float(v) for v in arr]


def check_nonnegative_real(name: str, value: object) -> float:
    """A finite real >= 0 (tokens per second)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite real number, got {describe(value)}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be finite, got {describe(value)}") from None
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value}")
    return value


#: The largest temporal position id an interval may make (t * interval): int32's range,
#: which position ids of real models stay far inside.
MAX_TIME_ID = 2**31 - 1


def check_time_ids(grids: np.ndarray, intervals: list) -> None:
    """Qwen2.5-VL's t * interval of every video stays below MAX_TIME_ID (float32 holds it)."""
    for grid, interval in zip(grids.tolist(), intervals, strict=False):
        top = (grid[0] - 1) * float(interval)
        if top > MAX_TIME_ID:
            raise ValueError(
                f"tokens_per_second * second_per_grid is too large: a video of {grid[0]} "
                f"temporal grids would reach time position {top:.3g} > {MAX_TIME_ID}"
            )


def check_group_fits(grid, merge: int, kind: int, index: int, n: int) -> None:
    """A run of n image (kind 1) or video (kind 2) tokens at ``index`` has a grid left, and
    its merged grid t (h/m) (w/m) has exactly n tokens."""
    name = "image_grids" if kind == 1 else "video_grids"
    what = "image" if kind == 1 else "video"
    if grid is None:
        raise ValueError(
            f"token_types has more {what} runs than {name} has grids (the run of {n} {what} "
            f"tokens at index {index} has none)"
        )
    tokens = int(grid[0]) * (int(grid[1]) // merge) * (int(grid[2]) // merge)
    if tokens != n:
        raise ValueError(
            f"{name}: the grid {list(map(int, grid))} merged by {merge} has {tokens} tokens, "
            f"but token_types has a run of {n} {what} tokens at index {index}"
        )
