"""The bug classes of public issue trackers (issue 16; docs/bug-classes.md), each a model
fitted to the outputs, its evidence in the detail (fitted length, factor, modulus):

- ``rotated_twice``: the rotation applied twice (angles 2 m theta_i), fitted from the
  position each row turns by;
- ``positions_wrapped``: positions held in a 16-bit field (int16: m >= 32768 turn as
  m - 65536; uint16: as m mod 65536), the modulus fitted;
- ``cache_too_short``: a cos/sin cache of L rows read at positions >= L, clamped to its
  last row (a gather that clips, as jnp indexing does) or wrapped (m mod L), L fitted;
- ``last_features_rotated``: RoPE on the last rotary_dim features instead of the first
  (the stated pairs, theta and attention factor at offset d - rotary_dim), the first
  feature that changes fitted;
- ``attention_factor_wrong``: the rotated features multiplied by another factor than the
  stated one (fitted from the pair norms |w|), and which formula gives it;
- ``dynamic_ntk_wrong_length``: dynamic NTK scaled for another length than seq_len =
  max(position_ids) + 1 (a cache built for max_position_embeddings x factor), fitted.

The positions classes read the position each output row was turned by
(``effective_positions``); they show only where positions reach past L (or 32768).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from rope_ref.checker.case import Case, frequencies_for
from rope_ref.checker.models import Model, pair_ratios, phase_lines
from rope_ref.checker.precision import UNIT_ROUNDOFFS
from rope_ref.paper.frequencies import frequencies
from rope_ref.scaling.config import rope_type_of

TAU = 2.0 * np.pi
#: A row is read only when its lowest frequency leaves at most this many branches.
MAX_BRANCHES = 1024
#: The moduli of the integer fields positions are held in: 8 and 16 bits (int32 holds
#: every position ``check`` probes).
FIELD_MODULI = (2**8, 2**16)
#: Each step of the position reader's chain of frequencies grows by at most this factor
#: (a phase error e on pair j leaves m' within e / theta_j: well inside 2 pi / theta_(j+1)).
CHAIN_STEP = 4.0


def tracker_models(c: Case) -> Iterator[Model]:
    """Every model of the tracker classes, fitted to ``c``."""
    est = effective_positions(c)
    yield from _rotated_twice(c, est)
    yield from _wrapped_or_clamped(c, est)
    yield from _last_features_rotated(c)
    yield from _attention_factor_wrong(c)
    yield from _dynamic_ntk_wrong_length(c)


def effective_positions(c: Case) -> np.ndarray:
    """(seq,) the position each output row was turned by, read from its phases; NaN where
    a row cannot be read (non-finite outputs, too few frequencies to tell branches apart).

    Pair i of row m turns by m' theta_i (theta the stated frequencies); its phase gives m'
    modulo 2 pi / theta_i. The lowest frequency leaves a few branches in [-2 M, 2 M] (M =
    max |m|: a position can turn as 2 m, ``rotated_twice``); each branch is refined
    through the higher frequencies in turn (each pins m' to phase error / theta_j, well
    inside the next one's 2 pi / theta_(j+1)), and the branch whose angles match every
    pair's phase best is kept (judged on up to 64 pairs and the chain).
    """
    w = pair_ratios(c.x, c.y, c.layout, c.rotary_dim)  # (seq, P)
    use = np.flatnonzero(np.isfinite(c.theta) & (c.theta > 0))
    out = np.full(c.positions.shape, np.nan)
    if use.size == 0:
        return out
    order = use[np.argsort(c.theta[use], kind="stable")]
    t, wt = c.theta[order], w[:, order]
    readable = np.all(np.isfinite(wt) & (np.abs(wt) > 0), axis=1)
    span = 2.0 * float(np.max(np.abs(c.positions), initial=0.0)) + 2.0
    ph = np.where(readable[:, None], np.angle(wt), 0.0)
    # the branches of the lowest pair, k = lo..lo + n - 1 in every row (n the most any row has)
    lo = np.floor((-span * t[0] - ph[:, 0]) / TAU)
    n = int(np.max(np.ceil((span * t[0] - ph[:, 0]) / TAU) - lo)) + 1
    if n > MAX_BRANCHES:
        return out
    m = (ph[:, :1] + TAU * (lo[:, None] + np.arange(n)[None, :])) / t[0]  # (seq, n)
    chain = _chain(t)
    for j in chain:  # pin each branch through the higher frequencies
        m = (ph[:, j, None] + TAU * np.round((m * t[j] - ph[:, j, None]) / TAU)) / t[j]
    if np.all(c.positions == np.round(c.positions)):  # integer positions: m + 2 pi k / t0
        m = np.round(m)  # can match every phase (d = 8: t = 1e-3, ..., 1), never an integer
    spread = np.linspace(0, t.size - 1, min(t.size, 64)).astype(int)
    judge = np.unique(np.concatenate([np.array(chain, dtype=int), spread]))
    turned = np.exp(1j * m[..., None] * t[None, None, judge])  # (seq, n, <= 64 + chain)
    misfit = np.sum(np.abs(turned - np.exp(1j * ph[:, None, judge])) ** 2, axis=-1)
    best = m[np.arange(m.shape[0]), np.argmin(misfit, axis=1)]
    return np.where(readable, best, np.nan)


def _chain(t: np.ndarray) -> list[int]:
    """Indices into ascending frequencies t (P,) from after t[0] to the last, each the
    highest at most ``CHAIN_STEP`` times the one before (the next one where none is): a
    wide head's position is pinned in O(log) steps, not O(P)."""
    chain, last = [], 0
    while last < t.size - 1:
        reach = int(np.searchsorted(t, CHAIN_STEP * t[last], side="right")) - 1
        last = max(reach, last + 1)
        chain.append(last)
    return chain


def _rotated_twice(c: Case, est: np.ndarray) -> Iterator[Model]:
    ratio = est / np.where(c.positions > 0, c.positions, np.nan)
    ratio = ratio[np.isfinite(ratio)]
    seen = f"{float(np.median(ratio)):.4f}" if ratio.size else "unread"
    what = f"turns by 2 m theta_i, the rotation applied twice (fitted angle {seen} m theta_i)"
    yield c.model("rotated_twice", what, 2.0 * c.phi, scale=c.factor**2)
    if c.factor != 1.0:
        yield c.model("rotated_twice", f"{what}, the attention factor once", 2.0 * c.phi)


def _wrapped_or_clamped(c: Case, est: np.ndarray) -> Iterator[Model]:
    m = c.positions
    off = np.isfinite(est) & (np.abs(est - m) > 0.5)
    if not np.any(off):
        return
    m_off, m_eff = m[off], np.round(est[off])
    if np.all(m_eff == 0):  # a cache of 1 row, or m mod 1: no rotation at all
        what = "turns no pair at any position: RoPE is not applied (every position reads as 0)"
        yield c.model("pairs_unrotated", what, np.zeros_like(c.phi))
        return
    seen = f"position {m_off[-1]:g} turns as {m_eff[-1]:g}"
    gaps = m_off - m_eff
    if np.all(gaps > 0) and np.all(gaps < 2.0**62):
        modulus = int(np.gcd.reduce(gaps.astype(np.int64)))
        yield from _wrapped(c, modulus, bool(np.any(m_eff < 0)), seen)
    below = m_eff[(m_eff >= 0) & (m_eff < m_off)]
    if below.size:
        values, counts = np.unique(below, return_counts=True)
        length = int(values[np.argmax(counts)]) + 1  # the last row, read for every m >= L
        what = (
            f"reads row min(m, {length - 1}) of a cos/sin cache of {length} rows (fitted "
            f"length {length}: {seen}): positions past the cache are clamped to its last row"
        )
        yield _at(c, "cache_too_short", what, np.minimum(m, length - 1))


def _wrapped(c: Case, modulus: int, signed: bool, seen: str) -> Iterator[Model]:
    bits = modulus.bit_length() - 1
    if modulus in FIELD_MODULI:
        if signed:  # two's complement: m >= 2^(bits-1) turns as m - 2^bits
            what = (
                f"holds the positions in an int{bits} field: m >= {modulus // 2} wrap to "
                f"m - {modulus} (fitted modulus {modulus}: {seen})"
            )
            wrapped = np.mod(c.positions + modulus // 2, modulus) - modulus // 2
        else:
            what = (
                f"holds the positions in a uint{bits} field: m mod {modulus} (fitted "
                f"modulus {modulus}: {seen})"
            )
            wrapped = np.mod(c.positions, modulus)
        yield _at(c, "positions_wrapped", what, wrapped)
    if not signed:
        what = (
            f"reads row m mod {modulus} of a cos/sin cache of {modulus} rows (fitted length "
            f"{modulus}: {seen}): positions past the cache wrap around"
        )
        yield _at(c, "cache_too_short", what, np.mod(c.positions, modulus))


def _at(c: Case, name: str, what: str, positions: np.ndarray) -> Model:
    """The stated RoPE turned at other positions (seq,)."""
    return c.model(name, what, positions[:, None] * c.theta[None, :])


def _last_features_rotated(c: Case) -> Iterator[Model]:
    """x[..., d - r:] turned where x[..., :r] is stated: the stated pairs (layout, theta,
    attention factor) over features [d - r, d) (``Model.offset``), and over features
    [k, k + r) with k the first feature the outputs change, where that is another one
    that fits (a slice at another offset)."""
    d, r = c.d, c.rotary_dim
    if r >= d:
        return
    changed = np.flatnonzero(np.any(~(c.y == c.x), axis=(0, 1, 2)))  # NaN counts as changed
    fitted = int(changed[0]) if changed.size else d
    kept = f"fitted offset {fitted}: the first {fitted} features come out unchanged"
    what = (
        f"rotates the last {r} features (x[..., {d - r}:]) where rotary_dim={r} turns "
        f"the first {r} ({kept})"
    )
    yield replace(c.model("last_features_rotated", what), offset=d - r)
    if 0 < fitted < d - r:
        what = (
            f"rotates features x[..., {fitted}:{fitted + r}] where rotary_dim={r} turns "
            f"the first {r} ({kept})"
        )
        yield replace(c.model("last_features_rotated", what), offset=fitted)


def _attention_factor_wrong(c: Case) -> Iterator[Model]:
    w = pair_ratios(c.x, c.y, c.layout, c.rotary_dim)
    norms = np.abs(w[np.isfinite(w)])
    if norms.size == 0:
        return
    fitted = float(np.median(norms))
    if not (np.isfinite(fitted) and fitted > 0):  # all-zero outputs: no factor to fit
        return
    known = _known_factors(c)
    picks: dict[float, str] = {}
    for value, words in known:  # the first formula that gives a value names it
        if abs(value / fitted - 1) < 1e-3:
            picks.setdefault(value, words)
    for value in (fitted, *(float(f"{fitted:.{k}g}") for k in (4, 3, 2))):
        picks.setdefault(value, "")
    taken = [c.factor] + ([1.0, c.factor**2] if c.factor != 1.0 else [])  # other classes
    same = 8 * UNIT_ROUNDOFFS[c.precision]
    for value, words in sorted(picks.items()):
        if not (value > 0 and all(abs(value / t - 1) > same for t in taken)):
            continue
        what = (
            f"multiplies the rotated features by {value:.6g} (fitted {fitted:.6g}{words}) "
            f"where the attention factor {c.factor:.6g} is stated"
        )
        plausible = bool(words) or value == float(f"{value:.3g}")
        yield c.model("attention_factor_wrong", what, scale=value, plausible=plausible)


def _known_factors(c: Case) -> list[tuple[float, str]]:
    """(value, " = formula") of the factors real ports apply in place of the stated one."""
    out = [(math.sqrt(c.factor), f" = sqrt({c.factor:.6g}): the stated factor on the scores")]
    p = c.rope_scaling or {}
    s = p.get("factor")
    if not isinstance(s, (int, float)) or s <= 1:
        return out
    out.append((0.1 * math.log(s) + 1, f" = 0.1 ln {s:g} + 1, YaRN's sqrt(1/t)"))
    for key in ("mscale", "mscale_all_dim"):
        a = p.get(key)
        if isinstance(a, (int, float)) and a:
            out.append(
                (
                    0.1 * a * math.log(s) + 1,
                    f" = 0.1 {key} ln {s:g} + 1 ({key} {a:g}), not divided by the other mscale",
                )
            )
    big = p.get("original_max_position_embeddings")
    if isinstance(big, int) and big > 1:
        out.append(
            (math.sqrt(1 + math.log(s) / math.log(big)), f" = sqrt(1 + ln {s:g} / ln {big})")
        )
    return out


def _dynamic_ntk_wrong_length(c: Case) -> Iterator[Model]:
    if c.rope_scaling is None or rope_type_of(c.rope_scaling) != "dynamic" or c.rotary_dim < 4:
        return
    s, big, r = c.rope_scaling["factor"], c.rope_scaling["max_position_embeddings"], c.rotary_dim
    fitted_base = fit_base(c, lambda b: frequencies(r, b))
    scale = (fitted_base / c.base) ** ((r - 2) / r)  # b' = b s^(r/(r-2)) (bloc97)
    length = (scale + s - 1) * big / s  # s(l) = s l / L - (s - 1) (emozilla)
    if not np.isfinite(length) or length <= big:
        return  # at or below L dynamic NTK does not scale: scaling_ignored names that
    notes = {round(length): "", 2 ** round(math.log2(length)): ""}
    if float(big * s).is_integer():
        notes[int(big * s)] = f" = max_position_embeddings {big} x factor {s:g}"
    for length_used, note in sorted(notes.items()):
        if length_used == c.seq_len or length_used <= big:
            continue
        theta, factor = frequencies_for(r, c.base, c.rope_scaling, length_used, c.form)
        what = (
            f"scales dynamic NTK for a length of {length_used}{note} (fitted {length:.6g}) "
            f"where the positions call for seq_len = {c.seq_len} (max(position_ids) + 1)"
        )
        yield c.model(
            "dynamic_ntk_wrong_length",
            what,
            c.positions[:, None] * theta[None, :],
            scale=factor,
            plausible=bool(note) or length_used == round(length),
        )


def fit_base(c: Case, theta_of) -> float:
    """The base b whose frequencies ``theta_of(b)`` (r/2,) best match the outputs' phase
    slopes (``phase_lines``): a grid over [1.5, 1e10] in ln b, then a golden-section
    search on the bracket around its minimum."""
    omega, _ = phase_lines(c.positions, pair_ratios(c.x, c.y, c.layout, c.rotary_dim))
    m_max = float(np.max(np.abs(c.positions))) or 1.0

    def misfit(log_b: float) -> float:
        return float(np.sum((m_max * (omega - theta_of(float(np.exp(log_b))))) ** 2))

    grid = np.linspace(np.log(1.5), np.log(1e10), 241)
    k = int(np.argmin([misfit(g) for g in grid]))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    for _ in range(60):
        m1, m2 = hi - 0.618 * (hi - lo), lo + 0.618 * (hi - lo)
        lo, hi = (lo, m2) if misfit(m1) < misfit(m2) else (m1, hi)
    return float(np.exp((lo + hi) / 2))


def ntk_words(c: Case, b: float) -> str:
    """How a fitted base b reads against the stated one: " = 10000 * 8^(64/62), the
    NTK-scaled base" when b is the stated base NTK-scaled (bloc97: b s^(r/(r-2))) by a
    whole factor or the dict's, else ""."""
    r = c.rotary_dim
    if r < 4 or b <= c.base:
        return ""
    s = (b / c.base) ** ((r - 2) / r)
    stated = (c.rope_scaling or {}).get("factor")
    for t in [stated] + list(range(2, 129)):
        if isinstance(t, (int, float)) and t > 1 and abs(s / t - 1) < 1e-4:
            return f" = {c.base:g} * {t:g}^({r}/{r - 2}), the NTK-scaled base"
    return ""
