"""megatron-core's RotaryEmbedding and YarnRotaryEmbedding + rope_utils.apply_rotary_pos_emb
(unfused, TransformerConfig(apply_rope_fusion=False)) against the checker: half-split and
rotary_interleaved, rotary_percent, seq_len_interpolation_factor (linear), Llama 3
scaling (rope_scaling=True) and YaRN (DeepSeek's mscales, correction_range_round_to_int
False), in float32, bfloat16 and float16, and with float64 inputs.

On CPU: Megatron moves inv_freq to ``torch.cuda.current_device()`` at the first forward;
``_cuda_is_cpu`` answers "cpu" there for the duration of the call (the library's code
runs unchanged). A single-process gloo group (in-memory HashStore) stands for the
context-parallel group apply_rotary_pos_emb asks parallel_state for.
"""

from __future__ import annotations

import contextlib
import warnings
from importlib.metadata import version

import pytest
import torch
import torch.distributed as dist

with warnings.catch_warnings():  # "Transformer Engine and Apex are not installed"
    warnings.simplefilter("ignore")
    from megatron.core.models.common.embeddings.rope_utils import apply_rotary_pos_emb
    from megatron.core.models.common.embeddings.rotary_pos_embedding import RotaryEmbedding
    from megatron.core.models.common.embeddings.yarn_rotary_pos_embedding import (
        YarnRotaryEmbedding,
    )
    from megatron.core.transformer.transformer_config import TransformerConfig

from interop._verdict import to_numpy, verdict

LIB = f"megatron-core {version('megatron-core')}"


@contextlib.contextmanager
def _cuda_is_cpu():
    current = torch.cuda.current_device
    torch.cuda.current_device = lambda: "cpu"
    try:
        yield
    finally:
        torch.cuda.current_device = current


def _group():
    if not dist.is_initialized():
        dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    return dist.group.WORLD


def _fn(d=64, dtype=torch.float32, interleaved=False, percent=1.0, yarn=None, **kwargs):
    config = TransformerConfig(
        num_layers=1,
        hidden_size=2 * d,
        num_attention_heads=2,
        kv_channels=d,
        rotary_interleaved=interleaved,
        apply_rope_fusion=False,
    )
    with _cuda_is_cpu():
        if yarn is None:
            rotary = RotaryEmbedding(
                d, percent, rotary_interleaved=interleaved, use_cpu_initialization=True, **kwargs
            )
        else:
            rotary = YarnRotaryEmbedding(d, percent, use_cpu_initialization=True, **yarn)
    group = _group()

    def fn(x, positions):
        t = torch.from_numpy(x).to(dtype).permute(2, 0, 1, 3)  # Megatron: (seq, batch, heads, d)
        with _cuda_is_cpu(), torch.no_grad():
            out = rotary(65536)
            emb, mscale = out if isinstance(out, tuple) else (out, 1.0)
            y = apply_rotary_pos_emb(
                t, emb[torch.from_numpy(positions)], config, mscale=mscale, cp_group=group
            )
        return to_numpy(y.permute(1, 2, 0, 3))

    return fn


@pytest.mark.parametrize(("interleaved", "layout"), [(False, "half"), (True, "interleaved")])
@pytest.mark.parametrize(
    ("dtype", "precision"),
    [(torch.float32, None), (torch.bfloat16, "bfloat16"), (torch.float16, None)],
)
def test_rotary_embedding_passes(interleaved, layout, dtype, precision):
    verdict(
        LIB,
        f"RotaryEmbedding, rotary_interleaved={interleaved}, {dtype}",
        _fn(dtype=dtype, interleaved=interleaved),
        d=64,
        layout=layout,
        precision=precision,
    )


LLAMA3 = {
    "rope_type": "llama3",
    "rope_theta": 500000.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}
YARN = {"rope_type": "yarn", "original_max_position_embeddings": 4096}
CASES = [
    ("rotary_percent 0.5", {"percent": 0.5}, {"rotary_dim": 32}),
    (
        "seq_len_interpolation_factor 4 as linear",
        {"seq_len_interpolation_factor": 4.0},
        {"rope_scaling": {"rope_type": "linear", "factor": 4.0}},
    ),
    (
        "rope_scaling=True, factor 8 (Llama 3.1)",
        {"rotary_base": 500000, "rope_scaling": True, "rope_scaling_factor": 8.0},
        {"rope_scaling": dict(LLAMA3, factor=8.0)},
    ),
    (
        "rope_scaling=True, factor 32 (Llama 3.2)",
        {"rotary_base": 500000, "rope_scaling": True, "rope_scaling_factor": 32.0},
        {"rope_scaling": dict(LLAMA3, factor=32.0)},
    ),
    (
        "YarnRotaryEmbedding factor 4",
        {"yarn": {"scaling_factor": 4.0, "original_max_position_embeddings": 4096}},
        {"rope_scaling": dict(YARN, factor=4.0), "form": "code"},
    ),
    (
        "YarnRotaryEmbedding factor 40, mscale 1, mscale_all_dim 0.707 (DeepSeek-V2)",
        {
            "yarn": {
                "scaling_factor": 40.0,
                "original_max_position_embeddings": 4096,
                "mscale": 1.0,
                "mscale_all_dim": 0.707,
            }
        },
        {"rope_scaling": dict(YARN, factor=40.0, mscale=1.0, mscale_all_dim=0.707), "form": "code"},
    ),
    (
        "YarnRotaryEmbedding correction_range_round_to_int=False as truncate false",
        {
            "yarn": {
                "rotary_base": 150000.0,
                "scaling_factor": 32.0,
                "original_max_position_embeddings": 4096,
                "correction_range_round_to_int": False,
            }
        },
        {
            "rope_scaling": dict(YARN, rope_theta=150000.0, factor=32.0, truncate=False),
            "form": "code",
        },
    ),
]


@pytest.mark.parametrize(("case", "kwargs", "config"), CASES, ids=[c[0] for c in CASES])
def test_scalings_pass(case, kwargs, config):
    verdict(LIB, case, _fn(**kwargs), d=64, layout="half", **config)


def test_float64_inputs_get_float32_phases():
    verdict(
        LIB,
        "RotaryEmbedding, float64 inputs",
        _fn(dtype=torch.float64),
        ["low_precision_angles"],
        ["float32"],
        d=64,
        layout="half",
    )
