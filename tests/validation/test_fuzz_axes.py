"""Fuzzing the multi-axis API (``axis_frequencies``, ``axis_angles``, rotate with axes,
``rotary_matrix`` of a vector position, the position ids of ``rope_ref.multimodal``): bad
and extreme arguments among mostly valid ones return finite values or raise ValueError /
TypeError naming the argument at fault, and NumPy warns nothing."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import rope_ref as rr
from validation._fuzz import ARGS, GOOD_BASE, WILD, attempt, float_arrays, mostly

STYLES = st.sampled_from(
    ["mrope", "mrope_interleaved", "mrope_ernie", "axial", "pixtral", "llama4_vision"]
)
SECTIONS = st.sampled_from([None, (16, 24, 24), (8, 12, 12), (2, 3, 3), (4, 2, 2)])
GRIDS = st.sampled_from([[[1, 4, 4]], [[2, 4, 6]], [[1, 2, 2], [1, 4, 2]], [[1, 3, 4]]])


@given(
    d=mostly(st.sampled_from([16, 32, 64, 128]), WILD),
    base=mostly(GOOD_BASE, WILD),
    style=mostly(STYLES, WILD),
    section=mostly(SECTIONS, WILD),
)
def test_fuzzed_axis_frequencies_raise_only_named_errors(d, base, style, section):
    attempt(lambda: rr.axis_frequencies(d, base, style=style, section=section),
            ["d", "base", "style", "section"])  # fmt: skip


@given(
    x=mostly(float_arrays(seq=4, d=16)),
    positions=mostly(st.integers(-(10**6), 10**6).map(lambda v: np.full((3, 4), v)), ARGS),
    axes=mostly(st.just(np.repeat(np.arange(3), [2, 3, 3])), ARGS),
    layout=mostly(st.sampled_from(["interleaved", "half"]), WILD),
)
def test_fuzzed_multi_axis_rotations_raise_only_named_errors(x, positions, axes, layout):
    theta = rr.frequencies(16)
    names = ["x", "positions", "axes", "theta", "layout", "d", "rotary_dim"]
    attempt(lambda: rr.rotate(x, positions, theta=theta, axes=axes, layout=layout), names)
    attempt(lambda: rr.axis_angles(positions, theta, axes), ["positions", "axes", "theta"])
    attempt(lambda: rr.rotary_matrix(positions, theta, "half", axes=axes),
            ["m", "positions", "axes", "theta"])  # fmt: skip


@given(
    types=mostly(st.sampled_from([[0, 1, 1, 1, 1, 0], [0] * 5, [2, 2, 2, 2], [[0, 1, 1, 1, 1]]]),
                 ARGS),
    images=mostly(GRIDS, ARGS),
    model=mostly(st.sampled_from(["qwen2_vl", "qwen2_5_vl", "qwen3_vl"]), WILD),
    merge=mostly(st.sampled_from([1, 2]), WILD),
    tps=mostly(st.sampled_from([None, 2, 0.5]), WILD),
)  # fmt: skip
def test_fuzzed_position_ids_raise_only_named_errors(types, images, model, merge, tps):
    names = ["token_types", "image_grids", "video_grids", "model", "style",
             "spatial_merge_size", "tokens_per_second", "second_per_grid", "section"]  # fmt: skip
    attempt(lambda: rr.mrope_position_ids(types, images, images, model=model,
                                          spatial_merge_size=merge, tokens_per_second=tps),
            names)  # fmt: skip
    attempt(lambda: rr.vision_position_ids(images, merge), ["grids", "spatial_merge_size"])
    attempt(lambda: rr.llama4_vision_position_ids(merge), ["side"])
