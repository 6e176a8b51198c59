"""The multi-axis groups of golden set v3: M-RoPE and 2D vision RoPE as released models
configure them, on the position ids their sequences get, and their exact theta.

Each group states a style of ``rope_ref.paper.axes`` (``config.style``, ``config.section``);
its positions are vector positions (k, seq) (``rope_ref.multimodal``), its ``axes`` file the
axis a(i) of every pair. Pair i at token j turns by p_(a(i)) theta_i (eq 13 per axis),
formed exactly from the integer coordinates and a 60-digit theta written here again in
mpmath (independently of ``rope_ref.axis_frequencies``'s NumPy): eq 15 over d for M-RoPE
and Pixtral (Pixtral's even-indexed entries first), eq 15 over d/2 twice for the axial
styles.
"""

from __future__ import annotations

import numpy as np

from rope_ref.golden.exact import MP
from rope_ref.multimodal.positions import (
    llama4_vision_position_ids,
    mrope_position_ids,
    vision_position_ids,
)
from rope_ref.paper.axes import axis_frequencies

_MROPE = (
    "rotation_reversed",
    "layout_swapped",
    "mrope_section_mismatch",
    "mrope_style_swapped",
    "hw_swapped",
    "half_duplication",
    "scalar_positions",
)
_2D = ("rotation_reversed", "layout_swapped", "hw_swapped", "scalar_positions")


