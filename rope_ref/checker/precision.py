"""The error model the checker holds an implementation to, per working precision.

An implementation "works in precision p" (float64, float32, float16 or bfloat16) with unit
roundoff u_p (2^-53, 2^-24, 2^-11, 2^-8). What a correct one may do, and so what the
tolerance allows, for pair (a, b) turning by phi = m theta_i (eqs 13, 15) with attention
factor s (1 unless a scaling variant sets it):

- angles: theta_i and m theta_i are computed in the angle precision u_A, which is u_p for
  float64 and float32, and float32 (2^-24) for float16 and bfloat16: computing the phase
  in a 16-bit format is the bug ``low_precision_angles`` (bfloat16 cannot tell 4095 from
  4096), not a precision. theta_i = b^(-e_i), e_i = 2i/r (eq 15), is computed by correct
  code in one of these ways (u = u_A, first order; derivation in docs/checker.md):

  ======================================  ====================================  =========
  idiom (who)                             what rounds                           |dtheta|/u
  ======================================  ====================================  =========
  ``1 / b ** (arange(0, r, 2) / r)``       e_i (0 for r a power of 2), pow,      L + 3
  (HF, NeoX, GPT-J, Meta, torchtune)      the division
  ``exp(arange(0, r, 2) * -(ln b / r))``   ln b, / r, the product (each moves    3 L + 2
  (div_term; mlx's CPU fallback)          the exponent by L u), exp
  ``exp2(-(i / (r/2)) log2 b)`` (mlx)      i/(r/2), log2 b, the product, exp2    3 L + 2
  ``m / b ** (2i / r)`` (Gemma, JAX)       2i/r, pow, the division by it         L + 3
  ``phi *= b^(-2/r)`` per pair (ggml)      q = b^(-2/r): (2/r) ln b + 2, i       L + 3 i
                                          times; i products
  ======================================  ====================================  =========

  with L = |ln theta_i| = e_i ln b (a rounding of the exponent e_i ln b moves theta by
  that relative amount). The product with m adds u (m is exact below 2^24 in float32,
  one more u above). The model allows, per pair,
  dphi_i = (C_ANGLE + C_LOG L + C_STEP i) u_A |phi|: C_LOG = 3 and C_STEP = 3 bound the
  worst idiom's terms, C_ANGLE = 8 is twice the 4 u of the constant terms. Measured, the
  idioms use less than half of it (every even d to 512, bases 10 to 1e12, m to 1e8),
  and a bfloat16 theta (2^-9 relative) is still 40 times more than a_i u_A at d = 512.
- trigonometry and arithmetic in p: cos and sin rounded to p, two products, one sum,
  the output rounded to p, and the input rounded to p (golden inputs are float64): six
  roundings of at most u_p times the pair's magnitude; the model allows C_TRIG = 8.

So the tolerance of each rotated output is

    tol = s (|x_a| + |x_b|) (a_i u_A |phi| + C_TRIG u_p),                          (T)
    a_i = C_ANGLE + C_LOG |ln theta_i| + C_STEP i

and a feature past rotary_dim passes through with tol = C_TRIG u_p |x|. A floor of
u_p 1e-3 max|x| keeps the tolerance of an all-zero pair from being exactly zero.
At position 4095 with theta_1 = 1 (a_0 = 8), (T) allows a float32 implementation
8 * 2^-24 * 4095 = 2e-3 of |x| for the phase; a phase computed in bfloat16 is off by up to half its
spacing, 1 radian at 4095 (it rounds to 4096) and up to 8 radians for phases in
[2048, 4096): far outside (T).
"""

from __future__ import annotations

import numpy as np

from rope_ref.paper.layouts import pair_indices

#: Unit roundoff u_p of each working precision.
UNIT_ROUNDOFFS = {
    "float64": 2.0**-53,
    "float32": 2.0**-24,
    "float16": 2.0**-11,
    "bfloat16": 2.0**-8,
}
PRECISIONS = tuple(UNIT_ROUNDOFFS)
C_ANGLE = 8.0
C_LOG = 3.0
C_STEP = 3.0
C_TRIG = 8.0


def angle_unit(precision: str) -> float:
    """u_A: the unit roundoff the phase m theta_i must be computed with at ``precision``."""
    return UNIT_ROUNDOFFS["float64" if precision == "float64" else "float32"]


