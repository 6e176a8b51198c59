"""rope_ref.multimodal's position ids against transformers 5.24's own: ``get_rope_index``
of Qwen2-VL, Qwen2.5-VL and Qwen3-VL models built from tiny configs (no hub), on mixed
batches of text, images and videos (padding, several images, videos with Qwen2.5-VL's
temporal interval, Qwen3-VL's per-frame timestamps), the decode-time positions of
``compute_3d_position_ids``, and the vision towers' ``get_vision_position_ids``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import (
    Qwen2_5_VLConfig,
    Qwen2_5_VLModel,
    Qwen2VLConfig,
    Qwen2VLModel,
    Qwen3VLConfig,
    Qwen3VLModel,
)
from transformers.vision_utils import get_vision_position_ids

from rope_ref.multimodal import (
    decode_position_ids,
    mrope_position_ids,
    vision_position_ids,
)

TEXT = {
    "hidden_size": 32,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "num_key_value_heads": 2,
    "intermediate_size": 32,
    "vocab_size": 64,
}
VISION = {"depth": 1, "num_heads": 2, "spatial_merge_size": 2}


def _model(name: str):
    torch.manual_seed(0)
    if name == "qwen2_vl":
        config = Qwen2VLConfig(
            text_config=TEXT, vision_config={**VISION, "embed_dim": 32, "hidden_size": 32}
        )
        return Qwen2VLModel(config)
    if name == "qwen2_5_vl":
        vision = {
            **VISION,
            "hidden_size": 32,
            "out_hidden_size": 32,
            "intermediate_size": 32,
            "tokens_per_second": 2,
            "fullatt_block_indexes": [0],
        }
        return Qwen2_5_VLModel(Qwen2_5_VLConfig(text_config=TEXT, vision_config=vision))
    vision = {
        **VISION,
        "hidden_size": 32,
        "out_hidden_size": 32,
        "intermediate_size": 32,
        "deepstack_visual_indexes": [],
    }
    text = {
        **TEXT,
        "head_dim": 16,
        "rope_parameters": {
            "rope_type": "default",
            "mrope_section": [2, 3, 3],
            "mrope_interleaved": True,
        },
    }
    return Qwen3VLModel(Qwen3VLConfig(text_config=text, vision_config=vision))


MODELS = {name: _model(name) for name in ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")}


def _runs(*parts) -> list[int]:
    """Token types from (kind, count) runs: 0 text, 1 image, 2 video."""
    return [kind for kind, count in parts for _ in range(count)]


def _batch(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Left-padded token types and attention mask."""
    n = max(len(r) for r in rows)
    types = np.zeros((len(rows), n), dtype=np.int64)
    mask = np.zeros((len(rows), n), dtype=np.int64)
    for b, row in enumerate(rows):
        types[b, n - len(row) :], mask[b, n - len(row) :] = row, 1
    return types, mask


def _hf(model, types, mask, images, videos, seconds=None):
    kwargs = {}
    if seconds is not None:
        kwargs["second_per_grid_ts"] = torch.tensor(seconds, dtype=torch.float32)
    ids = torch.ones(types.shape, dtype=torch.long)
    pos, deltas = model.get_rope_index(
        ids,
        mm_token_type_ids=torch.as_tensor(types),
        image_grid_thw=None if images is None else torch.as_tensor(images),
        video_grid_thw=None if videos is None else torch.as_tensor(videos),
        attention_mask=torch.as_tensor(mask),
        **kwargs,
    )
    return pos.numpy(), deltas.numpy()


# Grids (t, h, w) before merging by 2: an image of 1x4x6 is 1*2*3 = 6 tokens, a video of
# 3x4x4 is 3*2*2 = 12 tokens (Qwen3-VL: 3 frames of 4 tokens, timestamps between).
IMAGES = [[1, 4, 6], [1, 8, 4], [1, 2, 2]]
VIDEOS = [[3, 4, 4], [2, 6, 2]]


