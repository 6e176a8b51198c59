"""Two mistakes at once (rope_ref.checker.compound): the stages name classes of the
vocabulary; a case adopting a first mistake states it (positions m + k, other pairs,
angles that are no product, the variant ignored); the screen never rules out a model
that explains the outputs, and rules out nearly all that do not; three mistakes, which
no pair explains, are ``unexplained`` with the two closest classes and the closest pair.
The compounds that pairs explain are in the zoo (tests/checker/_zoo_compound.py)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from checker._zoo import YARN, numpy_rope
from rope_ref import rotate
from rope_ref.checker.case import make_case
from rope_ref.checker.compound import STAGES, adopt, screen, stage
from rope_ref.checker.hypotheses import models
from rope_ref.checker.models import fit
from rope_ref.checker.precision import round_to
from rope_ref.checker.probe import LADDER
from rope_ref.checker.report import check
from rope_ref.checker.vocabulary import CLASSES
from rope_ref.scaling.scaled import scaled_frequencies


def _case(fn, d=32, layout="interleaved", rope_scaling=None, precision="float32"):
    """The Case of fn's outputs on bfloat16-exact inputs at the ladder of positions."""
    rng = np.random.default_rng(3)
    shape = (2, 3, LADDER.size, d)
    x = round_to(
        rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape), "bfloat16"
    )
    y = np.asarray(fn(x.astype(np.float32), LADDER.copy()), dtype=np.float64)
    return make_case(
        x, y, LADDER.astype(np.float64), d=d, base=10000.0, layout=layout, rotary_dim=None,
        rope_scaling=rope_scaling, seq_len=int(LADDER.max()) + 1, precision=precision,
    )  # fmt: skip


def _model(case, name, what=""):
    return next(m for m in models(case) if m.name == name and what in m.what)


def test_every_stage_is_of_a_class_of_the_vocabulary_and_others_are_their_own():
    assert set(STAGES) <= set(CLASSES)
    assert {stage(n) for n in STAGES} == {
        "positions", "angles", "precision", "rotation", "pairing", "features", "factor",
    }  # fmt: skip
    assert stage("a_class_named_later") == "a_class_named_later"


def test_adopting_an_offset_states_positions_m_plus_k_at_the_stated_theta():
    case = _case(lambda x, p: numpy_rope(x, p + 3))
    adopted = adopt(case, _model(case, "position_offset", "m + 3"))
    assert np.array_equal(adopted.positions, case.positions + 3)
    assert adopted.theta is case.theta and adopted.adopted_phi is None


def test_adopting_a_layout_or_a_swap_keeps_the_angles_or_states_them_as_they_are():
    case = _case(lambda x, p: numpy_rope(x, p, layout="half"))
    layout = adopt(case, _model(case, "layout_swapped"))
    assert layout.layout == "half" and np.array_equal(layout.phi, case.phi)
    swapped = adopt(case, _model(case, "cos_sin_swapped"))
    assert swapped.adopted_phi is not None
    assert np.allclose(swapped.phi, np.pi / 2 - case.phi, rtol=0, atol=1e-12)


def test_adopting_the_variant_ignored_states_plain_rope_without_the_factor():
    theta = scaled_frequencies(32, 10000.0, {"rope_type": "default"})[0]
    case = _case(lambda x, p: numpy_rope(x, p, inv_freq=theta), rope_scaling=dict(YARN))
    adopted = adopt(case, _model(case, "scaling_ignored", "no attention factor"))
    assert adopted.rope_scaling is None and adopted.factor == 1.0
    assert np.allclose(adopted.theta, theta, rtol=1e-15, atol=0)


@pytest.mark.parametrize(
    "impl",
    [{}, {"offset": 1}, {"layout": "half"}, {"sign": -1.0}, {"theta_dtype": "bfloat16"}],
    ids=["correct", "offset", "layout", "reversed", "bf16 theta"],
)
def test_the_screen_keeps_every_model_that_fit_finds_explaining(impl):
    case = _case(lambda x, p: numpy_rope(x, p, **impl))
    candidates = [case.model("stated", "the stated RoPE"), *models(case)]
    maybe, worst = screen(case, candidates)
    ratios = np.array([fit(m, case.x, case.positions, case.y).ratio for m in candidates])
    assert np.any(ratios <= 1.0)  # the case has a model that explains it
    assert np.all(maybe[ratios <= 1.0]), [candidates[k].what for k in np.flatnonzero(~maybe)]
    assert np.mean(maybe[ratios > 1.0]) < 0.2  # and rules out nearly all the others
    assert np.all(worst[maybe] <= 4.0) and np.all(worst[~maybe] > 4.0)


def _names_in(text: str) -> list[str]:
    return [n for n in re.findall(r"\b([a-z0-9]+(?:_[a-z0-9]+)+)\b \(", text) if n in CLASSES]


@pytest.mark.parametrize(
    "impl, config, truth",
    [
        (
            {"layout": "half", "offset": 1, "base": 500000.0},
            {"d": 64, "precision": "float32"},
            {"layout_swapped", "position_offset", "wrong_base"},
        ),
        (
            {"layout": "interleaved", "rotary_dim": 64, "sign": -1.0, "dtype": "bfloat16"},
            {"d": 64, "rotary_dim": 32, "layout": "half", "precision": "bfloat16"},
            None,
        ),
    ],
    ids=["layout + offset + base", "rotary_dim + layout + reversed, bf16"],
)
def test_three_mistakes_are_unexplained_naming_the_two_closest_and_the_closest_pair(
    impl, config, truth
):
    report = check(lambda x, p: numpy_rope(x, p, **impl), seed=0, **config)
    assert [f.name for f in report.findings] == ["unexplained"], str(report)
    detail = report.findings[0].detail
    singles, pair = detail.split("; closest pair: ")
    closest = _names_in(singles.split("; closest: ")[1])
    assert len(closest) == 2 and closest[0] != closest[1], detail
    assert len(_names_in(pair)) == 2 and "% of outputs" in pair, detail
    assert truth is None or set(_names_in(pair)) & truth, detail  # it makes one of them


def test_a_pair_is_named_with_each_fitted_value_and_the_combined_fit():
    report = check(lambda x, p: rotate(x, p - 2, base=500000.0), d=32, seed=0)
    assert [f.name for f in report.findings] == ["position_offset", "wrong_base"], str(report)
    offset, base = (f.detail for f in report.findings)
    assert "uses positions m - 2" in offset and "fitted 500000" in base
    for detail in (offset, base):
        before, after = map(
            float, re.search(r"([\d.e+-]+) before, ([\d.e+-]+) after", detail).groups()
        )
        assert before > 1.0 >= after and "together account for every output" in detail
