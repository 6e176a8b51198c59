"""Step 1 of RoPE: the frequency array Theta (arXiv 2104.09864 v5, eq 15).

    Theta = { theta_i = base^(-2(i-1)/d),  i in [1, 2, ..., d/2] }

The paper indexes i from 1 in eq 15 and from 0 (``10000^(-2i/d)``) in sections 3.3 and
3.4.3; both give the same set. Here the array index is ``i - 1``.
"""

from __future__ import annotations

import numpy as np

from rope_ref.validation import check_base, check_even_dim


def exponents(d: int) -> np.ndarray:
    """e_i = -2(i-1)/d for i = 1..d/2, the exponents of eq 15: (d/2,) float64.

    Formed as ``-(2 * (i - 1)) / d``, so that e_i is exact whenever d is a power of two
    (``rope_ref.paper.bounds.theta_error_bound`` counts the rounding otherwise).
    """
    i = np.arange(1, d // 2 + 1, dtype=np.float64)
    return -(2.0 * (i - 1.0)) / d  # e_i = -2(i-1)/d  (eq 15)


def frequencies(d: int, base: float = 10000.0) -> np.ndarray:
    """theta_i = base^(-2(i-1)/d) for i = 1..d/2 (eq 15).

    Args:
        d: the (rotary) dimension; even, >= 2.
        base: 10000 in the paper; finite, > 0, != 1.

    Returns:
        theta: (d/2,) float64, theta[0] = 1, decreasing towards base^(-(d-2)/d).

    ``np.power`` rounds once; the error budget is
    ``rope_ref.paper.bounds.theta_error_bound``.
    """
    d = check_even_dim("d", d)
    base = check_base(base)
    return np.power(base, exponents(d))  # theta_i = base^(e_i)  (eq 15)
