"""LongRoPE (Ding et al. 2024, arXiv 2402.13753), rope_type ``longrope`` (Phi-3)."""

from __future__ import annotations

import math

import numpy as np

from rope_ref.paper.frequencies import frequencies


def longrope(p: dict, d: int, seq_len, form: str) -> tuple[np.ndarray, float]:
    """theta_i / lambda_i with searched factors lambda_i (secs 2-3): ``long_factor`` when
    seq_len > L = original_max_position_embeddings (strictly, as HF and Phi-3 switch, with
    seq_len = max(position_ids) + 1: a sequence whose last position is L - 1 keeps the
    short factors, one whose last position is L takes the long ones), ``short_factor``
    otherwise (or when seq_len is None). The paper fixes no switch; this is the released
    code's, in either form.

    The paper also keeps the first n_hat positions unscaled; Phi-3 and HF use n_hat = 0,
    and so does rope_ref (n_hat is not a property of theta). The attention factor
    sqrt(1 + ln s / ln L) (1 when s <= 1), s = factor or max_position_embeddings / L, is
    Phi-3's (Microsoft, modeling_phi3.py); HF is the same."""
    L = p["original_max_position_embeddings"]
    lam = p["long_factor"] if seq_len is not None and seq_len > L else p["short_factor"]
    theta = frequencies(p["rotary_dim"], p["rope_theta"]) / lam  # theta_i / lambda_i
    if "attention_factor" in p:
        return theta, p["attention_factor"]
    s = p.get("factor") or p["max_position_embeddings"] / L
    return theta, 1.0 if s <= 1.0 else math.sqrt(1 + math.log(s) / math.log(L))
