"""ggml's multi-axis modes (ggml-python's bindings): ggml_rope_multi in MROPE (Qwen2-VL's
chunked sections), IMROPE (Qwen3-VL's interleaved T H W) and VISION (the 2D vision towers).

ggml's contract (ggml.h, ``ggml_rope_multi``): positions are 4 rows (t, h, w, e) of int32,
sections 4 pair counts, NEOX pairing (i, i + n_dims/2) always. MROPE: theta_i of eq 15 over
n_dims for every pair (index not reset per section), pair i on the row of its chunk.
IMROPE: pair i on h when i % 3 == 1 and i < 3 s_h, on w when i % 3 == 2 and i < 3 s_w, on t
when i % 3 == 0 and i < 3 s_t, else on e (ops.cpp, ``ggml_mrope_cache_init``). VISION:
n_dims = d/2, pairs (i, i + d/2) over the whole head, theta reset at each section:
f_k = base^(-2k/(d/2)) per section, the first d/4 pairs on row 0, the next d/4 on row 1.

llama.cpp fills the 4th row with 0 for every token (llama-graph.cpp for text, "4th dim is
0"; mtmd-helper for images, "last pos dim is unused") and converts Qwen3-VL's
mrope_section [24, 20, 20] to sections [24, 20, 20, 0]. Finding: IMROPE then gives pairs 61
and 62 (the two lowest frequencies but one) to the e row, so llama.cpp leaves them
unrotated, where HF's Qwen3-VL (``apply_interleaved_mrope``) turns every pair outside the h
and w strides with t. With e = t the outputs equal rope_ref's mrope_interleaved; sections
that tile T H W exactly (Qwen3.5's [11, 11, 10]) give no pair to e.
"""

from __future__ import annotations

import ctypes
from importlib.metadata import version

import ggml
import ggml.utils as gu
import numpy as np

import rope_ref as rr
from interop._verdict import verdict

LIB = f"ggml-python {version('ggml-python')}"
MROPE, IMROPE = ggml.GGML_ROPE_TYPE_MROPE, ggml.GGML_ROPE_TYPE_IMROPE
VISION = ggml.GGML_ROPE_TYPE_VISION
QWEN2_5_VL = [16, 24, 24, 0]  # mrope_section [16, 24, 24] of Qwen2.5-VL-7B, rope_theta 1e6
QWEN3_VL = [24, 20, 20, 0]  # mrope_section [24, 20, 20] of Qwen3-VL-8B, rope_theta 5e6


def _rows(positions, fourth):
    """(4 * seq,) int32: ggml's rows t, h, w, e of check's (k, seq) positions, e "zero"
    (llama.cpp) or "t" (row 0 again); 2D positions (h, w) as rows (h, w, h, w), as
    llama.cpp's clip gives VISION (with 4 sections of d/4 only rows 0 and 1 are read)."""
    p = np.asarray(positions)
    if p.shape[0] == 2:  # VISION: (h, w, h, w)
        rows = [p[0], p[1], p[0], p[1]]
    else:
        rows = [p[0], p[1], p[2], np.zeros_like(p[0]) if fourth == "zero" else p[0]]
    return np.ascontiguousarray(np.stack(rows).astype(np.int32).ravel())


def _fn(mode, sections, *, base, n_dims=None, fourth="zero"):
    """ggml_rope_multi(ctx, a, positions, None, n_dims, sections, mode, n_ctx_orig 0, base,
    freq_scale 1, ext_factor 0, attn_factor 1, beta_fast 32, beta_slow 1) on a of ne (d,
    heads, seq, batch) float32."""

    def fn(x, positions):
        ctx = ggml.ggml_init(ggml.ggml_init_params(mem_size=64 * 2**20, mem_buffer=None))
        try:
            a = gu.from_numpy(np.ascontiguousarray(x.transpose(0, 2, 1, 3)).astype(np.float32), ctx)
            b = gu.from_numpy(_rows(positions, fourth), ctx)
            sec = (ctypes.c_int * 4)(*sections)
            y = ggml.ggml_rope_multi(ctx, a, b, None, n_dims or x.shape[-1], sec, mode, 0, base,
                                     1.0, 0.0, 1.0, 32.0, 1.0)  # fmt: skip
            graph = ggml.ggml_new_graph(ctx)
            ggml.ggml_build_forward_expand(graph, y)
            ggml.ggml_graph_compute_with_ctx(ctx, graph, 1)
            return gu.to_numpy(y).astype(np.float32).transpose(0, 2, 1, 3).copy()
        finally:
            ggml.ggml_free(ctx)

    return fn


