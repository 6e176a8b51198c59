"""Position interpolation (PI; Chen, Wong, Chen, Tian 2023, arXiv 2306.15595), HF's
rope_type ``linear``."""

from __future__ import annotations

import numpy as np

from rope_ref.paper.frequencies import frequencies


def position_interpolation(p: dict, d: int, seq_len, form: str) -> tuple[np.ndarray, float]:
    """PI (sec 2.2): f'(x, m) = f(x, m L / L') with s = L' / L = factor. Since rotation sees
    only m theta_i, dividing the positions is dividing theta: m theta_i / s = m (theta_i / s).
    HF divides inv_freq by the factor: the same. p: a dict of ``config.resolve``."""
    theta = frequencies(p["rotary_dim"], p["rope_theta"])  # eq 15 over r
    return theta / p["factor"], 1.0  # theta_i / s  (PI sec 2.2)
