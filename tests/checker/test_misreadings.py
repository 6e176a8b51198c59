"""Scaling variants read wrong (rope_ref.checker.hypotheses, ``misreadings``): a float64
RoPE built with rope_ref's own frequencies, misread the way real ports misread them, is
named frequency_formula with the misreading in words (and a dropped attention factor
too)."""

from __future__ import annotations

import numpy as np

from rope_ref import rotate, scaled_frequencies
from rope_ref.checker.report import check
from rope_ref.paper.frequencies import frequencies

YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}


def _rope(theta: np.ndarray, scale: float = 1.0):
    def fn(x, positions):  # x: (batch, heads, seq, d) float64
        return scale * rotate(x, positions, theta=theta, layout="half")

    return fn


def _names(report) -> list[str]:
    return [f.name for f in report.findings]


def test_yarn_truncate_ignored_is_named():
    stated = dict(YARN, rope_theta=150000.0, factor=32.0, truncate=False)
    theta, factor = scaled_frequencies(64, None, dict(stated, truncate=True))
    report = check(_rope(theta, factor), d=64, layout="half", rope_scaling=stated, form="code")
    assert _names(report) == ["frequency_formula"], str(report)
    assert "ignores truncate=false" in report.findings[0].detail


def test_yarn_ramp_reversed_and_factor_dropped_are_named_both():
    theta, _ = scaled_frequencies(64, 10000.0, YARN)
    theta0 = frequencies(64, 10000.0)
    reversed_theta = theta0 * (1 + 1 / 4 - theta / theta0)
    report = check(_rope(reversed_theta), d=64, layout="half", rope_scaling=YARN, form="code")
    assert _names(report) == ["frequency_formula", "attention_factor_missing"], str(report)
    assert "wrong way round" in report.findings[0].detail


def test_longrope_long_factors_at_a_short_length_are_named():
    short = list(np.round(1.0 + np.linspace(0, 0.3, 32), 4))
    long = list(np.round(np.geomspace(1.0, 40.0, 32), 4))
    stated = {
        "rope_type": "longrope",
        "short_factor": short,
        "long_factor": long,
        "original_max_position_embeddings": 65536,
        "max_position_embeddings": 131072,
    }
    theta, factor = scaled_frequencies(64, 10000.0, stated, seq_len=65537)  # the long ones
    report = check(_rope(theta, factor), d=64, layout="half", rope_scaling=stated)
    assert _names(report) == ["frequency_formula"], str(report)
    assert "long factors" in report.findings[0].detail


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
