"""Proportional RoPE (p-RoPE; Barbero et al. 2024, arXiv 2410.06205), HF's rope_type
``proportional`` (transformers 5; Gemma 4's full-attention layers)."""

from __future__ import annotations

import numpy as np

from rope_ref.paper.frequencies import frequencies
from rope_ref.scaling.config import rotary_dim_for


def proportional(p: dict, d: int, seq_len, form: str) -> tuple[np.ndarray, float]:
    """Keep the int(p d) / 2 highest frequencies b^(-2i/d), with the exponent over the full
    head d, and set the rest to 0 (those pairs are not rotated); then divide by ``factor``
    (an HF addition, default 1). theta has d/2 entries."""
    keep = rotary_dim_for(d, p.get("partial_rotary_factor", 1.0)) // 2
    theta = frequencies(d, p["rope_theta"])  # eq 15 over the whole head
    theta[keep:] = 0.0  # p-RoPE: the lowest frequencies become 0
    return theta / p.get("factor", 1.0), 1.0
