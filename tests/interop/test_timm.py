"""timm's layers.pos_embed_sincos, 1D: build_rotary_pos_embed([n], dim=2d, in_pixels=False,
temperature=base) and apply_rot_embed, interleaved (rotate_half False) and half-split
(rotate_half True), in float32, bfloat16 and float16, with float32 or bfloat16 tables, and
with float64 inputs. For one axis timm's embedding is eq 15 over d: num_bands = dim / 4
bands temperature^(-i / num_bands). Its 2D / N-D form (one band set per axis), the
Mixed and MRope rotaries are checked in test_timm_2d.py. The module is loaded from its file
(timm's package import needs torchvision)."""

from __future__ import annotations

from importlib.metadata import version

import pytest
import torch

from interop._load import load_module
from interop._verdict import to_numpy, verdict

LIB = f"timm {version('timm')}"
SINCOS = load_module("timm", "timm.layers.pos_embed_sincos")


def _fn(d=64, dtype=torch.float32, half=False, base=10000.0, table_dtype=torch.float32):
    sin, cos = SINCOS.build_rotary_pos_embed(
        [65536], dim=2 * d, in_pixels=False, temperature=base, rotate_half=half, dtype=table_dtype
    )

    def fn(x, positions):
        p = torch.from_numpy(positions)
        t = torch.from_numpy(x).to(dtype)
        return to_numpy(SINCOS.apply_rot_embed(t, sin[p], cos[p], half=half))

    return fn


@pytest.mark.parametrize(("half", "layout"), [(False, "interleaved"), (True, "half")])
@pytest.mark.parametrize(
    ("dtype", "precision"),
    [(torch.float32, None), (torch.bfloat16, "bfloat16"), (torch.float16, None)],
)
def test_1d_rotary_pos_embed_passes(half, layout, dtype, precision):
    verdict(
        LIB,
        f"1D, rotate_half={half}, {dtype}",
        _fn(dtype=dtype, half=half),
        d=64,
        layout=layout,
        precision=precision,
    )


def test_bfloat16_tables_pass_in_bfloat16():
    verdict(
        LIB,
        "1D, dtype=bfloat16 tables, bfloat16 inputs",
        _fn(dtype=torch.bfloat16, table_dtype=torch.bfloat16),
        d=64,
        precision="bfloat16",
    )


def test_1d_base_500000_passes():
    verdict(LIB, "1D, temperature 500000", _fn(base=500000.0), d=64, base=500000.0)


def test_float64_inputs_get_float32_phases():
    # bands and grid are float32 whatever dtype= says: held to float64, the phase is
    # float32's.
    verdict(
        LIB,
        "1D, float64 inputs and tables",
        _fn(dtype=torch.float64, table_dtype=torch.float64),
        ["low_precision_angles"],
        ["float32"],
        d=64,
    )
