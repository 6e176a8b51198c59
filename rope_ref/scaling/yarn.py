"""YaRN (Peng, Quesnelle, Fan, Shippole 2023, arXiv 2309.00071) for ``rope_ref.scaling``.

The paper, with s = factor, L = original_max_position_embeddings, theta_i = b^(-2i/r):

- "NTK-by-parts" (sec 3.2): r_i = L / lambda_i = L theta_i / (2 pi) rotations of pair i in
  the original context; the ramp gamma(r) = 0 for r < alpha, 1 for r > beta,
  (r - alpha) / (beta - alpha) between (alpha = beta_slow = 1, beta = beta_fast = 32);
  h(theta_i) = (1 - gamma(r_i)) theta_i / s + gamma(r_i) theta_i.
- YaRN (sec 3.4): softmax(q^T k / (t sqrt|D|)) with sqrt(1/t) = 0.1 ln s + 1, applied by
  scaling both q and k (so cos and sin) by sqrt(1/t): the attention factor.
- ``mscale`` / ``mscale_all_dim`` are not the paper's: DeepSeek-V2's reference
  (modeling_deepseek.py) uses m(s, a) = 0.1 a ln s + 1 (1 for s <= 1) and the factor
  m(s, mscale) / m(s, mscale_all_dim), with defaults mscale = 1, mscale_all_dim = 0.

Where HF transformers 5.24 (``_compute_yarn_parameters``, following the YaRN authors'
code) departs, ``hf_compat=True`` follows HF:

1. The ramp is linear in the index i, not in r_i: HF finds the (fractional) indices where
   r_i = beta_fast and r_i = beta_slow, i = r ln(L / (2 pi beta)) / (2 ln b), rounds them
   outwards (floor / ceil, unless ``truncate`` is False), clamps to [0, r-1], and ramps
   linearly between them. The two agree at the ramp's ends; inside, the paper's ramp is
   exponential in i. ``truncate`` only exists in this form; with hf_compat=False a
   ``truncate`` key is an error rather than silently ignored.
2. The attention factor uses mscale only when mscale and mscale_all_dim are both given
   and non-zero; otherwise 0.1 ln s + 1. DeepSeek's reference uses a lone mscale (with
   mscale_all_dim = 0) or a lone mscale_all_dim (with mscale = 1). They agree whenever
   both are given and non-zero (DeepSeek-V2/V3 configs give both).
"""

from __future__ import annotations

import math

import numpy as np

from rope_ref.paper.angles import UNIT_ROUNDOFF
from rope_ref.paper.frequencies import frequencies
from rope_ref.validation import check_yarn_truncate


def yarn_factor(p: dict) -> float:
    """s = factor, or max_position_embeddings / original (HF, DeepSeek-V3) when None."""
    s = p.get("factor")
    if s is None:
        return p["max_position_embeddings"] / p["original_max_position_embeddings"]
    return s


def yarn_frequencies(p: dict, hf_compat: bool) -> np.ndarray:
    """h(theta_i) of NTK-by-parts; the ramp gamma per the paper or (hf_compat) per HF.

    Returns (r/2,) float64 with r = p["rotary_dim"].
    """
    r, b, s = p["rotary_dim"], p["rope_theta"], yarn_factor(p)
    L = p["original_max_position_embeddings"]
    beta_fast, beta_slow = p.get("beta_fast", 32.0), p.get("beta_slow", 1.0)
    theta = frequencies(r, b)
    if hf_compat:
        gamma = _index_ramp(r, b, L, beta_fast, beta_slow, p.get("truncate", True))
    else:
        check_yarn_truncate(p, hf_compat)
        rotations = L * theta / (2 * math.pi)
        gamma = np.clip((rotations - beta_slow) / (beta_fast - beta_slow), 0.0, 1.0)
    return (1 - gamma) * theta / s + gamma * theta


def yarn_attention_factor(p: dict, hf_compat: bool) -> float:
    """sqrt(1/t) = 0.1 ln s + 1 (sec 3.4), an explicit ``attention_factor``, or DeepSeek's
    mscale ratio (HF's reading of it under hf_compat; see the module docstring)."""
    if "attention_factor" in p:
        return p["attention_factor"]
    s = yarn_factor(p)
    mscale, mscale_all_dim = p.get("mscale"), p.get("mscale_all_dim")
    if hf_compat:
        if mscale and mscale_all_dim:
            return _mscale(s, mscale) / _mscale(s, mscale_all_dim)
        return _mscale(s, 1.0)
    if mscale is None and mscale_all_dim is None:
        return _mscale(s, 1.0)
    mscale = 1.0 if mscale is None else mscale
    mscale_all_dim = 0.0 if mscale_all_dim is None else mscale_all_dim
    return _mscale(s, mscale) / _mscale(s, mscale_all_dim)


