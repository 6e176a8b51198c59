"""Scaling variants read wrong (rope_ref.checker.hypotheses, ``misreadings``): a float64
RoPE built with rope_ref's own frequencies, misread the way real ports misread them, is
named by its misreading (yarn_truncate_ignored, yarn_beta_swapped, llama3_bands_swapped,
longrope_wrong_factors, longrope_threshold_off_by_one; docs/bug-classes.md) with the
fitted evidence in words, and a dropped attention factor too; one constant on every
theta_i is frequency_formula."""

from __future__ import annotations

import numpy as np

from rope_ref import rotate, scaled_frequencies
from rope_ref.checker.report import check
from rope_ref.paper.frequencies import frequencies

YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}
SHORT = list(np.round(1.0 + np.linspace(0, 0.3, 32), 4))
LONG = list(np.round(np.geomspace(1.0, 40.0, 32), 4))


def _rope(theta: np.ndarray, scale: float = 1.0):
    def fn(x, positions):  # x: (batch, heads, seq, d) float64
        return scale * rotate(x, positions, theta=theta, layout="half")

    return fn


def _names(report) -> list[str]:
    return [f.name for f in report.findings]


def test_yarn_truncate_ignored_is_named_with_the_ramp_ends():
    stated = dict(YARN, rope_theta=150000.0, factor=32.0, truncate=False)
    theta, factor = scaled_frequencies(64, None, dict(stated, truncate=True))
    report = check(_rope(theta, factor), d=64, layout="half", rope_scaling=stated, form="code")
    assert _names(report) == ["yarn_truncate_ignored"], str(report)
    assert "ignores truncate=false: rounds YaRN's ramp ends 8.093, 17.4" in str(report)


def test_yarn_ramp_reversed_and_factor_dropped_are_named_both():
    theta, _ = scaled_frequencies(64, 10000.0, YARN)
    theta0 = frequencies(64, 10000.0)
    reversed_theta = theta0 * (1 + 1 / 4 - theta / theta0)
    report = check(_rope(reversed_theta), d=64, layout="half", rope_scaling=YARN, form="code")
    assert _names(report) == ["yarn_beta_swapped", "attention_factor_missing"], str(report)
    assert "wrong way round" in report.findings[0].detail


def test_llama3_bands_reversed_is_named():
    stated = {
        "rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0,
        "high_freq_factor": 4.0, "original_max_position_embeddings": 8192,
    }  # fmt: skip
    theta, _ = scaled_frequencies(64, None, stated)
    theta0 = frequencies(64, 500000.0)
    report = check(
        _rope(theta0 * (1 + 1 / 8 - theta / theta0)), d=64, layout="half", rope_scaling=stated
    )
    assert _names(report) == ["llama3_bands_swapped"], str(report)
    assert "theta_i / s on the high frequencies" in report.findings[0].detail


def _longrope(original: int, longest: int) -> dict:
    return {
        "rope_type": "longrope", "short_factor": SHORT, "long_factor": LONG,
        "original_max_position_embeddings": original, "max_position_embeddings": longest,
    }  # fmt: skip


def test_longrope_short_factors_past_the_original_length_are_wrong_factors():
    stated = _longrope(4096, 131072)  # checked to 131071: the long factors are due
    theta, factor = scaled_frequencies(64, 10000.0, stated, seq_len=4096)  # the short ones
    report = check(_rope(theta, factor), d=64, layout="half", rope_scaling=stated)
    assert _names(report) == ["longrope_wrong_factors"], str(report)
    assert "uses LongRoPE's short factors" in report.findings[0].detail


def test_longrope_long_factors_at_the_original_length_are_the_threshold_off_by_one():
    stated = _longrope(65536, 65536)  # checked to 65535: seq_len 65536 = L, short due
    theta, factor = scaled_frequencies(64, 10000.0, stated, seq_len=65537)  # the long ones
    report = check(_rope(theta, factor), d=64, layout="half", rope_scaling=stated)
    assert _names(report) == ["longrope_threshold_off_by_one"], str(report)
    assert "long factors" in report.findings[0].detail and ">= 65536" in str(report)


def test_ntk_factor_put_on_theta_is_named_position_interpolation_with_its_constant():
    c = 4.0 ** (64 / 62)
    report = check(
        _rope(frequencies(64, 10000.0) / c),
        d=64,
        layout="half",
        rope_scaling={"rope_type": "ntk", "factor": 4.0},
    )
    assert _names(report) == ["frequency_formula"], str(report)
    assert "factor^(r/(r-2))" in report.findings[0].detail
