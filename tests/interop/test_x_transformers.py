"""x-transformers' RotaryEmbedding + apply_rotary_pos_emb against the checker: interleaved
pairs, partial rotation (dim < head), position interpolation (interpolation_factor) and
NTK (base_rescale_factor: base times factor^(d/(d-2)), rope_ref's "ntk"), in float32,
bfloat16 and float16, and with float64 inputs."""

from __future__ import annotations

from importlib.metadata import version

import pytest
import torch
from x_transformers.x_transformers import RotaryEmbedding, apply_rotary_pos_emb

from interop._verdict import to_numpy, verdict

LIB = f"x-transformers {version('x-transformers')}"


def _fn(dim: int = 64, dtype=torch.float32, **kwargs):
    rotary = RotaryEmbedding(dim, **kwargs)

    def fn(x, positions):
        t = torch.from_numpy(x).to(dtype)
        with torch.no_grad():
            freqs, scale = rotary(torch.from_numpy(positions))
            return to_numpy(apply_rotary_pos_emb(t, freqs, scale))

    return fn


@pytest.mark.parametrize(
    ("dtype", "precision"),
    [(torch.float32, None), (torch.bfloat16, "bfloat16"), (torch.float16, None)],
)
def test_rotary_embedding_passes_as_interleaved(dtype, precision):
    verdict(LIB, f"RotaryEmbedding(64), {dtype}", _fn(dtype=dtype), d=64, precision=precision)


@pytest.mark.parametrize(
    ("case", "kwargs", "config"),
    [
        ("RotaryEmbedding(32) on d=64", {"dim": 32}, {"rotary_dim": 32}),
        (
            "interpolation_factor 4 as linear",
            {"interpolation_factor": 4.0},
            {"rope_scaling": {"rope_type": "linear", "factor": 4.0}},
        ),
        (
            "base_rescale_factor 4 as ntk",
            {"base_rescale_factor": 4.0},
            {"rope_scaling": {"rope_type": "ntk", "factor": 4.0}},
        ),
        (
            "RotaryEmbedding(32, base_rescale_factor 4) as ntk on rotary_dim 32",
            {"dim": 32, "base_rescale_factor": 4.0},
            {"rotary_dim": 32, "rope_scaling": {"rope_type": "ntk", "factor": 4.0}},
        ),
    ],
)
def test_rotary_embedding_scalings_pass(case, kwargs, config):
    verdict(LIB, case, _fn(**kwargs), d=64, **config)


def test_float64_inputs_get_float32_phases():
    # inv_freq is a float32 buffer and positions are cast to it: held to float64, the
    # phase is float32's.
    verdict(
        LIB, "float64 inputs", _fn(dtype=torch.float64), ["low_precision_angles"], ["float32"], d=64
    )
