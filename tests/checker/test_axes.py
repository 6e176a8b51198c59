"""rope_ref.checker.axes: ``check`` on multi-axis RoPE. A correct implementation of every
style passes at its precision (float64 and a float32 one that computes cos and sin as HF
does); each multi-axis mistake is named by its class, with the fitted evidence. (HF's own
modules, right and broken: tests/interop/test_hf_multi_axis.py.)"""

from __future__ import annotations

import re

import numpy as np
import pytest

import rope_ref as rr
from rope_ref.checker.axis_case import check_positions_for
from rope_ref.checker.axis_models import fitted_axes
from rope_ref.paper.axes import STYLES, mrope_axes

#: style -> (d, base, layout, section) as the models run them.
CONFIGS = {
    "mrope": (128, 1e6, "half", (16, 24, 24)),
    "mrope_interleaved": (128, 5e6, "half", (24, 20, 20)),
    "mrope_ernie": (128, 5e5, "interleaved", (22, 22, 20)),
    "axial": (80, 1e4, "half", None),
    "pixtral": (64, 1e4, "half", None),
    "llama4_vision": (88, 1e4, "interleaved", None),
}


def _impl(style, *, theta=None, axes=None, rows=None, float32=False):
    """A multi-axis RoPE of ``style``: rope_ref's float64 one, or one in float32 that
    forms theta, the phase, cos and sin in float32 (as HF does). ``theta``, ``axes``,
    ``rows`` (an order of the position rows) make it wrong."""
    d, base, layout, section = CONFIGS[style]
    good_theta, good_axes = rr.axis_frequencies(d, base, style=style, section=section)
    theta = good_theta if theta is None else theta
    axes = good_axes if axes is None else axes

    def fn(x, positions):
        p = positions if rows is None else positions[list(rows)]
        if not float32:
            return rr.rotate(x, p, theta=theta, axes=axes, layout=layout)
        phi = p.astype(np.float32)[axes].T * theta.astype(np.float32)  # (seq, d/2) float32
        c, s = np.cos(phi), np.sin(phi)
        x32 = x.astype(np.float32)
        a, b = rr.pair_indices(d, layout)
        out = np.empty_like(x32)
        out[..., a] = x32[..., a] * c - x32[..., b] * s
        out[..., b] = x32[..., b] * c + x32[..., a] * s
        return out

    return fn


def _check(style, fn, **kwargs):
    d, base, layout, section = CONFIGS[style]
    return rr.check(fn, d=d, base=base, layout=layout, style=style, section=section, **kwargs)


@pytest.mark.parametrize("style", sorted(CONFIGS))
@pytest.mark.parametrize("float32", [False, True], ids=["float64", "float32"])
def test_a_correct_implementation_of_every_style_passes(style, float32):
    report = _check(style, _impl(style, float32=float32))
    assert report.ok, str(report)
    assert report.findings == []
    assert report.precision == ("float32" if float32 else "float64")


def test_check_runs_fn_on_vector_positions_with_distinct_coordinates():
    seen = {}

    def spy(x, positions):
        seen["positions"] = positions.copy()
        return _impl("mrope")(x, positions)

    report = _check("mrope", spy, seed=5)
    p = seen["positions"]
    ladder, drawn = check_positions_for(3, 65535, 5)
    assert p.shape == ladder.shape and p.dtype == np.int64 and drawn == 8
    assert np.array_equal(p, ladder)
    assert np.mean(p[0] != p[1]) > 0.9 and np.mean(p[1] != p[2]) > 0.9
    assert (report.seed, report.max_position, report.drawn) == (5, 65535, 8)
    assert "ladder to 65535 + 8 drawn with seed 5" in str(report)


