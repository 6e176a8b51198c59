"""NTK-aware scaling (rope_type ``ntk``) and dynamic NTK (rope_type ``dynamic``).

- NTK-aware (bloc97, "NTK-Aware Scaled RoPE allows LLaMA models to have extended (8k+)
  context size without any fine-tuning", reddit.com/r/LocalLLaMA 14lz7j5, 2023; YaRN,
  arXiv 2309.00071, sec 3.1): b' = b s^(r/(r-2)), theta_i = b'^(-2i/r). Not an HF
  rope_type; rotary-embedding-torch's ``theta_rescale_factor`` is the same formula.
- dynamic (emozilla, "Dynamically Scaled RoPE", reddit r/LocalLLaMA 2023, the code HF
  adopted): the same with s(l) = factor l / L - (factor - 1), l = max(seq_len, L) and
  L = max_position_embeddings, so no scaling up to L (HF's threshold: seq_len, its
  max(position_ids) + 1, must exceed L). The YaRN paper (sec 3.3) writes
  s = max(1, l / L): the factor = 1 case of the same formula. HF also caches the grown
  frequencies until seq_len drops below L; rope_ref is a pure function of seq_len.
"""

from __future__ import annotations

import numpy as np

from rope_ref.paper.frequencies import frequencies
from rope_ref.validation import check_ntk_base


def ntk_scale(p: dict, seq_len) -> float:
    """The NTK scale s: the factor (ntk), or emozilla's dynamic s(l) (dynamic)."""
    if p["rope_type"] == "ntk":
        return p["factor"]
    s, L = p["factor"], p["max_position_embeddings"]
    return s * max(seq_len, L) / L - (s - 1.0)  # s(l) = s l / L - (s - 1), l >= L


def ntk_base(p: dict, seq_len) -> float:
    """b' = b s^(r/(r-2)) (bloc97; YaRN sec 3.1), checked to lie in float64's range."""
    r, s = p["rotary_dim"], ntk_scale(p, seq_len)
    check_ntk_base(p["rope_theta"], s, r, p["rope_type"])
    return p["rope_theta"] * s ** (r / (r - 2))


def ntk(p: dict, d: int, seq_len, form: str) -> tuple[np.ndarray, float]:
    """theta_i = b'^(-2i/r): eq 15 with the base b' of ``ntk_base``."""
    return frequencies(p["rotary_dim"], ntk_base(p, seq_len)), 1.0
