"""torchtune's RoPE modules against the checker: RotaryPositionalEmbeddings and
Llama3ScaledRoPE (interleaved pairs), Qwen2's and Phi-3's (half-split), each in float32,
bfloat16 and float16, and with float64 inputs. The modules are loaded from their files
(torchtune's package import needs torchao and datasets; these files import torch only)."""

from __future__ import annotations

from importlib.metadata import version

import pytest
import torch

from interop._load import load_module
from interop._verdict import to_numpy, verdict

LIB = f"torchtune {version('torchtune')}"
CORE = load_module("torchtune", "torchtune.modules.position_embeddings")
LLAMA31 = load_module("torchtune", "torchtune.models.llama3_1._position_embeddings")
QWEN2 = load_module("torchtune", "torchtune.models.qwen2._positional_embeddings")
PHI3 = load_module("torchtune", "torchtune.models.phi3._position_embeddings")
#: Llama 3.1's rope_scaling (config.json of meta-llama/Llama-3.1-8B), the values
#: Llama3ScaledRoPE defaults to.
LLAMA31_SCALING = {
    "rope_type": "llama3",
    "rope_theta": 500000.0,
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}


def _fn(module, dtype):
    """module(x, input_pos=positions) on x as torchtune holds q: (batch, seq, heads, d)."""

    def fn(x, positions):
        t = torch.from_numpy(x).to(dtype).transpose(1, 2)
        with torch.no_grad():
            y = module(t, input_pos=torch.from_numpy(positions))
        return to_numpy(y.transpose(1, 2))

    return fn


MODULES = {
    "RotaryPositionalEmbeddings": (
        lambda: CORE.RotaryPositionalEmbeddings(64, max_seq_len=65536),
        {"layout": "interleaved"},
    ),
    "Llama3ScaledRoPE": (
        lambda: LLAMA31.Llama3ScaledRoPE(64, max_seq_len=65536, base=500000),
        {"layout": "interleaved", "rope_scaling": LLAMA31_SCALING},
    ),
    "Qwen2RotaryPositionalEmbeddings": (
        lambda: QWEN2.Qwen2RotaryPositionalEmbeddings(64, max_seq_len=65536, base=1e6),
        {"layout": "half", "base": 1e6},
    ),
    "Phi3RotaryPositionalEmbeddings": (
        lambda: PHI3.Phi3RotaryPositionalEmbeddings(64, max_seq_len=65536),
        {"layout": "half"},
    ),
}


@pytest.mark.parametrize("name", MODULES)
@pytest.mark.parametrize(
    ("dtype", "precision"),
    [(torch.float32, None), (torch.bfloat16, "bfloat16"), (torch.float16, None)],
)
def test_torchtune_rope_passes(name, dtype, precision):
    make, config = MODULES[name]
    verdict(LIB, f"{name}, {dtype}", _fn(make(), dtype), None, d=64, precision=precision, **config)


@pytest.mark.parametrize("name", MODULES)
def test_torchtune_rope_keeps_float32_phases_for_float64_inputs(name):
    # Each builds theta and the cos/sin cache in float32 (and RotaryPositionalEmbeddings,
    # Llama3ScaledRoPE rotate x.float()): held to float64, the phase is float32's.
    make, config = MODULES[name]
    verdict(
        LIB,
        f"{name}, float64 inputs",
        _fn(make(), torch.float64),
        ["low_precision_angles"],
        ["float32"],
        d=64,
        **config,
    )
