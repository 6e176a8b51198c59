"""Hypothesis strategies shared by the core tests: RoPE configurations and inputs."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

LAYOUTS = ("interleaved", "half")


@st.composite
def rope_cases(draw, max_d: int = 256, max_pos: float = 2.0**24):
    """(x, positions, layout, rotary_dim): x (batch, seq, d) float64 with random d in
    2..max_d (even), rotary_dim even <= d, positions integer / negative / fractional."""
    d = 2 * draw(st.integers(1, max_d // 2))
    rotary_dim = 2 * draw(st.integers(1, d // 2))
    seq = draw(st.integers(1, 6))
    batch = draw(st.integers(1, 2))
    kind = draw(st.sampled_from(["int", "negative", "fractional", "large"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "int":
        positions = rng.integers(0, 4096, seq).astype(np.int64)
    elif kind == "negative":
        positions = rng.integers(-4096, 4096, seq).astype(np.int64)
    elif kind == "fractional":
        positions = rng.uniform(-100.0, 100.0, seq)
    else:
        positions = rng.integers(0, int(max_pos) + 1, seq).astype(np.int64)
    x = rng.standard_normal((batch, seq, d))
    return x, positions, draw(st.sampled_from(LAYOUTS)), rotary_dim