def _mscale(s: float, a: float) -> float:
    """m(s, a) = 0.1 a ln s + 1 for s > 1, else 1 (YaRN sec 3.4; DeepSeek's yarn_get_mscale)."""
    return 1.0 if s <= 1.0 else 0.1 * a * math.log(s) + 1.0


def _index_ramp(r, b, L, beta_fast, beta_slow, truncate) -> np.ndarray:
    """HF's gamma: 1 - clamp((i - low) / (high - low), 0, 1) over i = 0..r/2-1."""
    low, high = _ramp_ends(r, b, L, beta_fast, beta_slow, truncate)
    i = np.arange(r // 2, dtype=np.float64)
    return 1.0 - np.clip((i - low) / (high - low), 0.0, 1.0)


def _ramp_ends(r, b, L, beta_fast, beta_slow, truncate) -> tuple[float, float]:
    """HF's (low, high): the indices where L theta_i / (2 pi) = beta_fast, beta_slow."""
    low, high = (_index_of(x, r, b, L) for x in (beta_fast, beta_slow))
    if truncate:
        low, high = math.floor(low), math.ceil(high)
    low, high = max(low, 0), min(high, r - 1)
    if low == high:
        high += 0.001  # HF's guard against a zero-width ramp
    return low, high


def _index_of(rotations: float, r: int, b: float, L: int) -> float:
    """i = r ln(L / (2 pi rotations)) / (2 ln b), HF's find_correction_dim."""
    return (r * math.log(L / (rotations * 2 * math.pi))) / (2 * math.log(b))


def blend_error(g: np.ndarray, dg: np.ndarray, s: float) -> np.ndarray:
    """Relative error of h = (1 - g) theta / s + g theta from an error dg in g:
    (1 - 1/s) dg / ((g - dg)^+ (1 - 1/s) + 1/s). Used by ``scaled_theta_error_bound``."""
    return (1 - 1 / s) * dg / (np.maximum(g - dg, 0.0) * (1 - 1 / s) + 1 / s)


def ramp_blend_error(rho, alpha, beta, e, s) -> np.ndarray:
    """``blend_error`` for g = clip((rho - alpha) / (beta - alpha), 0, 1) with rho known to
    a relative e: dg = rho e / (beta - alpha), and 0 where rho is outside [alpha, beta] by
    more than its error (g is then exactly 0 or 1)."""
    g = np.clip((rho - alpha) / (beta - alpha), 0.0, 1.0)
    inside = (rho * (1 - e) <= beta) & (rho * (1 + e) >= alpha)
    return blend_error(g, np.where(inside, rho * e / (beta - alpha), 0.0), s)


def yarn_blend_error(p: dict, hf_compat: bool, t: np.ndarray) -> np.ndarray:
    """The B_i term of ``scaled_theta_error_bound`` for yarn (t: theta's own bound)."""
    u = UNIT_ROUNDOFF
    r, b, s = p["rotary_dim"], p["rope_theta"], yarn_factor(p)
    L = p["original_max_position_embeddings"]
    beta_fast, beta_slow = p.get("beta_fast", 32.0), p.get("beta_slow", 1.0)
    if not hf_compat:
        rho = L * frequencies(r, b) / (2 * math.pi)
        return ramp_blend_error(rho, beta_slow, beta_fast, t + 4 * u, s)
    truncate = p.get("truncate", True)
    g = _index_ramp(r, b, L, beta_fast, beta_slow, truncate)
    low, high = _ramp_ends(r, b, L, beta_fast, beta_slow, truncate)
    ends = (_index_of(x, r, b, L) for x in (beta_fast, beta_slow))
    e = 0.0 if truncate else sum(5 * u * abs(x) + 2 * u * r / math.log(b) for x in ends)
    # |high - low|: clamping to [0, r - 1] can put high below low (HF's ramp then runs
    # backwards), and the error of the ramp's slope is that of its magnitude
    return blend_error(g, np.full(g.shape, 2 * e / abs(high - low) + 2 * u), s)
