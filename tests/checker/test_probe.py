"""rope_ref.checker.probe: the positions check runs at. The ladder keeps v0.1's positions,
grows by at most a factor 4 per step (so phases unwrap) up to any max_position, holds
every 16-bit boundary below it, and ends at it; the draw adds RANDOM_DRAW positions off
the ladder that one seed always gives; the default max_position is the context the rope
dict claims, and never below 65535."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rope_ref.checker import probe

MAX_POSITIONS = st.one_of(
    st.integers(1, 300), st.integers(1, 2**20), st.integers(1, probe.MAX_POSITION)
)


@given(MAX_POSITIONS)
def test_the_ladder_unwraps_holds_the_16_bit_boundaries_and_ends_at_max_position(n):
    p = probe.ladder(n)
    assert p.dtype == np.int64 and np.all(np.diff(p) > 0) and p[0] == 0 and p[-1] == n
    assert set(probe.LADDER[probe.LADDER <= n].tolist()) <= set(p.tolist())
    boundaries = {b for k in range(15, 32) for b in (2**k - 1, 2**k, 2**k + 1) if b <= n}
    assert boundaries <= set(p.tolist())
    assert np.all(p[2:] / p[1:-1] <= 4.0)  # 257 -> 1000 the widest step


@given(MAX_POSITIONS, st.integers(0, 2**64))
def test_one_seed_draws_the_same_positions_off_the_ladder(n, seed):
    positions, used = probe.probe_positions(n, seed)
    again, _ = probe.probe_positions(n, seed)
    fixed = probe.ladder(n)
    drawn = positions[fixed.size :]
    assert used == seed and np.array_equal(positions, again)
    assert np.array_equal(positions[: fixed.size], fixed)
    assert drawn.size == min(probe.RANDOM_DRAW, n + 1 - fixed.size)
    assert np.all(np.diff(drawn) > 0) and not np.isin(drawn, fixed).any()
    assert drawn.size == 0 or (drawn[0] >= 0 and drawn[-1] <= n)


def test_seeds_draw_positions_all_over_the_context():
    draws = np.concatenate([probe.probe_positions(2**20, s)[0][-8:] for s in range(200)])
    assert len(np.unique(draws)) > 1500  # 1600 draws from 2^20 positions rarely repeat
    assert np.mean(draws > 2**19) > 0.4 and np.mean(draws < 2**16) > 0.03


def test_a_new_seed_each_run():
    seeds = {probe.probe_positions()[1] for _ in range(5)}
    assert len(seeds) == 5 and all(0 <= s < 2**32 for s in seeds)


def test_the_default_max_position_is_the_claimed_context_else_65535():
    base = probe.DEFAULT_MAX_POSITION
    claims = [
        (None, base),
        ({"rope_type": "linear", "factor": 4.0}, base),
        # dynamic NTK: max_position_embeddings is the original length it scales beyond
        ({"rope_type": "dynamic", "factor": 2.0, "max_position_embeddings": 4096}, base),
        ({"rope_type": "dynamic", "factor": 4.0, "max_position_embeddings": 262144}, 262143),
        # HF's yarn, llama3 and longrope: max_position_embeddings is the extended context
        (
            {"rope_type": "longrope", "short_factor": [1.0], "long_factor": [1.0],
             "original_max_position_embeddings": 4096, "max_position_embeddings": 131072},
            131072 - 1,
        ),
        ({"rope_type": "default", "max_position_embeddings": 2048}, 2047),
        # original_max_position_embeddings * factor is how far theta was stretched, not a
        # claim about the implementation's table
        ({"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}, base),
        ({"rope_type": "yarn", "factor": 4.0, "max_position_embeddings": 2.0**40},
         probe.MAX_POSITION),
        # unusable values are left to the dict's own checks
        ({"rope_type": "yarn", "factor": 4.0, "max_position_embeddings": "4096"}, base),
        ({"rope_type": "yarn", "factor": 4.0, "max_position_embeddings": float("nan")}, base),
        ("yarn", base),
    ]  # fmt: skip
    for rope_scaling, expected in claims:
        assert probe.default_max_position(rope_scaling) == expected, rope_scaling
