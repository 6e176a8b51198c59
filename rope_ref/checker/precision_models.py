"""The precision classes of the checker: models of an implementation that computes theta,
the positions or the phase m theta in a lower precision than it claims
(``low_precision_angles``). Each model's ``what`` says which step lost precision and by how
much, measured on the case (docs/checker.md, "Precision findings"):

- theta rounded to q (bfloat16, float16; float32 where float64 is stated) before the
  phase: "theta off by up to N float32 ulp" (sglang-jax #1472, ``.to(torch.bfloat16)``);
- inv_freq built from a q ``arange`` (``1.0 / base ** (arange(0, d, 2, dtype=x.dtype) /
  d)`` in a 16-bit model): the exponent k/r, base^e and its inverse each rounded to q, so
  theta is rounded twice, round(1 / round(base^e)), the base itself rounded to q where
  torch or JAX casts the Python scalar to the tensor's dtype (500000 -> 499712);
- the positions held in q: "257 -> 256" (the first probed position q changes; float16
  turns 65535 into inf) (rotary-embedding-torch's positions in the input dtype);
- the phase m theta computed in q (autocast): "off by up to X rad at position m";
- theta off by more ulp than any correct float32 computation allows (eq (T) of
  ``rope_ref.checker.precision``), measured from the outputs: a kernel whose exp2 or cos
  is approximate (mlx's Metal fast.rope): "theta off by N float32 ulp at pair i".
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from rope_ref.checker.case import Case
from rope_ref.checker.models import Model, pair_ratios, phase_lines
from rope_ref.checker.precision import (
    C_TRIG,
    UNIT_ROUNDOFFS,
    angle_coefficients,
    angle_unit,
    round_to,
)

#: A theta measured off by more than this (relative) is not a rounding of float32 or
#: float64 work but another mistake (bfloat16 theta is off by up to 2^-9): the measured
#: model is only proposed below it.
MEASURED_LIMIT = 2.0**-13


def low_precision_angles(c: Case) -> Iterator[Model]:
    """The models of ``low_precision_angles``: every lower dtype q at every stage, and
    theta as measured from the outputs when it is off by more than (T) allows."""
    dtypes = ["bfloat16", "float16"] + (["float32"] if c.precision == "float64" else [])
    tol_precision = "float32" if c.precision == "float64" else c.precision
    m = c.positions[:, None]
    for q in dtypes:
        theta_q = round_to(c.theta, q)
        stages = [(f"rounds theta to {q} before the phase m theta ({_ulp(theta_q, c)})", theta_q)]
        stages += _arange_stages(c, q)
        for what, theta in stages:
            yield c.model("low_precision_angles", what, m * theta[None, :], precision=tol_precision)
        m_q = round_to(m, q)
        if q != "float32":
            yield c.model(
                "low_precision_angles",
                f"holds the positions m in {q} ({_first_changed(c.positions, q)})",
                m_q * c.theta[None, :],
                precision=tol_precision,
            )
        with np.errstate(over="ignore", invalid="ignore"):
            phi = round_to(m_q * theta_q[None, :], q)
        yield c.model(
            "low_precision_angles",
            f"computes the phase m theta in {q} ({_phase_off(phi, c)})",
            phi,
            precision=tol_precision,
        )
    yield from _theta_measured(c)


def _angle_format(c: Case) -> str:
    """The format of the angle precision u_A that ulps are counted in."""
    return "float64" if c.precision == "float64" else "float32"


def _ulp_of(t, fmt: str) -> np.ndarray:
    """The unit in the last place of ``fmt`` at t: 2 u 2^floor(log2 |t|) (t nonzero)."""
    return 2.0 * UNIT_ROUNDOFFS[fmt] * np.exp2(np.floor(np.log2(np.abs(t))))


def ulps(values, reference, fmt: str) -> np.ndarray:
    """|values - reference| in ulps of ``fmt`` at each reference; both (n,), reference
    nonzero and finite. Returns (n,) float64."""
    ref = np.asarray(reference, dtype=np.float64)
    return np.abs(np.asarray(values, dtype=np.float64) - ref) / _ulp_of(ref, fmt)


def _ulp(theta: np.ndarray, c: Case) -> str:
    """'theta off by up to N float32 ulp' of a modelled theta against the stated one."""
    good = np.isfinite(c.theta) & (c.theta != 0)
    fmt = _angle_format(c)
    n = float(np.max(ulps(theta[good], c.theta[good], fmt), initial=0.0))
    return f"theta off by up to {n:.4g} {fmt} ulp"


def _arange_stages(c: Case, q: str) -> list[tuple[str, np.ndarray]]:
    """(what, theta) of ``1.0 / base ** (arange(0, r, 2, dtype=q) / r)`` where every op
    rounds to q (torch computes a 16-bit op in float32 and rounds the result): theta =
    round(1 / round(b^round(round(k, q) / r, q), q), q), k = 0, 2, ..., r-2, with b the
    base, and with b = round(base, q) (torch and JAX cast the Python scalar to the tensor's
    dtype: 10000 -> 9984 in bfloat16, 500000 -> inf in float16). None under rope_scaling
    (its theta is not base^(-e)): []; a theta equal to theta rounded once is left out."""
    if c.rope_scaling is not None or q == "float32":
        return []
    k = round_to(np.arange(0, c.rotary_dim, 2, dtype=np.float64), q)
    e = round_to(k / c.rotary_dim, q)
    out, seen = [], [round_to(c.theta, q)]
    with np.errstate(over="ignore", divide="ignore"):
        b_q = float(round_to([c.base], q)[0])
        for b, base_words in ((c.base, ""), (b_q, f"the base {c.base:g} -> {b_q:g} and ")):
            twice = round_to(1.0 / round_to(b**e, q), q)
            if not any(np.array_equal(twice, t) for t in seen):
                seen.append(twice)
                out.append(
                    (
                        f"builds inv_freq from a {q} arange: {base_words}theta rounded twice, "
                        f"round(1 / round(base^e)) in {q} ({_ulp(twice, c)})",
                        twice,
                    )
                )
    return out


def _first_changed(positions: np.ndarray, q: str) -> str:
    """'257 -> 256': the smallest position q does not hold, and what it becomes."""
    with np.errstate(over="ignore"):
        held = round_to(positions, q)
    moved = np.flatnonzero(held != positions)
    if moved.size == 0:
        return f"every position here is exact in {q}"
    k = moved[np.argmin(positions[moved])]
    return f"{positions[k]:g} -> {held[k]:g}"


def _phase_off(phi: np.ndarray, c: Case) -> str:
    """'off by up to X rad at position m': the largest error of the rounded phase."""
    with np.errstate(invalid="ignore"):
        err = np.abs(phi - c.positions[:, None] * c.theta[None, :])
    err = np.where(np.isfinite(err), err, np.inf)
    if err.size == 0:
        return "no phase"
    k = np.unravel_index(int(np.argmax(err)), err.shape)
    if not np.isfinite(err[k]):
        return f"overflows at position {c.positions[k[0]]:g}"
    return f"off by up to {err[k]:.3g} rad at position {c.positions[k[0]]:g}"


def _theta_measured(c: Case) -> Iterator[Model]:
    """theta as the outputs show it (``phase_lines``'s frequencies) on the pairs whose
    phase at the largest position is off by more than (T) allows there, when those are
    all within ``MEASURED_LIMIT`` of the stated theta: a computation of theta less exact
    than a correct float32 (float64) one. The what gives the worst pair's error in ulp
    and the most a correct computation may have there."""
    omega, _ = phase_lines(c.positions, pair_ratios(c.x, c.y, c.layout, c.rotary_dim))
    m_max = float(np.max(np.abs(c.positions), initial=0.0))
    u_a, u_p = angle_unit(c.precision), UNIT_ROUNDOFFS[c.precision]
    a_i = angle_coefficients(c.theta)
    usable = np.isfinite(omega) & np.isfinite(c.theta) & (c.theta > 0)
    if c.precision == "float64" or m_max == 0 or not np.any(usable):
        return  # a float64 one off by more: the float32 stages above
    with np.errstate(invalid="ignore"):
        off = m_max * np.abs(omega - c.theta)  # phase error at m_max (rad)
        allowed = a_i * u_a * m_max * c.theta + C_TRIG * u_p
        beyond = usable & (off > allowed)
    if not np.any(beyond):
        return
    rel = np.abs(omega[beyond] / c.theta[beyond] - 1)
    if np.max(rel) > MEASURED_LIMIT:
        return
    theta = np.where(beyond, omega, c.theta)
    worst = int(np.flatnonzero(beyond)[np.argmax((off / allowed)[beyond])])
    fmt = _angle_format(c)
    n = float(ulps(omega[worst], c.theta[worst], fmt))
    bound = float(a_i[worst] * u_a * c.theta[worst] / _ulp_of(c.theta[worst], fmt))
    yield c.model(
        "low_precision_angles",
        f"computes theta less exactly than {fmt} allows: theta off by {n:.3g} {fmt} ulp at "
        f"pair {worst} (measured {omega[worst]:.9g}, stated {c.theta[worst]:.9g}), where a "
        f"correct {fmt} computation is within {bound:.3g} ulp (pairs off by more than (T) "
        f"allows: {int(np.sum(beyond))} of {c.theta.size})",
        c.positions[:, None] * theta[None, :],
    )
