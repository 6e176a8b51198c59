"""Two mistakes at once on the multi-axis path (rope_ref.checker.axes.axis_pairs): M-RoPE
ports in HF's style (``mrope_rope``) and 2D vision rotaries that make a multi-axis mistake
and another of a different stage are named both, in the order of ``CLASSES``, each with
its fitted evidence; three mistakes are ``unexplained`` with the closest pair; the screen
never rules out a composed model that explains the outputs."""

from __future__ import annotations

import re
from dataclasses import replace

import ml_dtypes
import numpy as np
import pytest

import rope_ref as rr
from checker._zoo import Mutant, mrope_rope
from rope_ref.checker.axes import AXIS_STAGES, axis_pairs
from rope_ref.checker.axis_case import AxisCase, check_positions_for
from rope_ref.checker.axis_models import mistakes
from rope_ref.checker.compound import STAGES, screen
from rope_ref.checker.models import fit
from rope_ref.checker.precision import round_to
from rope_ref.checker.report import check
from rope_ref.checker.vocabulary import CLASSES

QWEN2 = {
    "d": 128,
    "layout": "half",
    "rope_scaling": {"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]},
}
QWEN3 = {
    "d": 128,
    "layout": "half",
    "rope_scaling": {
        "rope_type": "default",
        "rope_theta": 1e6,
        "mrope_section": [24, 20, 20],
        "mrope_interleaved": True,
    },
}
THREE = {"section": (24, 20, 20), "interleaved": True}
PIXTRAL = {"d": 64, "base": 1e4, "layout": "half", "style": "pixtral"}


def _interleaved_pairs(fn, d=128):
    """fn (half layout) run on features reordered so that it pairs (2i, 2i+1): a port
    whose rotate_half meets weights in Meta's interleaved order."""
    perm = np.concatenate([np.arange(0, d, 2), np.arange(1, d, 2)])
    inv = np.argsort(perm)
    return lambda x, p: fn(x[..., perm], p)[..., inv]


def _cos_sin_swapped(fn, d=128):
    """fn's turn by phi read back as a turn by pi/2 - phi (cos and sin exchanged): R(pi/2)
    R(-phi) x, half layout."""

    def swapped(x, p):
        y = fn(x, -p)
        return np.concatenate([-y[..., d // 2 :], y[..., : d // 2]], -1)

    return swapped


def _rotary(style, d, base, *, rows, theta_dtype=None, shift=0, section=None, layout="half"):
    """A multi-axis rotary (rope_ref's, float64) with the position rows read in the order
    ``rows``, theta rounded to ``theta_dtype`` (inv_freq cast to 16 bits), coordinates
    moved by ``shift`` and features paired as ``layout``."""
    theta, axes = rr.axis_frequencies(d, base, style=style, section=section)
    theta = theta if theta_dtype is None else round_to(theta, theta_dtype)
    return lambda x, p: rr.rotate(x, p[list(rows)] + shift, theta=theta, axes=axes, layout=layout)


def _bf16_autocast_hw_swapped(x, positions, d=128):
    """Qwen2-VL's M-RoPE under bf16 autocast with h and w rows swapped: inv_freq, the
    positions and freqs = p inv_freq in bfloat16, cos and sin of them, outputs bfloat16."""
    theta, axes = rr.axis_frequencies(d, 1e6, style="mrope", section=(16, 24, 24))
    p = round_to(positions[[0, 2, 1]], "bfloat16")
    phi = round_to(p[axes].T * round_to(theta, "bfloat16"), "bfloat16")  # (seq, d/2)
    c, s = np.cos(phi), np.sin(phi)
    x = np.asarray(x, dtype=np.float64)
    out = x.copy()
    a, b = rr.pair_indices(d, "half")
    out[..., a] = x[..., a] * c - x[..., b] * s
    out[..., b] = x[..., b] * c + x[..., a] * s
    return out.astype(ml_dtypes.bfloat16)


def _mrope(label, expected, config, wrap=None, shift=0, **impl) -> Mutant:
    def fn(x, positions):
        return mrope_rope(x, positions + shift, **impl)

    return Mutant(label, expected, fn if wrap is None else wrap(fn), config)


COMPOUNDS = [
    _mrope(
        "mrope_section reversed, rope_theta 1e4 (Qwen2-VL)",
        ("wrong_base", "mrope_section_mismatch"),
        QWEN2,
        section=(24, 24, 16),
        base=1e4,
    ),
    _mrope(
        "Qwen3-VL run chunked on interleaved-pair weights",
        ("layout_swapped", "mrope_style_swapped"),
        QWEN3,
        wrap=_interleaved_pairs,
        section=(24, 20, 20),
    ),
    _mrope(
        "text positions + 1 on every axis (Qwen3-VL)",
        ("position_offset", "scalar_positions"),
        QWEN3,
        shift=1,
        one_d=True,
        **THREE,
    ),
    _mrope(
        "h and w swapped, turned backwards",
        ("rotation_reversed", "hw_swapped"),
        QWEN2,
        wrap=lambda fn: lambda x, p: fn(x, -p),
        rows=(0, 2, 1),
    ),
    _mrope(
        "h and w swapped on interleaved-pair weights",
        ("layout_swapped", "hw_swapped"),
        QWEN2,
        wrap=_interleaved_pairs,
        rows=(0, 2, 1),
    ),
    _mrope(
        "one cos/sin table for both halves, coordinates + 1",
        ("position_offset", "half_duplication"),
        QWEN2,
        shift=1,
        duplicate_half=True,
    ),
    _mrope(
        "pairs 61, 62 never turned, rope_theta 5e5 (Qwen3-VL)",
        ("wrong_base", "pairs_unrotated"),
        QWEN3,
        unrotated=(61, 62),
        base=5e5,
        **THREE,
    ),
    _mrope(
        "Qwen2-VL run interleaved, 0-based",
        ("position_offset", "mrope_style_swapped"),
        QWEN2,
        shift=-1,
        interleaved=True,
    ),
    _mrope(
        "mrope_section reversed, cos and sin exchanged",
        ("cos_sin_swapped", "mrope_section_mismatch"),
        QWEN2,
        wrap=_cos_sin_swapped,
        section=(24, 24, 16),
    ),
    _mrope(
        "mrope_section reversed, rope_theta 2e6 (fitted)",
        ("wrong_base", "mrope_section_mismatch"),
        QWEN2,
        section=(24, 24, 16),
        base=2e6,
    ),
    _mrope(
        "h and w swapped, coordinates + 3 (fitted)",
        ("position_offset", "hw_swapped"),
        QWEN2,
        shift=3,
        rows=(0, 2, 1),
    ),
    _mrope(
        "turned backwards, rope_theta 1.5e6 (Qwen3-VL)",
        ("rotation_reversed", "wrong_base"),
        QWEN3,
        wrap=lambda fn: lambda x, p: fn(x, -p),
        base=1.5e6,
        **THREE,
    ),
    Mutant(
        "Pixtral h and w swapped, base 3e4",
        ("wrong_base", "hw_swapped"),
        _rotary("pixtral", 64, 3e4, rows=(1, 0)),
        PIXTRAL,
    ),
    Mutant(
        "M-RoPE h and w swapped, inv_freq cast to bf16",
        ("low_precision_angles", "hw_swapped"),
        _rotary("mrope", 128, 1e6, rows=(0, 2, 1), theta_dtype="bfloat16", section=(16, 24, 24)),
        QWEN2,
    ),
    Mutant(
        "M-RoPE h and w swapped under bf16 autocast (bf16 outputs)",
        ("low_precision_angles", "hw_swapped"),
        _bf16_autocast_hw_swapped,
        QWEN2,
    ),
    Mutant(
        "Ernie-4.5-VL h and w swapped, coordinates + 1",
        ("position_offset", "hw_swapped"),
        _rotary("mrope_ernie", 128, 5e5, rows=(0, 2, 1), shift=1, layout="interleaved"),
        {"d": 128, "base": 5e5, "layout": "interleaved", "style": "mrope_ernie"},
    ),
    Mutant(
        "Llama 4 vision 0-based, rotate_half on interleaved weights",
        ("layout_swapped", "position_offset"),
        _rotary("llama4_vision", 88, 1e4, rows=(0, 1), shift=-1),
        {"d": 88, "base": 1e4, "layout": "interleaved", "style": "llama4_vision"},
    ),
    Mutant(
        "Pixtral h and w swapped, coordinates + 1",
        ("position_offset", "hw_swapped"),
        _rotary("pixtral", 64, 1e4, rows=(1, 0), shift=1),
        PIXTRAL,
    ),
    Mutant(
        "Pixtral h and w swapped, inv_freq cast to bf16",
        ("low_precision_angles", "hw_swapped"),
        _rotary("pixtral", 64, 1e4, rows=(1, 0), theta_dtype="bfloat16"),
        PIXTRAL,
    ),
]
#: label -> {class: what its finding must say}: the fitted value of each of the two.
EVIDENCE = {
    "mrope_section reversed, rope_theta 1e4 (Qwen2-VL)": {
        "wrong_base": "uses base 10000 where 1e+06 is stated",
        "mrope_section_mismatch": "[24, 24, 16] where [16, 24, 24] is stated",
    },
    "text positions + 1 on every axis (Qwen3-VL)": {
        "scalar_positions": "one coordinate, t, for every pair",
        "position_offset": "every coordinate + 1",
    },
    "pairs 61, 62 never turned, rope_theta 5e5 (Qwen3-VL)": {
        "pairs_unrotated": "(pairs 61, 62:",
        "wrong_base": "base 500000",
    },
    "Qwen2-VL run interleaved, 0-based": {
        "position_offset": "every coordinate - 1",
        "mrope_style_swapped": "as interleaved M-RoPE (Qwen3-VL)",
    },
    "mrope_section reversed, rope_theta 2e6 (fitted)": {
        "wrong_base": "uses base 2e+06 where 1e+06 is stated (fitted ",
        "mrope_section_mismatch": "[24, 24, 16] where [16, 24, 24] is stated",
    },
    "h and w swapped, coordinates + 3 (fitted)": {"position_offset": "every coordinate + 3"},
    "turned backwards, rope_theta 1.5e6 (Qwen3-VL)": {
        "wrong_base": "uses base 1.5e+06 where 1e+06 is stated (fitted ",
    },
    "Pixtral h and w swapped, base 3e4": {
        "wrong_base": "uses base 30000 where 10000 is stated (fitted ",
    },
    "M-RoPE h and w swapped, inv_freq cast to bf16": {
        "low_precision_angles": "rounds theta to bfloat16",
    },
    "M-RoPE h and w swapped under bf16 autocast (bf16 outputs)": {
        "low_precision_angles": "in bfloat16",
    },
    "Llama 4 vision 0-based, rotate_half on interleaved weights": {
        "position_offset": "0-based where 1-based are stated",
        "layout_swapped": "pairs features half where interleaved is stated",
    },
}
#: label -> the base the mutant turns by, where the finding's fitted base must be it.
FITTED_BASE = {
    "mrope_section reversed, rope_theta 2e6 (fitted)": 2e6,
    "turned backwards, rope_theta 1.5e6 (Qwen3-VL)": 1.5e6,
    "Pixtral h and w swapped, base 3e4": 3e4,
}
_REPORTS: dict[str, object] = {}


def _report(mutant: Mutant):
    if mutant.label not in _REPORTS:
        _REPORTS[mutant.label] = check(mutant.fn, **mutant.config)
    return _REPORTS[mutant.label]


@pytest.mark.parametrize("mutant", COMPOUNDS, ids=[m.label for m in COMPOUNDS])
def test_two_multi_axis_mistakes_are_named_both(mutant):
    report = _report(mutant)
    assert not report.ok, str(report)
    assert [f.name for f in report.findings] == list(mutant.expected), str(report)
    assert list(mutant.expected) == sorted(mutant.expected, key=CLASSES.index)
    for finding, other in zip(report.findings, report.findings[::-1], strict=True):
        assert f"and also {other.name}" in finding.detail
        assert "after both explanations, which together account for every output" in (
            finding.detail
        )
    for name, evidence in EVIDENCE.get(mutant.label, {}).items():  # its fitted value
        assert evidence in next(f.detail for f in report.findings if f.name == name)
    if mutant.label in FITTED_BASE:
        detail = next(f.detail for f in report.findings if f.name == "wrong_base")
        fitted = float(re.search(r"\(fitted ([0-9.e+-]+)\)", detail).group(1))
        assert abs(fitted / FITTED_BASE[mutant.label] - 1) < 1e-4, detail


def test_three_mistakes_are_unexplained_with_the_closest_pair():
    report = check(lambda x, p: mrope_rope(x, p + 1, rows=(0, 2, 1), base=1e4), **QWEN2)
    assert [f.name for f in report.findings] == ["unexplained"], str(report)
    detail = report.findings[0].detail
    assert "no bug class nor pair of classes explains" in detail
    assert ", then " in detail and "; closest pair: " in detail


def test_the_multi_axis_classes_have_stages_apart_from_the_1d_ones():
    assert set(AXIS_STAGES) <= set(CLASSES) and not set(AXIS_STAGES) & set(STAGES)
    assert set(AXIS_STAGES.values()) == {"axes", "features"}


def _pixtral_case(fn, seed=4):
    theta, axes = rr.axis_frequencies(64, 1e4, style="pixtral")
    p = check_positions_for(2, seed=seed)[0].astype(np.float64)
    x = round_to(np.random.default_rng(seed).standard_normal((2, 3, p.shape[1], 64)), "bfloat16")
    y = np.asarray(fn(x, p), dtype=np.float64)
    case = AxisCase(x, y, p, 64, 64, 1e4, "half", "pixtral", None, theta, axes, 1.0, "float64", 0)
    return case, theta, axes


def test_a_case_adopting_a_mistake_states_it():
    case, theta, axes = _pixtral_case(lambda x, p: x)
    changes = {m.name: ch for m, ch in mistakes(case)}
    reversed_ = replace(case, **changes["rotation_reversed"])
    assert np.array_equal(reversed_.phi, -case.phi)
    swapped = replace(case, **changes["cos_sin_swapped"])
    assert np.allclose(swapped.phi, np.pi / 2 - case.phi)
    halves = replace(case, **changes["half_duplication"])
    assert np.array_equal(halves.phi[:, 16:], case.phi[:, :16])
    both = replace(reversed_, **changes["half_duplication"])  # two at once: composed
    assert np.array_equal(both.phi, -halves.phi)


def test_the_screen_never_rules_out_a_pair_that_explains():
    case, _, _ = _pixtral_case(_rotary("pixtral", 64, 1e4, rows=(1, 0), shift=1))
    found = list(mistakes(case))
    composed = [b for a, ch in found for b, _ in mistakes(replace(case, **ch)) if b.name != a.name]
    maybe, worst = screen(case, composed)
    tokens = np.arange(case.positions.shape[1])
    explains = np.array([fit(m, case.x, tokens, case.y).ratio <= 1.0 for m in composed])
    assert explains.any() and not np.any(explains & ~maybe)
    assert np.mean(maybe) < 0.1  # it rules out nearly all that do not
    pairs, near = axis_pairs(case, found)
    assert near is None and [(p.first.name, p.second.name) for p in pairs[:1]] == [
        ("position_offset", "hw_swapped")
    ]
