"""Forward models for the checker: RoPE turned by any angles, and how well a model fits.

A model of an implementation, right or wrong, is four things: which features it pairs
(layout, rotary_dim, and the first of them, offset: 0 but for a port that rotates
``x[..., -rotary_dim:]``), the angle phi[m, i] by which it turns pair i at position m (eq 13:
m theta_i for a correct one), and the factor s it multiplies the rotated features by
(the attention factor of a scaling variant, 1 otherwise). Every bug class of the checker
is such a model with other angles, pairs or factor (``rope_ref.checker.hypotheses``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from rope_ref.checker.precision import offset_pairs, tolerance
from rope_ref.paper.rotary import rotate


@dataclass(frozen=True)
class Model:
    """A (possibly wrong) RoPE: ``what`` says in words how it differs from the stated one.

    phi: (seq, rotary_dim/2) angles in radians (NaN where the model overflows).
    precision: the precision whose error model (``_precision.tolerance``) the fit uses;
    theta_error: the relative error bound of rope_ref's own theta, which it adds;
    theta: (rotary_dim/2,) the stated frequencies, whose a_i (``_precision``) it uses.
    also: a second mistake the same model makes, (class name, what): two named at once.
    offset: the first rotated feature: the layout's pairs over features [offset, offset +
    rotary_dim) turn, the others pass through (``precision.offset_pairs``).
    plausible: False for a model whose parameter is fitted to an arbitrary value (a base
    of 9980.49): it is named only when no plausible model explains the outputs.
    """

    name: str
    what: str
    phi: np.ndarray
    layout: str
    rotary_dim: int
    scale: float
    precision: str
    theta_error: float = 0.0
    plausible: bool = True
    theta: np.ndarray | None = None
    also: tuple[str, str] | None = None
    offset: int = 0


@dataclass(frozen=True)
class Fit:
    """How well a model explains outputs y.

    ratio: max over outputs of |y - y_model| / tol (<= 1: explained everywhere).
    fraction: the share of outputs within tol. error, tol: at the worst output.
    position, feature: where the worst output is.
    """

    ratio: float
    fraction: float
    error: float
    tol: float
    position: float
    feature: int


def turn(
    x: np.ndarray,
    phi: np.ndarray,
    layout: str,
    rotary_dim: int,
    scale: float = 1.0,
    offset: int = 0,
):
    """y = s R x with pair i at position m turned by phi[m, i] (eq 13 per block).

    x: (batch, heads, seq, d) float64; phi: (seq, rotary_dim/2). The pairs are the
    layout's over features [offset, offset + rotary_dim) (``precision.offset_pairs``).
    Returns (batch, heads, seq, d) float64; the other features pass through. Uses
    ``rope_ref.rotate`` with theta = (1,) and phi as the positions of each pair, so no
    rotation is written twice.
    """
    a, b = offset_pairs(rotary_dim, layout, offset, x.shape[-1])
    pairs = np.stack([x[..., a], x[..., b]], axis=-1)  # (B, H, S, r/2, 2)
    pairs = np.moveaxis(pairs, -2, -3)  # (B, H, r/2, S, 2)
    finite = np.isfinite(phi)
    turned = rotate(pairs, np.where(finite, phi, 0.0).T, theta=np.ones(1))
    turned = np.moveaxis(turned, -3, -2)  # (B, H, S, r/2, 2)
    turned = np.where(finite[..., None], turned, np.nan)
    out = np.array(x, dtype=np.float64)
    out[..., a] = scale * turned[..., 0]
    out[..., b] = scale * turned[..., 1]
    return out


def fit(model: Model, x: np.ndarray, positions: np.ndarray, y: np.ndarray) -> Fit:
    """Compare outputs y with the model's on inputs x, within the model's tolerance.

    x, y: (batch, heads, seq, d) float64 (y may hold NaN or inf); positions: (seq,).
    An output that is non-finite in both y and the model counts as explained.
    """
    y_model = turn(x, model.phi, model.layout, model.rotary_dim, model.scale, model.offset)
    tol = tolerance(
        x,
        model.phi,
        layout=model.layout,
        rotary_dim=model.rotary_dim,
        scale=model.scale,
        precision=model.precision,
        theta_error=model.theta_error,
        theta=model.theta,
        offset=model.offset,
    )
    return compare(y, y_model, tol, positions)


def compare(y: np.ndarray, y_model: np.ndarray, tol: np.ndarray, positions) -> Fit:
    """Fit of y against y_model with elementwise tolerance tol (all x-shaped)."""
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(y - y_model)
    both_bad = ~np.isfinite(y) & ~np.isfinite(y_model)
    err = np.where(both_bad, 0.0, np.where(np.isfinite(err), err, np.inf))
    with np.errstate(over="ignore"):  # err / tol beyond float64 is an infinite ratio
        ratio = err / tol
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    return Fit(
        ratio=float(ratio[worst]),
        fraction=float(np.mean(ratio <= 1.0)),
        error=float(err[worst]),
        tol=float(tol[worst]),
        position=float(np.asarray(positions)[worst[-2]]),
        feature=int(worst[-1]),
    )


def pair_ratios(
    x: np.ndarray, y: np.ndarray, layout: str, rotary_dim: int, offset: int = 0
) -> np.ndarray:
    """w[m, i]: the complex factor that best maps pair i of x to pair i of y at position m.

    Pair i as the complex number z = x_a + i x_b (the complex form of eq 12); w is the
    least-squares ratio sum(conj(z) y_z) / sum |z|^2 over batch and heads. A rotation by
    phi with factor s gives w = s e^(i phi). The pairs are the layout's over features
    [offset, offset + rotary_dim). Returns (seq, rotary_dim/2) complex128.
    """
    key = ("pair_ratios", id(x), id(y), layout, rotary_dim, offset)
    return _recall(key, (x, y), lambda: _pair_ratios(x, y, layout, rotary_dim, offset))


def _pair_ratios(x, y, layout: str, rotary_dim: int, offset: int) -> np.ndarray:
    a, b = offset_pairs(rotary_dim, layout, offset, x.shape[-1])
    z = x[..., a] + 1j * x[..., b]
    w = np.where(np.isfinite(y[..., a]), y[..., a], 0.0) + 1j * np.where(
        np.isfinite(y[..., b]), y[..., b], 0.0
    )
    num = np.sum(np.conj(z) * w, axis=(0, 1))
    den = np.sum(np.abs(z) ** 2, axis=(0, 1))
    return num / np.where(den > 0, den, 1.0)


def phase_lines(positions: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit phi[m, i] = c_i + omega_i m to the phases of w, unwrapping them along m.

    positions: (seq,); w: (seq, P) from ``pair_ratios``. The phases are taken in order of
    increasing m; each is moved by a multiple of 2 pi to the branch nearest the line
    fitted to the ones before, so the ladder of positions (0, 1, 2, 3, 5, 8, ...) lets
    omega be found to the precision of the largest m. Returns (omega, c), each (P,).
    """
    positions, w = np.asarray(positions), np.asarray(w)
    key = ("phase_lines", positions.tobytes(), positions.shape, w.tobytes(), w.shape)
    return _recall(key, (), lambda: _phase_lines(positions, w))


