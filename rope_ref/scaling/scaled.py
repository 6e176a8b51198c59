"""Variants of step 1: the scaled frequencies that long-context models use.

``scaled_frequencies(d, base, rope_scaling, seq_len=None) -> (theta, attention_factor)``
takes the same dicts that HF transformers configs carry (transformers 5 ``rope_parameters``
with ``rope_theta`` and ``partial_rotary_factor``, or an older ``rope_scaling`` with
``type``), so a model's config can be pasted. Each variant follows its own paper or
reference, cited below; ``hf_compat=True`` selects HF transformers' (5.24) behaviour where
it departs from that source. ``hf_compat`` changes formulas, never precision: rope_ref
always computes in float64 (HF computes inv_freq in float32).

Every variant is a new Theta = {theta_i} for the rotation of eq 15 (arXiv 2104.09864 v5),
possibly with a factor on cos and sin; rotation itself is unchanged. A variant that
scales positions (linear: m -> m / s) is written as theta_i / s, since m theta_i is all
the rotation sees.

================  ===========================================  ==============================
rope_type         theta_i (i = 0..r/2-1, theta_i = b^(-2i/r))  source
================  ===========================================  ==============================
default           theta_i                                      eq 15
linear            theta_i / s                                  Chen et al. 2023 (PI)
ntk               (b s^(r/(r-2)))^(-2i/r)                      bloc97 2023; YaRN sec 3.1
dynamic           as ntk, with s from the current length       emozilla 2023; YaRN sec 3.3
yarn              ramp between theta_i / s and theta_i         Peng et al. 2023 (YaRN)
llama3            wavelength bands, smooth in between          Meta llama-models 3.1
longrope          theta_i / lambda_i (searched per i)          Ding et al. 2024 (LongRoPE)
proportional      b^(-2i/d) for i < p d/2, else 0; / s         Barbero et al. 2024 (p-RoPE)
================  ===========================================  ==============================

Here r is the rotary dimension int(d * partial_rotary_factor), b the base (``rope_theta``)
and s the ``factor``.

Where a source and HF transformers 5.24 disagree:

- yarn: the ramp (paper: linear in L theta_i / (2 pi); HF: linear in i between
  floor/ceil-rounded ends) and a lone mscale / mscale_all_dim (DeepSeek reads it, HF
  ignores it). ``hf_compat=True`` gives HF's; see ``rope_ref.scaling.yarn``.
- dynamic: the YaRN paper's s = max(1, l / L) is emozilla's formula with factor = 1;
  rope_ref and HF use emozilla's. HF also caches: it keeps the grown frequencies until
  seq_len drops below max_position_embeddings. rope_ref is a pure function of seq_len.
- longrope: the paper's n_hat (first positions unscaled) is absent in Phi-3, HF and here.
- all: HF forms inv_freq in float32 (relative error up to ~3e-7), and rope_ref in float64.
"""

from __future__ import annotations

import math

import numpy as np

from rope_ref.paper.angles import UNIT_ROUNDOFF, theta_error_bound
from rope_ref.paper.frequencies import frequencies
from rope_ref.scaling.yarn import (
    ramp_blend_error,
    yarn_attention_factor,
    yarn_blend_error,
    yarn_frequencies,
)
from rope_ref.validation import (
    check_base,
    check_base_agrees,
    check_bool,
    check_even_dim,
    check_ntk_base,
    check_rope_scaling,
    check_rotary_dim,
    check_scaled_rotary_dim,
    check_scaled_theta,
    check_seq_len,
)


def scaled_frequencies(
    d: int,
    base: float | None,
    rope_scaling: dict | None,
    seq_len: int | None = None,
    *,
    hf_compat: bool = False,
) -> tuple[np.ndarray, float]:
    """Theta for a RoPE scaling variant, and the factor on cos and sin.

    Args:
        d: the head dimension (HF's head_dim); even. The rotary dimension is
            r = int(d * partial_rotary_factor) (d when the dict has none).
        base: b of eq 15; None takes ``rope_scaling['rope_theta']`` (10000 when absent).
            Given together with a different rope_theta, it is an error.
        rope_scaling: None (plain eq 15) or an HF-style dict; see the module table and
            ``rope_ref.validation.ROPE_SCALING_KEYS`` for the keys of each rope_type.
            Not in HF's dict but needed here: ``max_position_embeddings`` (HF reads it from
            the model config) for ``dynamic``, and for yarn/longrope with factor None.
        seq_len: the current sequence length; required for ``dynamic``, selects the long
            factors of ``longrope`` when > original_max_position_embeddings.
        hf_compat: follow HF transformers 5.24 where it departs from the source
            (only ``yarn``'s formulas differ; see the module docstring).

    Returns:
        theta: (r/2,) float64 (for ``proportional``, (d/2,) with zeros past the rotated
            ones), and attention_factor: a float that multiplies cos and sin (so the
            scores q_m^T k_n of eq 16 scale by its square); 1.0 for most variants.
    """
    d = check_even_dim("d", d)
    hf_compat = check_bool("hf_compat", hf_compat)
    if rope_scaling is None:
        check_seq_len(seq_len, "default")
        return frequencies(d, 10000.0 if base is None else check_base(base)), 1.0
    p = check_rope_scaling(rope_scaling, d)
    p["rope_theta"] = check_base_agrees(base, p["rope_theta"])
    seq_len = check_seq_len(seq_len, p["rope_type"])
    with np.errstate(over="ignore", invalid="ignore"):  # reported just below
        theta, attention_factor = _VARIANTS[p["rope_type"]](p, d, seq_len, hf_compat)
    return check_scaled_theta(theta, attention_factor, p)


