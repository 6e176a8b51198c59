"""diffusers' get_1d_rotary_pos_embed + apply_rotary_emb (models/embeddings.py) against the
checker: use_real with repeat_interleave_real True / use_real_unbind_dim -1 (Flux,
CogVideoX: interleaved) and False / -2 (Stable Audio: half-split), the complex form
(Lumina), linear_factor (linear) and ntk_factor (base times the factor), float32 and
bfloat16, and freqs_dtype float64 with float64 inputs."""

from __future__ import annotations

from importlib.metadata import version

import numpy as np
import pytest
import torch
from diffusers.models.embeddings import apply_rotary_emb, get_1d_rotary_pos_embed

from interop._verdict import to_numpy, verdict

LIB = f"diffusers {version('diffusers')}"


def _fn(d=64, dtype=torch.float32, interleaved=True, real=True, **kwargs):
    def fn(x, positions):
        freqs = get_1d_rotary_pos_embed(
            d, positions, use_real=real, repeat_interleave_real=interleaved, **kwargs
        )
        t = torch.from_numpy(x).to(dtype)
        if not real:  # Lumina: x (batch, seq, heads, d), freqs_cis (batch, seq, d/2)
            y = apply_rotary_emb(t.transpose(1, 2), freqs[None], use_real=False)
            return to_numpy(y.transpose(1, 2))
        return to_numpy(apply_rotary_emb(t, freqs, use_real_unbind_dim=-1 if interleaved else -2))

    return fn


@pytest.mark.parametrize(("interleaved", "layout"), [(True, "interleaved"), (False, "half")])
@pytest.mark.parametrize(
    ("dtype", "precision"), [(torch.float32, None), (torch.bfloat16, "bfloat16")]
)
def test_use_real_passes(interleaved, layout, dtype, precision):
    verdict(
        LIB,
        f"use_real, repeat_interleave_real={interleaved}, {dtype}",
        _fn(dtype=dtype, interleaved=interleaved),
        d=64,
        layout=layout,
        precision=precision,
    )


def test_complex_form_passes_as_interleaved():
    verdict(LIB, "use_real=False (complex, Lumina)", _fn(real=False), d=64)


def test_linear_and_ntk_factors_pass():
    verdict(
        LIB,
        "linear_factor 4 as linear",
        _fn(linear_factor=4.0),
        d=64,
        rope_scaling={"rope_type": "linear", "factor": 4.0},
    )
    verdict(LIB, "ntk_factor 4 as base 40000", _fn(ntk_factor=4.0), d=64, base=40000.0)


def test_freqs_dtype_float64_keeps_float32_cos_and_sin():
    # freqs_dtype=float64 gives a float64 phase, but cos and sin are returned .float():
    # held to float64 the rotation is float32's, which the float32 phase model explains.
    report = verdict(
        LIB,
        "freqs_dtype float64, float64 inputs",
        _fn(dtype=torch.float64, freqs_dtype=torch.float64),
        ["low_precision_angles"],
        ["float32"],
        d=64,
    )
    assert np.isfinite(report.max_error)
