"""One place for argument checks and their error messages.

Every message names the argument, what was expected and what came, in the manner of
NumPy's own errors. Functions here return the checked (and converted) value so callers
write ``d = check_even_dim("d", d)`` and go on.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

LAYOUTS = ("interleaved", "half")
FLOAT_DTYPES = (np.float16, np.float32, np.float64)


def _describe(value: object) -> str:
    """A short description of a value for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def as_array(name: str, value: object) -> np.ndarray:
    """``np.asarray(value)``, with NumPy's error for a ragged or unconvertible value
    (``[[1], [1, 2]]``) turned into one that names the argument."""
    try:
        return np.asarray(value)
    except (ValueError, TypeError, OverflowError) as err:
        raise TypeError(
            f"{name} must be an array or a nested list of equal-length rows, "
            f"got {_describe(value)}: {err}"
        ) from None


#: Lengths and counts that meet float64 arithmetic (context lengths, seq_len) must be
#: exact as float64: integers up to 2^53.
MAX_EXACT_INT = 2**53


def check_int(
    name: str, value: object, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer (Python or NumPy, not bool), optionally ``>= minimum``, ``<= maximum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {_describe(value)}")
    return value


#: The largest dimension d accepted: far beyond any head (1024 at most in practice), and
#: small enough that arrays of d/2 entries neither exhaust memory nor NumPy's size limit.
MAX_DIM = 2**24


def check_even_dim(name: str, value: object) -> int:
    """An even integer in [2, MAX_DIM]: RoPE rotates features in pairs (eq 15 has d/2
    blocks)."""
    value = check_int(name, value, minimum=2, maximum=MAX_DIM)
    if value % 2:
        raise ValueError(
            f"{name} must be even (RoPE rotates features in pairs, eq 15), got {value}"
        )
    return value


def check_rotary_dim(rotary_dim: object, d: int) -> int:
    """``rotary_dim`` defaults to ``d``; it must be even and ``<= d``."""
    if rotary_dim is None:
        return check_even_dim("d (the last axis of x)", d)
    rotary_dim = check_even_dim("rotary_dim", rotary_dim)
    if rotary_dim > d:
        raise ValueError(
            f"rotary_dim must be <= d (the last axis of x, {d}), got rotary_dim={rotary_dim}"
        )
    return rotary_dim


def check_finite_real(name: str, value: object) -> float:
    """A finite real number (int or float, not bool, not complex)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    try:
        value = float(value)
    except OverflowError:  # an int or Fraction beyond float64's range
        raise ValueError(f"{name} must be finite, got {_describe(value)}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


#: The smallest base: theta_i = base^(-2(i-1)/d) < 1/base must be finite (eq 15).
MIN_BASE = float(np.finfo(np.float64).tiny)


def check_base(base: object, name: str = "base") -> float:
    """The RoPE base (10000 in eq 15): finite, > 0 and != 1 (base 1 makes every theta 1),
    and >= 2^-1022 (float64's smallest normal number), so that theta_i < 1/base is finite."""
    base = check_finite_real(name, base)
    if base <= 0.0 or base == 1.0:
        raise ValueError(f"{name} must be > 0 and != 1 (eq 15 uses 10000), got {base}")
    if base < MIN_BASE:
        raise ValueError(
            f"{name} must be >= {MIN_BASE:.6g} (else theta_i = base^(-2(i-1)/d) overflows "
            f"float64), got {base}"
        )
    return base


def check_layout(layout: object) -> str:
    """``"interleaved"`` (the paper, eq 15) or ``"half"`` (GPT-NeoX / HF Llama)."""
    if not isinstance(layout, str) or layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {_describe(layout)}")
    return layout


def check_float_array(name: str, x: object, *, min_ndim: int = 1) -> np.ndarray:
    """A NumPy float16/32/64 array with at least ``min_ndim`` axes and no NaN or inf.

    Lists and other array-likes are rejected rather than guessed at: an integer or
    object array would silently change the output dtype.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name} must be a NumPy array of float16, float32 or float64, got {_describe(x)}"
        )
    if x.dtype.type not in FLOAT_DTYPES:
        raise TypeError(f"{name} must have dtype float16, float32 or float64, got dtype {x.dtype}")
    if x.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} axes, got shape {x.shape}")
    if not _all_finite(x):
        bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
        raise ValueError(f"{name} must be finite, got {bad} NaN or inf value(s)")
    return x


def _all_finite(x: np.ndarray, chunk: int = 1 << 18) -> bool:
    """np.isfinite(x).all() in chunks, so no x-sized boolean array is made (bench/)."""
    flat = x.ravel(order="K")  # a view for any contiguous x
    return all(np.isfinite(flat[i : i + chunk]).all() for i in range(0, flat.size, chunk))


def check_positions(positions: object, name: str = "positions") -> np.ndarray:
    """Finite real positions m (int or float, negative and fractional allowed) as float64.

    Returns an array of at least one axis (a scalar becomes shape (1,)).
    """
    if isinstance(positions, np.ndarray):
        arr = positions
    elif isinstance(positions, (numbers.Real, list, tuple)) and not isinstance(positions, bool):
        arr = as_array(name, positions)
    else:
        raise TypeError(
            f"{name} must be a real number or an array of them, got {_describe(positions)}"
        )
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold integers or floats, got dtype {arr.dtype}")
    arr = np.atleast_1d(arr.astype(np.float64))
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got NaN or inf in {name}")
    return arr


def check_angles(m: np.ndarray, theta: np.ndarray, name: str = "positions") -> np.ndarray:
    """phi[..., i] = m theta_i (eq 13), which must be finite: a finite m times a finite
    theta_i can still overflow float64 (m = 1e308, theta_i = 10). m: (...,) and theta:
    (d/2,) float64, both already checked. Returns phi: (..., d/2) float64."""
    with np.errstate(over="ignore"):
        phi = m[..., None] * theta
    if not np.all(np.isfinite(phi)):
        raise ValueError(
            f"{name} times theta overflows float64: the angles m theta_i (eq 13) must be "
            f"finite, got max |{name}| = {np.abs(m).max():.3g} and max theta_i = "
            f"{np.abs(theta).max():.3g}"
        )
    return phi


def check_positions_fit(positions: np.ndarray, x_shape: tuple[int, ...]) -> None:
    """``positions`` must broadcast against ``x.shape[:-1]`` with a matching seq axis."""
    lead = x_shape[:-1]
    if not lead:
        raise ValueError(f"x must have shape (..., seq, d), got shape {x_shape}")
    seq = lead[-1]
    if positions.shape[-1] not in (seq, 1) or positions.ndim > len(lead):
        raise ValueError(
            f"positions must have shape (seq,) = ({seq},) or broadcast to x's leading axes "
            f"{lead}, got shape {positions.shape}"
        )
    try:
        fits = np.broadcast_shapes(positions.shape, lead) == lead
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"positions of shape {positions.shape} do not broadcast to x's leading axes {lead}"
        )


def check_theta(theta: object, rotary_dim: int | None = None) -> np.ndarray:
    """A 1-D finite float array of frequencies theta_i, length rotary_dim/2 if given."""
    if not isinstance(theta, np.ndarray):
        theta = as_array("theta", theta) if isinstance(theta, (list, tuple)) else theta
    if not isinstance(theta, np.ndarray) or theta.dtype.kind not in "iuf":
        raise TypeError(f"theta must be a 1-D array of floats, got {_describe(theta)}")
    if theta.ndim != 1 or theta.size == 0:
        raise ValueError(f"theta must have shape (d/2,), got shape {theta.shape}")
    theta = theta.astype(np.float64)
    if not np.all(np.isfinite(theta)):
        raise ValueError("theta must be finite, got NaN or inf")
    if rotary_dim is not None and 2 * theta.size != rotary_dim:
        raise ValueError(
            f"theta must have shape (rotary_dim/2,) = ({rotary_dim // 2},), got shape {theta.shape}"
        )
    return theta


def check_callable(name: str, value: object) -> object:
    """A callable, such as the implementation ``check`` runs."""
    if not callable(value):
        raise TypeError(f"{name} must be callable as {name}(x, positions), got {_describe(value)}")
    return value


def check_precision(precision: object, allowed: tuple[str, ...], *, allow_none: bool = False):
    """One of ``allowed`` (working precisions such as "float32"), or None if allowed."""
    if precision is None and allow_none:
        return None
    if not isinstance(precision, str) or precision not in allowed:
        raise ValueError(f"precision must be one of {allowed}, got {_describe(precision)}")
    return precision


def check_outputs_array(
    name: str, y: object, shape: tuple[int, ...], *, allow_nonfinite: bool
) -> np.ndarray:
    """Outputs of an implementation: a real float array of ``shape``, as a NumPy array
    of its own dtype (float16/32/64 or ml_dtypes' bfloat16).

    ``y`` may be anything ``np.asarray`` accepts (a CPU torch tensor, a list, an
    ml_dtypes bfloat16 array). NaN or inf is an error unless ``allow_nonfinite``.
    """
    try:
        arr = np.asarray(y)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(
            f"{name} must be convertible by np.asarray, got {_describe(y)}: {err}"
        ) from err
    if arr.dtype.kind != "f" and arr.dtype.name != "bfloat16":
        raise TypeError(f"{name} must be a float array, got dtype {arr.dtype}")
    if arr.shape != tuple(shape):
        raise ValueError(
            f"{name} must have the inputs' shape {tuple(shape)}, got shape {arr.shape}"
        )
    finite = np.isfinite(arr.astype(np.float64))
    if not allow_nonfinite and not np.all(finite):
        bad = int(arr.size - np.count_nonzero(finite))
        raise ValueError(f"{name} must be finite, got {bad} NaN or inf value(s)")
    return arr


def check_qk(q: object, k: object, *, single: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A query and a key: float arrays of the same shape (..., d), or (d,) if ``single``,
    with d even (eq 35)."""
    q = check_float_array("q", q, min_ndim=1)
    k = check_float_array("k", k, min_ndim=1)
    if single and q.ndim != 1:
        raise ValueError(f"q and k must have shape (d,), got q {q.shape} and k {k.shape}")
    if q.shape != k.shape:
        raise ValueError(f"q and k must have the same shape, got q {q.shape} and k {k.shape}")
    d = check_even_dim("d (the last axis of q and k)", q.shape[-1])
    q_max = float(np.abs(q).max()) if q.size else 0.0
    k_max = float(np.abs(k).max()) if k.size else 0.0
    if q_max * k_max * 4.0 * (d // 2 + 1) ** 2 > np.finfo(np.float64).max:
        raise ValueError(
            "q and k are too large: h_i = q k* (eq 35) and the bound of eq 37 overflow "
            f"float64 (max |q| = {q_max:.3g}, max |k| = {k_max:.3g}, d = {d})"
        )
    return q, k


# --- rope_scaling dicts (rope_ref.scaling) -------------------------------------------------

#: rope_type -> (required keys, optional keys), besides rope_type/type, rope_theta and
#: partial_rotary_factor, which every type accepts. HF keeps ``max_position_embeddings`` on
#: the model config, outside ``rope_parameters``; here it goes into the dict.
ROPE_SCALING_KEYS = {
    "default": (frozenset(), frozenset()),
    "linear": (frozenset({"factor"}), frozenset()),
    "ntk": (frozenset({"factor"}), frozenset()),
    "dynamic": (frozenset({"factor", "max_position_embeddings"}), frozenset()),
    "yarn": (
        frozenset({"original_max_position_embeddings"}),
        frozenset(
            {
                "factor",
                "attention_factor",
                "beta_fast",
                "beta_slow",
                "mscale",
                "mscale_all_dim",
                "truncate",
                "max_position_embeddings",
            }
        ),
    ),
    "llama3": (
        frozenset(
            {"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}
        ),
        frozenset({"max_position_embeddings"}),
    ),
    "longrope": (
        frozenset({"short_factor", "long_factor", "original_max_position_embeddings"}),
        frozenset({"factor", "attention_factor", "max_position_embeddings"}),
    ),
    "proportional": (frozenset(), frozenset({"factor"})),
}
_COMMON_SCALING_KEYS = frozenset({"rope_type", "type", "rope_theta", "partial_rotary_factor"})
_POSITIVE_KEYS = (
    "factor",
    "attention_factor",
    "beta_fast",
    "beta_slow",
    "low_freq_factor",
    "high_freq_factor",
)
_INT_KEYS = ("original_max_position_embeddings", "max_position_embeddings")


def check_rope_scaling(rope_scaling: object, d: int) -> dict:
    """A ``rope_scaling`` / ``rope_parameters`` dict as HF configs carry it, checked.

    Returns a new dict with ``rope_type`` set (``type`` is the older spelling), numbers as
    float/int, factor lists as float64 arrays, ``rotary_dim`` (int(d * partial_rotary_factor))
    and ``rope_theta`` (None when absent). ``d`` is the head dimension.
    """
    if not isinstance(rope_scaling, dict):
        raise TypeError(
            f"rope_scaling must be a dict such as HF's rope_parameters, "
            f"got {_describe(rope_scaling)}"
        )
    rope_type = _scaling_type(rope_scaling)
    required, optional = ROPE_SCALING_KEYS[rope_type]
    keys = set(rope_scaling)
    unknown = keys - required - optional - _COMMON_SCALING_KEYS
    if unknown:
        raise ValueError(
            f"rope_scaling has unknown key(s) {sorted(map(str, unknown))} for rope_type "
            f"'{rope_type}'; expected {sorted(required | optional | _COMMON_SCALING_KEYS)}"
        )
    missing = required - keys
    if rope_type == "yarn" and "factor" not in keys and "max_position_embeddings" not in keys:
        missing = missing | {"factor"}
    if missing:
        raise ValueError(
            f"rope_scaling is missing required key(s) {sorted(missing)} for rope_type '{rope_type}'"
        )
    out = {"rope_type": rope_type}
    for key, value in rope_scaling.items():
        if key in ("rope_type", "type"):
            continue
        out[key] = _scaling_value(key, value)
    out["rope_theta"] = out.get("rope_theta")
    out["rotary_dim"] = _scaling_rotary_dim(out, d)
    _check_scaling_relations(out)
    return out


def check_seq_len(seq_len: object, rope_type: str) -> int | None:
    """The current sequence length: an int >= 1; required by rope_type 'dynamic'."""
    if seq_len is None:
        if rope_type == "dynamic":
            raise ValueError(
                "seq_len is required for rope_type 'dynamic' (dynamic NTK rescales "
                "the base from the current sequence length), got None"
            )
        return None
    return check_int("seq_len", seq_len, minimum=1, maximum=MAX_EXACT_INT)


def _scaling_type(rope_scaling: dict) -> str:
    names = [rope_scaling[k] for k in ("rope_type", "type") if k in rope_scaling]
    if not names:
        raise ValueError(
            "rope_scaling is missing required key 'rope_type' (or the older "
            f"'type'); expected one of {tuple(ROPE_SCALING_KEYS)}"
        )
    if len(names) == 2 and names[0] != names[1]:
        raise ValueError(
            f"rope_scaling['rope_type'] and rope_scaling['type'] disagree: "
            f"{names[0]!r} != {names[1]!r}"
        )
    if not isinstance(names[0], str) or names[0] not in ROPE_SCALING_KEYS:
        raise ValueError(
            f"rope_scaling['rope_type'] must be one of {tuple(ROPE_SCALING_KEYS)}, "
            f"got {_describe(names[0])}"
        )
    return names[0]


def _scaling_value(key: str, value: object):
    name = f"rope_scaling['{key}']"
    if key == "rope_theta":
        return check_base(value, name)
    if key in ("short_factor", "long_factor"):
        return _factor_list(name, value)
    if key == "truncate":
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be a bool, got {_describe(value)}")
        return value
    if key in _INT_KEYS:
        return check_int(name, value, minimum=1, maximum=MAX_EXACT_INT)
    if key == "factor" and value is None:
        return None  # HF: yarn/longrope derive it from max_position_embeddings
    value = check_finite_real(name, value)
    if key in _POSITIVE_KEYS and value <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if key in ("mscale", "mscale_all_dim") and value < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    if key == "partial_rotary_factor":
        return check_partial_rotary_factor(value)
    return value


def check_partial_rotary_factor(value: object) -> float:
    """rope_scaling['partial_rotary_factor']: a real number in (0, 1]."""
    name = "rope_scaling['partial_rotary_factor']"
    value = check_finite_real(name, value)
    if not 0.0 < value <= 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {value}")
    return value


def _factor_list(name: str, value: object) -> np.ndarray:
    if isinstance(value, np.ndarray):
        arr = value
    elif isinstance(value, (list, tuple)):
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value):
            raise TypeError(f"{name} must be a list of real numbers, got {_describe(value)}")
        try:
            arr = np.asarray(value, dtype=np.float64)
        except OverflowError:  # an int beyond float64's range
            raise ValueError(f"{name} must hold finite numbers, got {_describe(value)}") from None
    else:
        raise TypeError(f"{name} must be a list of real numbers, got {_describe(value)}")
    if arr.ndim != 1 or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a 1-D list of real numbers, got {_describe(arr)}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0.0):
        raise ValueError(f"{name} must hold finite numbers > 0, got {arr.tolist()[:8]}...")
    return arr


def _scaling_rotary_dim(params: dict, d: int) -> int:
    prf = params.get("partial_rotary_factor", 1.0)
    if params["rope_type"] == "proportional":
        return d  # proportional RoPE covers the whole head; prf sets how many theta are not 0
    r = int(d * prf)
    if r < 2 or r % 2:
        raise ValueError(
            f"rope_scaling['partial_rotary_factor'] must give an even rotary "
            f"dimension int(d * partial_rotary_factor) >= 2; d={d} and "
            f"partial_rotary_factor={prf} give {r}"
        )
    return r


def _check_scaling_relations(p: dict) -> None:
    r, kind = p["rotary_dim"], p["rope_type"]
    if "factor" in p and p["factor"] is None and kind not in ("yarn", "longrope"):
        raise TypeError(
            f"rope_scaling['factor'] must be a real number for rope_type '{kind}' (None, "
            "factor = max / original, is for yarn and longrope only), got None"
        )
    if kind in ("ntk", "dynamic") and r < 4:
        raise ValueError(
            f"rope_type '{kind}' needs a rotary dimension >= 4 (its exponent is d/(d-2)), got {r}"
        )
    for key in ("short_factor", "long_factor"):
        if key in p and p[key].shape != (r // 2,):
            raise ValueError(
                f"rope_scaling['{key}'] must have rotary_dim/2 = {r // 2} entries "
                f"(one per theta_i), got {p[key].shape[0]}"
            )
    if kind == "llama3" and p["high_freq_factor"] <= p["low_freq_factor"]:
        raise ValueError(
            f"rope_scaling['high_freq_factor'] must be > low_freq_factor, got "
            f"{p['high_freq_factor']} <= {p['low_freq_factor']}"
        )
    if p.get("beta_fast", 32.0) <= p.get("beta_slow", 1.0):
        raise ValueError(
            f"rope_scaling['beta_fast'] must be > beta_slow, got "
            f"{p.get('beta_fast', 32.0)} <= {p.get('beta_slow', 1.0)}"
        )
    if kind == "yarn":
        _check_yarn_betas(p)
    if kind == "longrope" and "attention_factor" not in p:
        if p["original_max_position_embeddings"] < 2:
            raise ValueError(
                "rope_scaling['original_max_position_embeddings'] must be >= 2 for rope_type "
                "'longrope' without attention_factor (its factor sqrt(1 + ln s / ln L) "
                f"divides by ln L), got {p['original_max_position_embeddings']}"
            )
    needs_factor = kind == "yarn" or (kind == "longrope" and "attention_factor" not in p)
    if needs_factor and p.get("factor") is None and "max_position_embeddings" not in p:
        raise ValueError(
            f"rope_scaling needs 'factor' (or max_position_embeddings, factor = "
            f"max / original) for rope_type '{kind}', got factor=None"
        )


def _check_yarn_betas(p: dict) -> None:
    """HF's ramp ends solve L theta_i / (2 pi) = beta (``_scaling_yarn._index_of``):
    L / (2 pi beta) must be a finite float64 > 0 for beta_fast and beta_slow."""
    L = p["original_max_position_embeddings"]
    for key, default in (("beta_fast", 32.0), ("beta_slow", 1.0)):
        beta = p.get(key, default)
        ratio = L / (2 * math.pi * beta)
        if not (math.isfinite(ratio) and ratio > 0.0):
            raise ValueError(
                f"rope_scaling['{key}'] must keep L / (2 pi {key}) a finite number > 0 "
                f"(L = original_max_position_embeddings = {L}), got {beta}"
            )


def check_ntk_base(base: float, s: float, r: int, rope_type: str) -> None:
    """The NTK-aware base b' = b s^(r/(r-2)) (ntk, dynamic) must lie in float64's range
    [MIN_BASE, max] (checked in logs, with a margin for rounding), so that forming it
    raises no OverflowError and does not underflow to 0."""
    log_b = math.log(base) + math.log(s) * r / (r - 2)
    low, high = math.log(MIN_BASE) + 1e-6, math.log(np.finfo(np.float64).max) - 1e-6
    if not low <= log_b <= high:
        raise ValueError(
            f"rope_scaling['factor'] gives rope_type '{rope_type}' the base b s^(r/(r-2)) = "
            f"e^{log_b:.6g} (b = {base:g}, s = {s:g}, r = {r}), outside float64's range "
            f"[{MIN_BASE:.3g}, {np.finfo(np.float64).max:.3g}]"
        )


def check_scaled_theta(theta: np.ndarray, attention_factor: float, p: dict):
    """A variant's theta and attention factor must be finite (theta >= 0, factor > 0):
    extreme but individually valid values (factor = 1e-320: theta_i / factor overflows;
    mscale = 1e308) can still leave float64's range."""
    given = {k: v for k, v in p.items() if k not in ("rotary_dim", "rope_type") and v is not None}
    if not (np.all(np.isfinite(theta)) and np.all(theta >= 0.0)):
        raise ValueError(
            f"rope_scaling (rope_type '{p['rope_type']}') gives theta outside float64's "
            f"range (inf or NaN) with {_describe_params(given)}"
        )
    if not (math.isfinite(attention_factor) and attention_factor > 0.0):
        raise ValueError(
            f"rope_scaling (rope_type '{p['rope_type']}') gives the attention factor "
            f"{attention_factor} (it must be finite and > 0) with {_describe_params(given)}"
        )
    return theta, attention_factor


def _describe_params(params: dict) -> str:
    text = ", ".join(
        f"{k}={np.array2string(v, threshold=4) if isinstance(v, np.ndarray) else repr(v)}"
        for k, v in params.items()
    )
    return text if len(text) < 200 else text[:197] + "..."


def check_scaled_rotary_dim(rotary_dim: object, r: int) -> int:
    """rotary_dim, if given, must match the r that a rope_scaling dict fixes."""
    if rotary_dim is not None and rotary_dim != r:
        raise ValueError(
            f"rotary_dim must match the rotary dimension that rope_scaling gives "
            f"(2 * len(theta) = {r}), got rotary_dim={rotary_dim!r}"
        )
    return r


# --- attention and encoder (rope_ref.attention, rope_ref.encoder) ---------------------


def check_query_key(q, k) -> tuple[np.ndarray, np.ndarray]:
    """q, k: float arrays (..., seq, d) of one shape (self-attention)."""
    q = check_float_array("q", q, min_ndim=2)
    k = check_float_array("k", k, min_ndim=2)
    if k.shape != q.shape:
        raise ValueError(f"k must have q's shape {q.shape} (..., seq, d), got shape {k.shape}")
    return q, k


def check_attention_inputs(q, k, v, mask, *, linear: bool = False) -> np.ndarray | None:
    """q, k: (..., seq, d) of one shape; v: (..., seq, d_v); mask None or bool broadcastable
    to (..., seq, seq) ((..., 1, seq) for linear attention: keys only). Returns the mask."""
    q, k = check_query_key(q, k)
    v = check_float_array("v", v, min_ndim=2)
    if v.shape[:-1] != q.shape[:-1]:
        raise ValueError(
            f"v must have shape {q.shape[:-1]} + (d_v,) (q's leading axes and seq), "
            f"got shape {v.shape}"
        )
    if q.shape[-2] == 0:
        raise ValueError(f"q must have seq >= 1 (shape (..., seq, d)), got shape {q.shape}")
    if mask is None:
        return None
    if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_:
        raise TypeError(
            f"mask must be a NumPy bool array (True = may attend), got {_describe(mask)}"
        )
    seq = q.shape[-2]
    target = q.shape[:-2] + ((1, seq) if linear else (seq, seq))
    try:
        fits = np.broadcast_shapes(mask.shape, target) == target
    except ValueError:
        fits = False
    if not fits:
        what = "(..., 1, seq): linear attention masks keys only" if linear else "(..., seq, seq)"
        raise ValueError(f"mask must broadcast to {target} {what}, got shape {mask.shape}")
    return mask


def check_scores(
    scores: np.ndarray, what: str = "the scores q_m^T k_n / sqrt(d) (eq 16)"
) -> np.ndarray:
    """Attention's sums must be finite in their dtype: float16 q and k of magnitude 200
    already overflow 65504 in the scores."""
    if not np.all(np.isfinite(scores)):
        raise ValueError(
            f"q, k (or v) are too large: {what} overflow {scores.dtype} (max finite "
            f"{np.finfo(scores.dtype).max:.5g}); scale them down or compute in a wider dtype"
        )
    return scores


def check_denominator(denom: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Linear attention's denominator sum_n phi(q_m)^T varphi(k_n) (eq 19) must be finite,
    and > 0 for every query with an allowed key: elu(x) + 1 > 0, but it underflows to 0
    for x below about -745 (float64) or -104 (float32). Queries with no allowed key
    get 0/0 = nan, as documented."""
    check_scores(denom, "the denominator of eq 19")
    zero = (denom == 0) & (allowed > 0)
    if np.any(zero):
        raise ValueError(
            f"q or k are too negative: elu(x) + 1 underflows to 0 in {denom.dtype}, so the "
            f"denominator of eq 19 is 0 for {int(zero.sum())} query(s) that have keys"
        )
    return denom


#: HF RoFormerConfig fields the encoder reads, with HF's defaults where shapes do not
#: depend on them (``None``: required, the weights' shapes depend on it).
ROFORMER_FIELDS = {
    "vocab_size": None,
    "hidden_size": None,
    "num_hidden_layers": None,
    "num_attention_heads": None,
    "intermediate_size": None,
    "type_vocab_size": None,
    "embedding_size": "hidden_size",
    "hidden_act": "gelu",
    "layer_norm_eps": 1e-12,
    "rotary_value": False,
    "is_decoder": False,
    "add_cross_attention": False,
}


def check_roformer_config(config: object) -> dict:
    """A mapping with HF RoFormerConfig's field names (``RoFormerConfig(...).to_dict()``
    works as it is; fields the encoder does not use, such as dropout rates and
    ``max_position_embeddings``, are ignored). Returns the fields in ROFORMER_FIELDS."""
    from collections.abc import Mapping

    if not isinstance(config, Mapping):
        raise TypeError(
            "config must be a mapping with HF RoFormerConfig's field names "
            f"(e.g. RoFormerConfig(...).to_dict()), got {_describe(config)}"
        )
    missing = [
        key for key, default in ROFORMER_FIELDS.items() if default is None and key not in config
    ]
    if missing:
        raise ValueError(f"config is missing the required field(s) {missing}")
    out = {key: config.get(key, default) for key, default in ROFORMER_FIELDS.items()}
    if out["embedding_size"] in (None, "hidden_size"):
        out["embedding_size"] = out["hidden_size"]
    for key in (
        "vocab_size",
        "hidden_size",
        "num_attention_heads",
        "intermediate_size",
        "type_vocab_size",
        "embedding_size",
    ):
        out[key] = check_int(f"config['{key}']", out[key], minimum=1)
    out["num_hidden_layers"] = check_int(
        "config['num_hidden_layers']", out["num_hidden_layers"], minimum=0
    )
    heads, hidden = out["num_attention_heads"], out["hidden_size"]
    if hidden % heads or (hidden // heads) % 2:
        raise ValueError(
            "config['hidden_size'] / config['num_attention_heads'] (the head dimension d) "
            f"must be an even integer (RoPE rotates pairs, eq 15), got {hidden} / {heads}"
        )
    if not isinstance(out["hidden_act"], str) or out["hidden_act"] != "gelu":
        raise ValueError(
            f"config['hidden_act'] must be 'gelu' (exact erf GELU), got {out['hidden_act']!r}"
        )
    eps = check_finite_real("config['layer_norm_eps']", out["layer_norm_eps"])
    if eps <= 0:
        raise ValueError(f"config['layer_norm_eps'] must be > 0, got {eps}")
    out["layer_norm_eps"] = eps
    for key in ("rotary_value", "is_decoder", "add_cross_attention"):
        if not isinstance(out[key], (bool, np.bool_)):
            raise TypeError(f"config['{key}'] must be a bool, got {_describe(out[key])}")
    if out["add_cross_attention"]:
        raise ValueError(
            "config['add_cross_attention'] must be False: the encoder has "
            "self-attention only, got True"
        )
    return out


def check_eps_fits(eps: float, dtype: np.dtype) -> None:
    """config['layer_norm_eps'] must stay > 0 and finite in the weights' dtype (1e-50 is
    0 in float32, and a constant row then divides 0 by 0)."""
    with np.errstate(over="ignore"):
        cast = np.asarray(eps).astype(dtype)
    if not (np.isfinite(cast) and cast > 0):
        raise ValueError(
            f"config['layer_norm_eps'] must be > 0 and finite in the weights' dtype "
            f"{np.dtype(dtype)}, got {eps} (it becomes {cast})"
        )


def check_encoder_finite(x: np.ndarray, where: str) -> np.ndarray:
    """Hidden states must stay finite: finite but huge weights can overflow the weights'
    dtype (float32 ends at 3.4e38); the message says where."""
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"weights overflow {x.dtype} in {where}: the hidden states hold NaN or inf "
            f"(max finite |value| {_max_abs(x, np.isfinite(x))}); check the weights' scale"
        )
    return x


def _max_abs(values: np.ndarray, keep: np.ndarray) -> str:
    kept = np.abs(values[keep])
    return f"{kept.max():.3g}" if kept.size else "none"


def check_layer_count(configured: int, present: int) -> None:
    """config['num_hidden_layers'] may exceed the layers the weights hold by one layer at
    most before their keys are listed one by one (a config of 10**9 layers would list
    1.6e10 missing keys); more is this error."""
    if configured > present + 1:
        raise ValueError(
            f"config['num_hidden_layers'] is {configured} but the weights hold {present} layer(s)"
        )


def check_layer_indices(name: str, layers: set[int]) -> int:
    """Encoder layers must be numbered 0..L-1 without gaps; returns L."""
    count = max(layers) + 1 if layers else 0
    if count != len(layers):
        missing = sorted(set(range(min(count, len(layers) + 20))) - layers)[:10]
        raise ValueError(
            f"{name} must number its layers 0..L-1 without gaps, got {len(layers)} layer(s) "
            f"up to index {count - 1}; missing e.g. {missing}"
        )
    return count


def check_weight_table(name: str, problems: dict[str, list[str]]) -> None:
    """Raise one ValueError listing the missing keys, unknown keys and wrong shapes (the
    first 20 of each kind, and how many more)."""
    lines = [
        f"  {kind}: {', '.join(items[:20])}"
        + (f" and {len(items) - 20} more" if len(items) > 20 else "")
        for kind, items in problems.items()
        if items
    ]
    if lines:
        raise ValueError(f"{name} does not match the RoFormer encoder:\n" + "\n".join(lines))


def check_token_ids(name: str, ids: object, n_vocab: int, shape=None) -> np.ndarray:
    """Integer ids of shape (batch, seq) (or ``shape``) with 0 <= id < n_vocab."""
    arr = as_array(name, ids) if isinstance(ids, (list, tuple)) else ids
    if not isinstance(arr, np.ndarray) or arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must be an integer array of shape (batch, seq), got {_describe(ids)}"
        )
    if shape is None and (arr.ndim != 2 or arr.size == 0):
        raise ValueError(
            f"{name} must have shape (batch, seq) with batch, seq >= 1, got shape {arr.shape}"
        )
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name} must have input_ids' shape {shape}, got shape {arr.shape}")
    bad = (arr < 0) | (arr >= n_vocab)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must lie in [0, {n_vocab}), got {int(bad.sum())} id(s) out of range, "
            f"e.g. {int(arr[where])} at index {where}"
        )
    return arr.astype(np.intp, copy=False)


def check_padding_mask(mask: object, shape: tuple[int, int]) -> np.ndarray:
    """attention_mask: (batch, seq) of 0/1 (bool, int or float); returns bool."""
    arr = as_array("attention_mask", mask) if isinstance(mask, (list, tuple)) else mask
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf":
        raise TypeError(
            f"attention_mask must be an array of 0/1 of shape {shape}, got {_describe(mask)}"
        )
    if arr.shape != shape:
        raise ValueError(
            f"attention_mask must have input_ids' shape {shape} (batch, seq), got shape {arr.shape}"
        )
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError(
            "attention_mask must hold only 0 (padding) and 1 (token), got "
            f"values {np.unique(arr)[:6].tolist()}"
        )
    return arr.astype(bool)


def check_encoder_positions(positions: object, batch: int, seq: int) -> np.ndarray:
    """positions m: (seq,) or (batch, seq) finite reals; returns (seq,) or (batch, 1, seq)."""
    m = check_positions(positions)
    if m.shape == (seq,):
        return m
    if m.shape == (batch, seq):
        return m[:, None, :]
    raise ValueError(
        f"positions must have shape (seq,) = ({seq},) or (batch, seq) = "
        f"({batch}, {seq}), got shape {m.shape}"
    )


def check_bool(name: str, value: object) -> bool:
    """True or False (or NumPy's bool_; not 0/1, not a string)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {_describe(value)}")
    return bool(value)


def check_base_agrees(base: object, rope_theta: float | None) -> float:
    """The base of eq 15 from ``base`` and/or rope_scaling's ``rope_theta`` (10000 if
    neither); both given must be equal."""
    if base is None:
        return 10000.0 if rope_theta is None else rope_theta
    base = check_base(base)
    if rope_theta is not None and rope_theta != base:
        raise ValueError(
            f"base ({base}) and rope_scaling['rope_theta'] ({rope_theta}) "
            "disagree; give one of them, or the same value"
        )
    return base


def check_yarn_truncate(params: dict, hf_compat: bool) -> None:
    """``truncate`` belongs to HF's index ramp; the YaRN paper's ramp has none."""
    if "truncate" in params and not hf_compat:
        raise ValueError(
            "rope_scaling['truncate'] applies to HF's index ramp only; pass "
            "hf_compat=True to use it (the YaRN paper's ramp has no truncation)"
        )


def check_scaling_args(
    theta: object, rope_scaling: object, seq_len: object, *, base: object = None
) -> None:
    """``rotate``: theta excludes rope_scaling and base; seq_len needs rope_scaling."""
    if theta is not None and base is not None:
        raise ValueError(
            f"give theta or base, not both (theta fixes the frequencies), "
            f"got base={_describe(base)}"
        )
    if rope_scaling is None and seq_len is not None:
        raise ValueError(f"seq_len applies only with rope_scaling, got seq_len={seq_len!r}")
    if rope_scaling is not None and theta is not None:
        raise ValueError("give theta or rope_scaling, not both (rope_scaling determines theta)")


def check_golden_group(group: object) -> object:
    """A golden group's name (str), or a group as ``rope_ref.golden.load_group`` returns."""
    if not isinstance(group, str) and not (hasattr(group, "arrays") and hasattr(group, "config")):
        raise TypeError(
            "group must be a golden group's name (str) or a GoldenGroup from "
            f"rope_ref.golden.load_group, got {_describe(group)}"
        )
    return group


def check_golden_version(version: object) -> str:
    """A golden set version: a plain folder name such as 'v1' (no separator, no NUL, at
    most 255 characters: a name no file system refuses)."""
    if not isinstance(version, str) or not version or "/" in version or "\\" in version:
        raise ValueError(f"version must be a folder name such as 'v1', got {_describe(version)}")
    if version in (".", "..") or "\x00" in version or len(version) > 255:
        raise ValueError(f"version must be a folder name such as 'v1', got {_describe(version)}")
    return version


def check_golden_root(root: object) -> object:
    """``root``: None (the packaged vectors) or a folder path (str or os.PathLike)."""
    import os

    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder path (str or os.PathLike), got {_describe(root)}")
    return root


# --- figures (rope_ref.figures) -----------------------------------------------------------


def check_positive_real(name: str, value: object) -> float:
    """A finite real number > 0 (a length, a count of positions)."""
    value = check_finite_real(name, value)
    if value <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def check_same_shape(name_a: str, a: object, name_b: str, b: object, *, ndim: int | None = None):
    """Two real arrays of one shape (with exactly ``ndim`` axes if given), as float64."""
    a, b = _real_array(name_a, a), _real_array(name_b, b)
    if a.shape != b.shape or (ndim is not None and a.ndim != ndim):
        want = "one shape" if ndim is None else f"one shape with {ndim} axes"
        raise ValueError(f"{name_a} and {name_b} must have {want}, got {a.shape} and {b.shape}")
    return a, b


def _real_array(name: str, value: object) -> np.ndarray:
    """Any array-like of reals (bool, int or float; not complex, not text) as a finite
    float64 array with at least one axis."""
    arr = as_array(name, value)
    if arr.dtype.kind not in "biuf" and arr.dtype.name != "bfloat16":
        raise TypeError(f"{name} must hold real numbers, got {_describe(value)}")
    return check_float_array(name, arr.astype(np.float64), min_ndim=1)


def check_difference(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> np.ndarray:
    """|a - b| of two finite float64 arrays of one shape (..., d) with d >= 1, which must
    not overflow (1e308 - -1e308)."""
    if a.size == 0:
        raise ValueError(
            f"{name_a} and {name_b} must hold at least one value (shape (..., seq, d)), "
            f"got shape {a.shape}"
        )
    with np.errstate(over="ignore"):
        diff = np.abs(a - b)
    if not np.all(np.isfinite(diff)):
        raise ValueError(
            f"{name_a} - {name_b} overflows float64: they differ by more than "
            f"{np.finfo(np.float64).max:.4g} somewhere"
        )
    return diff