def scaled_theta_error_bound(
    d: int,
    base: float | None,
    rope_scaling: dict | None,
    seq_len: int | None = None,
    *,
    hf_compat: bool = False,
) -> np.ndarray:
    """Relative error bound of ``scaled_frequencies(...)[0]`` against the exact theta.

    Extends ``rope_ref.angles.theta_error_bound`` (t_i, for b^(-2i/r)) to the variants:

        t'_i = t_i(b') + e_b + 12u + B_i

    - b' is the base the powers use: b s^(r/(r-2)) for ntk/dynamic, else b; e_b is the
      relative error of b' itself, u (4 + 2 |ln s| r/(r-2)) (ntk) plus 6u (1 + factor)
      for dynamic's s = factor l / L - (factor - 1); 0 otherwise.
    - 12u covers the divisions and products a variant adds (factor, lambda_i, the blend).
    - B_i is the error a blend h = (1 - g) theta / s + g theta takes from its weight g
      (yarn, llama3): B_i = (1 - 1/s) dg_i / (g_i (1 - 1/s) + 1/s), with dg_i the error
      of g_i: rho_i (t_i + 4u) / (beta - alpha) when g is a ramp in rho_i = L theta_i /
      (2 pi) (the YaRN paper's gamma, llama3's smooth factor; 0 where rho_i is outside
      the ramp by more than its error, so g is exactly 0 or 1), and for HF's index ramp
      2 (e_low + e_high) / (high - low) + 2u, where e_low, e_high are the errors of the
      ramp's ends (0 when truncated to integers, else 5u |x| + 2u r / ln b each).
      The 1/s in the denominator is why a blend near g = 0 amplifies dg by up to s - 1.

    Zero frequencies (proportional) are exact. Shape (len(theta),), float64.
    """
    theta, _ = scaled_frequencies(d, base, rope_scaling, seq_len, hf_compat=hf_compat)
    if rope_scaling is None:
        return theta_error_bound(2 * theta.size, 10000.0 if base is None else base)
    p = check_rope_scaling(rope_scaling, d)
    b = p["rope_theta"] = check_base_agrees(base, p["rope_theta"])
    u, kind, r = UNIT_ROUNDOFF, p["rope_type"], 2 * theta.size
    e_b = 0.0
    if kind in ("ntk", "dynamic"):
        s = _ntk_alpha(p, seq_len)
        e_b = u * (4 + 2 * abs(math.log(s)) * r / (r - 2))
        e_b += 6 * u * (1 + p["factor"]) if kind == "dynamic" else 0.0
        b = b * s ** (r / (r - 2))
    t = theta_error_bound(r, b) + e_b + 12 * u
    if kind == "yarn":
        t = t + yarn_blend_error(p, hf_compat, t)
    if kind == "llama3":
        rho = p["original_max_position_embeddings"] * frequencies(r, b) / (2 * math.pi)
        low, high = p["low_freq_factor"], p["high_freq_factor"]
        t = t + ramp_blend_error(rho, low, high, t + 4 * u, p["factor"])
    return t


def _default(p, d, seq_len, hf_compat):
    """theta_i = b^(-2i/r) (eq 15), over the rotary dimension r."""
    return frequencies(p["rotary_dim"], p["rope_theta"]), 1.0


def _linear(p, d, seq_len, hf_compat):
    """Position interpolation (Chen et al. 2023, arXiv 2306.15595, sec 2.2):
    f'(x, m) = f(x, m L / L') with s = L'/L = factor; m theta_i / s = m (theta_i / s).
    HF divides inv_freq by the factor too: the same."""
    return frequencies(p["rotary_dim"], p["rope_theta"]) / p["factor"], 1.0


def _ntk_alpha(p, seq_len) -> float:
    """The NTK scale: the factor s (ntk), or emozilla's dynamic s(l) (dynamic)."""
    if p["rope_type"] == "ntk":
        return p["factor"]
    s, L = p["factor"], p["max_position_embeddings"]
    return s * max(seq_len, L) / L - (s - 1.0)


