"""LayerRope is the paper's rotation on the layer's slice of the head: eq 34 on
[offset, offset + rotary_dim) in the family's pairs, times the attention factor, written
back in the output layout, the rest of the head passed through; dynamic NTK and LongRoPE
take HF's length, max(positions) + 1."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import rope_ref as rr
from rope_ref.configs.layers import LayerRope

RNG = np.random.default_rng(4)
P = np.array([0, 1, 5, 4095, 4096, 70000])


def _spec(**kw) -> LayerRope:
    fields = dict(
        head_dim=16,
        offset=0,
        rope_dim=16,
        rotary_dim=16,
        params=(("rope_theta", 10000.0), ("rope_type", "default")),
        layout="half",
        output_layout="half",
    )
    return LayerRope(**{**fields, **kw})


def test_a_full_head_is_rope_of_eq_34_in_its_pairs():
    x = RNG.standard_normal((2, 3, len(P), 16))
    for layout in ("half", "interleaved"):
        spec = _spec(layout=layout, output_layout=layout)
        np.testing.assert_array_equal(spec.rotate(x, P), rr.rotate(x, P, layout=layout))


def test_a_slice_at_an_offset_rotates_and_the_rest_passes_through():
    x = RNG.standard_normal((1, 2, len(P), 24))
    spec = _spec(head_dim=24, offset=16, rope_dim=8, rotary_dim=8)
    y = spec.rotate(x, P)
    np.testing.assert_array_equal(y[..., :16], x[..., :16])
    np.testing.assert_array_equal(y[..., 16:], rr.rotate(x[..., 16:], P, layout="half"))


def test_interleaved_in_half_out_is_deepseek_v3s_deinterleave():
    x = RNG.standard_normal((1, 1, len(P), 8))
    spec = _spec(
        head_dim=8, rope_dim=8, rotary_dim=8, layout="interleaved", output_layout="interleaved"
    )
    out = replace(spec, output_layout="half").rotate(x, P)
    np.testing.assert_array_equal(out, rr.to_half_layout(spec.rotate(x, P)))


def test_the_attention_factor_multiplies_the_rotated_features_only():
    yarn = (
        ("factor", 4.0),
        ("original_max_position_embeddings", 4096),
        ("rope_theta", 1e6),
        ("rope_type", "yarn"),
    )
    spec = _spec(head_dim=20, rotary_dim=16, params=yarn)
    x = RNG.standard_normal((1, 1, len(P), 20))
    y = spec.rotate(x, P)
    factor = spec.attention_factor
    assert factor == pytest.approx(0.1 * np.log(4.0) + 1)
    ref = rr.rotate(x[..., :16], P, rope_scaling=dict(yarn), layout="half")
    np.testing.assert_allclose(y[..., :16], ref, rtol=1e-15, atol=1e-15)
    np.testing.assert_array_equal(y[..., 16:], x[..., 16:])


def test_longrope_switches_on_the_last_position_plus_one():
    params = (
        ("factor", 32.0),
        ("long_factor", (4.0,) * 8),
        ("original_max_position_embeddings", 4096),
        ("rope_theta", 1e4),
        ("rope_type", "longrope"),
        ("short_factor", (1.0,) * 8),
    )
    spec = _spec(params=params)
    x = RNG.standard_normal((1, 1, 2, 16))
    theta = rr.frequencies(16)
    below = spec.rotate(x, [0, 4095])  # seq_len 4096: short factors
    above = spec.rotate(x, [0, 4096])  # seq_len 4097: long factors
    factor = spec.attention_factor  # sqrt(1 + ln 32 / ln 4096), short and long alike
    assert factor == pytest.approx(np.sqrt(1 + np.log(32) / np.log(4096)))
    ref = factor * rr.rotate(x, [0, 4095], theta=theta, layout="half")
    np.testing.assert_allclose(below, ref, rtol=1e-14, atol=1e-15)
    ref = factor * rr.rotate(x, [0, 4096], theta=theta / 4.0, layout="half")
    np.testing.assert_allclose(above, ref, rtol=1e-14, atol=1e-15)


def test_dtype_is_kept_and_the_arithmetic_is_float64():
    x = RNG.standard_normal((1, 1, len(P), 16)).astype(np.float32)
    y = _spec().rotate(x, P)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, _spec().rotate(x.astype(np.float64), P).astype(np.float32))


def test_description_names_variant_base_span_pairs_and_factor():
    text = rr.model_rope("deepseek-v3").layers[0].description
    for words in ("yarn (", "factor 40", "base 10000", "features 128..191 of 192"):
        assert words in text, text
    assert "interleaved pairs, written half-split" in text and "attention factor 1" in text
    assert (
        "all 128 features in half-split pairs"
        in rr.model_rope("llama-3.1-8b").layers[0].description
    )
