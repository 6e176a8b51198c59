"""rope_ref.checker.hypotheses at wide heads: a failing check tries O(1) rotary dimensions
above d = 256 (not all d/2 of them, which made it quadratic in d: 50 s at d = 4096), and
still names a partial rotation the outputs show."""

from __future__ import annotations

import numpy as np

import rope_ref as rr
from rope_ref.checker.case import make_case
from rope_ref.checker.hypotheses import ALL_ROTARY_DIMS_UP_TO, _rotary_dim_candidates
from rope_ref.checker.report import CHECK_POSITIONS


def _case(d: int, y_of_x):
    x = np.random.default_rng(0).standard_normal((1, 1, len(CHECK_POSITIONS), d))
    return make_case(
        x, y_of_x(x), CHECK_POSITIONS.astype(np.float64), d=d, base=10000.0,
        layout="interleaved", rotary_dim=None, rope_scaling=None, seq_len=None,
        precision="float64",
    )  # fmt: skip


def test_every_rotary_dim_is_tried_up_to_256_and_a_few_above():
    assert _rotary_dim_candidates(_case(256, lambda x: x)) == list(range(2, 257, 2))
    sizes = [len(_rotary_dim_candidates(_case(d, lambda x: x))) for d in (512, 2048, 8192)]
    assert max(sizes) <= 16 and ALL_ROTARY_DIMS_UP_TO == 256


def test_the_rotary_dim_the_outputs_show_is_a_candidate():
    def partial(x):  # rotates the first 386 of 1024 features
        y = rr.rotate(x[..., :386], CHECK_POSITIONS)
        return np.concatenate([y, x[..., 386:]], axis=-1)

    assert 386 in _rotary_dim_candidates(_case(1024, partial))


def test_a_wide_partial_rotation_is_named_rotary_dim_mismatch():
    def fn(x, positions):
        y = rr.rotate(x[..., :384].copy(), positions)
        return np.concatenate([y, x[..., 384:]], axis=-1)

    report = rr.check(fn, d=1024)
    assert not report.ok and [f.name for f in report.findings] == ["rotary_dim_mismatch"]
    assert "rotates 384 features where rotary_dim=1024 is stated" in report.findings[0].detail


def test_subnormal_and_tiny_positions_give_a_verdict_not_a_linalg_error():
    """phase_lines' polyfit raised LinAlgError for positions of 1e-300 or subnormal ones
    (an edited GoldenGroup, issue 15); it fits in m / 2^e now."""
    from dataclasses import replace

    from rope_ref.golden import load_group

    group = load_group("d8_base10000_interleaved")
    n = group.arrays["positions"].size
    for positions in (np.arange(n) * 5e-324, np.arange(n) * 1e-300, np.r_[0, [5e-324] * (n - 1)]):
        edited = replace(group, arrays={**group.arrays, "positions": positions})
        report = rr.check_outputs(group.arrays["expected_float64"], edited)
        assert not report.ok and report.findings  # those outputs are for other positions
        assert rr.check_outputs(group.arrays["x"], edited).ok  # every angle rounds to 0


def test_position_offsets_tried_are_the_few_the_pairs_agree_on():
    """Phases of another mistake (a cache clamped at 4096 rows) scatter one offset guess
    per pair: d/2 models at d = 1024 (40 s at d = 4096); only the commonest are tried."""
    from rope_ref.checker.hypotheses import MAX_OFFSET_GUESSES, models

    def clamped(x):
        return rr.rotate(x, np.minimum(CHECK_POSITIONS, 4095))

    offsets = [m for m in models(_case(1024, clamped)) if m.name == "position_offset"]
    assert 4 <= len(offsets) <= MAX_OFFSET_GUESSES + 5  # + (-2, -1, 1, 2) and arange
    shifted = [m for m in models(_case(1024, lambda x: rr.rotate(x, CHECK_POSITIONS + 7)))]
    assert any("m + 7" in m.what for m in shifted)
