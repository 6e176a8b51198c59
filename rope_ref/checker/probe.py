"""The positions ``check`` runs an implementation at: a fixed ladder, the 16-bit
boundaries, and a seeded random draw, up to the context length the implementation claims.

- The ladder 0, 1, 2, 3, 5, 8, ..., 4095, 4096, ..., 65535 grows by at most a factor 4
  per step (257 -> 1000; 2.6 elsewhere), so a phase can be unwrapped along it
  (``rope_ref.checker.models.phase_lines``); 255/256/257 (bfloat16 cannot tell 256 from
  257), 4095 (an off-by-one in a bfloat16 phase), 32767 (the last int16), 65535 (float16
  overflows; the last row of a 65536-row cos/sin table).
- Around every 16-bit boundary up to max_position: 2^k - 1, 2^k, 2^k + 1 for every
  k >= 15 with 2^k <= max_position (an int16 position wraps at 2^15, a uint16 one at 2^16;
  a table of 2^17 rows ends at 2^17 - 1), and max_position itself. Each step past 65535
  grows by at most a factor 2, so phases unwrap up to 2^31 - 1.
- A random draw of ``RANDOM_DRAW`` positions in [0, max_position] off the ladder, from
  ``seed`` (a new seed each run when None; the Report gives it, so ``check(..., seed=)``
  reproduces the run): an implementation wrong only off the ladder cannot count on
  passing.

The default max_position (``default_max_position``) is the context the stated rope dict
claims, less one: its ``max_position_embeddings`` where it carries one (as HF's YaRN,
llama3 and LongRoPE dicts may: the extended context), else 65535 (v0.1's last position), so
a correct implementation with a 65536-row table passes. Dynamic NTK is the exception: its
``max_position_embeddings`` is the original length it scales beyond, so it is probed to at
least 65535, where it runs scaled. ``original_max_position_embeddings * factor`` is not
taken as a claim: a YaRN dict states how the frequencies were stretched, not how long a
table the implementation holds; pass ``max_position=`` to probe further.
"""

from __future__ import annotations

import numbers

import numpy as np

#: The fixed ladder up to 65535 (``CHECK_POSITIONS`` of v0.1).
LADDER = np.array(
    [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100, 255, 256, 257, 1000, 2047, 4095, 4096, 8191,
     16384, 32767, 65535],
    dtype=np.int64,
)  # fmt: skip
#: The default claimed context: the last position a 65536-row table holds.
DEFAULT_MAX_POSITION = 65535
#: The largest max_position accepted: the last int32 position.
MAX_POSITION = 2**31 - 1
#: How many positions the seeded random draw adds.
RANDOM_DRAW = 8
#: The first 16-bit boundary probed around: int16 wraps at 2^15.
FIRST_BOUNDARY = 15


def new_seed() -> int:
    """A fresh seed for the random draw (from the OS's entropy), in [0, 2^32)."""
    return int(np.random.SeedSequence().entropy % 2**32)


def ladder(max_position: int) -> np.ndarray:
    """The deterministic positions up to ``max_position``: ``LADDER`` cut there, 2^k - 1,
    2^k, 2^k + 1 for k >= 15 up to max_position, and max_position itself; (n,) int64
    ascending."""
    picks = {int(p) for p in LADDER if p <= max_position}
    k = FIRST_BOUNDARY
    while 2**k - 1 <= max_position:
        picks |= {p for p in (2**k - 1, 2**k, 2**k + 1) if p <= max_position}
        k += 1
    picks.add(int(max_position))
    return np.array(sorted(picks), dtype=np.int64)


def random_draw(max_position: int, seed: int, fixed: np.ndarray, low: int = 0) -> np.ndarray:
    """RANDOM_DRAW distinct positions drawn from ``seed`` uniformly in [low, max_position]
    and not in ``fixed`` (all the others when fewer remain); (n,) int64 ascending."""
    free = max_position - low + 1 - int(np.count_nonzero((fixed >= low) & (fixed <= max_position)))
    want = min(RANDOM_DRAW, free)
    rng = np.random.default_rng(seed)
    if free <= 4 * RANDOM_DRAW:  # a short context: choose among what is left
        rest = np.setdiff1d(np.arange(low, max_position + 1, dtype=np.int64), fixed)
        return np.sort(rng.choice(rest, size=want, replace=False))
    picks: set[int] = set()
    taken = set(fixed.tolist())
    while len(picks) < want:  # at most 1 in 4 draws is rejected
        p = int(rng.integers(low, max_position, endpoint=True))
        if p not in taken:
            picks.add(p)
    return np.array(sorted(picks), dtype=np.int64)


def probe_positions(max_position: int = DEFAULT_MAX_POSITION, seed: int | None = None):
    """(positions, seed): ``ladder(max_position)``, then ``random_draw`` from ``seed``.

    positions: (n,) int64, the ladder ascending, then the draw ascending; its largest
    entry is max_position, so seq_len = max_position + 1. seed: the seed used
    (``new_seed()`` when None).
    """
    seed = new_seed() if seed is None else int(seed)
    fixed = ladder(max_position)
    return np.concatenate([fixed, random_draw(max_position, seed, fixed)]), seed


def default_max_position(rope_scaling) -> int:
    """The last position ``check`` probes when max_position is not given (module
    docstring), in [1, MAX_POSITION]. A dict whose values are unusable gives
    DEFAULT_MAX_POSITION (its own checks name them)."""
    if not isinstance(rope_scaling, dict):
        return DEFAULT_MAX_POSITION
    claimed = _number(rope_scaling.get("max_position_embeddings"))
    if claimed is None:
        return DEFAULT_MAX_POSITION
    last = int(min(claimed - 1, MAX_POSITION))
    if rope_scaling.get("rope_type", rope_scaling.get("type")) == "dynamic":
        return max(last, DEFAULT_MAX_POSITION)
    return max(last, 1)


def _number(value) -> float | None:
    """A finite positive real, else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if np.isfinite(value) and value > 0 else None
