"""tinygrad's llm.model.precompute_freqs_cis + apply_rope (half-split, float32) against the
checker, on tinygrad's PYTHON device: its CPU device compiles kernels with clang, which
this machine's Python-and-make toolchain does not have (gcc rejects tinygrad's clang C).
The PYTHON device runs the same kernels' ops in Python, so the table of 65536 positions
the check needs is kept small: d = 8 (about 35 s). tinygrad 0.14.0's wheel lacks
tinygrad/llm/kernels, which tinygrad/llm/model.py imports, so 0.13.0 is pinned."""

from __future__ import annotations

import os

os.environ["DEV"] = "PYTHON"  # before tinygrad is imported; this test process only

from importlib.metadata import version  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from tinygrad import Device, Tensor  # noqa: E402
from tinygrad.llm.model import apply_rope, precompute_freqs_cis  # noqa: E402

from interop._verdict import verdict  # noqa: E402

LIB = f"tinygrad {version('tinygrad')} (device {Device.DEFAULT})"
D = 8


@pytest.fixture(scope="module")
def table() -> np.ndarray:
    """precompute_freqs_cis(D, 65536): cos | sin, (65536, D), realized once."""
    return precompute_freqs_cis(D, 65536).numpy()


def _fn(table):
    def fn(x, positions):
        # Transformer blocks slice freqs_cis[start_pos:start_pos+T]; here the rows are the
        # checked positions.
        rows = Tensor(np.ascontiguousarray(table[positions]))
        return apply_rope(Tensor(x.astype(np.float32)), rows).numpy()

    return fn


def test_runs_on_the_python_device():
    assert Device.DEFAULT == "PYTHON"


def test_apply_rope_passes_as_half(table):
    verdict(LIB, f"precompute_freqs_cis({D}, 65536) + apply_rope", _fn(table), d=D, layout="half")


def test_checked_as_interleaved_is_layout_swapped(table):
    verdict(
        LIB,
        "checked as interleaved",
        _fn(table),
        ["layout_swapped"],
        d=D,
        layout="interleaved",
    )
