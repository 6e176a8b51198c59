"""Multi-axis rope_ref.rotate (M-RoPE, vector positions (3, seq)) against HF's Qwen2-VL
path on CPU: ``Qwen2VLRotaryEmbedding`` (cos and sin of every axis, recomposed by
mrope_section) then ``apply_rotary_pos_emb``, for float32 q and k of shape
(1, 28, 4096, 128): Qwen2.5-VL-7B's 28 heads of 128, rope_theta 1e6, sections
[16, 24, 24], at the position ids of an image-and-video prompt.

Both sides rotate q and k. "cold" rows build cos and sin (HF: its rotary module; rope_ref:
the cos + i sin table of p_(a(i)) theta_i); "warm" rows have them ready (HF computes them
once per forward; rope_ref keeps its last tables). One torch thread, as NumPy's ufuncs use
one. Target: rope_ref <= 0.5x HF, as a ratio of medians measured in this run.

    python -m bench.bench_multi_axis
"""

from __future__ import annotations

import numpy as np
import torch
from transformers.models.qwen2_vl.configuration_qwen2_vl import Qwen2VLTextConfig
from transformers.models.qwen2_vl.modeling_qwen2_vl import (
    Qwen2VLRotaryEmbedding,
    apply_rotary_pos_emb,
)

from bench._timing import medians, print_table
from rope_ref import axis_frequencies, mrope_position_ids, rotate
from rope_ref.paper import axes as paper_axes

SHAPE = (1, 28, 4096, 128)
ROPE = {"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]}


def _positions(seq: int) -> np.ndarray:
    """(3, seq) M-RoPE ids (Qwen2-VL's rule): text, a 32 x 32 patch image (256 merged
    tokens), text, an 8-frame video of 32 x 32 patches (2048 tokens)."""
    image, video = 16 * 16, 8 * 16 * 16
    text = seq - image - video
    types = [0] * (text // 2) + [1] * image + [0] * (text - text // 2) + [2] * video
    pos, _ = mrope_position_ids(types, [[1, 32, 32]], [[8, 32, 32]])
    return pos[:, 0]


class _Case:
    def __init__(self, shape=SHAPE, seed: int = 0):
        batch, heads, seq, d = shape
        rng = np.random.default_rng(seed)
        self.q = rng.standard_normal(shape, dtype=np.float32)
        self.k = rng.standard_normal(shape, dtype=np.float32)
        self.positions = _positions(seq)
        self.theta, self.axes = axis_frequencies(d, 1e6, style="mrope", section=(16, 24, 24))
        self.tq, self.tk = torch.from_numpy(self.q), torch.from_numpy(self.k)
        self.position_ids = torch.from_numpy(self.positions)[:, None, :]  # (3, batch, seq)
        config = Qwen2VLTextConfig(
            hidden_size=heads * d, num_attention_heads=heads, num_key_value_heads=heads,
            head_dim=d, rope_parameters=dict(ROPE),
        )  # fmt: skip
        self.embedding = Qwen2VLRotaryEmbedding(config)
        self.cos, self.sin = self.embedding(self.tq, self.position_ids)

    def hf_warm(self):
        return apply_rotary_pos_emb(self.tq, self.tk, self.cos, self.sin)

    def hf_cold(self):
        cos, sin = self.embedding(self.tq, self.position_ids)
        return apply_rotary_pos_emb(self.tq, self.tk, cos, sin)

    def ours_warm(self):
        def one(x):
            return rotate(x, self.positions, theta=self.theta, axes=self.axes, layout="half")

        return one(self.q), one(self.k)

    def ours_cold(self):
        paper_axes.cached_axis_table.cache_clear()
        return self.ours_warm()

    def max_difference_from_hf(self) -> float:
        return float(np.max(np.abs(self.ours_warm()[0] - self.hf_warm()[0].numpy())))


def run(repeats: int = 7) -> list[dict]:
    """Rows {name, seconds, vs_hf} of one run at SHAPE."""
    torch.set_num_threads(1)
    case = _Case()
    t = medians(
        {"hf": case.hf_warm, "hf_cold": case.hf_cold, "ours": case.ours_warm,
         "ours_cold": case.ours_cold},
        repeats,
    )  # fmt: skip
    rows = [
        {"name": "HF apply_rotary_pos_emb, cos/sin ready", "seconds": t["hf"], "vs_hf": 1.0},
        {"name": "rope_ref.rotate (axes), table ready", "seconds": t["ours"],
         "vs_hf": t["ours"] / t["hf"]},
        {"name": "HF Qwen2VLRotaryEmbedding + apply (cold)", "seconds": t["hf_cold"],
         "vs_hf": 1.0},
        {"name": "rope_ref.rotate (axes), cold", "seconds": t["ours_cold"],
         "vs_hf": t["ours_cold"] / t["hf_cold"]},
    ]  # fmt: skip
    print_table(
        f"multi-axis rotate q and k, float32 {SHAPE}, M-RoPE [16, 24, 24], one torch thread "
        f"(max |rope_ref - HF| on q: {case.max_difference_from_hf():.1e})",
        ["what", "ms", "/ same-kind HF"],
        [[r["name"], 1e3 * r["seconds"], r["vs_hf"]] for r in rows],
        note="q and k together; ratios of medians measured side by side in this run. "
        "Target: <= 0.5x HF.",
    )
    return rows


if __name__ == "__main__":
    run()