def _ntk(p, d, seq_len, hf_compat):
    """NTK-aware scaling (bloc97, "NTK-Aware Scaled RoPE allows LLaMA models to have
    extended (8k+) context size without any fine-tuning", reddit.com/r/LocalLLaMA 14lz7j5,
    2023; YaRN, arXiv 2309.00071, sec 3.1): b' = b s^(r/(r-2)), theta_i = b'^(-2i/r). Not an HF
    rope_type; rotary-embedding-torch's ``theta_rescale_factor`` is the same formula.

    ``dynamic`` (emozilla, "Dynamically Scaled RoPE", Reddit r/LocalLLaMA 2023, the code HF
    adopted) uses s(l) = factor l / L - (factor - 1) with l = max(seq_len, L) and
    L = max_position_embeddings, so no scaling up to L. The YaRN paper (sec 3.3) writes
    dynamic scaling as s = max(1, l / L): the factor = 1 case of the same formula.
    """
    r, s = p["rotary_dim"], _ntk_alpha(p, seq_len)
    check_ntk_base(p["rope_theta"], s, r, p["rope_type"])
    base = p["rope_theta"] * s ** (r / (r - 2))
    return frequencies(r, base), 1.0


def _llama3(p, d, seq_len, hf_compat):
    """Llama 3.1 (Meta llama-models, ``apply_scaling``): with wavelength lambda_i =
    2 pi / theta_i and L = original_max_position_embeddings,
    lambda_i < L / high_freq_factor: theta_i; lambda_i > L / low_freq_factor: theta_i / s;
    between: (1 - g) theta_i / s + g theta_i with g = (L / lambda_i - low) / (high - low).
    HF's ``_compute_llama3_parameters`` is the same (in float32)."""
    theta = frequencies(p["rotary_dim"], p["rope_theta"])
    s, L = p["factor"], p["original_max_position_embeddings"]
    low, high = p["low_freq_factor"], p["high_freq_factor"]
    wavelen = 2 * math.pi / theta
    g = (L / wavelen - low) / (high - low)
    out = np.where(wavelen > L / low, theta / s, theta)
    medium = (wavelen >= L / high) & (wavelen <= L / low)
    return np.where(medium, (1 - g) * theta / s + g * theta, out), 1.0


def _longrope(p, d, seq_len, hf_compat):
    """LongRoPE (Ding et al. 2024, arXiv 2402.13753, secs 2-3): theta_i / lambda_i
    with searched factors lambda_i: ``long_factor`` when seq_len > L =
    original_max_position_embeddings, ``short_factor`` otherwise (or when seq_len is None).
    The paper also keeps the first n_hat positions unscaled; Phi-3 and HF use n_hat = 0,
    and so does rope_ref (n_hat is not a property of theta). The attention factor
    sqrt(1 + ln s / ln L) (1 when s <= 1), s = factor or max_position_embeddings / L, is
    Phi-3's (Microsoft, modeling_phi3.py); HF is the same."""
    L = p["original_max_position_embeddings"]
    lam = p["long_factor"] if seq_len is not None and seq_len > L else p["short_factor"]
    theta = frequencies(p["rotary_dim"], p["rope_theta"]) / lam
    if "attention_factor" in p:
        return theta, p["attention_factor"]
    s = p.get("factor") or p["max_position_embeddings"] / L
    return theta, 1.0 if s <= 1.0 else math.sqrt(1 + math.log(s) / math.log(L))


def _proportional(p, d, seq_len, hf_compat):
    """Proportional RoPE (p-RoPE, Barbero et al. 2024, arXiv 2410.06205; HF's
    ``proportional``, transformers 5): keep the floor(p d / 2) highest frequencies
    b^(-2i/d), exponent over the full head d, and set the rest to 0 (those pairs are not
    rotated); then divide by ``factor`` (an HF addition, default 1). theta has d/2 entries."""
    keep = int(p.get("partial_rotary_factor", 1.0) * d // 2)
    theta = frequencies(d, p["rope_theta"])
    theta[keep:] = 0.0
    return theta / p.get("factor", 1.0), 1.0


def _yarn(p, d, seq_len, hf_compat):
    """YaRN (Peng et al. 2023); see ``rope_ref.scaling.yarn``."""
    return yarn_frequencies(p, hf_compat), yarn_attention_factor(p, hf_compat)


_VARIANTS = {
    "default": _default,
    "linear": _linear,
    "ntk": _ntk,
    "dynamic": _ntk,
    "yarn": _yarn,
    "llama3": _llama3,
    "longrope": _longrope,
    "proportional": _proportional,
}


def _head_frequencies(d, rotary_dim, base, rope_scaling, seq_len, hf_compat):
    """(theta, attention_factor, r) for a head of d features, as ``rotate`` needs them."""
    check_rotary_dim(rotary_dim, d)
    n = _scaling_dim(d, rotary_dim, rope_scaling)
    theta, attention_factor = scaled_frequencies(
        n, base, rope_scaling, seq_len, hf_compat=hf_compat
    )
    return theta, attention_factor, check_scaled_rotary_dim(rotary_dim, 2 * theta.size)


def _scaling_dim(d, rotary_dim, rope_scaling) -> int:
    """The d to pass to ``scaled_frequencies`` for a head of d features.

    A dict with ``partial_rotary_factor`` (or rope_type ``proportional``) is defined over
    the head dimension d and fixes r itself; any other is computed over rotary_dim (d
    when None), as eq 15 is.
    """
    over_head = isinstance(rope_scaling, dict) and (
        "partial_rotary_factor" in rope_scaling
        or rope_scaling.get("rope_type", rope_scaling.get("type")) == "proportional"
    )
    return d if over_head or rotary_dim is None else rotary_dim