def exact_axis_frequencies(style: str, d: int, base: float) -> list:
    """theta of a style over d (the rotary dimension) as d/2 mpf, in the pair order the
    style runs (``rope_ref.paper.axes``)."""
    b = MP.mpf(base)
    if style in ("axial", "llama4_vision", "gemma4_vision"):  # f_k = b^(-2k/(d/2)), k < d/4
        f = [b ** (MP.mpf(-2 * k) / (d // 2)) for k in range(d // 4)]
        return f + f
    theta = [b ** (MP.mpf(-2 * i) / d) for i in range(d // 2)]  # eq 15 over d
    return theta[0::2] + theta[1::2] if style == "pixtral" else theta


def axis_spec(name, d, base, layout, style, section, positions, flags, description, **extra):
    """A multi-axis group's spec for ``rope_ref.golden.generate.compute_group``: a style and
    section of ``rope_ref.paper.axes`` on vector positions (k, seq); ``extra`` may give
    ``rotary_dim`` (default d) and ``heads``. Also the M-RoPE groups of a model's set
    (``rope_ref.golden.model_sets``)."""
    theta, axes = axis_frequencies(extra.get("rotary_dim") or d, base, style=style,
                                   section=section)  # fmt: skip
    return {
        "name": name,
        "d": d,
        "rotary_dim": extra.get("rotary_dim"),
        "base": float(base),
        "layout": layout,
        "rope_scaling": None,
        "seq_len": None,
        "form": "paper",
        "positions": np.asarray(positions, dtype=np.int64),
        "flags": list(flags),
        "description": description,
        "style": style,
        "section": None if section is None else list(section),
        "axes": axes,
        "heads": extra.get("heads"),
    }


def _qwen2_5_vl_sequence() -> np.ndarray:
    """(3, 124): after 40000 text tokens, text 5, an image of 12 x 16 patches (6 x 8
    merged), text 3, a 4-frame video of 8 x 8 patches at 1 s per temporal grid
    (Qwen2.5-VL's tokens_per_second 2: t steps of 2), text 4."""
    types = [0] * 40005 + [1] * 48 + [0] * 3 + [2] * 64 + [0] * 4
    pos, _ = mrope_position_ids(
        types, [[1, 12, 16]], [[4, 8, 8]], model="qwen2_5_vl", tokens_per_second=2,
        second_per_grid=[1.0],
    )  # fmt: skip
    return pos[:, 0, 40000:]


def _qwen3_vl_sequence() -> np.ndarray:
    """(3, 99): text 4, an image of 8 x 8 patches, then a 3-frame video of 8 x 12 patches,
    each frame after a 3-token timestamp (Qwen3-VL), text 3."""
    frame = [0] * 3 + [2] * 24
    types = [0] * 4 + [1] * 16 + frame * 3 + [0] * 3
    pos, _ = mrope_position_ids(types, [[1, 8, 8]], [[3, 8, 12]], model="qwen3_vl")
    return pos[:, 0]


def _image_then_text() -> np.ndarray:
    """(3, 46): text 6, a 10 x 14 patch image (5 x 7 merged), text 5 (Qwen2-VL's rule)."""
    pos, _ = mrope_position_ids([0] * 6 + [1] * 35 + [0] * 5, [[1, 10, 14]])
    return pos[:, 0]


def axis_groups() -> list[dict]:
    """The multi-axis groups of v3, in manifest order."""
    return [
        axis_spec(
            "mrope_qwen2_5_vl_7b", 128, 1e6, "half", "mrope", (16, 24, 24),
            _qwen2_5_vl_sequence(), _MROPE,
            "Qwen2.5-VL-7B's M-RoPE (head 128, rope_theta 1e6, mrope_section [16, 24, 24]) "
            "on an image and a video after 40000 text tokens.",
        ),
        axis_spec(
            "mrope_qwen3_vl_interleaved", 128, 5e6, "half", "mrope_interleaved", (24, 20, 20),
            _qwen3_vl_sequence(), _MROPE,
            "Qwen3-VL's interleaved M-RoPE (rope_theta 5e6, mrope_section [24, 20, 20]) on "
            "an image and a video with a timestamp before each frame.",
        ),
        axis_spec(
            "mrope_glm4v", 128, 1e4, "interleaved", "mrope", (8, 12, 12), _image_then_text(),
            _MROPE,
            "GLM-4V's M-RoPE: [8, 12, 12] over the first 64 of 128 features, interleaved "
            "pairs (transformers 5.24's Glm4vTextRotaryEmbedding).",
            rotary_dim=64,
        ),
        axis_spec(
            "mrope_ernie_4_5_vl", 128, 5e5, "interleaved", "mrope_ernie", (22, 22, 20),
            _image_then_text(), _MROPE,
            "Ernie-4.5-VL's M-RoPE: h and w alternate on the first 44 pairs, t on the last "
            "20 (transformers 5.24's Ernie4_5_VLMoeTextRotaryEmbedding).",
        ),
        axis_spec(
            "axial_grid_64x64", 16, 1e4, "half", "axial", None,
            vision_position_ids([[1, 64, 64]], 2), _2D,
            "A vision tower's axial 2D RoPE (Qwen2-VL's style) on a 64 x 64 patch grid in "
            "2 x 2 merge-block order; a head of 16, one head, to keep the 4096 patches small.",
            heads=1,
        ),
        axis_spec(
            "pixtral_grid_12x16", 64, 1e4, "half", "pixtral", None,
            vision_position_ids([[1, 12, 16]]), _2D,
            "Pixtral's 2D RoPE (head 64) on a non-square 12 x 16 patch grid, row-major.",
        ),
        axis_spec(
            "llama4_vision_grid_8x8", 88, 1e4, "interleaved", "llama4_vision", None,
            llama4_vision_position_ids(8), (*_2D, "one_based_coordinates"),
            "Llama 4's vision RoPE (head 88): an 8 x 8 grid at 1-based coordinates, then "
            "the CLS token at (0, 0), which does not turn.",
        ),
        axis_spec(
            "gemma4_vision_grid_12x16", 64, 100.0, "half_in_halves", "gemma4_vision", None,
            vision_position_ids([[1, 12, 16]]), _2D,
            "Gemma 4's vision RoPE (head 64, rope_theta 100: transformers 5.24's "
            "Gemma4VisionConfig) on a 12 x 16 patch grid, row-major: x (w) on the first "
            "half of the head, y (h) on the second, each half split in half "
            "(Gemma4VisionRotaryEmbedding, apply_multidimensional_rope).",
        ),
    ]  # fmt: skip
