"""mlx-lm's models.rope_utils.initialize_rope against the checker: default, linear, llama3,
yarn, longrope, proportional and dynamic, half-split (traditional=False, as its Llama-family
models call it).

Findings (mlx-lm 0.32.2):
- yarn ignores ``truncate``: YarnRoPE always floors/ceils the correction range
  (``yarn_find_correction_range``) and initialize_rope does not pass the key, so gpt-oss's
  ``truncate: false`` is rounded like DeepSeek's (the bug of vLLM #28244).
- longrope always uses ``long_factor`` (SuScaledRoPE keeps ``_freqs = long_factor * ...``
  whatever the length), where HF and Phi-3's reference use ``short_factor`` while the
  sequence is <= original_max_position_embeddings.
"""

from __future__ import annotations

from importlib.metadata import version

import mlx.core as mx
import numpy as np
import pytest
from mlx_lm.models.rope_utils import initialize_rope

from interop._mlx import at_offsets
from interop._verdict import verdict

LIB = f"mlx-lm {version('mlx-lm')} (mlx {version('mlx')})"
#: Phi-3-style factor lists, 32 each for d = 64 (made up; Phi-3's own have 48 for d = 96).
SHORT = [float(v) for v in np.round(1.0 + np.linspace(0, 0.3, 32), 4)]
LONG = [float(v) for v in np.round(np.geomspace(1.0, 40.0, 32), 4)]
LLAMA3 = {
    "rope_type": "llama3",
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}
YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}
LONGROPE = {"rope_type": "longrope", "short_factor": SHORT, "long_factor": LONG}


def _fn(config, base=10000.0, max_position_embeddings=None):
    rope = initialize_rope(64, base, False, config, max_position_embeddings)
    return at_offsets(lambda x, m: rope(x, offset=m))


PASSING = [
    ("default", None, {}, {}),
    ("linear 4", {"rope_type": "linear", "factor": 4.0}, {}, {}),
    ("llama3 (Llama 3.1)", LLAMA3, {"base": 500000.0}, {"rope_theta": 500000.0}),
    ("yarn factor 4", YARN, {}, {}),
    (
        "yarn factor 40, mscale 1, mscale_all_dim 0.707 (DeepSeek-V2)",
        dict(YARN, factor=40.0, mscale=1.0, mscale_all_dim=0.707),
        {},
        {},
    ),
    (
        "longrope at 65536 > original 4096 (long factors)",
        dict(LONGROPE, original_max_position_embeddings=4096),
        {"max_position_embeddings": 131072},
        {"max_position_embeddings": 131072},
    ),
    (
        "proportional, partial_rotary_factor 0.25",
        {"rope_type": "proportional", "factor": 1.0, "partial_rotary_factor": 0.25},
        {},
        {},
    ),
]


@pytest.mark.parametrize(
    ("case", "config", "kwargs", "extra"), PASSING, ids=[p[0] for p in PASSING]
)
def test_initialize_rope_passes(case, config, kwargs, extra):
    stated = None if config is None else dict(config, **extra)
    form = {"form": "code"} if config and config["rope_type"] == "yarn" else {}
    verdict(LIB, case, _fn(config, **kwargs), d=64, layout="half", rope_scaling=stated, **form)


def test_dynamic_passes_over_a_whole_sequence():
    # DynamicNTKScalingRoPE takes its length from x (seq + offset): run it once over all
    # 65536 positions, the length check states, and read the checked ones.
    rope = initialize_rope(64, 10000.0, False, {"rope_type": "dynamic", "factor": 2.0}, 4096)

    def fn(x, positions):
        full = np.zeros(x.shape[:2] + (65536, 64), np.float32)
        full[:, :, positions] = x
        return np.array(rope(mx.array(full), offset=0))[:, :, positions]

    verdict(
        LIB,
        "dynamic factor 2, max_position_embeddings 4096, one call of 65536",
        fn,
        d=64,
        layout="half",
        rope_scaling={"rope_type": "dynamic", "factor": 2.0, "max_position_embeddings": 4096},
    )


def test_yarn_ignores_truncate_false():
    config = dict(YARN, factor=32.0, truncate=False)
    verdict(
        LIB,
        "yarn factor 32, truncate False (gpt-oss)",
        _fn(config, base=150000.0),
        ["yarn_truncate_ignored"],
        ["ignores truncate=false"],
        d=64,
        layout="half",
        rope_scaling=dict(config, rope_theta=150000.0),
        form="code",
    )


def test_longrope_uses_the_long_factors_at_a_short_length():
    config = dict(LONGROPE, original_max_position_embeddings=65536)
    verdict(
        LIB,
        "longrope at 4096 < original 65536 (short factors due)",
        _fn(config, max_position_embeddings=131072),
        ["longrope_wrong_factors"],
        ["long factors"],
        d=64,
        layout="half",
        rope_scaling=dict(config, max_position_embeddings=131072),
        max_position=4095,  # a sequence of 4096, far below 65536: only the short factors are due
    )
