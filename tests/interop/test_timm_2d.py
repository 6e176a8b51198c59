"""timm's 2D / N-D rotary (layers.pos_embed_sincos, loaded from its file): which rope_ref
multi-axis style each states, and check's verdict on it, in float32.

With ``in_pixels=False`` (``temperature`` bands and an integer 'index' grid), timm gives each
spatial axis num_bands = dim / 4 bands f_k = temperature^(-k / num_bands), the axes' bands
one after another (``build_fourier_pos_embed``: (*shape, ndim, num_bands) flattened), each
band on one pair (``_rope_layout``: interleaved, or half with ``rotate_half``). For 2 axes the
head is dim wide and f_k = base^(-2k/(d/2)), k < d/4: rope_ref's ``"axial"`` style (eq 15
over d/2; the first d/4 pairs on h, the last d/4 on w) with ``grid_indexing='ij'``, and the
``"llama4_vision"`` order (w first) with ``'xy'``. ``RotaryEmbeddingMixed`` (RoPE-Mixed,
Heo et al., arXiv 2403.13298) turns pair i by t_x fx_i + t_y fy_i with learnable (fx, fy);
with them set to RoPE-Axial's values it is the same styles. For 3 axes (N-D) and for
``RotaryEmbeddingMRope`` (Qwen3-VL's interleaved T H W for images, t fixed at 0) no style
of ``check`` states the RoPE (3 axes of eq 15 over d/3 each; a t that the library never
takes), so each is compared with ``rope_ref.rotate`` at its (theta, axes) within the
float32 error model. ``in_pixels=True`` (linear pixel bands on coordinates in [-1, 1]) is
Fourier features, not eq 15, and is not checked.
"""

from __future__ import annotations

import functools
from importlib.metadata import version

import numpy as np
import pytest
import torch

import rope_ref as rr
from interop._load import load_module
from interop._verdict import to_numpy, verdict
from rope_ref.checker.precision import tolerance

LIB = f"timm {version('timm')}"
SINCOS = load_module("timm", "timm.layers.pos_embed_sincos")
SIDE = 257  # check's 2D coordinates are 1..256: tables for a 257 x 257 grid
LAYOUTS = [(False, "interleaved"), (True, "half")]


@functools.lru_cache(maxsize=4)
def _tables(half: bool, indexing: str = "ij", d: int = 64):
    """build_rotary_pos_embed's (sin, cos), each (SIDE^2, d), row h * SIDE + w."""
    return SINCOS.build_rotary_pos_embed(
        [SIDE, SIDE], dim=d, in_pixels=False, rotate_half=half, grid_indexing=indexing
    )


def _rows(positions) -> torch.Tensor:
    """The grid rows of check's (h, w) positions (2, seq): h * SIDE + w."""
    return torch.from_numpy(positions[0] * SIDE + positions[1])


def _fn(half, indexing="ij", dtype=torch.float32):
    sin, cos = _tables(half, indexing)

    def fn(x, positions):
        t = torch.from_numpy(x).to(dtype)
        i = _rows(positions)
        return to_numpy(SINCOS.apply_rot_embed(t, sin[i], cos[i], half=half))

    return fn


@pytest.mark.parametrize(("half", "layout"), LAYOUTS)
def test_2d_ij_is_axial(half, layout):
    verdict(
        LIB, f"2D build_rotary_pos_embed, 'ij', rotate_half={half}", _fn(half),
        d=64, style="axial", layout=layout, precision="float32",
    )  # fmt: skip


@pytest.mark.parametrize(("half", "layout"), LAYOUTS)
def test_2d_xy_is_w_first(half, layout):
    verdict(
        LIB, f"2D build_rotary_pos_embed, 'xy', rotate_half={half}", _fn(half, "xy"),
        d=64, style="llama4_vision", layout=layout, precision="float32",
    )  # fmt: skip


def test_2d_xy_stated_as_axial_is_named_hw_swapped():
    verdict(
        LIB, "2D, 'xy' stated as axial (h first)", _fn(True, "xy"), ["hw_swapped"],
        ["exchanges the h and w"], d=64, style="axial", layout="half", precision="float32",
    )  # fmt: skip


def test_2d_bfloat16_inputs_pass_in_bfloat16():
    verdict(
        LIB, "2D, 'ij', bfloat16 inputs, float32 tables", _fn(True, dtype=torch.bfloat16),
        d=64, style="axial", layout="half", precision="bfloat16",
    )  # fmt: skip


def _module_fn(cls, half):
    """RotaryEmbedding (get_embed -> sin, cos; apply_rot_embed) or RotaryEmbeddingCat
    (get_embed -> sin|cos; apply_rot_embed_cat), in_pixels=False on a SIDE x SIDE grid."""
    module = cls(64, in_pixels=False, feat_shape=[SIDE, SIDE], rotate_half=half)
    embed = module.get_embed()

    def fn(x, positions):
        t, i = torch.from_numpy(x), _rows(positions)
        if cls is SINCOS.RotaryEmbeddingCat:
            return to_numpy(SINCOS.apply_rot_embed_cat(t, embed[i], half=half))
        return to_numpy(SINCOS.apply_rot_embed(t, embed[0][i], embed[1][i], half=half))

    return fn


