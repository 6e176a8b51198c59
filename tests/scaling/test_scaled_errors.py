"""rope_ref.scaling.scaled: each bad rope_scaling dict, or a bad argument that goes with
one (d, base, seq_len, hf_compat), raises a ValueError or TypeError naming what is wrong."""

from __future__ import annotations

import math

import pytest
from validation.error_table import assert_raises_named, error_params

from rope_ref import scaled_frequencies

YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}
#: longrope for d = 64 (32 factors each) and for d = 8 (4 each)
LONG = {
    "rope_type": "longrope",
    "short_factor": [1.0] * 32,
    "long_factor": [2.0] * 32,
    "original_max_position_embeddings": 4096,
    "factor": 8.0,
}
LONG8 = dict(LONG, short_factor=[1.0] * 4, long_factor=[2.0] * 4)
DYNAMIC = {"rope_type": "dynamic", "factor": 2.0, "max_position_embeddings": 4096}
LLAMA3 = {
    "rope_type": "llama3",
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}

SCALED_ERRORS = [
    (
        "not a dict",
        lambda: scaled_frequencies(64, None, [("rope_type", "linear")]),
        TypeError,
        "rope_scaling must be a dict",
    ),
    (
        "no type",
        lambda: scaled_frequencies(64, None, {"factor": 2.0}),
        ValueError,
        "missing required key 'rope_type'",
    ),
    (
        "unknown type",
        lambda: scaled_frequencies(64, None, {"rope_type": "xpos"}),
        ValueError,
        "rope_type'] must be one of",
    ),
    (
        "type clash",
        lambda: scaled_frequencies(
            64, None, {"rope_type": "linear", "type": "dynamic", "factor": 2.0}
        ),
        ValueError,
        "disagree",
    ),
    (
        "unknown key",
        lambda: scaled_frequencies(64, None, {"rope_type": "linear", "factor": 2.0, "scale": 3}),
        ValueError,
        "unknown key(s) ['scale']",
    ),
    (
        "missing key",
        lambda: scaled_frequencies(64, None, {"rope_type": "llama3", "factor": 8.0}),
        ValueError,
        "missing required key(s) ['high_freq_factor', 'low_freq_factor', 'original_max",
    ),
    (
        "missing factor",
        lambda: scaled_frequencies(64, None, {"rope_type": "linear"}),
        ValueError,
        "['factor']",
    ),
    (
        "factor str",
        lambda: scaled_frequencies(64, None, {"rope_type": "linear", "factor": "4"}),
        TypeError,
        "rope_scaling['factor'] must be a real number, got '4'",
    ),
    (
        "factor bool",
        lambda: scaled_frequencies(64, None, {"rope_type": "ntk", "factor": True}),
        TypeError,
        "must be a real number",
    ),
    (
        "negative factor",
        lambda: scaled_frequencies(64, None, {"rope_type": "linear", "factor": -2.0}),
        ValueError,
        "rope_scaling['factor'] must be > 0, got -2.0",
    ),
    (
        "nan factor",
        lambda: scaled_frequencies(64, None, {"rope_type": "linear", "factor": float("nan")}),
        ValueError,
        "finite",
    ),
    (
        "negative beta",
        lambda: scaled_frequencies(64, None, dict(YARN, beta_slow=-1.0)),
        ValueError,
        "beta_slow'] must be > 0",
    ),
    (
        "betas reversed",
        lambda: scaled_frequencies(64, None, dict(YARN, beta_fast=1.0, beta_slow=32.0)),
        ValueError,
        "beta_fast'] must be > beta_slow",
    ),
    (
        "negative mscale",
        lambda: scaled_frequencies(64, None, dict(YARN, mscale=-0.5)),
        ValueError,
        "mscale'] must be >= 0",
    ),
    (
        "float length",
        lambda: scaled_frequencies(64, None, dict(YARN, original_max_position_embeddings=4096.5)),
        TypeError,
        "original_max_position_embeddings'] must be an integer",
    ),
    (
        "truncate int",
        lambda: scaled_frequencies(64, None, dict(YARN, truncate=1)),
        TypeError,
        "truncate'] must be a bool",
    ),
    (
        "short list",
        lambda: scaled_frequencies(64, None, dict(LONG, short_factor=[1.0] * 31)),
        ValueError,
        ("short_factor'] must have rotary_dim/2 = 32 entries", "got 31"),
    ),
    (
        "long not list",
        lambda: scaled_frequencies(64, None, dict(LONG, long_factor=2.0)),
        TypeError,
        "long_factor'] must be a list of real numbers",
    ),
    (
        "list of str",
        lambda: scaled_frequencies(64, None, dict(LONG, long_factor=["1"] * 32)),
        TypeError,
        "list of real numbers",
    ),
    (
        "negative list",
        lambda: scaled_frequencies(64, None, dict(LONG, long_factor=[-1.0] * 32)),
        ValueError,
        "finite numbers > 0",
    ),
    (
        "llama3 bands",
        lambda: scaled_frequencies(
            64, None, dict(LLAMA3, low_freq_factor=4.0, high_freq_factor=1.0)
        ),
        ValueError,
        "high_freq_factor'] must be >= low_freq_factor",
    ),
    (
        "llama3 equal bands with a wavelength on the edge",
        lambda: scaled_frequencies(
            2,
            1e4,
            {
                "rope_type": "llama3",
                "factor": 2.0,
                "low_freq_factor": 1 / math.pi,
                "high_freq_factor": 1 / math.pi,
                "original_max_position_embeddings": 2,
            },
        ),
        ValueError,
        "smooth factor is 0/0",
    ),
    (
        "odd partial",
        lambda: scaled_frequencies(
            64, None, {"rope_type": "default", "partial_rotary_factor": 0.3}
        ),
        ValueError,
        ("even rotary dimension", "d=64 and partial_rotary_factor=0.3 give 19"),
    ),
    (
        "prf > 1",
        lambda: scaled_frequencies(
            64, None, {"rope_type": "default", "partial_rotary_factor": 1.5}
        ),
        ValueError,
        "must be in (0, 1]",
    ),
    (
        "bad theta",
        lambda: scaled_frequencies(64, None, {"rope_type": "default", "rope_theta": -1.0}),
        ValueError,
        "rope_scaling['rope_theta'] must be > 0",
    ),
    (
        "yarn no factor",
        lambda: scaled_frequencies(64, None, dict(YARN, factor=None)),
        ValueError,
        "needs 'factor'",
    ),
    (
        "paper truncate",
        lambda: scaled_frequencies(64, None, dict(YARN, truncate=False), form="paper"),
        ValueError,
        "(form='paper') has no truncation",
    ),
    (
        "paper truncate, by the older hf_compat=False",
        lambda: scaled_frequencies(64, None, dict(YARN, truncate=False), hf_compat=False),
        ValueError,
        "(form='paper') has no truncation",
    ),
    (
        "form unknown",
        lambda: scaled_frequencies(64, None, YARN, form="hf"),
        ValueError,
        "form must be one of ['code', 'paper'], got 'hf'",
    ),
    (
        "form and hf_compat disagree",
        lambda: scaled_frequencies(64, None, YARN, form="paper", hf_compat=True),
        ValueError,
        "form='paper' and hf_compat=True disagree",
    ),
    # the arguments that go with rope_scaling
    (
        "dynamic without seq_len",
        lambda: scaled_frequencies(64, None, DYNAMIC),
        ValueError,
        "seq_len is required for rope_type 'dynamic'",
    ),
    (
        "dynamic with float seq_len",
        lambda: scaled_frequencies(64, None, DYNAMIC, 4096.0),
        TypeError,
        "seq_len must be an integer",
    ),
    (
        "dynamic with seq_len 0",
        lambda: scaled_frequencies(64, None, DYNAMIC, 0),
        ValueError,
        "seq_len must be an integer >= 1, got 0",
    ),
    (
        "dynamic without max_position_embeddings",
        lambda: scaled_frequencies(64, None, {"rope_type": "dynamic", "factor": 2.0}, 10),
        ValueError,
        "missing required key(s) ['max_position",
    ),
    (
        "base against rope_theta",
        lambda: scaled_frequencies(64, 1e4, {"rope_type": "default", "rope_theta": 5e5}),
        ValueError,
        "base (10000.0) and rope_scaling['rope_theta']",
    ),
    (
        "hf_compat str",
        lambda: scaled_frequencies(64, None, YARN, hf_compat="yes"),
        TypeError,
        "hf_compat must be a bool",
    ),
    (
        "ntk with d=2",
        lambda: scaled_frequencies(2, None, {"rope_type": "ntk", "factor": 2.0}),
        ValueError,
        "rotary dimension >= 4",
    ),
    # escapes the API audit found: the id says what got out before the fix
    (
        "ntk: b s^(r/(r-2)) OverflowError",
        lambda: scaled_frequencies(8, None, {"rope_type": "ntk", "factor": 1e300}),
        ValueError,
        "rope_scaling['factor'] gives rope_type 'ntk'",
    ),
    (
        "ntk: tiny factor blamed 'base'",
        lambda: scaled_frequencies(8, None, {"rope_type": "ntk", "factor": 1e-300}),
        ValueError,
        "rope_scaling['factor'] gives rope_type 'ntk'",
    ),
    (
        "dynamic: OverflowError",
        lambda: scaled_frequencies(
            8, None, {"rope_type": "dynamic", "factor": 1e300, "max_position_embeddings": 10}, 100
        ),
        ValueError,
        "rope_scaling['factor'] gives rope_type 'dynamic'",
    ),
    (
        "linear: theta / 1e-320 overflowed to inf",
        lambda: scaled_frequencies(8, None, {"rope_type": "linear", "factor": 1e-320}),
        ValueError,
        "rope_scaling (rope_type 'linear') gives theta outside",
    ),
    (
        "proportional: theta / 1e-320 overflowed",
        lambda: scaled_frequencies(8, None, {"rope_type": "proportional", "factor": 1e-320}),
        ValueError,
        "rope_scaling (rope_type 'proportional') gives theta",
    ),
    (
        "longrope: theta / 1e-320 overflowed",
        lambda: scaled_frequencies(8, None, dict(LONG8, short_factor=[1e-320] * 4)),
        ValueError,
        "rope_scaling (rope_type 'longrope') gives theta",
    ),
    (
        "yarn: mscale 1e308 made the attention factor inf",
        lambda: scaled_frequencies(
            8, None, dict(YARN, factor=1e300, mscale=1e308, mscale_all_dim=0.5)
        ),
        ValueError,
        "rope_scaling (rope_type 'yarn') gives the attention factor inf",
    ),
    (
        "yarn hf: 'math domain error'",
        lambda: scaled_frequencies(
            8, None, dict(YARN, beta_fast=1e308, beta_slow=1e-308), hf_compat=True
        ),
        ValueError,
        "rope_scaling['beta_fast'] must keep L / (2 pi beta_fast)",
    ),
    (
        "yarn: 2**1100 context length, OverflowError",
        lambda: scaled_frequencies(8, None, dict(YARN, original_max_position_embeddings=2**1100)),
        ValueError,
        "original_max_position_embeddings'] must be an integer <= 9007199254740992",
    ),
    (
        "llama3: 10**400 context length, OverflowError",
        lambda: scaled_frequencies(8, None, dict(LLAMA3, original_max_position_embeddings=10**400)),
        ValueError,
        "original_max_position_embeddings'] must be an integer <=",
    ),
    (
        "rope_theta 10**400: OverflowError",
        lambda: scaled_frequencies(8, None, {"rope_type": "default", "rope_theta": 10**400}),
        ValueError,
        "rope_scaling['rope_theta'] must be finite",
    ),
    (
        "longrope factor list of 10**400: OverflowError",
        lambda: scaled_frequencies(8, None, dict(LONG8, short_factor=[10**400] * 4)),
        ValueError,
        "rope_scaling['short_factor'] must hold finite numbers",
    ),
    (
        "longrope L = 1: ZeroDivisionError",
        lambda: scaled_frequencies(8, None, dict(LONG8, original_max_position_embeddings=1)),
        ValueError,
        "original_max_position_embeddings'] must be >= 2 for rope_type 'longrope'",
    ),
    *[
        (
            f"{kind} with factor None: NumPy's or Python's arithmetic error",
            lambda p=p: scaled_frequencies(8, None, p, 100),
            TypeError,
            f"rope_scaling['factor'] must be a real number for rope_type '{kind}'",
        )
        for kind, p in [
            ("linear", {"rope_type": "linear", "factor": None}),
            ("ntk", {"rope_type": "ntk", "factor": None}),
            ("dynamic", {"rope_type": "dynamic", "factor": None, "max_position_embeddings": 8}),
            ("proportional", {"rope_type": "proportional", "factor": None}),
        ]
    ],
    (
        "hf_compat='yes' ignored without rope_scaling",
        lambda: scaled_frequencies(8, None, None, hf_compat="yes"),
        TypeError,
        "hf_compat must be a bool",
    ),
    (
        "seq_len='x' ignored without rope_scaling",
        lambda: scaled_frequencies(8, None, None, seq_len="x"),
        TypeError,
        "seq_len must be an integer",
    ),
    # issue 15: b' = 1e300 fits, but s^(r/(r-2)) = 1e600 was an OverflowError
    (
        "ntk: base 1e-300, factor 1e300, s^2 OverflowError",
        lambda: scaled_frequencies(4, 1e-300, {"rope_type": "ntk", "factor": 1e300}),
        ValueError,
        ("rope_scaling['factor'] gives rope_type 'ntk'", "s^(r/(r-2)), lies outside"),
    ),
    (
        "dynamic: base 1e-300, factor 1e300, s^2 OverflowError",
        lambda: scaled_frequencies(
            4,
            1e-300,
            {"rope_type": "dynamic", "factor": 1e300, "max_position_embeddings": 4},
            seq_len=8,
        ),
        ValueError,
        "rope_scaling['factor'] gives rope_type 'dynamic'",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(SCALED_ERRORS))
def test_scaled_error(call, error, words):
    assert_raises_named(call, error, words)
