"""rope_ref.scaled_frequencies against HF transformers' ROPE_INIT_FUNCTIONS, every type.

HF computes inv_freq in float32 (``base ** (arange(0, dim, 2).float() / dim)``, then the
variant's arithmetic in float32); rope_ref computes in float64. So HF's inv_freq is
compared with rope_ref's theta to a float32-level tolerance: the error analysis of
``scaled_theta_error_bound`` with float32's unit roundoff (2^-24 instead of 2^-53: the
float64 bound times 2^29), plus 8 float32 roundings for the reciprocal, the float32 base
and the float32 exponent that HF adds. attention_factor is a Python float in HF (float64),
so it must agree to a few float64 ulps. Every type is compared in rope_ref's default form
(the released code's, "what the model runs"), with nothing passed; the YaRN paper's ramp
(``form="paper"``) differs from HF's on purpose, and a test shows by how much.
"""

import math

import numpy as np
import pytest
import torch
from transformers import LlamaConfig
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS
from transformers.models.llama.modeling_llama import (
    LlamaRotaryEmbedding,
    apply_rotary_pos_emb,
)

from rope_ref import rotate, scaled_frequencies, scaled_theta_error_bound

U32 = 2.0**-24
_rng = np.random.default_rng(5)
PHI3_SHORT = np.round(1.0 + np.sort(_rng.uniform(0, 0.3, 48)), 4).tolist()
PHI3_LONG = np.round(np.sort(np.geomspace(1.0, 40.0, 48)), 4).tolist()
YARN_QWEN = {
    "rope_type": "yarn",
    "rope_theta": 1e6,
    "factor": 4.0,
    "original_max_position_embeddings": 32768,
}

# (rope_scaling as rope_ref takes it, head_dim, seq_len); max_position_embeddings, if in
# the dict, goes to HF's model config instead (HF keeps it outside rope_parameters).
CASES = {
    "linear": [
        ({"rope_type": "linear", "rope_theta": 1e4, "factor": 4.0}, 128, None),
        (
            {"rope_type": "linear", "rope_theta": 1e4, "factor": 2.0, "partial_rotary_factor": 0.5},
            96,
            None,
        ),
    ],
    "dynamic": [
        (
            {
                "rope_type": "dynamic",
                "rope_theta": 1e4,
                "factor": 2.0,
                "max_position_embeddings": 4096,
            },
            128,
            n,
        )
        for n in (2048, 4096, 8192, 32768)
    ]
    + [
        (
            {
                "rope_type": "dynamic",
                "rope_theta": 5e5,
                "factor": 8.0,
                "max_position_embeddings": 2048,
                "partial_rotary_factor": 0.25,
            },
            128,
            10000,
        )
    ],
    "yarn": [
        (YARN_QWEN, 128, None),
        (
            {
                "rope_type": "yarn",
                "rope_theta": 1e4,
                "factor": 40.0,
                "beta_fast": 32,
                "beta_slow": 1,
                "mscale": 0.707,
                "mscale_all_dim": 0.707,
                "original_max_position_embeddings": 4096,
            },
            64,
            None,
        ),
        (
            {
                "rope_type": "yarn",
                "rope_theta": 150000.0,
                "factor": 32.0,
                "beta_fast": 32.0,
                "beta_slow": 1.0,
                "original_max_position_embeddings": 4096,
                "truncate": False,
            },
            64,
            None,
        ),
        (
            {
                "rope_type": "yarn",
                "rope_theta": 1e4,
                "factor": None,
                "max_position_embeddings": 16384,
                "original_max_position_embeddings": 4096,
                "mscale": 1.0,
                "mscale_all_dim": 0.5,
            },
            64,
            None,
        ),
        (
            {
                "rope_type": "yarn",
                "rope_theta": 1e4,
                "factor": 8.0,
                "attention_factor": 1.25,
                "beta_fast": 16.0,
                "beta_slow": 2.0,
                "original_max_position_embeddings": 2048,
                "partial_rotary_factor": 0.5,
            },
            128,
            None,
        ),
    ],
    "longrope": [
        (
            {
                "rope_type": "longrope",
                "rope_theta": 1e4,
                "short_factor": PHI3_SHORT,
                "long_factor": PHI3_LONG,
                "original_max_position_embeddings": 4096,
                "max_position_embeddings": 131072,
            },
            96,
            n,
        )
        for n in (None, 4096, 4097, 131072)
    ]
    + [
        (
            {
                "rope_type": "longrope",
                "rope_theta": 1e4,
                "short_factor": PHI3_SHORT[:32],
                "long_factor": PHI3_LONG[:32],
                "original_max_position_embeddings": 2048,
                "factor": 8.0,
                "attention_factor": 1.1,
            },
            64,
            9000,
        )
    ],
    "llama3": [
        (
            {
                "rope_type": "llama3",
                "rope_theta": 5e5,
                "factor": 8.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 8192,
            },
            128,
            None,
        ),
        (
            {
                "rope_type": "llama3",
                "rope_theta": 5e5,
                "factor": 32.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 8192,
            },
            64,
            None,
        ),
    ],
    "proportional": [
        (
            {"rope_type": "proportional", "rope_theta": 1e6, "partial_rotary_factor": 0.25},
            256,
            None,
        ),
        (
            {
                "rope_type": "proportional",
                "rope_theta": 1e4,
                "partial_rotary_factor": 0.5,
                "factor": 2.0,
            },
            128,
            None,
        ),
    ],
}