@pytest.mark.parametrize("name", ["RotaryEmbedding", "RotaryEmbeddingCat"])
@pytest.mark.parametrize(("half", "layout"), LAYOUTS)
def test_rotary_embedding_modules_are_axial(name, half, layout):
    verdict(
        LIB, f"{name}(in_pixels=False), rotate_half={half}",
        _module_fn(getattr(SINCOS, name), half), d=64, style="axial", layout=layout,
        precision="float32",
    )  # fmt: skip


def _mixed_fn(indexing, d=64):
    """RotaryEmbeddingMixed (depth 1, one head) with its learnable freqs set to RoPE-Axial's:
    fx = (mag, 0), fy = (0, mag), mag from init_random_2d_freqs(rotate=False); its table
    (N, 2d) read through apply_rot_embed_cat (interleaved, as timm's mixed blocks do)."""
    module = SINCOS.RotaryEmbeddingMixed(
        d, depth=1, num_heads=1, temperature=10000.0, feat_shape=[SIDE, SIDE],
        grid_indexing=indexing,
    )  # fmt: skip
    mag = SINCOS.init_random_2d_freqs(d, 1, 1, temperature=10000.0, rotate=False)[0, ..., : d // 4]
    zero = torch.zeros_like(mag)
    with torch.no_grad():
        module.freqs.copy_(torch.stack([torch.cat([mag, zero], -1), torch.cat([zero, mag], -1)]))
        embed = module.get_embed()[0, 0]

    def fn(x, positions):
        return to_numpy(SINCOS.apply_rot_embed_cat(torch.from_numpy(x), embed[_rows(positions)]))

    return fn


@pytest.mark.parametrize(("indexing", "style"), [("xy", "llama4_vision"), ("ij", "axial")])
def test_mixed_with_axial_frequencies(indexing, style):
    verdict(
        LIB, f"RotaryEmbeddingMixed, axial freqs, '{indexing}'", _mixed_fn(indexing), d=64,
        style=style, precision="float32",
    )  # fmt: skip


def _assert_within_float32(y, x, positions, theta, axes, layout):
    """y (timm, float32) equals rope_ref.rotate(x, positions) (float64) within the float32
    error model of rope_ref.checker.precision."""
    y_ref = rr.rotate(x, positions, theta=theta, axes=axes, layout=layout)
    phi = rr.axis_angles(positions, theta, axes)
    tol = tolerance(x, phi, layout=layout, rotary_dim=x.shape[-1], scale=1.0,
                    precision="float32")  # fmt: skip
    error = np.abs(np.asarray(y, dtype=np.float64) - y_ref)
    print(f"\n{LIB} | max |timm - rope_ref| = {error.max():.3g}, max |phi| {np.abs(phi).max():.3g}")
    assert np.all(error <= tol), f"worst error/tolerance {np.max(error / tol):.3g}"


@pytest.mark.parametrize(("half", "layout"), LAYOUTS)
def test_3d_is_three_axes_of_eq_15_over_a_third(half, layout):
    shape, d = [6, 24, 24], 96  # dim 64: 16 bands per axis, a head of 3 * 32
    sin, cos = SINCOS.build_rotary_pos_embed(shape, dim=64, in_pixels=False, rotate_half=half)
    rng = np.random.default_rng(3)
    positions = np.stack([rng.integers(0, s, size=64) for s in shape])
    x = rng.standard_normal((2, 2, 64, d)).astype(np.float32).astype(np.float64)
    i = torch.from_numpy(np.ravel_multi_index(tuple(positions), shape))
    t = torch.from_numpy(x).float()
    y = to_numpy(SINCOS.apply_rot_embed(t, sin[i], cos[i], half=half))
    f = rr.frequencies(d // 3, 10000.0)  # f_k = base^(-2k/(d/3)), k < d/6  (eq 15 over d/3)
    theta, axes = np.tile(f, 3), np.repeat(np.arange(3), f.size)  # t, then h, then w
    _assert_within_float32(y, x, positions, theta, axes, layout)


def test_mrope_for_images_is_interleaved_mrope_at_t_0():
    module = SINCOS.RotaryEmbeddingMRope(64, mrope_section=(8, 12, 12))
    embed = module.get_embed([SIDE, SIDE])
    rng = np.random.default_rng(4)
    hw = rng.integers(0, SIDE, size=(2, 64))
    x = rng.standard_normal((2, 2, 64, 64)).astype(np.float32).astype(np.float64)
    t = torch.from_numpy(x).float()
    y = to_numpy(SINCOS.apply_rot_embed_cat(t, embed[_rows(hw)], half=True))
    theta, axes = rr.axis_frequencies(64, 10000.0, style="mrope_interleaved", section=[8, 12, 12])
    assert np.array_equal(module.axis.numpy(), axes)
    positions = np.concatenate([np.zeros((1, 64), dtype=np.int64), hw])  # (t = 0, h, w)
    _assert_within_float32(y, x, positions, theta, axes, "half")
