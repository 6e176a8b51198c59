"""Variants of step 1: ``scaled_frequencies``, the scaled Theta of long-context models.

``scaled_frequencies(d, base, rope_scaling, seq_len=None) -> (theta, attention_factor)``
takes the same dicts that HF transformers configs carry (transformers 5 ``rope_parameters``
with ``rope_theta`` and ``partial_rotary_factor``, or an older ``rope_scaling`` with
``type``), so a model's config can be pasted, and by default it gives exactly what that
model runs. Each variant follows its own paper or reference, cited below; where a paper
and the released reference code that models run differ, the code is the default
(``form="code"``: HF transformers 5.24, the YaRN authors' code) and the paper's
idealisation is ``form="paper"``. ``form`` changes formulas, never precision: rope_ref
always computes in float64 (HF computes inv_freq in float32). The older keyword
``hf_compat`` is still accepted: ``hf_compat=True`` is ``form="code"``, ``hf_compat=False``
is ``form="paper"`` (v0.1's default was the paper's form; it is now the code's).

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
and s the ``factor``. Each variant is one function ``f(p, d, seq_len, form) ->
(theta, attention_factor)`` in a module of its own (``linear``, ``ntk``, ``yarn``,
``llama3``, ``longrope``, ``proportional``), p the dict as ``rope_ref.scaling.config``
resolves it; their error bounds are in ``rope_ref.paper.bounds``.

Where a source and the released code (HF transformers 5.24) disagree:

- yarn: the ramp (paper: linear in L theta_i / (2 pi); code: linear in i between
  floor/ceil-rounded ends, ``truncate``) and a lone mscale / mscale_all_dim (DeepSeek
  reads it, HF ignores it). The default is the code's; ``form="paper"`` gives the
  paper's; see ``rope_ref.scaling.yarn``.
- dynamic: the YaRN paper's s = max(1, l / L) is emozilla's formula with factor = 1;
  rope_ref and HF use emozilla's, with HF's threshold: no scaling while seq_len <=
  max_position_embeddings, where seq_len is HF's max(position_ids) + 1. HF also caches:
  it keeps the grown frequencies until seq_len drops below max_position_embeddings.
  rope_ref is a pure function of seq_len. Both forms are the same.
- longrope: the long factors when seq_len > original_max_position_embeddings, strictly,
  seq_len being max(position_ids) + 1 (Phi-3's and HF's switch); the paper's n_hat
  (first positions unscaled) is absent in Phi-3, HF and here. Both forms are the same.
- all: HF forms inv_freq in float32 (relative error up to ~3e-7), and rope_ref in float64.
"""

from __future__ import annotations

import numpy as np

from rope_ref.paper.frequencies import frequencies
from rope_ref.scaling.config import base_or_default, resolve, scaling_dim
from rope_ref.scaling.linear import position_interpolation
from rope_ref.scaling.llama3 import llama3
from rope_ref.scaling.longrope import longrope
from rope_ref.scaling.ntk import ntk
from rope_ref.scaling.proportional import proportional
from rope_ref.scaling.yarn import yarn
from rope_ref.validation import (
    check_even_dim,
    check_form,
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
    form: str | None = None,
    hf_compat: bool | None = None,
) -> tuple[np.ndarray, float]:
    """Theta for a RoPE scaling variant, and the factor on cos and sin.

    Args:
        d: the head dimension (HF's head_dim); even. The rotary dimension is
            r = int(d * partial_rotary_factor) (d when the dict has none).
        base: b of eq 15; None takes ``rope_scaling['rope_theta']`` (10000 when absent).
            Given together with a different rope_theta, it is an error.
        rope_scaling: None (plain eq 15) or an HF-style dict; see the module table and
            ``rope_ref.validation.ROPE_SCALING_KEYS`` for the keys of each rope_type
            (``rope_ref.scaling.config`` reads it). Not in HF's dict but needed here:
            ``max_position_embeddings`` (HF reads it from the model config) for
            ``dynamic``, and for yarn/longrope with factor None.
        seq_len: the current sequence length (HF's max(position_ids) + 1); required for
            ``dynamic``, selects the long factors of ``longrope`` when >
            original_max_position_embeddings (strictly, as HF and Phi-3 do).
        form: "code" (None means "code"): the released code that models run (HF
            transformers 5.24, the YaRN authors' code); "paper": the variant's paper
            where it differs (only ``yarn``'s formulas do; see the module docstring).
        hf_compat: the older name, kept for v0.1's callers: True is form="code", False
            is form="paper"; None (the default) leaves ``form`` alone. Given together
            with a different form, it is an error.

    Returns:
        theta: (r/2,) float64 (for ``proportional``, (d/2,) with zeros past the rotated
            ones), and attention_factor: a float that multiplies cos and sin (so the
            scores q_m^T k_n of eq 16 scale by its square); 1.0 for most variants.
    """
    d = check_even_dim("d", d)
    form = check_form(form, hf_compat)
    if rope_scaling is None:
        check_seq_len(seq_len, "default")
        return frequencies(d, base_or_default(base)), 1.0
    p = resolve(rope_scaling, d, base)
    seq_len = check_seq_len(seq_len, p["rope_type"])
    with np.errstate(over="ignore", invalid="ignore"):  # reported just below
        theta, attention_factor = VARIANTS[p["rope_type"]](p, d, seq_len, form)
    return check_scaled_theta(theta, attention_factor, p)


def default(p: dict, d: int, seq_len, form: str) -> tuple[np.ndarray, float]:
    """theta_i = b^(-2i/r) (eq 15), over the rotary dimension r."""
    return frequencies(p["rotary_dim"], p["rope_theta"]), 1.0


#: rope_type -> the variant: f(p, d, seq_len, form) -> (theta, attention_factor),
#: p a dict of ``rope_ref.scaling.config.resolve``.
VARIANTS = {
    "default": default,
    "linear": position_interpolation,
    "ntk": ntk,
    "dynamic": ntk,
    "yarn": yarn,
    "llama3": llama3,
    "longrope": longrope,
    "proportional": proportional,
}


def head_frequencies(d, rotary_dim, base, rope_scaling, seq_len, form):
    """(theta, attention_factor, r) for a head of d features, as ``rotate`` needs them."""
    check_rotary_dim(rotary_dim, d)
    n = scaling_dim(d, rotary_dim, rope_scaling)
    theta, attention_factor = scaled_frequencies(n, base, rope_scaling, seq_len, form=form)
    return theta, attention_factor, check_scaled_rotary_dim(rotary_dim, 2 * theta.size)
