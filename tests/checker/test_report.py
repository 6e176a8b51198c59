"""check()'s contract: bad arguments and bad outputs are clear errors, the report reads
and serialises, non-finite outputs fail, two mistakes at once are named both, the bfloat16
rounding the error model uses is ml_dtypes' (and torch's), and the positions: a correct
float32 implementation passes at every seed and context length, one right only on the
ladder fails at every seed, a 16-bit position field fails past 65535, a seed reproduces a
run."""

from __future__ import annotations

import json
import re

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rope_ref as rr
from rope_ref import frequencies, rotate
from rope_ref.checker.models import turn
from rope_ref.checker.precision import round_to, tolerance
from rope_ref.checker.probe import DEFAULT_MAX_POSITION, MAX_POSITION, ladder, probe_positions
from rope_ref.checker.report import CHECK_POSITIONS, Report, check
from rope_ref.checker.vocabulary import FINDING_NAMES


def correct(x, positions):
    return rotate(x, positions)


#: The vocabulary before issue 16 (DESIGN's names and turn 2's): it only grows.
NAMES_BEFORE = (
    "layout_swapped", "rotation_reversed", "cos_sin_swapped", "position_offset",
    "partial_rotary_ignored", "rotary_dim_mismatch", "scaling_ignored",
    "attention_factor_missing", "longrope_threshold_off_by_one", "frequency_formula",
    "wrong_layer_base", "wrong_base", "low_precision_angles", "mrope_section_mismatch",
    "mrope_style_swapped", "hw_swapped", "scalar_positions", "half_duplication",
    "nope_layer_rotated", "pairs_unrotated",
)  # fmt: skip


def test_the_vocabulary_keeps_every_name_and_only_grows():
    assert set(NAMES_BEFORE) <= set(FINDING_NAMES)
    assert len(set(FINDING_NAMES)) == len(FINDING_NAMES) and FINDING_NAMES[-1] == "unexplained"


def test_report_reads_and_serialises():
    good = check(correct, d=16)
    assert good.ok and good.findings == [] and good.max_error <= good.tolerance
    assert str(good).startswith("rope_ref check: PASS (d=16, rotary_dim=16, base 10000")
    bad = check(lambda x, p: rotate(x, p + 1), d=16)
    text = str(bad)
    assert text.startswith("rope_ref check: FAIL") and "position_offset: " in text
    assert "m + 1" in bad.findings[0].detail and "before" in bad.findings[0].detail
    data = json.loads(json.dumps(bad.to_dict()))
    assert data["ok"] is False and data["findings"][0]["name"] == "position_offset"
    assert isinstance(bad, Report) and bad.max_error > bad.tolerance


