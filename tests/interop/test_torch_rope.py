"""The checker against the real torch implementations: HF transformers (Llama, GPT-J) and
rotary-embedding-torch. Correct ones pass in the precisions they work in; each broken the
way real bugs happen is failed with the right name. Each test prints one line of the
interop table: library, version, case, verdict."""

from __future__ import annotations

from importlib.metadata import version

import pytest
import torch

from interop._torch_impls import hf_gptj, hf_llama, rotary_embedding_torch
from rope_ref.checker.report import check

HF = f"transformers {version('transformers')} (torch {torch.__version__})"
RET = f"rotary-embedding-torch {version('rotary-embedding-torch')}"


def _verdict(library: str, case: str, fn, expected: str | None, **config):
    report = check(fn, **config)
    got = "pass" if report.ok else ", ".join(f.name for f in report.findings)
    print(f"\n{library} | {case} | {got} | error {report.max_error:.3g} tol {report.tolerance:.3g}")
    if expected is None:
        assert report.ok and not report.findings, str(report)
    else:
        assert not report.ok, str(report)
        assert [f.name for f in report.findings] == [expected], str(report)
    return report


@pytest.mark.parametrize(
    ("dtype", "precision"),
    [(torch.float32, None), (torch.float16, None), (torch.bfloat16, "bfloat16")],
)
def test_hf_llama_rotary_passes_as_half_layout(dtype, precision):
    _verdict(
        HF,
        f"Llama rotary, {dtype}",
        hf_llama(dtype=dtype),
        None,
        d=64,
        layout="half",
        precision=precision,
    )


def test_hf_llama_keeps_float32_phases_for_float64_inputs():
    # HF computes position_ids.float() * inv_freq in float32 whatever x's dtype: held to
    # float64, its phases are float32's.
    report = _verdict(
        HF,
        "Llama rotary, float64 inputs",
        hf_llama(dtype=torch.float64),
        "low_precision_angles",
        d=64,
        layout="half",
    )
    assert "float32" in report.findings[0].detail


@pytest.mark.parametrize(
    ("dtype", "precision"), [(torch.float32, None), (torch.bfloat16, "bfloat16")]
)
def test_hf_gptj_rotary_passes_as_interleaved_with_partial_rotary_dim(dtype, precision):
    _verdict(
        HF,
        f"GPT-J rotate_every_two, rotary_dim 32 of 64, {dtype}",
        hf_gptj(dtype=dtype),
        None,
        d=64,
        rotary_dim=32,
        layout="interleaved",
        precision=precision,
    )


@pytest.mark.parametrize("dim", [64, 32])
def test_rotary_embedding_torch_passes_as_interleaved(dim):
    _verdict(
        RET,
        f"RotaryEmbedding({dim}) on d=64",
        rotary_embedding_torch(dim),
        None,
        d=64,
        rotary_dim=dim,
        layout="interleaved",
    )


def test_rotary_embedding_torch_in_bfloat16_holds_positions_in_bfloat16():
    # get_seq_pos builds positions in the input's dtype: in bfloat16, 257 becomes 256.
    report = _verdict(
        RET,
        "RotaryEmbedding(64), bfloat16 inputs",
        rotary_embedding_torch(64, dtype=torch.bfloat16),
        "low_precision_angles",
        d=64,
        precision="bfloat16",
    )
    assert "positions" in report.findings[0].detail


def test_rotary_embedding_torch_in_float16_overflows_positions():
    # float16 holds no position past 65504: position 65535 becomes inf.
    report = _verdict(
        RET,
        "RotaryEmbedding(64), float16 inputs",
        rotary_embedding_torch(64, dtype=torch.float16),
        "low_precision_angles",
        d=64,
    )
    assert "float16" in report.findings[0].detail


BROKEN = [
    (
        HF,
        "Llama rotary checked as interleaved",
        lambda: hf_llama(),
        "layout_swapped",
        {"layout": "interleaved"},
    ),
    (
        HF,
        "Llama rotary, module.to(bfloat16) casts inv_freq",
        lambda: hf_llama(buffers_to_bf16=True),
        "low_precision_angles",
        {"layout": "half"},
    ),
    (
        HF,
        "Llama rotary, position_ids + 1",
        lambda: hf_llama(position_shift=1),
        "position_offset",
        {"layout": "half"},
    ),
    (
        HF,
        "Llama rotary, rope_theta 500000 where 10000 is stated",
        lambda: hf_llama(rope_parameters={"rope_type": "default", "rope_theta": 500000.0}),
        "wrong_base",
        {"layout": "half"},
    ),
    (
        HF,
        "GPT-J checked as half",
        lambda: hf_gptj(),
        "layout_swapped",
        {"layout": "half", "rotary_dim": 32},
    ),
    (
        HF,
        "GPT-J, position_ids + 2",
        lambda: hf_gptj(position_shift=2),
        "position_offset",
        {"rotary_dim": 32},
    ),
    (
        HF,
        "GPT-J rotary_dim 32 checked as rotary_dim 64",
        lambda: hf_gptj(),
        "rotary_dim_mismatch",
        {},
    ),
    (
        RET,
        "RotaryEmbedding(64) checked as half",
        lambda: rotary_embedding_torch(64),
        "layout_swapped",
        {"layout": "half"},
    ),
    (
        RET,
        "RotaryEmbedding(64, theta=500000) where 10000 is stated",
        lambda: rotary_embedding_torch(64, theta=500000),
        "wrong_base",
        {},
    ),
]


