"""Llama 3.1's frequency bands (Meta llama-models, ``apply_scaling``), rope_type ``llama3``."""

from __future__ import annotations

import math

import numpy as np

from rope_ref.paper.frequencies import frequencies
from rope_ref.validation import check_llama3_band


def llama3(p: dict, d: int, seq_len, form: str) -> tuple[np.ndarray, float]:
    """With wavelength lambda_i = 2 pi / theta_i and L = original_max_position_embeddings:

        lambda_i < L / high_freq_factor:  theta_i                (high frequencies kept)
        lambda_i > L / low_freq_factor:   theta_i / s            (low ones interpolated)
        between:  (1 - g) theta_i / s + g theta_i,  g = (L / lambda_i - low) / (high - low)

    HF's ``_compute_llama3_parameters`` is the same (in float32). With high = low (Llama 4
    Scout's config) there is no band between: a wavelength of exactly L / low would be 0/0
    in HF's formula, and is an error here."""
    theta = frequencies(p["rotary_dim"], p["rope_theta"])
    s, L = p["factor"], p["original_max_position_embeddings"]
    low, high = p["low_freq_factor"], p["high_freq_factor"]
    wavelen = 2 * math.pi / theta  # lambda_i = 2 pi / theta_i
    out = np.where(wavelen > L / low, theta / s, theta)
    medium = (wavelen >= L / high) & (wavelen <= L / low)
    if high == low:
        check_llama3_band(medium, L / low)
        return out, 1.0
    g = (L / wavelen - low) / (high - low)  # the smooth factor, in [0, 1] between the bands
    return np.where(medium, (1 - g) * theta / s + g * theta, out), 1.0
