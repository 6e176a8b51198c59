"""The error model (rope_ref.checker.precision) admits every way correct code computes theta
(HF's pow, the sinusoidal div_term exp, mlx's exp2, ggml's recurrence, Gemma's m /
timescale, Meta's freqs_cis, GPT-J's table: tests/checker/_zoo_idioms.py, written
independently of rope_ref), at the ladder and at long-context positions, with margin;
the same tolerance fails a bfloat16 phase at 4095, and each precision finding says which
step lost precision and by how much (docs/checker.md, "Why a_i grows", "Precision
findings")."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import _zoo  # first: _zoo itself imports _zoo_idioms' IDIOMS
from checker._zoo_idioms import IDIOMS, THETA_IDIOMS, idiom_phase, real_rope
from rope_ref.checker.case import make_case
from rope_ref.checker.precision import (
    C_ANGLE,
    C_LOG,
    C_STEP,
    C_TRIG,
    UNIT_ROUNDOFFS,
    angle_coefficients,
    round_to,
    tolerance,
)
from rope_ref.checker.precision_models import ulps
from rope_ref.checker.report import check, verdict
from rope_ref.paper.frequencies import frequencies

U32 = 2.0**-24
#: Long-context positions: around 2^k up to 2^20, a few between, and past 2^24 (where
#: float32 positions round: 2^24 + 1 -> 2^24) up to 1e8.
LONG = np.unique(
    np.concatenate(
        [np.arange(0, 6), 2 ** np.arange(4, 21), 2 ** np.arange(4, 21) - 1, [999_999, 1_000_000],
         [2**24 + 1, 10**8]]
    )
).astype(np.int64)  # fmt: skip
_DRAWS = settings(max_examples=40, deadline=None, derandomize=True)  # deterministic, cheap


def _inputs(seq: int, d: int, precision: str) -> np.ndarray:
    """(2, 3, seq, d) entries +-[0.5, 2) exact in bfloat16, in the dtype fn works in."""
    rng = np.random.default_rng(16)
    shape = (2, 3, seq, d)
    x = round_to(
        rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape), "bfloat16"
    )
    return x.astype({"float64": np.float64, "float16": np.float16}.get(precision, np.float32))


def verdict_at(
    fn,
    positions,
    *,
    d,
    precision,
    base=10000.0,
    layout="interleaved",
    rotary_dim=None,
    rope_scaling=None,
):
    """The checker's verdict on fn at the given positions (check() picks its own)."""
    x = _inputs(len(positions), d, precision)
    x64 = x.astype(np.float64)
    case = make_case(
        x64,
        x64,
        positions,
        d=d,
        base=base,
        layout=layout,
        rotary_dim=rotary_dim,
        rope_scaling=rope_scaling,
        seq_len=int(positions.max()) + 1,
        precision=precision,
    )
    y = np.asarray(fn(x, positions.copy()), dtype=np.float64)
    return verdict(replace(case, y=y))


@pytest.mark.parametrize("idiom", IDIOMS, ids=[m.label for m in IDIOMS])
def test_every_idiom_passes_at_long_context_positions(idiom):
    report = verdict_at(idiom.fn, LONG, **idiom.config)
    assert report.ok and report.findings == [], str(report)
    assert report.max_error > 0.02 * report.tolerance, str(report)  # and the model is tight


@_DRAWS
@given(
    kind=st.sampled_from(THETA_IDIOMS),
    d=st.sampled_from([4, 8, 16, 48, 64, 80, 96, 128, 160, 256, 512]),
    log_base=st.floats(2.0, 10.0),
    precision=st.sampled_from(["float32", "bfloat16", "float16", "float64"]),
    layout=st.sampled_from(["half", "interleaved"]),
    fused=st.booleans(),
)
def test_every_idiom_passes_for_any_d_and_base(kind, d, log_base, precision, layout, fused):
    base = float(10.0**log_base)

    def fn(x, positions):
        return real_rope(
            x, positions, theta=kind, base=base, layout=layout, dtype=precision, fused=fused
        )

    config = {"d": d, "base": base, "layout": layout, "precision": precision}
    for report in (check(fn, **config), verdict_at(fn, LONG, **config)):
        assert report.ok and report.findings == [], str(report)


@_DRAWS
@given(
    kind=st.sampled_from(THETA_IDIOMS),
    d=st.sampled_from([4, 8, 16, 48, 64, 80, 96, 128, 256, 512]),
    log_base=st.floats(2.0, 10.0),
)
def test_each_idioms_phase_is_within_its_allowance_with_margin(kind, d, log_base):
    # The angle term of (T) alone: |phase - m theta_i| <= a_i u m theta_i bounds every
    # idiom (the derivation in docs/checker.md, to first order); measured on every even d
    # up to 512 and 40 bases from 10 to 1e12, each uses at most 0.49 of it (mlx's exp2 at
    # d = 10, base 1.1e8), so 3/4 leaves a margin that is no accident of the draw.
    base = float(10.0**log_base)
    theta = frequencies(d, base)
    m = LONG[LONG > 0].astype(np.float64)
    exact = m[:, None] * theta[None, :]
    phase = idiom_phase(kind, m, d, base, "float32").astype(np.float64)
    share = np.abs(phase - exact) / (angle_coefficients(theta) * U32 * exact)
    assert share.max() <= 0.75, f"{kind} d={d} base {base:g}: {share.max():.3f} of a_i u |phi|"


