"""erf and the exact (erf) GELU in NumPy, accurate to float64 level.

NumPy has no erf, and RoFormer's feed-forward uses the exact GELU
gelu(x) = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2 (HF's ``"gelu"``, torch's default).

erf is evaluated as a Taylor polynomial around the nearest point x0 of a grid of step
1/256 on [0, 6]:

    erf(x0 + h) = erf(x0) + (2/sqrt(pi)) e^(-x0^2) sum_(n>=0) (-1)^n H_n(x0) h^(n+1) / (n+1)!

because d^n/dx^n e^(-x^2) = (-1)^n H_n(x) e^(-x^2) (physicists' Hermite polynomials,
H_(n+1) = 2x H_n - 2n H_(n-1)). With |h| <= 1/512 the terms fall below 2e-17 after
n = 5, so seven coefficients per grid point suffice. erf(x0) itself comes from the C
library (``math.erf``, within 1 ulp) at the 1537 grid points, once, at import. For
|x| >= 6, erf(x) = sign(x) to float64 (erfc(6) = 2.2e-17 < half an ulp of 1).

For float32 input three terms do: the first one left out, h^3 times the third
derivative of erf over 3!, is at most (4/sqrt(pi)) (1/512)^3 / 6 = 2.803e-9, twenty times
below float32's half ulp of 1 (6e-8), and each term left out saves a table look-up.

tests/encoder/test_special.py checks both against ``math.erf``.
"""

from __future__ import annotations

import math

import numpy as np

_STEP = 1.0 / 256.0
_X_MAX = 6.0
_N_TERMS = 7  # coefficients of h^0 .. h^6
_FLOAT32_TERMS = 3  # h^0 .. h^2: truncation below 2.9e-9, float32's half ulp is 6e-8
_BLOCK = 32768  # gelu's block: erf's float64 temporaries (a few x 256 KiB) stay in cache


def _taylor_table() -> np.ndarray:
    """(_N_TERMS, n_grid) float64: row n holds the coefficient of h^n at every x0."""
    x0 = np.arange(round(_X_MAX / _STEP) + 1) * _STEP
    table = np.empty((_N_TERMS, x0.size))
    table[0] = [math.erf(float(x)) for x in x0]
    scale = 2.0 / math.sqrt(math.pi) * np.exp(-(x0**2))
    h_prev, h_cur = np.zeros_like(x0), np.ones_like(x0)  # H_(-1) := 0, H_0 = 1
    for n in range(_N_TERMS - 1):
        table[n + 1] = scale * (-1) ** n * h_cur / math.factorial(n + 1)
        h_prev, h_cur = h_cur, 2.0 * x0 * h_cur - 2.0 * n * h_prev
    return table


_TABLE = _taylor_table()


def erf(x: np.ndarray, *, terms: int = _N_TERMS) -> np.ndarray:
    """The error function erf(x) = (2/sqrt(pi)) int_0^x e^(-t^2) dt, element-wise.

    x: any shape, float (nan gives nan). Computed in float64; returns float64 of x's shape.
    ``terms`` (2..7) Taylor terms: 7 is float64-accurate; 3 leaves a truncation error
    below 2.9e-9, ample for float32 (``gelu`` uses it there; module doc).
    """
    x = np.asarray(x)
    shape, x = x.shape, x.reshape(-1)
    a = np.fmin(np.abs(x, dtype=np.float64), _X_MAX)  # fmin: nan -> _X_MAX, fixed below
    j = (a * (1.0 / _STEP) + 0.5).astype(np.intp)  # nearest grid point (a >= 0)
    h = a
    h -= j * _STEP  # |h| <= _STEP / 2
    y = _TABLE[terms - 1].take(j, mode="clip")
    term = np.empty_like(y)
    for n in range(terms - 2, -1, -1):  # Horner, in place: one pass per operation
        y *= h
        y += _TABLE[n].take(j, out=term, mode="clip")  # j is in range: no checks
    y = np.copysign(y, x, out=y)
    y[np.isnan(x)] = np.nan
    return y.reshape(shape)


def gelu(x: np.ndarray) -> np.ndarray:
    """The exact GELU x Phi(x) = x (1 + erf(x / sqrt 2)) / 2 (HF's ``"gelu"``).

    x: any shape, float32 or float64. Returns x's shape and dtype. Phi is computed in
    float64 with ``erf``: 7 Taylor terms for float64 input; 3 for float32, whose
    truncation error is below 2.9e-9 (module doc), so the float32 result is within half
    an ulp plus |x| 1.5e-9 of the exact x Phi(x). It runs over blocks of ``_BLOCK``
    values, so that erf's float64 temporaries stay in cache.
    """
    terms = _N_TERMS if x.dtype == np.float64 else _FLOAT32_TERMS
    out = np.empty(x.shape, x.dtype)  # C order: out.reshape(-1) is a view
    x_flat, out_flat = x.reshape(-1), out.reshape(-1)
    for start in range(0, x_flat.size, _BLOCK):
        x_b = x_flat[start : start + _BLOCK]
        phi = erf(np.multiply(x_b, 1.0 / math.sqrt(2.0), dtype=np.float64), terms=terms)
        phi += 1.0
        phi *= x_b
        phi *= 0.5
        out_flat[start : start + _BLOCK] = phi  # one rounding to x's dtype
    return out
