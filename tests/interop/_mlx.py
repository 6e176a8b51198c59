"""Running an mlx RoPE as fn(x, positions): mlx's rope takes a scalar offset, so position
m is rotated as a sequence of one at offset m (as decoding does)."""

from __future__ import annotations

import mlx.core as mx
import numpy as np

MX_DTYPES = {"float32": mx.float32, "bfloat16": mx.bfloat16, "float16": mx.float16}


def at_offsets(rope, dtype: str = "float32"):
    """fn(x, positions) = rope(x[:, :, j], offset=m_j) for each position, in dtype."""

    def fn(x, positions):
        out = []
        for j, m in enumerate(positions):
            xj = mx.array(x[:, :, j : j + 1].astype(np.float32)).astype(MX_DTYPES[dtype])
            out.append(np.array(rope(xj, int(m)).astype(mx.float32)))
        return np.concatenate(out, axis=2)

    return fn
