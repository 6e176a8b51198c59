"""Bad rope_scaling dicts and arguments: each a ValueError/TypeError naming what is wrong."""

import numpy as np
import pytest

from rope_ref import rotate, scaled_frequencies

YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}
LONG = {
    "rope_type": "longrope",
    "short_factor": [1.0] * 32,
    "long_factor": [2.0] * 32,
    "original_max_position_embeddings": 4096,
    "factor": 8.0,
}

BAD = [
    ("not a dict", [("rope_type", "linear")], TypeError, "rope_scaling must be a dict"),
    ("no type", {"factor": 2.0}, ValueError, "missing required key 'rope_type'"),
    ("unknown type", {"rope_type": "xpos"}, ValueError, r"rope_type'\] must be one of"),
    (
        "type clash",
        {"rope_type": "linear", "type": "dynamic", "factor": 2.0},
        ValueError,
        "disagree",
    ),
    (
        "unknown key",
        {"rope_type": "linear", "factor": 2.0, "scale": 3},
        ValueError,
        r"unknown key\(s\) \['scale'\]",
    ),
    (
        "missing key",
        {"rope_type": "llama3", "factor": 8.0},
        ValueError,
        r"missing required key\(s\) \['high_freq_factor', 'low_freq_factor', 'original_max",
    ),
    ("missing factor", {"rope_type": "linear"}, ValueError, r"\['factor'\]"),
    (
        "factor str",
        {"rope_type": "linear", "factor": "4"},
        TypeError,
        r"rope_scaling\['factor'\] must be a real number, got '4'",
    ),
    ("factor bool", {"rope_type": "ntk", "factor": True}, TypeError, "must be a real number"),
    (
        "negative factor",
        {"rope_type": "linear", "factor": -2.0},
        ValueError,
        r"rope_scaling\['factor'\] must be > 0, got -2.0",
    ),
    ("nan factor", {"rope_type": "linear", "factor": float("nan")}, ValueError, "finite"),
    ("negative beta", dict(YARN, beta_slow=-1.0), ValueError, r"beta_slow'\] must be > 0"),
    (
        "betas reversed",
        dict(YARN, beta_fast=1.0, beta_slow=32.0),
        ValueError,
        "beta_fast'] must be > beta_slow",
    ),
    ("negative mscale", dict(YARN, mscale=-0.5), ValueError, r"mscale'\] must be >= 0"),
    (
        "float length",
        dict(YARN, original_max_position_embeddings=4096.5),
        TypeError,
        r"original_max_position_embeddings'\] must be an integer",
    ),
    ("truncate int", dict(YARN, truncate=1), TypeError, r"truncate'\] must be a bool"),
    (
        "short list",
        dict(LONG, short_factor=[1.0] * 31),
        ValueError,
        r"short_factor'\] must have rotary_dim/2 = 32 entries.*got 31",
    ),
    (
        "long not list",
        dict(LONG, long_factor=2.0),
        TypeError,
        r"long_factor'\] must be a list of real numbers",
    ),
    ("list of str", dict(LONG, long_factor=["1"] * 32), TypeError, "list of real numbers"),
    ("negative list", dict(LONG, long_factor=[-1.0] * 32), ValueError, "finite numbers > 0"),
    (
        "llama3 bands",
        {
            "rope_type": "llama3",
            "factor": 8.0,
            "low_freq_factor": 4.0,
            "high_freq_factor": 1.0,
            "original_max_position_embeddings": 8192,
        },
        ValueError,
        "high_freq_factor'] must be > low_freq_factor",
    ),
    (
        "odd partial",
        {"rope_type": "default", "partial_rotary_factor": 0.3},
        ValueError,
        r"even rotary dimension.*d=64 and partial_rotary_factor=0.3 give 19",
    ),
    (
        "prf > 1",
        {"rope_type": "default", "partial_rotary_factor": 1.5},
        ValueError,
        r"must be in \(0, 1\]",
    ),
    (
        "bad theta",
        {"rope_type": "default", "rope_theta": -1.0},
        ValueError,
        r"rope_scaling\['rope_theta'\] must be > 0",
    ),
    (
        "yarn no factor",
        {"rope_type": "yarn", "factor": None, "original_max_position_embeddings": 4096},
        ValueError,
        "needs 'factor'",
    ),
    ("paper truncate", dict(YARN, truncate=False), ValueError, "pass hf_compat=True"),
]


@pytest.mark.parametrize(
    "rope_scaling, error, message", [case[1:] for case in BAD], ids=[case[0] for case in BAD]
)
def test_bad_rope_scaling_is_named(rope_scaling, error, message):
    with pytest.raises(error, match=message):
        scaled_frequencies(64, None, rope_scaling)


def test_dynamic_needs_seq_len():
    rs = {"rope_type": "dynamic", "factor": 2.0, "max_position_embeddings": 4096}
    with pytest.raises(ValueError, match="seq_len is required for rope_type 'dynamic'"):
        scaled_frequencies(64, None, rs)
    with pytest.raises(TypeError, match="seq_len must be an integer"):
        scaled_frequencies(64, None, rs, 4096.0)
    with pytest.raises(ValueError, match="seq_len must be an integer >= 1, got 0"):
        scaled_frequencies(64, None, rs, 0)
    with pytest.raises(ValueError, match=r"missing required key\(s\) \['max_position"):
        scaled_frequencies(64, None, {"rope_type": "dynamic", "factor": 2.0}, 10)


def test_base_and_rope_theta_must_agree():
    with pytest.raises(ValueError, match=r"base \(10000.0\) and rope_scaling\['rope_theta'\]"):
        scaled_frequencies(64, 1e4, {"rope_type": "default", "rope_theta": 5e5})
    assert scaled_frequencies(64, 5e5, {"rope_type": "default", "rope_theta": 5e5})[1] == 1.0


def test_hf_compat_must_be_bool():
    with pytest.raises(TypeError, match="hf_compat must be a bool"):
        scaled_frequencies(64, None, YARN, hf_compat="yes")


def test_ntk_needs_four_dimensions():
    with pytest.raises(ValueError, match="rotary dimension >= 4"):
        scaled_frequencies(2, None, {"rope_type": "ntk", "factor": 2.0})


def test_rotate_rejects_conflicting_arguments():
    x = np.zeros((3, 64))
    with pytest.raises(ValueError, match="give theta or rope_scaling, not both"):
        rotate(x, np.arange(3), theta=np.ones(32), rope_scaling=YARN)
    with pytest.raises(ValueError, match="seq_len applies only with rope_scaling"):
        rotate(x, np.arange(3), seq_len=10)
    with pytest.raises(ValueError, match=r"rotary_dim must match .* = 32\), got rotary_dim=16"):
        rotate(
            x,
            np.arange(3),
            rotary_dim=16,
            rope_scaling={"rope_type": "default", "partial_rotary_factor": 0.5},
        )
