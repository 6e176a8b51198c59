"""mlx (Linux CPU build, mlx-cpu): mx.fast.rope and mlx.nn.RoPE against the checker,
traditional=True (interleaved) and False (half-split), d 64 and 128, bases 1e4, 5e5 and
1e6, rotary dims < d, scale (linear), in float32, bfloat16 and float16. mlx computes
theta as exp2(-e_i log2 b) in float32, whose error grows with |ln theta_i|: before the
checker's error model had that term, float32 mlx at d = 128 failed as 'wrong_base 500000
where 500000 is stated' (docs/checker.md)."""

from __future__ import annotations

from importlib.metadata import version

import mlx.core as mx
import mlx.nn as nn
import pytest

from interop._mlx import at_offsets
from interop._verdict import verdict

LIB = f"mlx {version('mlx')} (mlx-cpu {version('mlx-cpu')})"


@pytest.mark.parametrize(("traditional", "layout"), [(True, "interleaved"), (False, "half")])
@pytest.mark.parametrize(
    ("dtype", "precision"), [("float32", None), ("bfloat16", "bfloat16"), ("float16", "float16")]
)
def test_fast_rope_passes(traditional, layout, dtype, precision):
    def rope(x, m):
        return mx.fast.rope(x, 64, traditional=traditional, base=10000.0, scale=1.0, offset=m)

    verdict(
        LIB,
        f"mx.fast.rope traditional={traditional}, {dtype}",
        at_offsets(rope, dtype),
        d=64,
        layout=layout,
        precision=precision,
    )


@pytest.mark.parametrize("base", [10000.0, 500000.0, 1e6])
def test_fast_rope_float32_at_d128_passes_every_base(base):
    def rope(x, m):
        return mx.fast.rope(x, 128, traditional=False, base=base, scale=1.0, offset=m)

    verdict(
        LIB, f"mx.fast.rope d=128, base {base:g}", at_offsets(rope), d=128, base=base, layout="half"
    )


@pytest.mark.parametrize(
    ("case", "rope", "config"),
    [
        ("nn.RoPE(32) on d=64", nn.RoPE(32, traditional=False), {"rotary_dim": 32}),
        (
            "nn.RoPE(64, scale=1/4) as linear",
            nn.RoPE(64, traditional=True, scale=0.25),
            {"layout": "interleaved", "rope_scaling": {"rope_type": "linear", "factor": 4.0}},
        ),
    ],
)
def test_nn_rope_passes(case, rope, config):
    config = {"layout": "half", **config}
    verdict(LIB, case, at_offsets(lambda x, m: rope(x, offset=m)), d=64, **config)
