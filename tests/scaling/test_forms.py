"""The default is what models run: a pasted YaRN dict gives the released code's form (the
YaRN authors' code, which HF copies), ``form="paper"`` the paper's, and v0.1's
``hf_compat`` keeps its meaning (True: the code's, False: the paper's) in every function
that takes it. Dynamic NTK and LongRoPE switch at HF's thresholds, strictly."""

from __future__ import annotations

import numpy as np
import pytest

import rope_ref as rr
from rope_ref.scaling.yarn import index_ramp

YARN = {
    "rope_type": "yarn",
    "rope_theta": 1e6,
    "factor": 4.0,
    "original_max_position_embeddings": 32768,
}
X = np.random.default_rng(2).standard_normal((1, 3, 64))
P = np.array([0, 70000, 131071])


def test_the_default_form_is_the_released_codes_index_ramp():
    theta, _ = rr.scaled_frequencies(64, None, YARN)
    plain = rr.frequencies(64, 1e6)
    gamma = index_ramp(64, 1e6, 32768, 32.0, 1.0, True)  # the code's ramp, in the index
    np.testing.assert_allclose(theta, (1 - gamma) * plain / 4 + gamma * plain, rtol=1e-15)
    paper, _ = rr.scaled_frequencies(64, None, YARN, form="paper")
    assert np.max(np.abs(paper - theta) / theta) > 0.1  # the paper's ramp is another one


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        (lambda **kw: rr.scaled_frequencies(64, None, YARN, **kw)[0], {}),
        (lambda **kw: rr.rotate(X, P, rope_scaling=YARN, layout="half", **kw), {}),
        (lambda **kw: rr.rotation_error_bound(X, P, rope_scaling=YARN, **kw), {}),
        (lambda **kw: rr.scaled_theta_error_bound(64, None, YARN, **kw), {}),
    ],
    ids=["scaled_frequencies", "rotate", "rotation_error_bound", "scaled_theta_error_bound"],
)
def test_hf_compat_keeps_its_v01_meaning_everywhere(call, kwargs):
    default = call()
    np.testing.assert_array_equal(call(form="code"), default)
    np.testing.assert_array_equal(call(hf_compat=True), default)
    np.testing.assert_array_equal(call(hf_compat=False), call(form="paper"))
    assert not np.array_equal(call(form="paper"), default)


def test_truncate_false_is_accepted_by_default_and_changes_the_ramp():
    kept, _ = rr.scaled_frequencies(64, None, dict(YARN, truncate=False))
    rounded, _ = rr.scaled_frequencies(64, None, YARN)
    assert not np.array_equal(kept, rounded)
    with pytest.raises(ValueError, match="form='paper'"):
        rr.scaled_frequencies(64, None, dict(YARN, truncate=False), form="paper")


def test_check_passes_the_code_form_by_default_and_names_the_paper_form():
    def code_form(x, positions):
        return rr.rotate(x, positions, rope_scaling=YARN, layout="half", form="code")

    assert rr.check(code_form, d=64, layout="half", rope_scaling=YARN).ok
    report = rr.check(code_form, d=64, layout="half", rope_scaling=YARN, form="paper")
    assert [f.name for f in report.findings] == ["frequency_formula"]
    assert "form='code'" in report.findings[0].detail


def test_longrope_switches_strictly_past_the_original_length():
    rs = {
        "rope_type": "longrope",
        "original_max_position_embeddings": 4096,
        "max_position_embeddings": 131072,
        "short_factor": [1.0] * 32,
        "long_factor": [4.0] * 32,
    }
    short, _ = rr.scaled_frequencies(64, 1e4, rs, seq_len=4096)  # last position 4095
    long, _ = rr.scaled_frequencies(64, 1e4, rs, seq_len=4097)  # last position 4096
    np.testing.assert_array_equal(short, rr.frequencies(64))
    np.testing.assert_array_equal(long, rr.frequencies(64) / 4.0)


def test_dynamic_ntk_scales_only_past_max_position_embeddings():
    rs = {"rope_type": "dynamic", "factor": 2.0, "max_position_embeddings": 4096}
    np.testing.assert_array_equal(rr.scaled_frequencies(64, 1e4, rs, 4096)[0], rr.frequencies(64))
    assert rr.scaled_frequencies(64, 1e4, rs, 4097)[0][-1] < rr.frequencies(64)[-1]