def _phase_lines(positions: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(positions, kind="stable")
    m = positions[order].astype(np.float64)
    # fit in m / 2^(e-1), 2^(e-1) <= max |m| < 2^e (exact): positions of 1e-300 or
    # subnormal ones would otherwise underflow polyfit's column norms to 0 (LinAlgError)
    unit = float(np.ldexp(1.0, np.frexp(np.max(np.abs(m), initial=0.0))[1] - 1))
    m = m / unit
    ph = np.angle(w[order])
    out = ph.copy()
    for k in range(1, len(m)):
        mk = m[:k]
        mean_m = float(np.mean(mk))
        dm = mk - mean_m
        spread = float(dm @ dm)
        if k == 1 or spread == 0:
            pred = out[k - 1]
        else:  # the least-squares line through the first k (polyfit's), centred on mean m
            mean = np.mean(out[:k], axis=0)
            pred = mean + (dm @ (out[:k] - mean)) / spread * (m[k] - mean_m)
        out[k] = ph[k] + 2 * np.pi * np.round((pred - ph[k]) / (2 * np.pi))
    if np.ptp(m) == 0:
        return np.zeros(w.shape[1]), out[0]
    slope, icpt = np.polyfit(m, out, 1)
    with np.errstate(over="ignore"):  # omega beyond float64 for subnormal positions: inf
        return slope / unit, icpt


#: While ``remembering()`` holds: the answers of pair_ratios (by the identity of x and y,
#: kept alive with the answer, so that no id is reused) and of phase_lines (by its
#: arguments' bytes). None: nothing is remembered.
_REMEMBERED: dict | None = None


@contextmanager
def remembering() -> Iterator[None]:
    """Within it, ``pair_ratios`` and ``phase_lines`` give copies of their earlier answers
    to the same arguments: a diagnosis fits the classes of many cases that share one x
    and y (``rope_ref.checker.compound``), and never writes into them meanwhile."""
    global _REMEMBERED
    outer = _REMEMBERED
    _REMEMBERED = {} if outer is None else outer
    try:
        yield
    finally:
        _REMEMBERED = outer


def _recall(key: tuple, held: tuple, compute):
    """compute(), or a copy of what it gave for ``key`` while ``remembering()``; ``held``:
    the arrays whose identity the key names."""
    if _REMEMBERED is None:
        return compute()
    entry = _REMEMBERED.get(key)
    if entry is None or any(a is not b for a, b in zip(entry[0], held, strict=True)):
        entry = (held, compute())
        _REMEMBERED[key] = entry
    answer = entry[1]
    return tuple(a.copy() for a in answer) if isinstance(answer, tuple) else answer.copy()
