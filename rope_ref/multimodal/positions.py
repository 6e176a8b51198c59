"""M-RoPE's position ids (t, h, w) for sequences of text, images and videos, and the 2D
(h, w) ids of vision towers, as transformers 5.24 builds them.

M-RoPE (Wang et al., Qwen2-VL, arXiv 2409.12191, sec 2.1): a text token at position m is
(m, m, m), so it turns by m theta_i on every pair (eq 13); an image or video of merged
grid (T, H, W) starting at position s puts its token (t, r, c) at

    (s + floor(t * interval), s + r, s + c)

(interval 1, or Qwen2.5-VL's tokens_per_second * seconds per temporal grid, Bai et al.,
arXiv 2502.13923, sec 2.1.3), and the text after it starts at s + max(H, W) (transformers
5.24's ``get_rope_index``: ``current_pos += max(h, w) // spatial_merge_size``). Qwen3-VL
puts a timestamp (text) before every frame, so a video of T frames is T grids of t = 1.
The decode-time offset rope_deltas = max(p) + 1 - seq_len carries the sequence on:
the token at cache position n is (n + delta) on every axis (``compute_3d_position_ids``).

Arrays are int64. Token types are HF's ``mm_token_type_ids``: 0 text, 1 image, 2 video.
"""

from __future__ import annotations

import itertools

import numpy as np

from rope_ref.validation import check_int
from rope_ref.validation.axes import (
    check_grid,
    check_group_fits,
    check_mask,
    check_merge_fits,
    check_nonnegative_real,
    check_real_list,
    check_style,
    check_time_ids,
    check_token_types,
)

#: The models whose ``get_rope_index`` ``mrope_position_ids`` follows.
MODELS = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")


def mrope_position_ids(
    token_types,
    image_grids=None,
    video_grids=None,
    *,
    model: str = "qwen2_vl",
    spatial_merge_size: int = 2,
    tokens_per_second: float | None = None,
    second_per_grid=None,
    attention_mask=None,
) -> tuple[np.ndarray, np.ndarray]:
    """The M-RoPE position ids of a batch of mixed sequences, and their rope_deltas.

    Args:
        token_types: (batch, seq) or (seq,) ints, 0 text, 1 image, 2 video (HF's
            ``mm_token_type_ids``); each run of 1s (2s) is one image (video).
        image_grids, video_grids: (n, 3) patch grids (t, h, w) before merging, one per
            image (video) in order over the whole batch (HF's ``image_grid_thw``).
        model: "qwen2_vl", "qwen2_5_vl" (videos' t spaced by tokens_per_second *
            second_per_grid) or "qwen3_vl" (each video frame a grid of its own).
        spatial_merge_size: the merged grid is (t, h/m, w/m).
        tokens_per_second, second_per_grid: Qwen2.5-VL's temporal interval (vision
            config's tokens_per_second; seconds per temporal grid per video, default 1).
            The interval and t * interval are float32 and truncated, as HF computes them.
        attention_mask: (batch, seq) 0/1; padding gets position 0 and is skipped.

    Returns:
        positions (3, batch, seq) int64 (t, h, w); rope_deltas (batch, 1) int64.
    """
    types = check_token_types(token_types)
    mask = check_mask(attention_mask, types.shape)
    model = check_style(model, MODELS)
    merge = check_int("spatial_merge_size", spatial_merge_size, minimum=1, maximum=2**16)
    images, videos = check_grid("image_grids", image_grids), check_grid("video_grids", video_grids)
    check_merge_fits(images, merge, "image_grids")
    check_merge_fits(videos, merge, "video_grids")
    seconds = check_real_list("second_per_grid", second_per_grid, len(videos))
    tps = 1.0
    if model == "qwen2_5_vl":
        tps = check_nonnegative_real("tokens_per_second", tokens_per_second)
    if model == "qwen3_vl":  # a timestamp before each frame: T grids of t = 1
        videos = np.repeat(videos, videos[:, 0], axis=0)
        videos[:, 0] = 1
    grids = {1: iter(images), 2: iter(videos)}
    check_time_ids(videos, [tps * s for s in seconds])  # before float32 can overflow
    intervals = iter([np.float32(tps) * np.float32(s) for s in seconds])
    positions = np.zeros((3,) + types.shape, dtype=np.int64)
    deltas = np.zeros((types.shape[0], 1), dtype=np.int64)
    for b in range(types.shape[0]):
        keep = np.ones(types.shape[1], bool) if mask is None else mask[b]
        row = _sequence(types[b][keep], grids, intervals, model, merge)
        positions[:, b, keep] = row
        deltas[b, 0] = row.max() + 1 - row.shape[1]  # rope_deltas
    return positions, deltas


