"""Theta and the attention factor of every rope_type, in mpmath at 60 significant digits.

A second, independent writing of ``rope_ref.scaling`` (same sources, same equations), so
the golden set does not inherit a float64 slip of the NumPy path. Inputs are the checked
dict of ``rope_ref.scaling.config.resolve``; every float in it (base, factors) is
taken as the exact binary number it holds.
"""

from __future__ import annotations

from mpmath.ctx_mp import MPContext

from rope_ref.scaling.config import rotary_dim_for

#: Significant decimal digits of every exact value in the golden set.
DIGITS = 60

MP = MPContext()
MP.dps = DIGITS


def exact_frequencies(p: dict | None, d: int, base: float, seq_len, form: str):
    """(theta, attention_factor) as mpf: theta a list of r/2 (d/2 for proportional).
    form: "code" (the released code's YaRN) or "paper" (the YaRN paper's); the other
    variants have one form."""
    if p is None:
        return _powers(d, base, d // 2, d), MP.mpf(1)
    kind, r = p["rope_type"], p["rotary_dim"]
    if kind == "default":
        return _powers(r, base, r // 2, r), MP.mpf(1)
    if kind == "linear":
        return [t / MP.mpf(p["factor"]) for t in _powers(r, base, r // 2, r)], MP.mpf(1)
    if kind in ("ntk", "dynamic"):
        s = MP.mpf(p["factor"])
        if kind == "dynamic":
            L = MP.mpf(p["max_position_embeddings"])
            s = s * max(MP.mpf(seq_len), L) / L - (s - 1)
        b = MP.mpf(base) * s ** (MP.mpf(r) / (r - 2))
        return _powers(r, b, r // 2, r), MP.mpf(1)
    if kind == "llama3":
        return _llama3(p, r, base), MP.mpf(1)
    if kind == "longrope":
        return _longrope(p, r, base, seq_len)
    if kind == "proportional":
        keep = rotary_dim_for(d, p.get("partial_rotary_factor", 1.0)) // 2
        s = MP.mpf(p.get("factor", 1.0))
        theta = [t / s for t in _powers(d, base, keep, d)]
        return theta + [MP.mpf(0)] * (d // 2 - keep), MP.mpf(1)
    return _yarn(p, r, base, form), _yarn_factor(p, form)


def _powers(r: int, base, count: int, denominator: int) -> list:
    """b^(-2i/denominator) for i = 0..count-1 (eq 15)."""
    b = MP.mpf(base)
    return [b ** (MP.mpf(-2 * i) / denominator) for i in range(count)]


def _llama3(p: dict, r: int, base) -> list:
    s, L = MP.mpf(p["factor"]), MP.mpf(p["original_max_position_embeddings"])
    low, high = MP.mpf(p["low_freq_factor"]), MP.mpf(p["high_freq_factor"])
    out = []
    for t in _powers(r, base, r // 2, r):
        wavelen = 2 * MP.pi / t
        if wavelen < L / high:
            out.append(t)
        elif wavelen > L / low:
            out.append(t / s)
        else:
            g = (L / wavelen - low) / (high - low)
            out.append((1 - g) * t / s + g * t)
    return out


def _longrope(p: dict, r: int, base, seq_len):
    L = p["original_max_position_embeddings"]
    lam = p["long_factor"] if seq_len is not None and seq_len > L else p["short_factor"]
    theta = [t / MP.mpf(float(f)) for t, f in zip(_powers(r, base, r // 2, r), lam, strict=True)]
    if "attention_factor" in p:
        return theta, MP.mpf(p["attention_factor"])
    s = MP.mpf(p["factor"]) if p.get("factor") else MP.mpf(p["max_position_embeddings"]) / L
    return theta, MP.mpf(1) if s <= 1 else MP.sqrt(1 + MP.log(s) / MP.log(L))


def _yarn_s(p: dict):
    if p.get("factor") is None:
        return MP.mpf(p["max_position_embeddings"]) / p["original_max_position_embeddings"]
    return MP.mpf(p["factor"])


def _yarn(p: dict, r: int, base, form: str) -> list:
    s, L = _yarn_s(p), MP.mpf(p["original_max_position_embeddings"])
    fast, slow = MP.mpf(p["beta_fast"]), MP.mpf(p["beta_slow"])
    theta = _powers(r, base, r // 2, r)
    if form == "code":

        def index_of(rotations):
            return r * MP.log(L / (rotations * 2 * MP.pi)) / (2 * MP.log(MP.mpf(base)))

        low, high = index_of(fast), index_of(slow)
        if p.get("truncate", True):
            low, high = MP.floor(low), MP.ceil(high)
        low, high = max(low, MP.mpf(0)), min(high, MP.mpf(r - 1))
        if low == high:
            high += MP.mpf(0.001)
        gammas = [1 - min(max((i - low) / (high - low), 0), 1) for i in range(r // 2)]
    else:
        gammas = [min(max((L * t / (2 * MP.pi) - slow) / (fast - slow), 0), 1) for t in theta]
    return [(1 - g) * t / s + g * t for g, t in zip(gammas, theta, strict=True)]


def _yarn_factor(p: dict, form: str):
    if "attention_factor" in p:
        return MP.mpf(p["attention_factor"])
    s = _yarn_s(p)

    def m(a):
        return MP.mpf(1) if s <= 1 else MP.mpf(a) / 10 * MP.log(s) + 1

    mscale, mscale_all_dim = p.get("mscale"), p.get("mscale_all_dim")
    if form == "code":
        both = bool(mscale) and bool(mscale_all_dim)
        return m(mscale) / m(mscale_all_dim) if both else m(1.0)
    if mscale is None and mscale_all_dim is None:
        return m(1.0)
    return m(1.0 if mscale is None else mscale) / m(
        0.0 if mscale_all_dim is None else mscale_all_dim
    )
