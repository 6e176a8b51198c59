"""rope_ref.checker.report: a bad argument of check or check_outputs raises an error that
names it, before any implementation is judged."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr
from rope_ref.golden import load_group

G = load_group("d8_base10000_interleaved")
Y = G.arrays["expected_float64"]


def _edited(**changes):
    """The group with its arrays or config replaced, as a user might build one."""
    return dataclasses.replace(G, **changes)


def big_outputs(x, positions):
    return np.full_like(x, 1e308)


REPORT_ERRORS = [
    # escapes the API audit found: the id says what got out before the fix
    (
        "check with partial_rotary_factor 1.7e308: OverflowError",
        lambda: rr.check(
            big_outputs,
            d=8,
            rope_scaling={"rope_type": "default", "partial_rotary_factor": 1.7e308},
        ),
        ValueError,
        "rope_scaling['partial_rotary_factor'] must be in (0, 1]",
    ),
    (
        "check_outputs(group=3): AttributeError",
        lambda: rr.check_outputs(np.zeros(3), 3),
        TypeError,
        "group must be a golden group's name",
    ),
    # issue 15: d = 2**24 allocated 16.5 GiB; an edited GoldenGroup gave KeyError/IndexError
    (
        "check with d 2**24: MemoryError",
        lambda: rr.check(lambda x, p: x, d=2**24),
        ValueError,
        ("d must be <= 8192 for check", "16777216"),
    ),
    (
        "check_outputs, group without x: KeyError",
        lambda: rr.check_outputs(Y, _edited(arrays={"positions": G.arrays["positions"]})),
        TypeError,
        "group.arrays['x'] must be a NumPy array",
    ),
    (
        "check_outputs, group config without d: KeyError",
        lambda: rr.check_outputs(
            Y, _edited(config={k: v for k, v in G.config.items() if k != "d"})
        ),
        ValueError,
        "group.config['d'] must be x's last axis, 8, got None",
    ),
    (
        "check_outputs, group positions of 3 for seq 32: IndexError",
        lambda: rr.check_outputs(Y, _edited(arrays={**G.arrays, "positions": np.arange(3)})),
        ValueError,
        "group.arrays['positions'] must have shape (seq,) = (32,), got (3,)",
    ),
    (
        "check_outputs, group positions NaN",
        lambda: rr.check_outputs(Y, _edited(arrays={**G.arrays, "positions": np.full(32, np.nan)})),
        ValueError,
        "group.arrays['positions'] must be finite",
    ),
    (
        "check_outputs, group layout 3",
        lambda: rr.check_outputs(Y, _edited(config={**G.config, "layout": 3})),
        ValueError,
        "group.config['layout'] must be one of ('interleaved', 'half', 'half_in_halves'), got 3",
    ),
    (
        "check_outputs, group config a list",
        lambda: rr.check_outputs(Y, _edited(config=[1, 2])),
        TypeError,
        "group.config must be a mapping",
    ),
    # issue 16: the positions' seed and the context length
    (
        "check with seed -1",
        lambda: rr.check(big_outputs, d=8, seed=-1),
        ValueError,
        "seed must be an integer >= 0, got -1",
    ),
    (
        "check with seed 1.5",
        lambda: rr.check(big_outputs, d=8, seed=1.5),
        TypeError,
        ("seed must be an integer >= 0", "or None", "got 1.5"),
    ),
    (
        "check with seed True",
        lambda: rr.check(big_outputs, d=8, seed=True),
        TypeError,
        ("seed must be an integer", "got True"),
    ),
    (
        "check with max_position 0",
        lambda: rr.check(big_outputs, d=8, max_position=0),
        ValueError,
        "max_position must be an integer in [1, 2147483647]",
    ),
    (
        "check with max_position 2**31",
        lambda: rr.check(big_outputs, d=8, max_position=2**31),
        ValueError,
        ("max_position must be an integer in [1, 2147483647]", "got 2147483648"),
    ),
    (
        "check with max_position 1e6",
        lambda: rr.check(big_outputs, d=8, max_position=1e6),
        TypeError,
        ("max_position must be an integer", "got 1000000.0"),
    ),
    (
        "check of M-RoPE with max_position -5",
        lambda: rr.check(big_outputs, d=8, style="mrope", section=(2, 1, 1), max_position=-5),
        ValueError,
        ("max_position must be an integer in [1, 2147483647]", "got -5"),
    ),
    (
        "check of M-RoPE with seed '7'",
        lambda: rr.check(big_outputs, d=8, style="mrope", section=(2, 1, 1), seed="7"),
        TypeError,
        ("seed must be an integer", "got '7'"),
    ),
    (
        "check_outputs of a masked array",
        lambda: rr.check_outputs(np.ma.masked_invalid(Y), G),
        TypeError,
        "outputs must be a plain NumPy array, got a masked array",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(REPORT_ERRORS))
def test_report_error(call, error, words):
    assert_raises_named(call, error, words)
