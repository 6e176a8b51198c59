"""Step 1 of RoPE: the frequency array Theta (arXiv 2104.09864 v5, eq 15).

    Theta = { theta_i = base^(-2(i-1)/d),  i in [1, 2, ..., d/2] }

The paper indexes i from 1 in eq 15 and from 0 (``10000^(-2i/d)``) in sections 3.3 and
3.4.3; both give the same set. Here the array index is ``i - 1``.
"""

from __future__ import annotations

import numpy as np

from rope_ref.validation import check_base, check_even_dim


def frequencies(d: int, base: float = 10000.0) -> np.ndarray:
    """theta_i = base^(-2(i-1)/d) for i = 1..d/2 (eq 15).

    Args:
        d: the (rotary) dimension; even, >= 2.
        base: 10000 in the paper; finite, > 0, != 1.

    Returns:
        theta: (d/2,) float64, theta[0] = 1, decreasing towards base^(-(d-2)/d).

    The exponent ``-2(i-1)/d`` is formed as ``-(2 * (i - 1)) / d`` so that it is exact
    whenever d is a power of two; ``np.power`` then rounds once. The resulting error
    budget is in ``rope_ref.angles.angle_error_bound``.
    """
    d = check_even_dim("d", d)
    base = check_base(base)
    i = np.arange(1, d // 2 + 1, dtype=np.float64)
    exponent = -(2.0 * (i - 1.0)) / d
    return np.power(base, exponent)