def test_the_inputs_are_in_the_working_precision_and_exact_in_bfloat16():
    seen = {}

    def spy(x, positions):
        seen[x.dtype.name] = x
        assert positions.dtype == np.int64 and positions.shape == (x.shape[2],)
        return rotate(x, positions)

    for precision in ("float64", "float32", "float16"):
        check(spy, d=8, precision=precision)
    check(spy, d=8, precision="bfloat16")
    assert set(seen) == {"float64", "float32", "float16"}
    x = seen["float64"]
    assert x.shape[:2] == (2, 3) and np.array_equal(round_to(x, "bfloat16"), x)
    assert np.array_equal(seen["float16"].astype(np.float64), x)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"fn": 3, "d": 8}, TypeError, "fn must be callable"),
        ({"d": 7}, ValueError, "d must be even"),
        ({"d": 8, "precision": "float8"}, ValueError, "precision must be one of"),
        ({"d": 8, "layout": "split"}, ValueError, "layout must be one of"),
        ({"d": 8, "rotary_dim": 10}, ValueError, "rotary_dim must be <= d"),
        ({"d": 8, "base": 1.0}, ValueError, "base must be > 0 and != 1"),
        ({"d": 8, "rope_scaling": "yarn"}, TypeError, "rope_scaling must be a dict"),
        (
            {
                "d": 8,
                "base": 500000.0,
                "rope_scaling": {"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0},
            },
            ValueError,
            "disagree",
        ),
        (
            {
                "d": 8,
                "rotary_dim": 8,
                "rope_scaling": {"rope_type": "default", "partial_rotary_factor": 0.5},
            },
            ValueError,
            "rotary_dim (8) and int(d * partial_rotary_factor) (4) disagree",
        ),
        ({"d": 8, "hf_compat": "yes"}, TypeError, "hf_compat must be a bool"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    kwargs = {"fn": correct, **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        check(**kwargs)


@pytest.mark.parametrize(
    ("fn", "error", "message"),
    [
        (lambda x, p: rotate(x, p)[..., :-1], ValueError, "must have the inputs' shape"),
        (lambda x, p: x > 0, TypeError, "must be a float array"),
        (lambda x, p: object(), TypeError, "must be a float array"),
    ],
    ids=["shape", "bool", "object"],
)
def test_bad_outputs_are_named(fn, error, message):
    with pytest.raises(error, match=message):
        check(fn, d=8)


def test_nan_outputs_fail():
    def nan_at_the_end(x, positions):
        y = rotate(x, positions)
        y[..., -1, :] = np.nan
        return y

    report = check(nan_at_the_end, d=8, seed=1)
    positions = probe_positions(65535, 1)[0]
    assert not report.ok and report.max_error == np.inf
    assert report.position == positions[-1] and positions[-1] not in CHECK_POSITIONS


def test_two_mistakes_at_once_are_named_both():
    report = check(lambda x, p: rotate(x, p + 1, layout="half"), d=32)
    assert sorted(f.name for f in report.findings) == ["layout_swapped", "position_offset"]


def test_an_hf_dict_gives_base_and_rotary_dim():
    config = {"rope_type": "default", "rope_theta": 500000.0, "partial_rotary_factor": 0.5}
    report = check(
        lambda x, p: rotate(x, p, base=500000.0, rotary_dim=16), d=32, rope_scaling=config
    )
    assert report.ok and "rotary_dim=16, base 500000" in str(report)


def test_bfloat16_rounding_is_ml_dtypes():
    rng = np.random.default_rng(0)
    a = np.concatenate(
        [
            rng.standard_normal(10000) * 10.0 ** rng.integers(-30, 30, 10000),
            [0.0, -0.0, np.inf, -np.inf, 1 + 2**-8, 1 + 3 * 2**-8, 255.5, 256.5, 257.0, 4095.0],
        ]
    ).astype(np.float32)
    ours = round_to(a, "bfloat16")
    theirs = a.astype(ml_dtypes.bfloat16).astype(np.float64)
    assert np.array_equal(ours, theirs)
    assert np.isnan(round_to(np.array([np.nan]), "bfloat16")[0])
    assert round_to(np.array([4095.0, 257.0]), "bfloat16").tolist() == [4096.0, 256.0]


def test_an_implementation_writing_into_x_is_judged_on_the_inputs_it_was_given():
    def in_place(x, positions):
        x[...] = rotate(x, positions)
        return x

    assert check(in_place, d=8).ok


def test_the_configuration_is_checked_before_fn_runs():
    calls = []
    with pytest.raises(ValueError, match="layout"):
        check(lambda x, p: calls.append(1), d=8, layout="split")
    assert calls == []


def test_a_bfloat16_phase_at_4095_is_far_outside_the_bfloat16_tolerance():
    # The error model's own claim: a float32 phase fits a bfloat16 implementation's
    # tolerance at position 4095; the same phase rounded to bfloat16 does not.
    theta, m = frequencies(64), np.array([4095.0])
    x = np.ones((1, 1, 1, 64))
    exact = m[:, None] * theta[None, :]
    phase32 = (m.astype(np.float32)[:, None] * theta.astype(np.float32)).astype(np.float64)
    phase16 = round_to(round_to(m, "bfloat16")[:, None] * round_to(theta, "bfloat16"), "bfloat16")
    y = turn(x, exact, "interleaved", 64)
    tol = tolerance(x, exact, layout="interleaved", rotary_dim=64, scale=1.0, precision="bfloat16")
    assert np.max(np.abs(turn(x, phase32, "interleaved", 64) - y) / tol) < 0.1
    assert np.max(np.abs(turn(x, phase16, "interleaved", 64) - y) / tol) > 10


def hf_float32(x, positions, base=10000.0):
    """RoPE as HF computes it in float32: inv_freq = 1 / base^(2i/d), the phase, cos and
    sin, the rotation, all in float32 (interleaved pairs)."""
    d = x.shape[-1]
    inv_freq = 1.0 / (np.float32(base) ** (np.arange(0, d, 2, dtype=np.float32) / np.float32(d)))
    phi = positions.astype(np.float32)[:, None] * inv_freq[None, :]
    c, s = np.cos(phi), np.sin(phi)
    x = x.astype(np.float32)
    a, b = x[..., 0::2], x[..., 1::2]
    y = np.empty_like(x)
    y[..., 0::2], y[..., 1::2] = a * c - b * s, b * c + a * s
    return y


SEEDS = st.integers(0, 2**32 - 1)
LONG = st.one_of(st.integers(2**16, 2**21), st.integers(2**16, MAX_POSITION))


@settings(max_examples=30)
@given(SEEDS, st.one_of(st.none(), st.integers(1, 300), LONG))
def test_a_correct_float32_implementation_passes_at_every_seed_and_context(seed, max_position):
    report = check(hf_float32, d=32, seed=seed, max_position=max_position)
    assert report.ok, str(report)
    assert report.seed == seed and report.max_position == (max_position or DEFAULT_MAX_POSITION)
    assert f"drawn with seed {seed} (check(..., seed={seed}) reproduces this run)" in str(report)


@settings(max_examples=5)
@given(SEEDS, st.one_of(st.none(), LONG))
def test_an_implementation_right_only_on_the_ladder_fails_at_every_seed(seed, max_position):
    on = ladder(max_position or DEFAULT_MAX_POSITION)

    def ladder_only(x, positions):  # a table of the ladder's rows, one row off elsewhere
        return rotate(x, np.where(np.isin(positions, on), positions, positions + 1))

    report = check(ladder_only, d=8, seed=seed, max_position=max_position)
    assert not report.ok and report.position not in on, str(report)


@settings(max_examples=15)
@given(SEEDS, LONG)
def test_a_16_bit_position_field_fails_past_65535_and_passes_below(seed, max_position):
    def wrapped(x, positions):  # positions held in a uint16 field
        return rotate(x, positions % 65536)

    assert check(wrapped, d=16, seed=seed).ok
    report = check(wrapped, d=16, seed=seed, max_position=max_position)
    assert not report.ok and report.position >= 65536, str(report)


def test_a_seed_reproduces_a_run():
    seen = []

    def spy(x, positions):
        seen.append((x.copy(), positions.copy()))
        return rotate(x, positions)

    first = check(spy, d=8, max_position=2**20)
    check(spy, d=8, max_position=2**20, seed=first.seed)
    assert np.array_equal(seen[0][1], seen[1][1]) and np.array_equal(seen[0][0], seen[1][0])
    assert np.array_equal(seen[0][1], probe_positions(2**20, first.seed)[0])
    data = first.to_dict()
    assert (data["seed"], data["max_position"], data["drawn"]) == (first.seed, 2**20, 8)
    assert data["positions"] in str(first)


def test_a_long_context_dict_is_run_at_its_length():
    seen = []
    yarn = {"rope_type": "yarn", "factor": 32.0, "original_max_position_embeddings": 32768,
            "max_position_embeddings": 32 * 32768}  # fmt: skip
    theta, factor = rr.scaled_frequencies(64, 10000.0, yarn)

    def fn(x, positions):
        seen.append(positions.max())
        return factor * rotate(x, positions, theta=theta)

    report = check(fn, d=64, rope_scaling=yarn, seed=0)
    assert report.ok, str(report)
    assert seen == [32 * 32768 - 1] and report.max_position == 32 * 32768 - 1
