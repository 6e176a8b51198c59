"""rope_ref.scaling.config: the one place an HF rope dict is read (rope_type or type,
rope_theta against base, partial_rotary_factor, the defaults a variant's source fixes)."""

from __future__ import annotations

import numpy as np
import pytest

import rope_ref as rr
from rope_ref.scaling.config import (
    DEFAULT_BASE,
    DEFAULTS,
    base_or_default,
    defined_over_head,
    resolve,
    rope_type_of,
    rotary_dim_for,
    scaling_dim,
    stated,
)

YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}


@pytest.mark.parametrize(
    "spelling, expected",
    [
        ({"rope_type": "linear"}, "linear"),
        ({"type": "linear"}, "linear"),  # older configs
        ({"rope_type": "yarn", "type": "yarn"}, "yarn"),
        ({"factor": 2.0}, None),
    ],
)
def test_rope_type_is_read_from_either_key(spelling, expected):
    assert rope_type_of(spelling) == expected


def test_the_base_is_base_then_rope_theta_then_eq_15s_10000():
    assert base_or_default(None) == DEFAULT_BASE == 10000.0
    assert base_or_default(None, 5e5) == 5e5
    assert base_or_default(1e6) == 1e6
    assert base_or_default(1e6, 1e6) == 1e6
    with pytest.raises(ValueError, match="disagree"):
        base_or_default(1e6, 5e5)


@pytest.mark.parametrize(
    "d, factor, r", [(64, 1.0, 64), (80, 0.4, 32), (128, 0.25, 32), (96, 0.5, 48)]
)
def test_partial_rotary_factor_gives_int_d_times_factor(d, factor, r):
    assert rotary_dim_for(d, factor) == r
    p = resolve({"rope_type": "default", "partial_rotary_factor": factor}, d)
    assert p["rotary_dim"] == r
    assert rr.scaled_frequencies(
        d, None, {"rope_type": "default", "partial_rotary_factor": factor}
    )[0].shape == (r // 2,)


def test_resolve_fills_the_sources_defaults_and_keeps_what_is_given():
    p = resolve(YARN, 128)
    assert p["beta_fast"] == DEFAULTS["yarn"]["beta_fast"] == 32.0
    assert p["beta_slow"] == DEFAULTS["yarn"]["beta_slow"] == 1.0
    assert p["rope_theta"] == 10000.0 and p["rotary_dim"] == 128 and p["rope_type"] == "yarn"
    given = resolve(YARN | {"beta_fast": 16.0, "rope_theta": 1e6}, 128)
    assert given["beta_fast"] == 16.0 and given["rope_theta"] == 1e6
    assert "beta_fast" not in resolve({"rope_type": "linear", "factor": 2.0}, 64)


def test_resolve_does_not_change_the_dict_it_is_given():
    pasted = dict(YARN)
    resolve(pasted, 64)
    assert pasted == YARN


def test_the_defaults_are_the_ramp_that_beta_fast_32_beta_slow_1_gives():
    """Stating YaRN's defaults gives the same theta as leaving them out."""
    explicit = YARN | {"beta_fast": 32.0, "beta_slow": 1.0}
    assert np.array_equal(
        rr.scaled_frequencies(64, None, YARN)[0], rr.scaled_frequencies(64, None, explicit)[0]
    )


def test_proportional_is_defined_over_the_whole_head():
    p = resolve({"rope_type": "proportional", "partial_rotary_factor": 0.25}, 64)
    assert p["rotary_dim"] == 64
    assert defined_over_head({"rope_type": "proportional"})
    assert defined_over_head({"type": "default", "partial_rotary_factor": 0.5})
    assert not defined_over_head({"rope_type": "linear", "factor": 2.0})
    assert not defined_over_head(None)


@pytest.mark.parametrize(
    "d, rotary_dim, scaling, n",
    [
        (64, None, None, 64),
        (64, 32, None, 32),
        (64, 32, {"rope_type": "linear", "factor": 2.0}, 32),
        (64, None, {"rope_type": "default", "partial_rotary_factor": 0.5}, 64),
        (64, 32, {"rope_type": "proportional"}, 64),
    ],
)
def test_scaling_dim_is_the_head_for_dicts_over_the_head_else_rotary_dim(d, rotary_dim, scaling, n):
    assert scaling_dim(d, rotary_dim, scaling) == n


def test_stated_moves_rope_theta_and_partial_rotary_factor_out_of_the_dict():
    base, r, rest = stated(
        80, 10000.0, None, {"rope_type": "default", "rope_theta": 5e5, "partial_rotary_factor": 0.4}
    )
    assert (base, r, rest) == (5e5, 32, {"rope_type": "default"})
    assert stated(64, 10000.0, 16, None) == (10000.0, 16, None)
    with pytest.raises(ValueError, match="disagree"):
        stated(80, 1e6, None, {"rope_type": "default", "rope_theta": 5e5})
    with pytest.raises(ValueError, match="disagree"):
        stated(80, 10000.0, 16, {"rope_type": "default", "partial_rotary_factor": 0.4})
    with pytest.raises(TypeError, match="rope_scaling must be a dict"):
        stated(64, 10000.0, None, [("rope_type", "default")])