def test_mrope_is_chunked_mrope():
    verdict(
        LIB, "MROPE, sections [16, 24, 24, 0], d=128, base 1e6, 4th row 0",
        _fn(MROPE, QWEN2_5_VL, base=1e6), d=128, base=1e6, style="mrope",
        section=[16, 24, 24], layout="half", precision="float32",
    )  # fmt: skip


def test_mrope_stated_as_interleaved_is_named():
    verdict(
        LIB, "MROPE [24, 20, 20, 0] stated as Qwen3-VL's interleaved",
        _fn(MROPE, QWEN3_VL, base=5e6), ["mrope_style_swapped"], ["chunked M-RoPE"],
        d=128, base=5e6, style="mrope_interleaved", section=[24, 20, 20], layout="half",
        precision="float32",
    )  # fmt: skip


def test_imrope_with_e_equal_t_is_interleaved_mrope():
    verdict(
        LIB, "IMROPE, sections [24, 20, 20, 0], d=128, base 5e6, 4th row = t",
        _fn(IMROPE, QWEN3_VL, base=5e6, fourth="t"), d=128, base=5e6,
        style="mrope_interleaved", section=[24, 20, 20], layout="half", precision="float32",
    )  # fmt: skip


def test_imrope_as_llama_cpp_calls_it_leaves_pairs_61_and_62_unrotated():
    fn = _fn(IMROPE, QWEN3_VL, base=5e6)
    rng = np.random.default_rng(14)
    x = rng.standard_normal((2, 2, 16, 128)).astype(np.float32)
    positions = rng.integers(1, 65536, size=(3, 16))
    y = fn(x, positions)
    unrotated = np.nonzero(np.all(y == x, axis=(0, 1, 2)))[0]
    assert unrotated.tolist() == [61, 62, 125, 126]  # pairs 61, 62 in NEOX order (i, i + 64)
    _, axes = rr.axis_frequencies(128, 5e6, style="mrope_interleaved", section=[24, 20, 20])
    assert axes[61] == axes[62] == 0  # HF's Qwen3-VL turns them with t
    # the checker names it: pairs 61 and 62 never turn (the 4th row is always 0)
    verdict(
        LIB, "IMROPE, sections [24, 20, 20, 0], 4th row 0 (llama.cpp)", fn, ["pairs_unrotated"],
        ["2 pair(s) unrotated (pairs 61, 62:"], d=128, base=5e6, style="mrope_interleaved",
        section=[24, 20, 20], layout="half", precision="float32",
    )  # fmt: skip


def test_vision_is_axial():
    verdict(
        LIB, "VISION, n_dims 40 of d=80, sections [20, 20, 20, 20], rows (h, w, h, w)",
        _fn(VISION, [20, 20, 20, 20], base=1e4, n_dims=40), d=80, style="axial",
        layout="half", precision="float32",
    )  # fmt: skip


def test_vision_stated_as_w_first_is_named_hw_swapped():
    verdict(
        LIB, "VISION stated as Llama 4's w-first order",
        _fn(VISION, [20, 20, 20, 20], base=1e4, n_dims=40), ["hw_swapped"], ["exchanges"],
        d=80, style="llama4_vision", layout="half", precision="float32",
    )  # fmt: skip


def test_imrope_with_sections_that_tile_passes_with_the_4th_row_0():
    # Qwen3.5's text sections [11, 11, 10] over 64 rotated features tile T H W exactly: no
    # pair falls to the e row, so llama.cpp's call is interleaved M-RoPE.
    verdict(
        LIB, "IMROPE, sections [11, 11, 10, 0], d=64, base 1e7, 4th row 0",
        _fn(IMROPE, [11, 11, 10, 0], base=1e7), d=64, base=1e7, style="mrope_interleaved",
        section=[11, 11, 10], layout="half", precision="float32",
    )  # fmt: skip
