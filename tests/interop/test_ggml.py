"""ggml (ggml-python's bindings, built from source): ggml_rope_ext in modes NORMAL
(interleaved) and NEOX (half-split), d 64 and 128, bases 1e4, 5e5, 1e6, n_dims < d,
freq_scale (linear), YaRN (ext_factor 1) and freq_factors, float32 and float16 tensors.
ggml builds theta by the recurrence theta_i = theta_(i-1) base^(-2/n_dims) in float32:
before the checker's error model had a term for it (docs/checker.md), ggml at d = 128
failed as 'wrong_base 9999.98'. Modes MROPE, IMROPE and VISION (ggml_rope_multi) are checked
in test_ggml_mrope.py."""

from __future__ import annotations

from importlib.metadata import version

import ggml
import ggml.utils as gu
import numpy as np
import pytest

from interop._verdict import verdict

LIB = f"ggml-python {version('ggml-python')}"
NORMAL, NEOX = ggml.GGML_ROPE_TYPE_NORMAL, ggml.GGML_ROPE_TYPE_NEOX


def _fn(mode, n_dims=None, base=10000.0, freq_scale=1.0, ext_factor=0.0, n_ctx_orig=0,
        freq_factors=None, dtype=np.float32):  # fmt: skip
    """ggml_rope_ext(ctx, a, positions, freq_factors, n_dims, mode, n_ctx_orig, base,
    freq_scale, ext_factor, attn_factor 1, beta_fast 32, beta_slow 1) on a of ne (d, heads,
    seq, batch), as llama.cpp calls it."""

    def fn(x, positions):
        ctx = ggml.ggml_init(ggml.ggml_init_params(mem_size=64 * 2**20, mem_buffer=None))
        try:
            a = gu.from_numpy(np.ascontiguousarray(x.transpose(0, 2, 1, 3)).astype(dtype), ctx)
            b = gu.from_numpy(positions.astype(np.int32), ctx)
            c = None if freq_factors is None else gu.from_numpy(freq_factors, ctx)
            y = ggml.ggml_rope_ext(ctx, a, b, c, n_dims or x.shape[-1], mode, n_ctx_orig, base,
                                   freq_scale, ext_factor, 1.0, 32.0, 1.0)  # fmt: skip
            graph = ggml.ggml_new_graph(ctx)
            ggml.ggml_build_forward_expand(graph, y)
            ggml.ggml_graph_compute_with_ctx(ctx, graph, 1)
            return gu.to_numpy(y).astype(np.float32).transpose(0, 2, 1, 3).copy()
        finally:
            ggml.ggml_free(ctx)

    return fn


@pytest.mark.parametrize(("mode", "layout"), [(NORMAL, "interleaved"), (NEOX, "half")])
@pytest.mark.parametrize(("d", "base"), [(64, 1e4), (64, 5e5), (128, 1e4), (128, 5e5), (128, 1e6)])
def test_rope_ext_passes(mode, layout, d, base):
    name = "NORMAL" if mode == NORMAL else "NEOX"
    verdict(
        LIB, f"{name}, d={d}, base {base:g}", _fn(mode, base=base), d=d, base=base, layout=layout
    )


def test_float16_tensors_pass():
    verdict(LIB, "NORMAL, F16", _fn(NORMAL, dtype=np.float16), d=64, precision="float16")


YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}
FACTORS = np.round(np.geomspace(1.0, 8.0, 32), 4).astype(np.float32)


@pytest.mark.parametrize(
    ("case", "kwargs", "config"),
    [
        ("NEOX, n_dims 32 of 64", {"n_dims": 32}, {"rotary_dim": 32}),
        (
            "NEOX, freq_scale 1/4 as linear",
            {"freq_scale": 0.25},
            {"rope_scaling": {"rope_type": "linear", "factor": 4.0}},
        ),
        (
            "NEOX, YaRN: freq_scale 1/4, ext_factor 1, n_ctx_orig 4096",
            {"freq_scale": 0.25, "ext_factor": 1.0, "n_ctx_orig": 4096},
            {"rope_scaling": YARN, "form": "code"},
        ),
        (
            "NEOX, freq_factors as LongRoPE's factors (one list)",
            {"freq_factors": FACTORS},
            {
                "rope_scaling": {
                    "rope_type": "longrope",
                    "short_factor": FACTORS.tolist(),
                    "long_factor": FACTORS.tolist(),
                    "original_max_position_embeddings": 4096,
                    "max_position_embeddings": 4096,
                }
            },
        ),
    ],
)
def test_rope_ext_scalings_pass(case, kwargs, config):
    verdict(LIB, case, _fn(NEOX, **kwargs), d=64, layout="half", **config)
