"""YaRN (Peng, Quesnelle, Fan, Shippole 2023, arXiv 2309.00071), rope_type ``yarn``.

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

Two forms (``form``). The default, ``form="code"``, is the YaRN authors' released code
(jquesnelle/yarn, ``_yarn_find_correction_range``), which HF transformers 5.24
(``_compute_yarn_parameters``) copies and every YaRN model was trained and is served
with. ``form="paper"`` is the paper's idealisation. They differ in two places:

1. The ramp. Code: linear in the index i, not in r_i: find the (fractional) indices where
   r_i = beta_fast and r_i = beta_slow, i = r ln(L / (2 pi beta)) / (2 ln b), round them
   outwards (floor / ceil, unless ``truncate`` is False), clamp to [0, r-1], and ramp
   linearly between them. Paper: gamma(r_i), linear in r_i, which is exponential in i.
   The two agree at the ramp's ends. ``truncate`` only exists in the code's form; with
   form="paper" a ``truncate`` key is an error rather than silently ignored.
2. The attention factor. Code (HF): mscale only when mscale and mscale_all_dim are both
   given and non-zero; otherwise 0.1 ln s + 1. ``form="paper"`` here follows DeepSeek's
   reference (modeling_deepseek.py), which also reads a lone mscale (with mscale_all_dim
   = 0) or a lone mscale_all_dim (with mscale = 1). They agree whenever both are given
   and non-zero (DeepSeek-V2/V3 configs give both).

(The older keyword ``hf_compat=True`` is ``form="code"`` and ``hf_compat=False`` is
``form="paper"``; v0.1 defaulted to the paper's form.)
"""

from __future__ import annotations

import math

import numpy as np

from rope_ref.paper.frequencies import frequencies
from rope_ref.validation import check_yarn_truncate


def yarn_factor(p: dict) -> float:
    """s = factor, or max_position_embeddings / original (HF, DeepSeek-V3) when None."""
    s = p.get("factor")
    if s is None:
        return p["max_position_embeddings"] / p["original_max_position_embeddings"]
    return s


def yarn_frequencies(p: dict, form: str) -> np.ndarray:
    """h(theta_i) of NTK-by-parts; the ramp gamma per the released code (form "code") or
    per the paper (form "paper").

    Returns (r/2,) float64 with r = p["rotary_dim"].
    """
    r, b, s = p["rotary_dim"], p["rope_theta"], yarn_factor(p)
    L = p["original_max_position_embeddings"]
    beta_fast, beta_slow = p["beta_fast"], p["beta_slow"]  # 32, 1 by default (sec 3.2)
    theta = frequencies(r, b)
    if form == "code":
        gamma = index_ramp(r, b, L, beta_fast, beta_slow, p.get("truncate", True))
    else:
        check_yarn_truncate(p, form)
        rotations = L * theta / (2 * math.pi)  # r_i = L / lambda_i (sec 3.2)
        gamma = np.clip((rotations - beta_slow) / (beta_fast - beta_slow), 0.0, 1.0)  # gamma(r)
    return (1 - gamma) * theta / s + gamma * theta  # h(theta_i), NTK-by-parts (sec 3.2)


def yarn_attention_factor(p: dict, form: str) -> float:
    """sqrt(1/t) = 0.1 ln s + 1 (sec 3.4), an explicit ``attention_factor``, or DeepSeek's
    mscale ratio (HF's reading of it in form "code"; see the module docstring)."""
    if "attention_factor" in p:
        return p["attention_factor"]
    s = yarn_factor(p)
    mscale, mscale_all_dim = p.get("mscale"), p.get("mscale_all_dim")
    if form == "code":
        if mscale and mscale_all_dim:
            return mscale_of(s, mscale) / mscale_of(s, mscale_all_dim)
        return mscale_of(s, 1.0)
    if mscale is None and mscale_all_dim is None:
        return mscale_of(s, 1.0)
    mscale = 1.0 if mscale is None else mscale
    mscale_all_dim = 0.0 if mscale_all_dim is None else mscale_all_dim
    return mscale_of(s, mscale) / mscale_of(s, mscale_all_dim)


def mscale_of(s: float, a: float) -> float:
    """m(s, a) = 0.1 a ln s + 1 for s > 1, else 1 (YaRN sec 3.4; DeepSeek's yarn_get_mscale)."""
    return 1.0 if s <= 1.0 else 0.1 * a * math.log(s) + 1.0


def index_ramp(r, b, L, beta_fast, beta_slow, truncate) -> np.ndarray:
    """HF's gamma: 1 - clamp((i - low) / (high - low), 0, 1) over i = 0..r/2-1."""
    low, high = ramp_ends(r, b, L, beta_fast, beta_slow, truncate)
    i = np.arange(r // 2, dtype=np.float64)
    return 1.0 - np.clip((i - low) / (high - low), 0.0, 1.0)


def ramp_ends(r, b, L, beta_fast, beta_slow, truncate) -> tuple[float, float]:
    """HF's (low, high): the indices where L theta_i / (2 pi) = beta_fast, beta_slow."""
    low, high = (index_of(x, r, b, L) for x in (beta_fast, beta_slow))
    if truncate:
        low, high = math.floor(low), math.ceil(high)
    low, high = max(low, 0), min(high, r - 1)
    if low == high:
        high += 0.001  # HF's guard against a zero-width ramp
    return low, high


def index_of(rotations: float, r: int, b: float, L: int) -> float:
    """i = r ln(L / (2 pi rotations)) / (2 ln b), HF's find_correction_dim."""
    return (r * math.log(L / (rotations * 2 * math.pi))) / (2 * math.log(b))


def yarn(p: dict, d: int, seq_len, form: str) -> tuple[np.ndarray, float]:
    """YaRN's theta (NTK-by-parts, sec 3.2) and attention factor (sec 3.4)."""
    return yarn_frequencies(p, form), yarn_attention_factor(p, form)