def _bf16_phase(x, positions):
    return _zoo.numpy_rope(x, positions, layout="half", dtype="bfloat16", phase_dtype="bfloat16")


@pytest.mark.parametrize("d", [8, 64, 512])
def test_a_bfloat16_phase_at_4095_fails_the_same_tolerance(d):
    # the tolerance every idiom above passes: bfloat16 rounds the phase 4095 to 4096
    report = verdict_at(
        _bf16_phase, np.array([0, 1, 4095]), d=d, layout="half", precision="bfloat16"
    )
    assert not report.ok and report.position == 4095, str(report)
    assert [f.name for f in report.findings] == ["low_precision_angles"], str(report)


def test_a_theta_rounded_to_bfloat16_says_by_how_many_ulp():
    def fn(x, positions):
        return _zoo.numpy_rope(x, positions, dtype="bfloat16", theta_dtype="bfloat16")

    report = check(fn, d=64, precision="bfloat16")
    theta = frequencies(64, 10000.0)
    n = np.max(ulps(round_to(theta, "bfloat16"), theta, "float32"))
    assert [f.name for f in report.findings] == ["low_precision_angles"], str(report)
    assert f"theta off by up to {n:.4g} float32 ulp" in report.findings[0].detail, str(report)


#: positions as check's ladder has them: 255, 256, 257, ..., 4095, ..., 65535
LADDER = np.array([0, 1, 2, 3, 100, 255, 256, 257, 1000, 2047, 4095, 8191, 32767, 65535])


@pytest.mark.parametrize(
    ("mistake", "precision", "says"),
    [
        ({"position_dtype": "bfloat16"}, "bfloat16", "positions m in bfloat16 (257 -> 256)"),
        ({"position_dtype": "float16"}, "float16", "positions m in float16 (4095 -> 4096)"),
        ({"phase_dtype": "float16"}, "float16", "m theta in float16 (overflows at position 65535)"),
    ],
)
def test_positions_and_phases_in_16_bits_say_what_they_became(mistake, precision, says):
    def fn(x, positions):
        with np.errstate(over="ignore", invalid="ignore"):
            return _zoo.numpy_rope(x, positions, dtype=precision, **mistake)

    report = verdict_at(fn, LADDER, d=64, precision=precision)
    assert [f.name for f in report.findings] == ["low_precision_angles"], str(report)
    assert says in report.findings[0].detail, str(report)


@pytest.mark.parametrize(
    ("q", "d", "base", "scalar_in_q"),
    [("bfloat16", 64, 1e4, False), ("bfloat16", 96, 5e5, False), ("float16", 128, 1e4, False),
     ("bfloat16", 128, 5e5, True), ("float16", 128, 5e5, True)],
)  # fmt: skip
def test_inv_freq_from_a_16_bit_arange_is_named_theta_rounded_twice(q, d, base, scalar_in_q):
    # inv_freq = 1 / base ** (arange(0, d, 2, dtype=q) / d): every op rounds to q, and
    # torch casts the Python base to q too (scalar_in_q: 500000 -> 499712, or inf)
    k = _zoo.cast(np.arange(0, d, 2, dtype=np.float32), q)
    with np.errstate(over="ignore", divide="ignore"):
        b = _zoo.cast(np.float32(base), q) if scalar_in_q else np.float32(base)
        twice = _zoo.cast(1.0 / _zoo.cast(b ** _zoo.cast(k / d, q), q), q)
    precision = "bfloat16" if q == "bfloat16" else "float32"

    def fn(x, positions):
        return _zoo.numpy_rope(x, positions, base=base, layout="half", dtype=precision,
                               inv_freq=twice.astype(np.float32))  # fmt: skip

    report = check(fn, d=d, base=base, layout="half", precision=precision)
    assert [f.name for f in report.findings] == ["low_precision_angles"], str(report)
    detail = report.findings[0].detail
    assert f"from a {q} arange: " in detail and "theta rounded twice" in detail, str(report)
    if scalar_in_q:
        assert f"the base {base:g} -> {float(b):g}" in detail, str(report)


