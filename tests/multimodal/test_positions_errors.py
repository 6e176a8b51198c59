"""rope_ref.multimodal.positions: bad token types, grids, merge sizes or intervals raise
an error that names them."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

from rope_ref.multimodal import (
    llama4_vision_position_ids,
    mrope_position_ids,
    vision_position_ids,
)

IMAGE = [0, 1, 1, 1, 1, 0]

POSITIONS_ERRORS = [
    ("type 3", lambda: mrope_position_ids([0, 3]), ValueError, "token_types must hold 0"),
    ("float types", lambda: mrope_position_ids([0.0, 1.0]), TypeError, "token_types must be"),
    ("empty", lambda: mrope_position_ids(np.zeros((1, 0), int)), ValueError, "token_types must"),
    (
        "an image without a grid",
        lambda: mrope_position_ids(IMAGE),
        ValueError,
        ("more image runs than image_grids", "index 1"),
    ),
    (
        "a grid of the wrong size",
        lambda: mrope_position_ids(IMAGE, [[1, 4, 6]]),
        ValueError,
        ("has 6 tokens", "a run of 4 image tokens at index 1"),
    ),
    (
        "grid not divisible by the merge",
        lambda: mrope_position_ids(IMAGE, [[1, 3, 4]]),
        ValueError,
        "image_grids's h and w must be multiples of spatial_merge_size=2",
    ),
    (
        "grid of two columns",
        lambda: mrope_position_ids(IMAGE, [[4, 4]]),
        ValueError,
        "image_grids must have shape (n, 3)",
    ),
    ("zero grid", lambda: mrope_position_ids(IMAGE, [[0, 4, 4]]), ValueError, "positive"),
    ("unknown model", lambda: mrope_position_ids(IMAGE, model="qwen9"), ValueError, "style must"),
    (
        "qwen2.5 without tokens_per_second",
        lambda: mrope_position_ids(IMAGE, [[1, 4, 4]], model="qwen2_5_vl"),
        TypeError,
        "tokens_per_second must be a finite real number",
    ),
    (
        "negative seconds",
        lambda: mrope_position_ids(
            [0, 2, 2, 2, 2],
            None,
            [[1, 4, 4]],
            model="qwen2_5_vl",
            tokens_per_second=2,
            second_per_grid=[-1.0],
        ),
        ValueError,
        "second_per_grid must be finite and >= 0",
    ),
    (
        "mask of another shape",
        lambda: mrope_position_ids(IMAGE, [[1, 4, 4]], attention_mask=[1, 1]),
        ValueError,
        "attention_mask must be 0/1 values of token_types' shape (1, 6)",
    ),
    ("merge 0", lambda: vision_position_ids([[1, 2, 2]], 0), ValueError, "spatial_merge_size"),
    # escapes the fuzzer found: the id says what got out before the fix
    (
        "no grid for a vision tower: NumPy's concatenate",
        lambda: vision_position_ids(None),
        TypeError,
        "grids must be an (n, 3) array",
    ),
    (
        "2^70 patches: MemoryError",
        lambda: vision_position_ids([[1, 2**35, 2**35]]),
        ValueError,
        "grids must hold at most 33554432 patches",
    ),
    (
        "an interval past float32's integers: inf cast to int64",
        lambda: mrope_position_ids(
            [0, 2, 2, 2, 2], None, [[2, 2, 4]], model="qwen2_5_vl", tokens_per_second=1e300
        ),
        ValueError,
        "tokens_per_second * second_per_grid is too large",
    ),
    (
        "a side of 10**5: Maximum allowed size exceeded",
        lambda: llama4_vision_position_ids(10**5),
        ValueError,
        "side must be an integer <= 4096",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(POSITIONS_ERRORS))
def test_positions_error(call, error, words):
    assert_raises_named(call, error, words)
