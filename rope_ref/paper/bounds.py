"""How exact rope_ref's float64 steps are: the error bounds of theta, the angles and the
rotated output, for eq 15 and for every scaling variant, in one place.

The analysis behind each bound is written out in derivations/09-float64-error-bound.md;
tests/paper/test_bounds.py checks each against mpmath at 50 digits and that it is not
loose by more than 10x. In brief, with u = 2^-53 (float64's unit roundoff):

- theta_i = fl(base ** fl(e_i)), e_i = -2(i-1)/d, has relative error at most
  t_i = u (2 + |e_i| ln(base) [e_i inexact])                     (``theta_error_bound``)
- the angle fl(m theta_i) is within |m theta_i| (t_i + u)         (``angle_error_bound``)
- a rotated pair is within (|x_a| + |x_b|) (dphi + 4u) + |y| u_x  (``rotation_error_bound``)
- a variant's theta: t'_i = t_i(b') + e_b + 12u + B_i             (``scaled_theta_error_bound``)
"""

from __future__ import annotations

import math

import numpy as np

from rope_ref.paper.angles import angles
from rope_ref.paper.arguments import prepare, scaled_head
from rope_ref.paper.frequencies import exponents, frequencies
from rope_ref.paper.layouts import pair_indices
from rope_ref.scaling.config import base_or_default, resolve, scaling_dim
from rope_ref.scaling.ntk import ntk_scale
from rope_ref.scaling.scaled import scaled_frequencies
from rope_ref.scaling.yarn import index_of, index_ramp, ramp_ends, yarn_factor
from rope_ref.validation import check_base, check_even_dim, check_form, check_positions
from rope_ref.validation.core import check_finite_result, check_size

#: float64 unit roundoff u = 2^-53.
UNIT_ROUNDOFF = 2.0**-53


def theta_error_bound(d: int, base: float = 10000.0) -> np.ndarray:
    """Relative error bound t_i of ``frequencies(d, base)[i]`` against the exact
    base^(-2(i-1)/d): u (2 + |e_i| ln(base)) where the exponent e_i = -2(i-1)/d is not
    exact in float64, else 2u (glibc's pow is within 0.52 ulp). Shape (d/2,), float64."""
    d = check_even_dim("d", d)
    base = check_base(base)
    e = exponents(d)
    # -2i/d in lowest terms p/q is a float64 exactly when q is a power of two (|p| < 2^53)
    q = d // np.gcd(2 * np.arange(d // 2), d)
    inexact = (q & (q - 1)) != 0
    return UNIT_ROUNDOFF * (2.0 + np.abs(e) * abs(np.log(base)) * inexact)  # t_i


