"""The error model (rope_ref.checker.precision) admits every float32 formulation of theta
that correct implementations use: HF's pow, mlx's exp2(-e log2 b) and ggml's recurrence
theta_i = theta_(i-1) b^(-2/r) (docs/checker.md, "Why a_i grows"). Each is written here in
NumPy float32, independently of rope_ref, with eq 34's half-split rotation."""

from __future__ import annotations

import numpy as np
import pytest

from rope_ref.checker.precision import C_ANGLE, C_LOG, C_STEP, angle_coefficients
from rope_ref.checker.report import check

F32 = np.float32


def _theta_pow(d: int, base: float) -> np.ndarray:
    """HF: 1 / base ** (arange(0, d, 2) / d), all float32."""
    return F32(1.0) / (F32(base) ** (np.arange(0, d, 2, dtype=F32) / F32(d)))


def _theta_exp2(d: int, base: float) -> np.ndarray:
    """mlx: exp2(-e_i log2 b), e_i = 2i/d, all float32."""
    return np.exp2(-(np.arange(0, d, 2, dtype=F32) / F32(d)) * np.log2(F32(base)))


def _theta_recurrence(d: int, base: float) -> np.ndarray:
    """ggml: theta_0 = 1, theta_i = theta_(i-1) * base^(-2/d), float32 at every step."""
    q = F32(base) ** F32(-2.0 / d)
    out = np.empty(d // 2, dtype=F32)
    t = F32(1.0)
    for i in range(d // 2):
        out[i] = t
        t = F32(t * q)
    return out


def _rope_half(theta_fn, d: int, base: float):
    def fn(x, positions):  # x: (batch, heads, seq, d) float32
        phi = positions.astype(F32)[:, None] * theta_fn(d, base)[None, :]  # float32 phase
        cos, sin = np.cos(np.concatenate([phi, phi], -1)), np.sin(np.concatenate([phi, phi], -1))
        x1, x2 = x[..., : d // 2], x[..., d // 2 :]
        return x * cos + np.concatenate([-x2, x1], -1) * sin  # eq 34, half-split pairs

    return fn


@pytest.mark.parametrize("theta_fn", [_theta_pow, _theta_exp2, _theta_recurrence])
@pytest.mark.parametrize(("d", "base"), [(96, 1e6), (128, 1e4), (128, 5e5), (256, 1e6)])
def test_each_float32_formulation_of_theta_passes(theta_fn, d, base):
    report = check(
        _rope_half(theta_fn, d, base), d=d, base=base, layout="half", precision="float32"
    )
    assert report.ok and not report.findings, str(report)
    assert report.max_error > 0.02 * report.tolerance, str(report)  # and the model is tight


def test_the_recurrence_is_outside_a_constant_angle_model():
    # ggml's theta_i at d = 128 is off by far more than the 8 u of pow with an exact
    # exponent: the reason a_i grows with i.
    exact = 10000.0 ** (-np.arange(0, 128, 2) / 128)
    rel = np.abs(_theta_recurrence(128, 1e4).astype(np.float64) / exact - 1)
    assert rel.max() > 8 * 2.0**-24
    assert np.all(rel <= angle_coefficients(exact) * 2.0**-24)


def test_angle_coefficients_are_the_documented_formula():
    theta = np.array([1.0, 0.1, 0.0, np.inf])
    a = angle_coefficients(theta)
    assert a[0] == C_ANGLE
    assert a[1] == pytest.approx(C_ANGLE + C_LOG * np.log(10.0) + C_STEP)
    assert a[2] == C_ANGLE + 2 * C_STEP and a[3] == C_ANGLE + 3 * C_STEP


def test_a_base_within_float32_rounding_of_the_stated_one_passes():
    # A float32 RoPE of base 500000 * (1 + 1e-6): indistinguishable from float32's own
    # rounding of theta, so it passes rather than being "base 500000 where 500000 is stated".
    report = check(
        _rope_half(_theta_pow, 128, 500000.0 * (1 + 1e-6)),
        d=128,
        base=5e5,
        layout="half",
        precision="float32",
    )
    assert report.ok, str(report)