def _hf_config(rope_scaling: dict, head_dim: int) -> LlamaConfig:
    params = dict(rope_scaling)
    max_pos = params.pop("max_position_embeddings", 131072)
    return LlamaConfig(
        hidden_size=2 * head_dim,
        num_attention_heads=2,
        head_dim=head_dim,
        num_key_value_heads=2,
        max_position_embeddings=max_pos,
        rope_parameters=params,
    )


def _hf(rope_scaling: dict, head_dim: int, seq_len):
    config = _hf_config(rope_scaling, head_dim)
    fn = ROPE_INIT_FUNCTIONS[config.rope_parameters["rope_type"]]
    inv_freq, attention_factor = fn(config, "cpu", seq_len=seq_len)
    assert inv_freq.dtype == torch.float32
    return inv_freq.double().numpy(), attention_factor


def _float32_tolerance(*args, **kwargs) -> np.ndarray:
    """rope_ref's float64 error bound re-read with u = 2^-24, plus 8 float32 roundings."""
    return scaled_theta_error_bound(*args, **kwargs) * 2.0**29 + 8 * U32


def test_every_hf_rope_type_has_cases():
    assert set(ROPE_INIT_FUNCTIONS) <= set(CASES), set(ROPE_INIT_FUNCTIONS) - set(CASES)


@pytest.mark.parametrize(
    "rope_scaling, head_dim, seq_len",
    [case for kind in sorted(ROPE_INIT_FUNCTIONS) for case in CASES[kind]],
    ids=lambda v: v["rope_type"] if isinstance(v, dict) else str(v),
)
def test_inv_freq_and_attention_factor_match_hf(rope_scaling, head_dim, seq_len):
    hf_theta, hf_factor = _hf(rope_scaling, head_dim, seq_len)
    theta, factor = scaled_frequencies(head_dim, None, rope_scaling, seq_len)
    tol = _float32_tolerance(head_dim, None, rope_scaling, seq_len)
    assert theta.shape == hf_theta.shape
    rel = np.abs(theta - hf_theta) / np.where(theta == 0, 1.0, theta)
    worst = int(np.argmax(rel / tol))
    assert np.all(rel <= tol), f"theta_{worst}: relative error {rel[worst]:.2e} > {tol[worst]:.2e}"
    assert factor == pytest.approx(hf_factor, rel=4 * 2.0**-53)


def test_default_matches_hf_default_rope():
    for head_dim, base in ((64, 1e4), (128, 5e5), (256, 1e6), (96, 1e4)):
        config = _hf_config({"rope_type": "default", "rope_theta": base}, head_dim)
        inv_freq, factor = LlamaRotaryEmbedding.compute_default_rope_parameters(config)
        theta, ours = scaled_frequencies(head_dim, base, {"rope_type": "default"})
        tol = _float32_tolerance(head_dim, base, None)
        assert np.all(np.abs(theta - inv_freq.double().numpy()) <= tol * theta)
        assert ours == factor == 1.0


def test_yarn_paper_ramp_differs_from_hf_inside_the_ramp_only():
    """The paper's gamma is linear in r_i = L theta_i / (2 pi); HF's in the index i. They
    agree where both ramps are 0 or 1 and differ by up to ~70% in between (Qwen config)."""
    hf_theta, _ = _hf(YARN_QWEN, 128, None)
    paper, _ = scaled_frequencies(128, None, YARN_QWEN, form="paper")
    rel = np.abs(paper - hf_theta) / paper
    assert rel.max() > 0.5
    assert np.sum(rel < 1e-6) >= 32  # the two ends of the ramp


def test_yarn_lone_mscale_differs_from_deepseek():
    """HF uses mscale only with mscale_all_dim; DeepSeek's reference reads a lone mscale
    (mscale_all_dim = 0): rope_ref's default (form "code") follows HF, form="paper" follows
    DeepSeek."""
    rs = {
        "rope_type": "yarn",
        "rope_theta": 1e4,
        "factor": 16.0,
        "mscale": 0.707,
        "original_max_position_embeddings": 4096,
    }
    _, hf_factor = _hf(rs, 64, None)
    assert scaled_frequencies(64, None, rs, hf_compat=True)[1] == hf_factor
    assert scaled_frequencies(64, None, rs)[1] == hf_factor
    assert hf_factor == pytest.approx(0.1 * math.log(16) + 1)
    deepseek = scaled_frequencies(64, None, rs, form="paper")[1]
    assert deepseek == pytest.approx(0.1 * 0.707 * math.log(16) + 1)


@pytest.mark.parametrize("kind", ["yarn", "longrope", "llama3", "linear"])
def test_rotate_applies_attention_factor_as_hf(kind):
    """HF's rotary embedding (cos, sin times attention_scaling, float32) and
    apply_rotary_pos_emb against rope_ref.rotate(layout="half", rope_scaling=...)."""
    rope_scaling, head_dim, _ = CASES[kind][0]
    config = _hf_config(rope_scaling, head_dim)
    rng = np.random.default_rng(0)
    q = rng.standard_normal((1, 2, 12, head_dim)).astype(np.float32)
    positions = np.arange(12) * 37
    emb = LlamaRotaryEmbedding(config)
    qt = torch.from_numpy(q)
    cos, sin = emb(qt, torch.from_numpy(positions)[None])
    hf_q, _ = apply_rotary_pos_emb(qt, qt, cos, sin)
    ours = rotate(q.astype(np.float64), positions, layout="half", rope_scaling=rope_scaling)
    assert emb.attention_scaling == scaled_frequencies(head_dim, None, rope_scaling)[1]
    np.testing.assert_allclose(hf_q.double().numpy(), ours, atol=2e-5 * np.abs(q).max())
