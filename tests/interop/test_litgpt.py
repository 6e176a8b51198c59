"""litgpt's build_rope_cache + apply_rope (litgpt.model) against the checker: half-split
pairs, partial rotation (n_elem < head), condense_ratio (position interpolation), Llama 3
scaling, and YaRN, whose ramp litgpt 0.5.13 blends the wrong way round.

Finding (litgpt 0.5.13, ``build_rope_cache``): ``theta = theta_interpolation * (1 - ramp)
+ theta_extrapolation * ramp`` with ``ramp = clamp((i - low) / (high - low), 0, 1)``
scales the high-frequency pairs (i < low) by 1/factor and keeps the low-frequency ones:
NTK-by-parts reversed (YaRN sec 3.2; HF's ``_compute_yarn_parameters`` and the YaRN
authors' code use ``1 - ramp`` as the extrapolation weight). And without mscale keys the
attention factor is 1, where HF and the YaRN code use 0.1 ln(factor) + 1.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest
import torch
from litgpt.model import apply_rope, build_rope_cache

from interop._verdict import to_numpy, verdict

LIB = f"litgpt {version('litgpt')}"
LLAMA31 = {
    "rope_type": "llama3",
    "rope_theta": 500000.0,
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}


def _fn(d=64, dtype=torch.float32, n_elem=None, base=10000, extra=None, condense_ratio=1):
    """GPT.forward's rope: cos, sin = cache[input_pos]; apply_rope on the first n_elem."""
    r = n_elem or d
    cos, sin = build_rope_cache(
        65536, r, base=base, extra_config=extra, condense_ratio=condense_ratio
    )

    def fn(x, positions):
        t = torch.from_numpy(x).to(dtype)
        p = torch.from_numpy(positions)
        c, s = cos[p].unsqueeze(0).to(dtype), sin[p].unsqueeze(0).to(dtype)
        return to_numpy(torch.cat([apply_rope(t[..., :r], c, s), t[..., r:]], -1))

    return fn


@pytest.mark.parametrize(
    ("dtype", "precision"),
    [(torch.float32, None), (torch.bfloat16, "bfloat16"), (torch.float16, None)],
)
def test_rope_passes_as_half(dtype, precision):
    verdict(LIB, f"rope, {dtype}", _fn(dtype=dtype), d=64, layout="half", precision=precision)


@pytest.mark.parametrize(
    ("case", "kwargs", "config"),
    [
        ("n_elem 16 of 64", {"n_elem": 16}, {"rotary_dim": 16}),
        (
            "condense_ratio 4 as linear",
            {"condense_ratio": 4},
            {"rope_scaling": {"rope_type": "linear", "factor": 4.0}},
        ),
        (
            "Llama 3.1 extra_config",
            {
                "base": 500000,
                "extra": {
                    "factor": 8.0,
                    "low_freq_factor": 1.0,
                    "high_freq_factor": 4.0,
                    "original_max_seq_len": 8192,
                },
            },
            {"rope_scaling": LLAMA31},
        ),
    ],
)
def test_rope_scalings_pass(case, kwargs, config):
    verdict(LIB, case, _fn(**kwargs), d=64, layout="half", **config)


def _yarn(base, factor, original, **keys):
    extra = {"factor": factor, "beta_fast": 32.0, "beta_slow": 1.0}
    extra.update(original_max_seq_len=original, **keys)
    stated = {"rope_type": "yarn", "rope_theta": float(base), "factor": factor}
    stated.update(original_max_position_embeddings=original, beta_fast=32.0, beta_slow=1.0)
    stated.update(keys)
    return _fn(base=base, extra=extra), stated


@pytest.mark.parametrize(("base", "original"), [(10000, 4096), (1000000, 32768)])
def test_yarn_ramp_is_reversed_and_its_attention_factor_dropped(base, original):
    fn, stated = _yarn(base, 4.0, original)
    verdict(
        LIB,
        f"YaRN factor 4, base {base}, original {original}",
        fn,
        ["yarn_beta_swapped", "attention_factor_missing"],
        ["wrong way round", "1.13863"],
        d=64,
        layout="half",
        rope_scaling=stated,
        form="code",
    )


def test_yarn_with_deepseek_mscales_has_only_the_ramp_reversed():
    # mscale = mscale_all_dim: the attention factor is 1 in HF too, so the one mistake left
    # is the ramp.
    fn, stated = _yarn(10000, 40.0, 4096, mscale=1.0, mscale_all_dim=1.0)
    verdict(
        LIB,
        "YaRN factor 40, mscale = mscale_all_dim = 1",
        fn,
        ["yarn_beta_swapped"],
        ["wrong way round"],
        d=64,
        layout="half",
        rope_scaling=stated,
        form="code",
    )
