"""torchtitan's ComplexRoPE (complex pairs: interleaved) and CosSinRoPE (half-split) from
models/common/rope.py against the checker, in float32, bfloat16 and float16, with Llama 3
scaling and YaRN (truncate true and false), and with float64 inputs.

YaRN: torchtitan's rope is a pure rotation on purpose (``_yarn_inv_freq``: "The YaRN
attention mscale is intentionally NOT applied here -- the model folds mscale into its
softmax scale"), so held to HF's YaRN it is ``attention_factor_missing`` with the factor
0.1 ln(4) + 1 = 1.13863, and stated with ``attention_factor: 1.0`` it passes. The module is
loaded from its file (torchtitan's models/common package imports triton)."""

from __future__ import annotations

from importlib.metadata import version

import pytest
import torch

from interop._load import load_module
from interop._verdict import to_numpy, verdict

LIB = f"torchtitan {version('torchtitan')}"
ROPE = load_module("torchtitan", "torchtitan.models.common.rope")
FORMS = [(ROPE.ComplexRoPE, "interleaved"), (ROPE.CosSinRoPE, "half")]
YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}


def _fn(cls, d=64, dtype=torch.float32, **config):
    rope = cls(cls.Config(dim=d, max_seq_len=65536, **config))

    def fn(x, positions):
        t = torch.from_numpy(x).to(dtype).transpose(1, 2)  # (batch, seq, heads, d)
        with torch.no_grad():
            q, _ = rope(t, t, torch.from_numpy(positions)[None, :])
        return to_numpy(q.transpose(1, 2))

    return fn


@pytest.mark.parametrize(("cls", "layout"), FORMS, ids=["ComplexRoPE", "CosSinRoPE"])
@pytest.mark.parametrize(
    ("dtype", "precision"),
    [(torch.float32, None), (torch.bfloat16, "bfloat16"), (torch.float16, None)],
)
def test_rope_passes(cls, layout, dtype, precision):
    verdict(
        LIB,
        f"{cls.__name__}, {dtype}",
        _fn(cls, dtype=dtype),
        d=64,
        layout=layout,
        precision=precision,
    )


def test_complex_rope_llama_scaling_passes():
    verdict(
        LIB,
        "ComplexRoPE, scaling llama",
        _fn(ROPE.ComplexRoPE, theta=500000.0, scaling="llama"),
        d=64,
        rope_scaling={
            "rope_type": "llama3",
            "rope_theta": 500000.0,
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 8192,
        },
    )


@pytest.mark.parametrize(("cls", "layout"), FORMS, ids=["ComplexRoPE", "CosSinRoPE"])
def test_yarn_leaves_the_attention_factor_to_the_model(cls, layout):
    fn = _fn(cls, scaling="yarn", rope_factor=4.0)
    verdict(
        LIB,
        f"{cls.__name__}, yarn factor 4",
        fn,
        ["attention_factor_missing"],
        ["1.13863"],
        d=64,
        layout=layout,
        rope_scaling=YARN,
        form="code",
    )
    verdict(
        LIB,
        f"{cls.__name__}, yarn factor 4 stated with attention_factor 1",
        fn,
        d=64,
        layout=layout,
        rope_scaling=dict(YARN, attention_factor=1.0),
        form="code",
    )


@pytest.mark.parametrize(("cls", "layout"), FORMS, ids=["ComplexRoPE", "CosSinRoPE"])
def test_yarn_truncate_false_passes(cls, layout):
    verdict(
        LIB,
        f"{cls.__name__}, yarn factor 32, truncate False (gpt-oss)",
        _fn(cls, theta=150000.0, scaling="yarn", rope_factor=32.0, truncate=False),
        d=64,
        layout=layout,
        rope_scaling=dict(
            YARN, rope_theta=150000.0, factor=32.0, truncate=False, attention_factor=1.0
        ),
        form="code",
    )


@pytest.mark.parametrize(("cls", "layout"), FORMS, ids=["ComplexRoPE", "CosSinRoPE"])
def test_float64_inputs_get_float32_phases(cls, layout):
    verdict(
        LIB,
        f"{cls.__name__}, float64 inputs",
        _fn(cls, dtype=torch.float64),
        ["low_precision_angles"],
        ["float32"],
        d=64,
        layout=layout,
    )
