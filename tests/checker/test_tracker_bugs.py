"""The bug classes of public issue trackers (rope_ref.checker.tracker_bugs): each is named
with its fitted evidence (modulus, cache length, factor, length, base) at positions past
65535 (``probe.probe_positions(131071)``, checked through ``make_case`` and ``verdict``),
the position reader reads a correct implementation's positions exactly in every
precision, and none of the classes is proposed by a correct one."""

from __future__ import annotations

import numpy as np
import pytest

from rope_ref import rotate, scaled_frequencies
from rope_ref.checker.case import make_case
from rope_ref.checker.precision import round_to
from rope_ref.checker.probe import probe_positions
from rope_ref.checker.report import verdict
from rope_ref.checker.tracker_bugs import effective_positions, tracker_models
from rope_ref.paper.frequencies import frequencies

POSITIONS = probe_positions(131071, seed=0)[0]
YARN = {"rope_type": "yarn", "factor": 8.0, "original_max_position_embeddings": 4096}
DYNAMIC = {"rope_type": "dynamic", "factor": 4.0, "max_position_embeddings": 4096}


def _case(
    fn, precision="float64", d=64, base=10000.0, rope_scaling=None, layout="half", rotary_dim=None
):
    rng = np.random.default_rng(0)
    shape = (2, 3, POSITIONS.size, d)
    x = round_to(rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2, shape), "bfloat16")
    y = np.asarray(fn(x, POSITIONS), dtype=np.float64)
    return make_case(
        x, y, POSITIONS, d=d, base=base, layout=layout, rotary_dim=rotary_dim,
        rope_scaling=rope_scaling, seq_len=int(POSITIONS.max()) + 1, precision=precision,
    )  # fmt: skip


def _named(fn, **config):
    report = verdict(_case(fn, **config))
    assert not report.ok, str(report)
    return [f.name for f in report.findings], str(report)


def _half(positions_of):
    return lambda x, p: rotate(x, positions_of(p), layout="half")


def test_a_uint16_position_field_is_named_with_its_modulus():
    names, text = _named(_half(lambda p: p % 65536))
    assert names == ["positions_wrapped"], text
    assert "uint16 field: m mod 65536 (fitted modulus 65536" in text
    assert "also fit: cache_too_short" in text  # a 65536-row table wrapped: the same numbers


def test_an_int16_position_field_is_named():
    names, text = _named(_half(lambda p: p.astype(np.int16).astype(np.int64)))
    assert names == ["positions_wrapped"], text
    assert "int16 field: m >= 32768 wrap to m - 65536" in text


@pytest.mark.parametrize("rows", [70000, 100000])
def test_a_clamped_cache_is_named_with_its_fitted_length(rows):
    names, text = _named(_half(lambda p: np.minimum(p, rows - 1)))
    assert names == ["cache_too_short"], text
    assert f"cache of {rows} rows (fitted length {rows}" in text and "clamped" in text


def test_a_wrapped_cache_of_another_length_is_a_short_cache_not_a_field():
    names, text = _named(_half(lambda p: p % 98304))
    assert names == ["cache_too_short"], text
    assert "row m mod 98304" in text and "wrap around" in text


def test_the_position_reader_reads_a_correct_implementation_exactly_in_every_precision():
    for precision in ("float64", "float32", "bfloat16"):

        def fn(x, p, precision=precision):
            return round_to(rotate(round_to(x, precision), p, layout="half"), precision)

        case = _case(fn, precision=precision)
        assert np.array_equal(np.round(effective_positions(case)), POSITIONS), precision
        names = {m.name for m in tracker_models(case)}
        assert not names & {"positions_wrapped", "cache_too_short"}, precision


def test_rotated_twice_with_a_factor_squares_it():
    theta, factor = scaled_frequencies(64, 10000.0, YARN)

    def once(x, p):
        return factor * rotate(x, p, theta=theta, layout="half")

    names, text = _named(lambda x, p: once(once(x, p), p), rope_scaling=YARN)
    assert names == ["rotated_twice"], text
    assert "fitted angle 2.0000 m theta_i" in text


def test_dynamic_ntk_for_another_length_is_named_with_the_length():
    theta, _ = scaled_frequencies(64, 10000.0, DYNAMIC, seq_len=20000)
    names, text = _named(
        lambda x, p: rotate(x, p, theta=theta, layout="half"), rope_scaling=DYNAMIC
    )
    assert names == ["dynamic_ntk_wrong_length"], text
    assert "length of 20000 (fitted 2" in text and "seq_len = 131072" in text


