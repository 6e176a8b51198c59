"""keras-hub's layers.RotaryEmbedding on keras 3's torch backend against the checker: half
split pairs, in float32, bfloat16 and float16, with rope_type linear, yarn (truncate true
and false) and "dynamic".

Finding (keras-hub 0.32.0, ``RotaryEmbedding._get_inverse_freq``): rope_type "dynamic"
returns ``inv / scaling_factor ** (rotary_dim / (rotary_dim - 2))``: every frequency
divided by one constant, 4^(64/62) = 4.18294 for factor 4, i.e. position interpolation by
that constant. NTK-aware / dynamic NTK scaling multiplies the base by it instead
(theta_i = (b s^(r/(r-2)))^(-2i/r), bloc97; HF's _compute_dynamic_ntk_parameters), which
leaves theta_0 = 1 unscaled; and no sequence length enters, so it is not dynamic either.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

from importlib.metadata import version  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from keras_hub.layers import RotaryEmbedding  # noqa: E402

from interop._verdict import to_numpy, verdict  # noqa: E402

LIB = f"keras-hub {version('keras-hub')} (keras {version('keras')}, {keras.backend.backend()})"
YARN = {"rope_type": "yarn", "original_max_position_embeddings": 4096}


def _fn(dtype="float32", **kwargs):
    layer = RotaryEmbedding(sequence_axis=2, feature_axis=-1, dtype=dtype, **kwargs)

    def fn(x, positions):
        t = torch.from_numpy(x.astype(np.float32)).to(getattr(torch, dtype))
        return to_numpy(layer(t, positions=torch.from_numpy(positions)))

    return fn


def test_runs_on_the_torch_backend():
    assert keras.backend.backend() == "torch"


@pytest.mark.parametrize(
    ("dtype", "precision"), [("float32", None), ("bfloat16", "bfloat16"), ("float16", None)]
)
def test_rotary_embedding_passes_as_half(dtype, precision):
    verdict(LIB, f"RotaryEmbedding, {dtype}", _fn(dtype), d=64, layout="half", precision=precision)


@pytest.mark.parametrize(
    ("case", "kwargs", "config"),
    [
        (
            "scaling_factor 4 (linear)",
            {"scaling_factor": 4.0},
            {"rope_scaling": {"rope_type": "linear", "factor": 4.0}},
        ),
        (
            "rope_type yarn, factor 4",
            {"scaling_factor": 4.0, "rope_type": "yarn"},
            {"rope_scaling": dict(YARN, factor=4.0), "form": "code"},
        ),
        (
            "rope_type yarn, factor 32, truncate False",
            {
                "max_wavelength": 150000,
                "scaling_factor": 32.0,
                "rope_type": "yarn",
                "truncate": False,
            },
            {
                "rope_scaling": dict(YARN, rope_theta=150000.0, factor=32.0, truncate=False),
                "form": "code",
            },
        ),
    ],
)
def test_scalings_pass(case, kwargs, config):
    verdict(LIB, case, _fn(**kwargs), d=64, layout="half", **config)


def test_dynamic_divides_every_frequency_by_factor_to_the_d_over_d_minus_2():
    verdict(
        LIB,
        "rope_type dynamic, factor 4, as ntk",
        _fn(scaling_factor=4.0, rope_type="dynamic"),
        ["frequency_formula"],
        ["4.18294 = factor^(r/(r-2))"],
        d=64,
        layout="half",
        rope_scaling={"rope_type": "ntk", "factor": 4.0},
    )
