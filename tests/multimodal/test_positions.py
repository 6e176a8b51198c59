"""rope_ref.multimodal.positions: the position ids M-RoPE and the vision towers turn by,
as the papers describe them (against HF's own: tests/interop/test_hf_mrope_positions.py)."""

from __future__ import annotations

import numpy as np

from rope_ref.multimodal import (
    decode_position_ids,
    llama4_vision_position_ids,
    mrope_position_ids,
    vision_position_ids,
)


def test_text_alone_is_1d_rope_on_every_axis():
    pos, deltas = mrope_position_ids(np.zeros(9, dtype=int))
    assert np.array_equal(pos, np.broadcast_to(np.arange(9), (3, 1, 9)))
    assert deltas.tolist() == [[0]]


def test_an_image_sits_on_its_merged_grid_and_text_resumes_after_it():
    types = [0, 0] + [1] * 6 + [0, 0]  # a 1 x 4 x 6 patch grid merged by 2: 1 x 2 x 3
    pos, deltas = mrope_position_ids(types, [[1, 4, 6]], spatial_merge_size=2)
    t, h, w = pos[:, 0, 2:8]
    assert np.all(t == 2)
    assert np.array_equal(h, 2 + np.repeat(np.arange(2), 3))
    assert np.array_equal(w, 2 + np.tile(np.arange(3), 2))
    assert np.array_equal(pos[:, 0, 8:], np.broadcast_to([5, 6], (3, 2)))  # 2 + max(2, 3)
    assert deltas[0, 0] == pos.max() + 1 - 10 == -3


def test_qwen2_5_vl_spaces_video_frames_in_time_and_qwen2_vl_does_not():
    types = [0] + [2] * 12 + [0]  # a 3 x 4 x 4 video merged by 2: 3 frames of 2 x 2
    grid = [[3, 4, 4]]
    plain, _ = mrope_position_ids(types, None, grid)
    spaced, _ = mrope_position_ids(
        types, None, grid, model="qwen2_5_vl", tokens_per_second=2, second_per_grid=[2.0]
    )
    assert plain[0, 0, 1:13:4].tolist() == [1, 2, 3]
    assert spaced[0, 0, 1:13:4].tolist() == [1, 5, 9]  # 1 + floor(t * 2 * 2.0)
    assert np.array_equal(plain[1:], spaced[1:])


def test_qwen3_vl_gives_each_frame_t_zero_after_its_timestamp():
    types = [0, 0] + [2] * 4 + [0, 0] + [2] * 4 + [0]  # timestamps before each frame
    pos, _ = mrope_position_ids(types, None, [[2, 4, 4]], model="qwen3_vl")
    first, second = pos[:, 0, 2:6], pos[:, 0, 8:12]
    assert np.all(first[0] == 2) and np.all(second[0] == 6)  # each frame's own start
    assert pos[0, 0, 6] == 4  # the timestamp resumes at start + max(H, W)


def test_padding_gets_position_zero_and_is_skipped():
    types = np.array([[0, 0, 0, 1, 1, 1, 1, 0]])
    mask = np.array([[0, 0, 1, 1, 1, 1, 1, 1]])
    pos, deltas = mrope_position_ids(types, [[1, 4, 4]], attention_mask=mask)
    alone, alone_deltas = mrope_position_ids(types[:, 2:], [[1, 4, 4]])
    assert np.all(pos[:, :, :2] == 0)
    assert np.array_equal(pos[:, :, 2:], alone) and np.array_equal(deltas, alone_deltas)


def test_decoding_continues_every_axis_after_the_prompts_largest_position():
    types = [0] * 3 + [1] * 16 + [0] * 2  # an 8 x 8 image merged by 2: 4 x 4
    pos, deltas = mrope_position_ids(types, [[1, 8, 8]])
    following = decode_position_ids(deltas, len(types), 4)
    assert np.array_equal(following[:, 0], np.broadcast_to(pos.max() + 1 + np.arange(4), (3, 4)))


def test_vision_ids_walk_merge_blocks_and_repeat_per_frame():
    ids = vision_position_ids([[2, 4, 4]], spatial_merge_size=2)
    assert ids.shape == (2, 32)
    assert ids[:, :4].T.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]  # the first 2 x 2 block
    assert np.array_equal(ids[:, :16], ids[:, 16:])
    plain = vision_position_ids([[1, 3, 5]])
    assert np.array_equal(plain, np.stack(np.divmod(np.arange(15), 5)))


def test_llama4_vision_ids_are_one_based_with_the_cls_token_at_the_origin():
    ids = llama4_vision_position_ids(3)
    assert ids.shape == (2, 10)
    assert ids[:, :9].min() == 1 and ids[:, :9].max() == 3
    assert ids[:, 9].tolist() == [0, 0]
    assert ids[:, 1].tolist() == [1, 2]  # row-major: the second patch is row 1, column 2