def test_an_ntk_base_is_reported_as_the_base_the_code_uses():
    scaled = 10000.0 * 8.0 ** (64 / 62)
    names, text = _named(lambda x, p: rotate(x, p, theta=frequencies(64, scaled), layout="half"))
    assert names == ["wrong_base"], text
    assert "= 10000 * 8^(64/62), the NTK-scaled base" in text
    ntk = {"rope_type": "ntk", "factor": 4.0}
    theta = frequencies(64, 500000.0 * 4.0 ** (64 / 62))
    names, text = _named(lambda x, p: rotate(x, p, theta=theta, layout="half"), rope_scaling=ntk)
    assert names == ["wrong_base"], text
    assert f"uses base {500000.0 * 4.0 ** (64 / 62):.6g}, 500000 NTK-scaled" in text
    theta = frequencies(64, 10000.0 * 4.0 ** (128 / 62))
    names, text = _named(lambda x, p: rotate(x, p, theta=theta, layout="half"), rope_scaling=ntk)
    assert names == ["wrong_base"], text
    assert "NTK-scaled again, ntk scaling applied twice" in text


def test_a_wrong_factor_is_fitted_and_one_equal_to_the_stated_is_never_proposed():
    names, text = _named(lambda x, p: 1.2 * rotate(x, p, layout="half"))
    assert names == ["attention_factor_wrong"], text
    assert "by 1.2 (fitted 1.2" in text and "factor 1 is stated" in text
    case = _case(lambda x, p: rotate(x, p, layout="half"), precision="float32")
    assert not [m for m in tracker_models(case) if m.name == "attention_factor_wrong"]


def test_integer_positions_settle_branches_the_phases_cannot():
    """At d = 8, theta = 1, 0.1, 0.01, 0.001: m and m + 2000 pi turn every pair alike; only
    integer positions tell them apart, so a clamped cache is still read at d = 8."""
    names, text = _named(_half(lambda p: np.minimum(p, 4095)), d=8)
    assert names == ["cache_too_short"], text
    assert "fitted length 4096" in text


def _sliced(start: int, r: int, layout: str, theta=None, factor=1.0):
    """RoPE of theta (eq 15 over r by default) on x[..., start:start + r] alone."""

    def fn(x, p):
        part = factor * rotate(x[..., start : start + r], p, theta=theta, layout=layout)
        return np.concatenate([x[..., :start], part, x[..., start + r :]], -1)

    return fn


@pytest.mark.parametrize(
    "layout, r, rope_scaling, precision",
    [
        ("interleaved", 16, None, "float64"),
        ("half", 16, None, "float32"),  # r = d/4: no turn of all d features is the same
        ("half", 48, None, "bfloat16"),
        ("half", 32, YARN, "float32"),  # the attention factor on the last features only
    ],
)
def test_the_last_features_rotated_are_named_with_the_fitted_offset(
    layout, r, rope_scaling, precision
):
    theta, factor = (frequencies(r, 10000.0), 1.0)
    if rope_scaling is not None:
        theta, factor = scaled_frequencies(r, 10000.0, rope_scaling, seq_len=131072)
    fn = _sliced(64 - r, r, layout, theta, factor)
    rounded = lambda x, p: round_to(fn(round_to(x, precision), p), precision)  # noqa: E731
    report = verdict(
        _case(rounded, precision=precision, layout=layout, rope_scaling=rope_scaling, rotary_dim=r)
    )
    assert [f.name for f in report.findings] == ["last_features_rotated"], str(report)
    assert f"rotates the last {r} features (x[..., {64 - r}:])" in str(report)
    assert f"fitted offset {64 - r}: the first {64 - r} features come out unchanged" in str(report)


def test_a_slice_at_another_offset_is_named_with_it():
    report = verdict(_case(_sliced(8, 16, "half"), layout="half", rotary_dim=16))
    assert [f.name for f in report.findings] == ["last_features_rotated"], str(report)
    assert "rotates features x[..., 8:24] where rotary_dim=16" in str(report)
    assert "fitted offset 8" in str(report)


def test_linear_x2_ignored_is_scaling_ignored_not_rotated_twice():
    """Plain RoPE where linear x2 is stated turns by 2 m theta_i (stated): the same numbers
    as rotated twice; ignoring the dict is the simpler mistake and wins the tie."""
    names, text = _named(_half(lambda p: p), rope_scaling={"rope_type": "linear", "factor": 2.0})
    assert names == ["scaling_ignored"], text
    assert "also fit: rotated_twice" in text


def test_the_last_quarter_at_another_base_is_named_both_with_the_fitted_base():
    """The slice adopted as the stated case (compound.adopt): the base fitted on it."""
    fn = _sliced(48, 16, "half", theta=frequencies(16, 500000.0))
    report = verdict(_case(fn, layout="half", rotary_dim=16))
    assert [f.name for f in report.findings] == ["last_features_rotated", "wrong_base"], str(report)
    assert "uses base 500000 where 10000 is stated (fitted 500000)" in str(report)
    assert "fitted offset 48" in str(report)
