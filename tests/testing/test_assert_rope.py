"""rope_ref.testing.assert_rope: one line in a test. It returns the Report of a correct
implementation, raises AssertionError carrying str(report) for a wrong one, passes every
keyword of check through, judges q and k of a pair on different inputs (the worse verdict
reported), and is not imported by ``import rope_ref``."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import rope_ref as rr
from rope_ref.testing import assert_rope
from testing._shapes import hf_qk

QK = {"qk": True, "input_layout": "bshd", "position_ids": "batch_seq", "d": 16, "layout": "half"}


def test_a_correct_implementation_passes_in_one_line():
    report = assert_rope(rr.rotate, d=64)
    assert isinstance(report, rr.Report) and report.ok and report.findings == []


def test_a_wrong_one_raises_the_readable_report():
    def off_by_one(x, positions):
        return rr.rotate(x, positions + 1)

    with pytest.raises(AssertionError) as info:
        assert_rope(off_by_one, d=16, seed=3)
    assert str(info.value) == str(rr.check(off_by_one, d=16, seed=3))
    assert "position_offset" in str(info.value) and "seed 3" in str(info.value)


def test_every_keyword_of_check_goes_through():
    seen = []

    def spy(x, positions):
        seen.append((x.dtype, positions.max()))
        return rr.rotate(x, positions, base=5e5, layout="half").astype(x.dtype)

    report = assert_rope(spy, d=32, base=5e5, layout="half", precision="float32", seed=9,
                         max_position=2**20)  # fmt: skip
    assert seen == [(np.float32, 2**20)]
    assert (report.seed, report.max_position, report.precision) == (9, 2**20, "float32")


def test_q_and_k_are_both_judged_on_different_inputs():
    calls = []

    def spy(q, k, position_ids):
        calls.append(not np.array_equal(q, k))
        return hf_qk(q, k, position_ids)

    report = assert_rope(spy, **QK, seed=1)
    assert report.ok and calls == [True, True] and report.seed == 1
    assert report.config.endswith(("q output", "k output"))


@pytest.mark.parametrize(
    ("wrong", "which"),
    [
        (lambda q, k, p: (hf_qk(q, k, p)[0], k), "k output"),  # k left unrotated
        (lambda q, k, p: hf_qk(q, k, p)[::-1], "q output"),  # (k_out, q_out) returned
        (lambda q, k, p: (hf_qk(q, k, p, offset=1)[0], hf_qk(q, k, p)[1]), "q output"),
    ],
    ids=["k unrotated", "q and k exchanged", "q off by one"],
)
def test_a_mistake_in_either_output_fails_and_says_which(wrong, which):
    with pytest.raises(AssertionError, match=f"{which}, precision"):
        assert_rope(wrong, **QK)


def test_an_exception_of_fn_propagates():
    def broken(q, k, position_ids):
        raise KeyError("mine")

    with pytest.raises(KeyError, match="mine"):
        assert_rope(broken, **QK)


def test_import_rope_ref_imports_neither_rope_ref_testing_nor_torch():
    code = "import sys, rope_ref; print('rope_ref.testing' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