def _sequence(types, grids, intervals, model, merge) -> np.ndarray:
    """(3, n) positions of one unpadded sequence of token types."""
    parts, start, index = [], 0, 0
    for kind, run in itertools.groupby(types.tolist()):
        n = len(list(run))
        if kind == 0:  # text: (m, m, m), m = start, start + 1, ...
            parts.append(np.broadcast_to(np.arange(start, start + n), (3, n)))
            start += n
        else:
            grid = next(grids[kind], None)
            interval = next(intervals) if kind == 2 and model == "qwen2_5_vl" else 1.0
            part = _grid_ids(grid, start, merge, interval, kind, index, n)
            parts.append(part)
            start += int(max(grid[1], grid[2])) // merge  # the next text starts here
        index += n
    return np.concatenate(parts, axis=1)


def _grid_ids(grid, start, merge, interval, kind, index, n) -> np.ndarray:
    """(3, T H W) ids of one merged grid starting at ``start`` (HF's
    ``get_vision_position_ids``), its run of ``n`` tokens at ``index`` checked to fit."""
    check_group_fits(grid, merge, kind, index, n)
    T, H, W = int(grid[0]), int(grid[1]) // merge, int(grid[2]) // merge
    t = (np.arange(T, dtype=np.float32) * np.float32(interval)).astype(np.int64)  # floor
    tt, hh, ww = np.meshgrid(t + start, np.arange(H) + start, np.arange(W) + start, indexing="ij")
    return np.stack([tt, hh, ww]).reshape(3, -1)


def decode_position_ids(rope_deltas, cache_length: int, seq_length: int) -> np.ndarray:
    """Positions of the tokens decoded after a prompt: (n + delta) on every axis for
    cache positions n = cache_length .. cache_length + seq_length - 1.

    rope_deltas: (batch, 1) from ``mrope_position_ids``. Returns (3, batch, seq_length).
    """
    deltas = np.asarray(rope_deltas, dtype=np.int64).reshape(-1, 1)
    cache_length = check_int("cache_length", cache_length, minimum=0)
    seq_length = check_int("seq_length", seq_length, minimum=1)
    n = np.arange(cache_length, cache_length + seq_length)
    return np.broadcast_to(n[None, :] + deltas, (3, deltas.shape[0], seq_length)).copy()


def vision_position_ids(grids, spatial_merge_size: int = 1) -> np.ndarray:
    """(h, w) of every patch of a vision tower's input: (2, sum t h w) int64.

    Patches come block by block over spatial_merge_size x spatial_merge_size blocks (the
    order the merger reads them: Qwen2-VL's vision tower, HF ``get_vision_position_ids``),
    row-major inside a block and over blocks, every frame repeating its (h, w). With
    spatial_merge_size 1 this is plain row-major order (Pixtral).
    """
    merge = check_int("spatial_merge_size", spatial_merge_size, minimum=1, maximum=2**16)
    grids = check_grid("grids", grids, required=True)
    check_merge_fits(grids, merge, "grids")
    out = []
    for t, h, w in grids.tolist():
        hh, ww = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
        blocks = (h // merge, merge, w // merge, merge)
        hw = [a.reshape(blocks).transpose(0, 2, 1, 3).reshape(-1) for a in (hh, ww)]
        out.append(np.tile(np.stack(hw), (1, t)))
    return np.concatenate(out, axis=1)


def llama4_vision_position_ids(side: int) -> np.ndarray:
    """(h, w) of Llama 4's vision encoder: side^2 patches at 1-based (row + 1, col + 1),
    row-major, then the CLS token at (0, 0), which turns by angle 0 (HF
    ``Llama4VisionRotaryEmbedding``). Returns (2, side^2 + 1) int64."""
    side = check_int("side", side, minimum=1, maximum=4096)  # side^2 + 1 <= 2^24 patches
    index = np.arange(side * side)
    return np.stack([np.append(index // side + 1, 0), np.append(index % side + 1, 0)])