def _qwen2_rows():
    return [
        _runs((0, 3), (1, 6), (0, 4), (2, 12), (0, 2)),
        _runs((0, 1), (1, 8), (0, 2), (1, 1), (0, 5), (2, 6), (0, 3)),
    ]


def _qwen3_rows():  # each video frame after its timestamp text
    frames = [(0, 2), (2, 4), (0, 2), (2, 4), (0, 2), (2, 4)]
    return [
        _runs((0, 3), (1, 6), (0, 4), *frames, (0, 2)),
        _runs((0, 1), (1, 8), (0, 2), (1, 1), (0, 5), (0, 2), (2, 3), (0, 2), (2, 3), (0, 3)),
    ]


@pytest.mark.parametrize("name", ["qwen2_vl", "qwen2_5_vl", "qwen3_vl"])
def test_mrope_position_ids_equal_hf_get_rope_index_on_mixed_padded_batches(name):
    rows = _qwen3_rows() if name == "qwen3_vl" else _qwen2_rows()
    types, mask = _batch(rows)
    seconds = [0.5, 1.25] if name == "qwen2_5_vl" else None
    want_pos, want_deltas = _hf(MODELS[name], types, mask, IMAGES, VIDEOS, seconds)
    pos, deltas = mrope_position_ids(
        types,
        IMAGES,
        VIDEOS,
        model=name,
        spatial_merge_size=2,
        tokens_per_second=2 if name == "qwen2_5_vl" else None,
        second_per_grid=seconds,
        attention_mask=mask,
    )
    assert np.array_equal(pos, want_pos), f"{name}: positions differ from HF's"
    assert np.array_equal(deltas, want_deltas), f"{name}: rope_deltas differ from HF's"
    assert not np.all(pos[0] == pos[1]), "the test must hold vision tokens (t != h somewhere)"


def test_qwen2_5_vl_spaces_a_videos_t_by_the_temporal_interval():
    types, mask = _batch([_runs((0, 2), (2, 12), (0, 1))])
    for seconds in ([0.5], [1.0], [2.0], [0.7]):
        want, _ = _hf(MODELS["qwen2_5_vl"], types, mask, None, [VIDEOS[0]], seconds)
        got, _ = mrope_position_ids(
            types,
            None,
            [VIDEOS[0]],
            model="qwen2_5_vl",
            tokens_per_second=2,
            second_per_grid=seconds,
        )
        assert np.array_equal(got, want), f"second_per_grid {seconds}"
        t = got[0, 0, 2:14].reshape(3, 4)[:, 0] - 2
        assert t.tolist() == [int(np.float32(k) * np.float32(2 * seconds[0])) for k in range(3)]


@pytest.mark.parametrize("name", ["qwen2_vl", "qwen3_vl"])
def test_decode_positions_continue_from_rope_deltas_as_hf_does(name):
    model = MODELS[name]
    rows = _qwen3_rows() if name == "qwen3_vl" else _qwen2_rows()
    types, _ = _batch([rows[0]])
    _, deltas = mrope_position_ids(types, IMAGES[:1], VIDEOS[:1], model=name)
    model.rope_deltas = torch.as_tensor(deltas)

    class _Cache:
        def get_seq_length(self):
            return types.shape[1]

    embeds = torch.zeros(1, 3, 32)
    want = model.compute_3d_position_ids(None, embeds, cache=_Cache())
    got = decode_position_ids(deltas, types.shape[1], 3)
    assert np.array_equal(got, want.numpy())
    prompt, _ = mrope_position_ids(types, IMAGES[:1], VIDEOS[:1], model=name)
    assert got[0, 0, 0] == prompt.max() + 1, "the first decoded token follows the prompt"


@pytest.mark.parametrize("merge", [1, 2])
def test_vision_tower_position_ids_equal_hf(merge):
    grids = [[1, 4, 6], [2, 8, 4]]
    want = get_vision_position_ids(torch.as_tensor(grids), merge).numpy().T
    assert np.array_equal(vision_position_ids(grids, merge), want)