def angle_error_bound(positions, d: int, base: float = 10000.0) -> np.ndarray:
    """Bound A: |fl(m theta_i) - m theta_i| <= |m theta_i| (t_i + u), theta_i exact.

    Args:
        positions: (..., seq) finite reals.
        d: the rotary dimension; base: as in ``frequencies``.

    Returns:
        (..., seq, d/2) float64 absolute bounds in radians.
    """
    m = check_positions(positions)
    shape = m.shape + (check_even_dim("d", d) // 2,)
    check_size("positions and d are", "the bounds of shape (..., seq, d/2)", shape)
    theta = frequencies(d, base)
    phi = np.abs(angles(m, theta))
    return phi * (theta_error_bound(d, base) + UNIT_ROUNDOFF) * (1.0 + 1e-6)  # bound A


def rotation_error_bound(
    x: np.ndarray,
    positions,
    *,
    base: float | None = None,
    layout: str = "interleaved",
    rotary_dim: int | None = None,
    rope_scaling: dict | None = None,
    seq_len: int | None = None,
    form: str | None = None,
    hf_compat: bool | None = None,
) -> np.ndarray:
    """Per-element bound on |rotate(x, positions) - exact RoPE| with exact theta_i.

    For pair (a, b) with angle phi = m theta_i:

        |y_a - y_a*|, |y_b - y_b*|  <=  (|x_a| + |x_b|) (dphi + 4u) + |y| u_x

    where dphi is bound A of ``angle_error_bound`` (grows with |m theta_i|), 4u covers
    float64 cos/sin (<= 1 ulp each) and the two products and one sum, and u_x is the unit
    roundoff of x's dtype (0 for float64: the float64 result is returned unrounded).
    Pass-through features have bound 0. Returns an x-shaped float64 array. form,
    hf_compat: as in ``rotate``.

    With ``rope_scaling``, theta's relative error t_i is ``scaled_theta_error_bound``
    instead of ``theta_error_bound`` (so dphi = |m theta_i| (t_i + u)), and an attention
    factor A != 1 multiplies the bound by A and adds 6u for A's own rounding and the
    products cos * A, sin * A. Where (|x_a| + |x_b|) A exceeds float64's range the bound
    is inf (no finite statement can be made there).
    """
    form = check_form(form, hf_compat)
    theta, r, factor = scaled_head(x, None, base, rotary_dim, rope_scaling, seq_len, form)
    x, phi, layout, r = prepare(x, positions, theta, base, layout, r)
    a, b = pair_indices(r, layout)
    if rope_scaling is None:
        dphi = angle_error_bound(check_positions(positions), r, base_or_default(base))
    else:
        n = scaling_dim(x.shape[-1], rotary_dim, rope_scaling)
        t = scaled_theta_error_bound(n, base, rope_scaling, seq_len, form=form)
        dphi = np.abs(phi) * (t + UNIT_ROUNDOFF) * (1.0 + 1e-6)  # bound A with t'_i
    u_x = 0.0 if x.dtype == np.float64 else float(np.finfo(x.dtype).eps) / 2
    u_factor = 0.0 if factor == 1.0 else 6 * UNIT_ROUNDOFF
    with np.errstate(over="ignore"):  # past float64's range the bound is inf (see above)
        mag = np.abs(x[..., a].astype(np.float64)) + np.abs(x[..., b].astype(np.float64))
        per_pair = factor * mag * (dphi + 4 * UNIT_ROUNDOFF + u_factor + u_x)
    bound = np.zeros(np.broadcast_shapes(x.shape, per_pair.shape[:-1] + (x.shape[-1],)))
    bound[..., a] = per_pair
    bound[..., b] = per_pair
    return bound


def scaled_theta_error_bound(
    d: int,
    base: float | None,
    rope_scaling: dict | None,
    seq_len: int | None = None,
    *,
    form: str | None = None,
    hf_compat: bool | None = None,
) -> np.ndarray:
    """Relative error bound of ``scaled_frequencies(...)[0]`` against the exact theta
    (form, hf_compat: as in ``scaled_frequencies``).

    Extends ``theta_error_bound`` (t_i, for b^(-2i/r)) to the variants:

        t'_i = t_i(b') + e_b + 12u + B_i

    - b' is the base the powers use: b s^(r/(r-2)) for ntk/dynamic, else b; e_b is the
      relative error of b' itself, u (4 + 2 |ln s| r/(r-2)) (ntk) plus 6u (1 + factor)
      for dynamic's s = factor l / L - (factor - 1); 0 otherwise.
    - 12u covers the divisions and products a variant adds (factor, lambda_i, the blend).
    - B_i is the error a blend h = (1 - g) theta / s + g theta takes from its weight g
      (yarn, llama3): B_i = (1 - 1/s) dg_i / (g_i (1 - 1/s) + 1/s), with dg_i the error
      of g_i: rho_i (t_i + 4u) / (beta - alpha) when g is a ramp in rho_i = L theta_i /
      (2 pi) (the YaRN paper's gamma, llama3's smooth factor; 0 where rho_i is outside
      the ramp by more than its error, so g is exactly 0 or 1), and for HF's index ramp
      2 (e_low + e_high) / (high - low) + 2u, where e_low, e_high are the errors of the
      ramp's ends (0 when truncated to integers, else 5u |x| + 2u r / ln b each).
      The 1/s in the denominator is why a blend near g = 0 amplifies dg by up to s - 1.

    Zero frequencies (proportional) are exact. Shape (len(theta),), float64.
    """
    form = check_form(form, hf_compat)
    theta, _ = scaled_frequencies(d, base, rope_scaling, seq_len, form=form)
    if rope_scaling is None:
        return theta_error_bound(2 * theta.size, base_or_default(base))
    p = resolve(rope_scaling, d, base)
    u, kind, r, b = UNIT_ROUNDOFF, p["rope_type"], 2 * theta.size, p["rope_theta"]
    e_b = 0.0
    if kind in ("ntk", "dynamic"):
        s = ntk_scale(p, seq_len)
        e_b = u * (4 + 2 * abs(math.log(s)) * r / (r - 2))  # b' = b s^(r/(r-2)) rounded
        e_b += 6 * u * (1 + p["factor"]) if kind == "dynamic" else 0.0  # s(l) rounded
        b = b * s ** (r / (r - 2))
    t = theta_error_bound(r, b) + e_b + 12 * u  # t'_i without the blend term
    if kind == "yarn":
        t = t + yarn_blend_error(p, form, t)
    if kind == "llama3" and p["high_freq_factor"] > p["low_freq_factor"]:  # equal: no blend
        rho = p["original_max_position_embeddings"] * frequencies(r, b) / (2 * math.pi)
        low, high = p["low_freq_factor"], p["high_freq_factor"]
        t = t + ramp_blend_error(rho, low, high, t + 4 * u, p["factor"])
    return check_finite_result(
        t,
        f"rope_scaling['factor'] = {p.get('factor')!r} is too far from 1 for rope_type "
        f"'{kind}': the error bound of theta",
    )


def blend_error(g: np.ndarray, dg: np.ndarray, s: float) -> np.ndarray:
    """Relative error of h = (1 - g) theta / s + g theta from an error dg in g: the B_i of
    ``scaled_theta_error_bound``. With h = (theta / s) ((1 - g) + g s),

        B = |s - 1| dg / ((1 - g_w) + g_w s),

    g_w the g in [g - dg, g + dg] ∩ [0, 1] that makes h smallest: g - dg for s >= 1
    (this is (1 - 1/s) dg / ((g - dg)^+ (1 - 1/s) + 1/s)), g + dg for s < 1. Both terms of
    the denominator are >= 0, so no factor s (1e-300 or 1e300) cancels it to 0 or NaN."""
    dg = np.minimum(dg, 1.0)  # g is clipped to [0, 1]: it cannot be further off
    g_w = np.maximum(g - dg, 0.0) if s >= 1 else np.minimum(g + dg, 1.0)
    with np.errstate(over="ignore"):  # past float64's range: named by the caller
        return abs(s - 1) * dg / ((1 - g_w) + g_w * s)


def ramp_blend_error(rho, alpha, beta, e, s) -> np.ndarray:
    """``blend_error`` for g = clip((rho - alpha) / (beta - alpha), 0, 1) with rho known to
    a relative e: dg = rho e / (beta - alpha), and 0 where rho is outside [alpha, beta] by
    more than its error (g is then exactly 0 or 1)."""
    g = np.clip((rho - alpha) / (beta - alpha), 0.0, 1.0)
    inside = (rho * (1 - e) <= beta) & (rho * (1 + e) >= alpha)
    return blend_error(g, np.where(inside, rho * e / (beta - alpha), 0.0), s)


def yarn_blend_error(p: dict, form: str, t: np.ndarray) -> np.ndarray:
    """The B_i term of ``scaled_theta_error_bound`` for yarn (t: theta's own bound)."""
    u = UNIT_ROUNDOFF
    r, b, s = p["rotary_dim"], p["rope_theta"], yarn_factor(p)
    L = p["original_max_position_embeddings"]
    beta_fast, beta_slow = p["beta_fast"], p["beta_slow"]
    if form == "paper":
        rho = L * frequencies(r, b) / (2 * math.pi)
        return ramp_blend_error(rho, beta_slow, beta_fast, t + 4 * u, s)
    truncate = p.get("truncate", True)
    g = index_ramp(r, b, L, beta_fast, beta_slow, truncate)
    low, high = ramp_ends(r, b, L, beta_fast, beta_slow, truncate)
    ends = (index_of(x, r, b, L) for x in (beta_fast, beta_slow))
    e = 0.0 if truncate else sum(5 * u * abs(x) + 2 * u * r / math.log(b) for x in ends)
    # |high - low|: clamping to [0, r - 1] can put high below low (HF's ramp then runs
    # backwards), and the error of the ramp's slope is that of its magnitude
    return blend_error(g, np.full(g.shape, 2 * e / abs(high - low) + 2 * u), s)