@pytest.mark.parametrize(
    ("library", "case", "make", "expected", "config"), BROKEN, ids=[b[1] for b in BROKEN]
)
def test_broken_real_implementation_is_named(library, case, make, expected, config):
    _verdict(library, case, make(), expected, d=64, **config)


LONGROPE_FACTORS = {
    "short_factor": [1.0 + 0.01 * i for i in range(32)],
    "long_factor": [1.0 + 1.2 * i for i in range(32)],
}
# (HF rope_parameters, what rope_ref is told, max_position_embeddings): each checked in
# rope_ref's default form, the released code's (what the model runs), with nothing passed
HF_SCALING = {
    "linear": ({"rope_type": "linear", "rope_theta": 10000.0, "factor": 4.0}, {}, 4096),
    "dynamic": (
        {"rope_type": "dynamic", "rope_theta": 10000.0, "factor": 2.0},
        {"max_position_embeddings": 4096},
        4096,
    ),
    "yarn": (
        {
            "rope_type": "yarn",
            "rope_theta": 10000.0,
            "factor": 4.0,
            "original_max_position_embeddings": 2048,
        },
        {},
        8192,
    ),
    "llama3": (
        {
            "rope_type": "llama3",
            "rope_theta": 500000.0,
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 8192,
        },
        {},
        131072,
    ),
    "longrope": (
        {
            "rope_type": "longrope",
            "rope_theta": 10000.0,
            "original_max_position_embeddings": 4096,
            **LONGROPE_FACTORS,
        },
        {"max_position_embeddings": 131072},
        131072,
    ),
    "proportional": (
        {"rope_type": "proportional", "rope_theta": 10000.0, "partial_rotary_factor": 0.25},
        {},
        4096,
    ),
}


def _hf_scaled(kind, **broken):
    params, extra, max_pos = HF_SCALING[kind]
    fn = hf_llama(rope_parameters=params, max_position_embeddings=max_pos, **broken)
    return fn, {"rope_scaling": {**params, **extra}}


@pytest.mark.parametrize("kind", sorted(HF_SCALING))
def test_hf_llama_scaled_rotary_passes(kind):
    fn, stated = _hf_scaled(kind)
    _verdict(HF, f"Llama rotary, rope_type {kind}", fn, None, d=64, layout="half", **stated)


@pytest.mark.parametrize("kind", ["yarn", "longrope"])
def test_hf_llama_with_attention_factor_dropped_is_named(kind):
    fn, stated = _hf_scaled(kind, drop_attention_scaling=True)
    _verdict(
        HF,
        f"Llama rotary, {kind} attention factor dropped",
        fn,
        "attention_factor_missing",
        d=64,
        layout="half",
        **stated,
    )


def test_hf_llama_without_its_stated_scaling_is_named():
    _, stated = _hf_scaled("linear")
    _verdict(
        HF,
        "Llama rotary, default config where linear x4 is stated",
        hf_llama(),
        "scaling_ignored",
        d=64,
        layout="half",
        **stated,
    )


@pytest.mark.parametrize(
    ("kwargs", "rope_scaling"),
    [
        ({"theta_rescale_factor": 4.0}, {"rope_type": "ntk", "factor": 4.0}),
        ({"interpolate_factor": 8.0}, {"rope_type": "linear", "factor": 8.0}),
    ],
    ids=["theta_rescale_factor=ntk", "interpolate_factor=linear"],
)
def test_rotary_embedding_torch_factors_are_rope_ref_variants(kwargs, rope_scaling):
    _verdict(
        RET,
        f"RotaryEmbedding(64, {kwargs}) as {rope_scaling}",
        rotary_embedding_torch(64, **kwargs),
        None,
        d=64,
        rope_scaling=rope_scaling,
    )


def test_rotary_embedding_torch_without_interpolate_factor_is_named():
    _verdict(
        RET,
        "RotaryEmbedding(64) where linear x8 is stated",
        rotary_embedding_torch(64),
        "scaling_ignored",
        d=64,
        rope_scaling={"rope_type": "linear", "factor": 8.0},
    )


def test_hf_llama_yarn_checked_against_the_papers_form_is_named():
    # HF ramps YaRN's blend linearly in the pair index, the paper in r_i (rope_ref.scaling).
    fn, stated = _hf_scaled("yarn")
    report = _verdict(
        HF,
        "Llama rotary, yarn checked with form='paper'",
        fn,
        "frequency_formula",
        d=64,
        layout="half",
        **stated,
        form="paper",
    )
    assert "form='code'" in report.findings[0].detail