def _theta_off(k_ulp: int, d: int, base: float):
    """mlx's exp2 theta with every pair but the first moved by k_ulp float32 ulp (an
    approximate exp2, as mlx's Metal fast.rope): a precision of theta, not a base."""

    def fn(x, positions):
        theta = idiom_phase("mlx", np.ones(1), d, base, "float32")[0]
        k = np.where(np.arange(d // 2) % 2 == 0, k_ulp, -k_ulp) * (np.arange(d // 2) > 0)
        theta = (theta + k * np.spacing(theta)).astype(np.float32)
        phase = (positions.astype(np.float32)[:, None] * theta[None, :]).astype(np.float32)
        cos, sin = np.cos(np.concatenate([phase] * 2, -1)), np.sin(np.concatenate([phase] * 2, -1))
        return x * cos + np.concatenate([-x[..., d // 2 :], x[..., : d // 2]], -1) * sin

    return fn


@pytest.mark.parametrize(("k_ulp", "d", "base"), [(19, 128, 5e5), (60, 16, 1e6), (19, 8, 1e4)])
def test_theta_off_by_more_ulp_than_float32_allows_is_a_precision_finding(k_ulp, d, base):
    report = check(_theta_off(k_ulp, d, base), d=d, base=base, layout="half", precision="float32")
    assert not report.ok, str(report)
    assert [f.name for f in report.findings] == ["low_precision_angles"], str(report)
    detail = report.findings[0].detail
    n = float(detail.split("theta off by ")[1].split(" float32 ulp")[0])
    assert 0.8 * k_ulp <= n <= 1.2 * k_ulp + 1, detail
    assert f"where {base:.6g} is stated (fitted {base:.6g})" not in str(report)


def test_the_recurrence_is_outside_a_constant_angle_model():
    # ggml's theta_i at d = 128 is off by far more than the 8 u of pow with an exact
    # exponent: the reason a_i grows with i.
    exact = frequencies(128, 1e4)
    rel = np.abs(idiom_phase("ggml", np.ones(1), 128, 1e4, "float32")[0] / exact - 1)
    assert rel.max() > C_ANGLE * U32
    assert np.all(rel <= angle_coefficients(exact) * U32)


def test_angle_coefficients_are_the_documented_formula():
    theta = np.array([1.0, 0.1, 0.0, np.inf])
    a = angle_coefficients(theta)
    assert a[0] == C_ANGLE
    assert a[1] == pytest.approx(C_ANGLE + C_LOG * np.log(10.0) + C_STEP)
    assert a[2] == C_ANGLE + 2 * C_STEP and a[3] == C_ANGLE + 3 * C_STEP


@pytest.mark.parametrize("layout, r, offset", [("half", 16, 48), ("interleaved", 8, 20)])
def test_the_tolerance_at_an_offset_is_the_slices_own_and_pass_through_elsewhere(layout, r, offset):
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, (2, 3, 5, 64))
    phi = np.outer(np.arange(5.0), frequencies(r, 10000.0))
    kw = dict(layout=layout, rotary_dim=r, scale=1.3, precision="float32")
    tol = tolerance(x, phi, offset=offset, **kw)
    part = slice(offset, offset + r)
    assert np.array_equal(tol[..., part], tolerance(x[..., part], phi, **kw))
    outside = np.r_[0:offset, offset + r : 64]
    u = UNIT_ROUNDOFFS["float32"]
    floor = u * 1e-3 * np.max(np.abs(x))
    assert np.array_equal(
        tol[..., outside], np.maximum(C_TRIG * u * np.abs(x[..., outside]), floor)
    )


def test_a_base_within_float32_rounding_of_the_stated_one_passes():
    # A float32 RoPE of base 500000 * (1 + 1e-6): indistinguishable from float32's own
    # rounding of theta, so it passes rather than being "base 500000 where 500000 is stated".
    def fn(x, positions):
        return real_rope(x, positions, base=500000.0 * (1 + 1e-6), layout="half")

    report = check(fn, d=128, base=5e5, layout="half", precision="float32")
    assert report.ok, str(report)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    d=st.sampled_from([4, 8, 16, 64, 128]),
    log_base=st.floats(4.0, 7.0),
    ppm=st.sampled_from([2.0, 5.0, 10.0, 20.0, 50.0, 100.0]),
    precision=st.sampled_from(["float32", "bfloat16"]),
)
def test_a_base_a_few_ppm_off_never_reads_as_the_stated_base(d, log_base, ppm, precision):
    # theta of base (1 + ppm 1e-6): passes, or is named by how much theta is off, or is a
    # wrong_base whose base and fit print unlike the stated one, never "base 500000
    # where 500000 is stated (fitted 500000)"
    base = float(10.0**log_base)

    def fn(x, positions):
        y = real_rope(x, positions, base=base * (1 + ppm * 1e-6), layout="half", dtype=precision)
        return y

    report = check(fn, d=d, base=base, layout="half", precision=precision)
    stated = f"{base:.6g}"
    for f in report.findings:
        assert f"uses base {stated} " not in f.detail, str(report)
        assert f"(fitted {stated})" not in f.detail, str(report)