def test_a_pasted_qwen2_vl_dict_states_the_style():
    config = {"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]}
    report = rr.check(_impl("mrope"), d=128, layout="half", rope_scaling=config)
    assert report.ok and "mrope [16, 24, 24] on 3 axes" in report.config
    old = {"type": "mrope", "mrope_section": [16, 24, 24]}
    assert rr.check(_impl("mrope"), d=128, base=1e6, layout="half", rope_scaling=old).ok


def _named(report, name: str) -> str:
    assert not report.ok
    assert [f.name for f in report.findings] == [name], str(report)
    return report.findings[0].detail


@pytest.mark.parametrize(
    ("style", "section"),
    [("mrope", (24, 24, 16)), ("mrope", (16, 16, 32)), ("mrope_interleaved", (20, 24, 20))],
)
def test_sections_of_other_order_or_size_are_named(style, section):
    axes = mrope_axes(style, section)
    detail = _named(_check(style, _impl(style, axes=axes)), "mrope_section_mismatch")
    assert "0 after this explanation" in detail


def test_chunks_given_to_the_axes_in_another_order_are_a_section_mismatch():
    detail = _named(_check("mrope", _impl("mrope", rows=(1, 0, 2))), "mrope_section_mismatch")
    assert "in the order htw" in detail


@pytest.mark.parametrize(
    ("stated", "run"), [("mrope", "mrope_interleaved"), ("mrope_interleaved", "mrope")]
)
def test_chunked_and_interleaved_swapped_are_named(stated, run):
    axes = mrope_axes(run, CONFIGS[stated][3])
    detail = _named(_check(stated, _impl(stated, axes=axes)), "mrope_style_swapped")
    assert ("interleaved M-RoPE" in detail) and ("chunked M-RoPE" in detail)


@pytest.mark.parametrize("style", sorted(CONFIGS))
def test_h_and_w_swapped_are_named_in_every_style(style):
    rows = (0, 2, 1) if STYLES[style][0] == 3 else (1, 0)
    detail = _named(_check(style, _impl(style, rows=rows, float32=True)), "hw_swapped")
    assert "exchanges the h and w coordinates" in detail


@pytest.mark.parametrize("style", ["mrope", "mrope_interleaved", "pixtral"])
def test_both_halves_given_the_first_halfs_angles_are_named(style):
    d, base, _, section = CONFIGS[style]
    theta, axes = rr.axis_frequencies(d, base, style=style, section=section)
    q = d // 4
    fn = _impl(
        style,
        theta=np.concatenate([theta[:q], theta[:q]]),
        axes=np.concatenate([axes[:q], axes[:q]]),
    )
    _named(_check(style, fn), "half_duplication")


@pytest.mark.parametrize("style", ["mrope", "mrope_interleaved", "mrope_ernie", "pixtral"])
def test_1d_positions_where_vector_positions_are_stated_are_named(style):
    d, base, layout, section = CONFIGS[style]
    theta, _ = rr.axis_frequencies(d, base, style=style, section=section)

    def one_d(x, positions):  # a 1D port: position_ids[0] for every pair
        return rr.rotate(x, positions[0], theta=theta, layout=layout)

    detail = _named(_check(style, one_d), "scalar_positions")
    assert "1D positions where vector positions are stated" in detail


def test_zero_based_coordinates_where_llama4_states_one_based_are_a_position_offset():
    detail = _named(
        _check("llama4_vision", lambda x, p: _impl("llama4_vision")(x, p - 1)), "position_offset"
    )
    assert "0-based where 1-based are stated" in detail


def test_the_axes_of_each_pair_are_fitted_from_the_outputs():
    wrong = mrope_axes("mrope", (20, 20, 24))
    d, base, layout, section = CONFIGS["mrope"]
    report = _check("mrope", _impl("mrope", axes=wrong))
    assert report.findings[0].name == "mrope_section_mismatch"
    # the fitted assignment is the one the implementation ran
    from rope_ref.checker.axis_case import AxisCase

    theta, axes = rr.axis_frequencies(d, base, style="mrope")
    p = check_positions_for(3, seed=2)[0].astype(float)
    x = np.random.default_rng(1).standard_normal((2, 3, p.shape[1], d))
    y = rr.rotate(x, p, theta=theta, axes=wrong, layout=layout)
    case = AxisCase(x, y, p, d, d, base, layout, "mrope", section, theta, axes, 1.0, "float64", 0.0)
    assert np.array_equal(fitted_axes(case), wrong)


def test_a_layout_swap_is_still_named_under_vector_positions():
    d, base, _, section = CONFIGS["mrope"]
    theta, axes = rr.axis_frequencies(d, base, style="mrope")
    report = _check("mrope", lambda x, p: rr.rotate(x, p, theta=theta, axes=axes))
    _named(report, "layout_swapped")


@pytest.mark.parametrize("style", ["mrope", "pixtral"])
def test_a_multi_axis_implementation_right_only_on_the_ladder_fails_at_any_seed(style):
    ladder = check_positions_for(STYLES[style][0])[0]
    good = _impl(style)

    def ladder_only(x, positions):  # a table of the ladder's tokens, one row off elsewhere
        on = (positions[:, :, None] == ladder[:, None, :]).all(axis=0).any(axis=1)
        return good(x, np.where(on, positions, positions + 1))

    for seed in (0, 1):
        report = _check(style, ladder_only, seed=seed)
        assert not report.ok and report.position >= ladder.shape[1], str(report)
        assert report.seed == seed and report.drawn == 8


@pytest.mark.parametrize("style", ["mrope", "pixtral"])
def test_a_port_that_never_rotates_is_named_pairs_unrotated(style):
    detail = _named(_check(style, lambda x, positions: x.copy()), "pairs_unrotated")
    assert "RoPE is not applied" in detail


def _fitted_base(detail: str) -> float:
    return float(re.search(r"\(fitted ([0-9.e+-]+)\)", detail).group(1))


BASE_RATIOS = [("mrope", 2.0), ("mrope_interleaved", 0.3), ("pixtral", 2.0), ("llama4_vision", 1.7)]


@pytest.mark.parametrize(("style", "ratio"), BASE_RATIOS)
def test_a_base_none_of_the_usual_ones_is_fitted_from_the_outputs(style, ratio):
    d, base, layout, section = CONFIGS[style]
    theta, _ = rr.axis_frequencies(d, base * ratio, style=style, section=section)
    detail = _named(_check(style, _impl(style, theta=theta, float32=True)), "wrong_base")
    assert f"uses base {base * ratio:g} where {base:g} is stated" in detail, detail
    assert abs(_fitted_base(detail) / (base * ratio) - 1) < 1e-4


@pytest.mark.parametrize(("style", "k"), [("mrope", 3), ("mrope_ernie", -5), ("pixtral", 7)])
def test_an_offset_other_than_one_is_fitted_from_the_intercepts(style, k):
    detail = _named(_check(style, lambda x, p: _impl(style)(x, p + k)), "position_offset")
    assert f"uses every coordinate {'+' if k > 0 else '-'} {abs(k)}" in detail, detail
