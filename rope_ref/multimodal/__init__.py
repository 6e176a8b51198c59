"""Position ids of multimodal models: the vector positions p that multi-axis RoPE
(``rope_ref.paper.axes``) turns by.

    mrope_position_ids(token_types, image_grids, video_grids, model=...)  (3, batch, seq), deltas
    decode_position_ids(rope_deltas, cache_length, seq_length)            (3, batch, seq)
    vision_position_ids(grids, spatial_merge_size)                        (2, patches)
    llama4_vision_position_ids(side)                                      (2, side^2 + 1)
"""

from rope_ref.multimodal.positions import (
    MODELS,
    decode_position_ids,
    llama4_vision_position_ids,
    mrope_position_ids,
    vision_position_ids,
)

__all__ = [
    "MODELS",
    "decode_position_ids",
    "llama4_vision_position_ids",
    "mrope_position_ids",
    "vision_position_ids",
]