def angle_coefficients(theta: np.ndarray) -> np.ndarray:
    """a_i of (T): C_ANGLE + C_LOG |ln theta_i| + C_STEP i for each pair i.

    theta: (r/2,) the frequencies the (modelled) implementation turns by. A theta_i that is
    0 or not finite (p-RoPE's unrotated pairs, an overflowed model) gets C_ANGLE + C_STEP i:
    its phase is 0 or not finite, so the term does not matter. Returns (r/2,) float64.
    """
    theta = np.abs(np.asarray(theta, dtype=np.float64))
    usable = np.isfinite(theta) & (theta > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_term = np.where(usable, np.abs(np.log(np.where(usable, theta, 1.0))), 0.0)
    return C_ANGLE + C_LOG * log_term + C_STEP * np.arange(theta.size, dtype=np.float64)


def round_to(a, precision: str) -> np.ndarray:
    """Round ``a`` to the nearest value of ``precision`` (ties to even); returns float64.

    bfloat16 (1 sign, 8 exponent, 7 mantissa bits) is float32 with the low 16 bits
    rounded away: on the uint32 view add 0x7FFF plus the lowest kept bit and clear the low
    half, as torch and ml_dtypes do. A float64 value is first rounded to float32, as a
    real implementation rounds it. NaN and inf are kept.
    """
    a = np.asarray(a, dtype=np.float64)
    if precision == "float64":
        return a.copy()
    if precision in ("float32", "float16"):
        with np.errstate(over="ignore"):
            return a.astype(precision).astype(np.float64)
    f = np.ascontiguousarray(a, dtype=np.float32)
    u = f.view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    out = rounded.view(np.float32).astype(np.float64)
    return np.where(np.isfinite(f), out, f.astype(np.float64))


def tolerance(
    x: np.ndarray,
    phi: np.ndarray,
    *,
    layout: str,
    rotary_dim: int,
    scale: float,
    precision: str,
    theta_error: float = 0.0,
    theta: np.ndarray | None = None,
    offset: int = 0,
) -> np.ndarray:
    """Tolerance (T) of the module docstring for every output.

    Args:
        x: (batch, heads, seq, d) float64 inputs.
        phi: (seq, rotary_dim/2) the angles the (modelled) implementation turns by.
        layout, rotary_dim: the pairs it turns.
        scale: the attention factor s multiplying the rotated features.
        precision: one of PRECISIONS.
        theta_error: relative error bound of the reference's own theta (rope_ref's
            float64 frequencies; a few u for eq 15, up to ~100 u for some scaling
            variants): adds theta_error |phi| to dphi, so a float64 implementation more
            exact than rope_ref is not failed for rope_ref's rounding.
        theta: (rotary_dim/2,) the frequencies phi is turned by, for a_i
            (``angle_coefficients``); None takes theta_i = 1 (a_i = C_ANGLE + C_STEP i).
        offset: the first rotated feature: the pairs are the layout's over features
            [offset, offset + rotary_dim) (``offset_pairs``); the others pass through.

    Returns:
        (batch, heads, seq, d) float64, > 0.
    """
    u_p, u_a = UNIT_ROUNDOFFS[precision], angle_unit(precision)
    a, b = offset_pairs(rotary_dim, layout, offset, x.shape[-1])
    mag = np.abs(x[..., a]) + np.abs(x[..., b])
    a_i = angle_coefficients(np.ones(rotary_dim // 2) if theta is None else theta)
    with np.errstate(invalid="ignore"):
        dphi = (a_i * u_a + theta_error) * np.where(np.isfinite(phi), np.abs(phi), 0.0)
    per_pair = abs(scale) * mag * (dphi + C_TRIG * u_p)
    tol = C_TRIG * u_p * np.abs(x)
    tol[..., a] = per_pair
    tol[..., b] = per_pair
    floor = u_p * 1e-3 * max(float(np.max(np.abs(x), initial=0.0)), 1.0)
    return np.maximum(tol, floor)


def offset_pairs(
    rotary_dim: int, layout: str, offset: int, d: int
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (a, b) of ``pair_indices(rotary_dim, layout)`` moved to features
    [offset, offset + rotary_dim) of a head of d features (a port rotating
    ``x[..., -rotary_dim:]`` has offset d - rotary_dim). Returns two (rotary_dim/2,) int
    arrays; ValueError when the slice does not fit in d."""
    a, b = pair_indices(rotary_dim, layout)
    if isinstance(offset, bool) or not isinstance(offset, (int, np.integer)):
        raise TypeError(f"offset must be an int, got {type(offset).__name__}")
    if offset < 0 or offset + rotary_dim > d:
        raise ValueError(
            f"offset must be in [0, d - rotary_dim] = [0, {d - rotary_dim}], got {offset}"
        )
    return a + int(offset), b + int(offset)
