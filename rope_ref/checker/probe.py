"""The positions ``check`` runs an implementation at: a fixed ladder, the 16-bit
boundaries, and a seeded random draw, up to the context length the implementation claims.

- The ladder 0, 1, 2, 3, 5, 8, ..., 4095, 4096, ..., 65535 grows by at most a factor 2.6
  per step, so a phase can be unwrapped along it (``rope_ref.checker.models.phase_lines``);
  255/256/257 (bfloat16 cannot tell 256 from 257), 4095 (an off-by-one in a bfloat16
  phase), 65535 (float16 overflows; the last row of a 65536-row cos/sin table).
- Past 65535, when the claimed context is longer: 2^k - 1, 2^k, 2^k + 1 for every
  k >= 16 with 2^k <= max_position (a 16-bit position field wraps at 2^16; a table of
  2^17 rows ends at 2^17 - 1), and max_position itself.
- A random draw of ``RANDOM_DRAW`` positions in [0, max_position], from ``seed`` (a new
  seed each run when None; the Report gives it, so ``check(..., seed=)`` reproduces the
  run): an implementation wrong only off the ladder cannot count on passing.
"""

from __future__ import annotations

import numpy as np

#: The fixed ladder up to 65535 (``CHECK_POSITIONS`` of v0.1).
LADDER = np.array(
    [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100, 255, 256, 257, 1000, 2047, 4095, 4096, 8191,
     16384, 32767, 65535],
    dtype=np.int64,
)  # fmt: skip
#: The default claimed context: the last position a 65536-row table holds.
DEFAULT_MAX_POSITION = 65535
#: How many positions the seeded random draw adds.
RANDOM_DRAW = 8


def new_seed() -> int:
    """A fresh seed for the random draw (from the OS's entropy), in [0, 2^32)."""
    return int(np.random.SeedSequence().entropy % 2**32)


def ladder(max_position: int) -> np.ndarray:
    """The deterministic positions up to ``max_position``: ``LADDER`` cut there, the 16-bit
    boundaries past 65535, and max_position itself; sorted, int64."""
    picks = {int(p) for p in LADDER if p <= max_position}
    k = 16
    while 2**k <= max_position:
        picks |= {p for p in (2**k - 1, 2**k, 2**k + 1) if p <= max_position}
        k += 1
    picks.add(int(max_position))
    return np.array(sorted(picks), dtype=np.int64)


def probe_positions(max_position: int = DEFAULT_MAX_POSITION, seed: int | None = None):
    """(positions, seed): the ladder to max_position, then RANDOM_DRAW positions drawn
    from ``seed`` uniformly in [0, max_position] (not already on the ladder).

    positions: (n,) int64, the ladder ascending, then the draw ascending. seed: the seed
    used (``new_seed()`` when None).
    """
    seed = new_seed() if seed is None else int(seed)
    fixed = ladder(max_position)
    rng = np.random.default_rng(seed)
    draw = rng.integers(0, max_position, size=RANDOM_DRAW, endpoint=True)
    draw = np.setdiff1d(draw, fixed)  # sorted and unique
    return np.concatenate([fixed, draw.astype(np.int64)]), seed
