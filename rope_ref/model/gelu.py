"""The exact (erf) GELU in NumPy: float64-accurate for float64 input, and for float32
input within half an ulp (plus |x| 5e-10) of the exact value.

RoFormer's feed-forward uses the exact GELU (HF's ``"gelu"``, torch's default)

    gelu(x) = x Phi(x),   Phi(x) = (1 + erf(x / sqrt 2)) / 2 = erfc(-x / sqrt 2) / 2,

the standard normal distribution function. NumPy has no erf, so Phi is evaluated as a
Taylor polynomial around the nearest point x0 of a grid of step 1/256 on [-38, 38]:

    Phi(x0 + h) = Phi(x0) + phi(x0) sum_(n>=0) (-1)^n He_n(x0) h^(n+1) / (n+1)!

with phi(x) = e^(-x^2/2) / sqrt(2 pi), because d^n/dx^n phi = (-1)^n He_n phi
(probabilists' Hermite polynomials, He_(n+1) = x He_n - n He_(n-1)). Phi(x0) itself
comes from the C library (``math.erfc``, relative error of an ulp or so, also deep in
the left tail) at the 19457 grid points, once, at import. Beyond the grid, Phi(-38) =
2.9e-316 is 0 and Phi(38) is 1 to float64.

|h| <= 1/512. For float64 input 7 coefficients (h^0 .. h^6) are used: the first term
left out is below 1.2e-22 absolute, and Phi is within 1.2e-16 of the exact value
everywhere, as (1 + erf(x / sqrt 2)) / 2 with a correctly rounded erf would be. Unlike
that formula it keeps its relative accuracy in the left tail too: 1 ulp for x >= 0,
about 30 ulps at x = -5, 110 at -10 and 4000 (1e-12) at -30, the rounding of x0 / sqrt 2
in erfc's argument amplified by the tail's slope (tested against mpmath). For float32 input
3 do: the term left out, h^3 phi''(xi) / 3!, is at most phi(0) (1/512)^3 / 6 = 4.95e-10,
a hundred times below float32's half ulp of 1 (6e-8), and each term dropped saves a
table look-up. Either way Phi is computed in float64 and x Phi(x) is rounded once to
x's dtype. tests/encoder/test_special.py checks Phi against ``math.erf`` and
``math.erfc`` and gelu against torch.
"""

from __future__ import annotations

import math

import numpy as np

_STEP = 1.0 / 256.0
_X_MAX = 38.0
_N_TERMS = 7  # coefficients of h^0 .. h^6, for float64
_FLOAT32_TERMS = 3  # h^0 .. h^2: truncation below 4.95e-10
_BLOCK = 32768  # gelu's block: Phi's float64 temporaries (a few x 256 KiB) stay in cache


def _taylor_table() -> np.ndarray:
    """(_N_TERMS, n_grid) float64: row n holds the coefficient of h^n at every x0."""
    n_half = round(_X_MAX / _STEP)
    x0 = np.arange(-n_half, n_half + 1) * _STEP
    table = np.empty((_N_TERMS, x0.size))
    table[0] = [math.erfc(-float(x) / math.sqrt(2.0)) / 2.0 for x in x0]
    phi = np.exp(-(x0**2) / 2.0) / math.sqrt(2.0 * math.pi)
    he_prev, he = np.zeros_like(x0), np.ones_like(x0)  # He_(-1) := 0, He_0 = 1
    for n in range(_N_TERMS - 1):
        table[n + 1] = phi * (-1) ** n * he / math.factorial(n + 1)
        he_prev, he = he, x0 * he - n * he_prev
    return table


_TABLE = _taylor_table()
_ZERO = round(_X_MAX / _STEP)  # the table's column of x0 = 0


def normal_cdf(x: np.ndarray, *, terms: int = _N_TERMS) -> np.ndarray:
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, element-wise (module doc).

    x: any shape, float (nan gives nan). Computed in float64; returns float64 of x's
    shape. ``terms`` (2..7) Taylor terms: 7 is float64-accurate; 3 leaves a truncation
    error below 4.95e-10, ample for float32 (``gelu`` uses it there).
    """
    t = np.clip(x, -_X_MAX, _X_MAX, dtype=np.float64)  # nan stays nan
    with np.errstate(invalid="ignore"):  # nan: any index will do, its h is nan
        j = np.rint(t * (1.0 / _STEP)).astype(np.intp)  # nearest grid point
    h = t
    h -= j * _STEP  # |h| <= _STEP / 2, exact
    j += _ZERO
    y = _TABLE[terms - 1].take(j, mode="clip")
    term = np.empty_like(y)
    for n in range(terms - 2, -1, -1):  # Horner, in place: one pass per operation
        y *= h
        y += _TABLE[n].take(j, out=term, mode="clip")  # clip: no bounds checks
    return y


def gelu(x: np.ndarray) -> np.ndarray:
    """The exact GELU x Phi(x) = x (1 + erf(x / sqrt 2)) / 2 (HF's ``"gelu"``).

    x: any shape, float32 or float64. Returns x's shape and dtype: x Phi(x) with Phi
    from ``normal_cdf`` in float64 (7 terms for float64 input, 3 for float32), rounded
    once. It runs over blocks of ``_BLOCK`` values, so that the float64 temporaries stay
    in cache.
    """
    terms = _N_TERMS if x.dtype == np.float64 else _FLOAT32_TERMS
    out = np.empty(x.shape, x.dtype)  # C order: out.reshape(-1) is a view
    x_flat, out_flat = x.reshape(-1), out.reshape(-1)
    for start in range(0, x_flat.size, _BLOCK):
        block = slice(start, start + _BLOCK)
        phi = normal_cdf(x_flat[block], terms=terms)
        np.multiply(x_flat[block], phi, out=out_flat[block], casting="same_kind")
    return out
