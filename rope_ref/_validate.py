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


def check_int(name: str, value: object, *, minimum: int | None = None) -> int:
    """An integer (Python or NumPy, not bool), optionally ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def check_even_dim(name: str, value: object) -> int:
    """A positive even integer: RoPE rotates features in pairs (eq 15 has d/2 blocks)."""
    value = check_int(name, value, minimum=2)
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
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_base(base: object, name: str = "base") -> float:
    """The RoPE base (10000 in eq 15): finite, > 0 and != 1 (base 1 makes every theta 1)."""
    base = check_finite_real(name, base)
    if base <= 0.0 or base == 1.0:
        raise ValueError(f"{name} must be > 0 and != 1 (eq 15 uses 10000), got {base}")
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
    if not np.all(np.isfinite(x)):
        bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
        raise ValueError(f"{name} must be finite, got {bad} NaN or inf value(s)")
    return x


def check_positions(positions: object, name: str = "positions") -> np.ndarray:
    """Finite real positions m (int or float, negative and fractional allowed) as float64.

    Returns an array of at least one axis (a scalar becomes shape (1,)).
    """
    if isinstance(positions, np.ndarray):
        arr = positions
    elif isinstance(positions, (numbers.Real, list, tuple)) and not isinstance(positions, bool):
        arr = np.asarray(positions)
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
        theta = np.asarray(theta) if isinstance(theta, (list, tuple)) else theta
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


def check_qk(q: object, k: object, *, single: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A query and a key: float arrays of the same shape (..., d), or (d,) if ``single``,
    with d even (eq 35)."""
    q = check_float_array("q", q, min_ndim=1)
    k = check_float_array("k", k, min_ndim=1)
    if single and q.ndim != 1:
        raise ValueError(f"q and k must have shape (d,), got q {q.shape} and k {k.shape}")
    if q.shape != k.shape:
        raise ValueError(f"q and k must have the same shape, got q {q.shape} and k {k.shape}")
    check_even_dim("d (the last axis of q and k)", q.shape[-1])
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
    return check_int("seq_len", seq_len, minimum=1)


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
        return check_int(name, value, minimum=1)
    if key == "factor" and value is None:
        return None  # HF: yarn/longrope derive it from max_position_embeddings
    value = check_finite_real(name, value)
    if key in _POSITIVE_KEYS and value <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if key in ("mscale", "mscale_all_dim") and value < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    if key == "partial_rotary_factor" and not 0.0 < value <= 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {value}")
    return value


def _factor_list(name: str, value: object) -> np.ndarray:
    if isinstance(value, np.ndarray):
        arr = value
    elif isinstance(value, (list, tuple)):
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value):
            raise TypeError(f"{name} must be a list of real numbers, got {_describe(value)}")
        arr = np.asarray(value, dtype=np.float64)
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
    needs_factor = kind == "yarn" or (kind == "longrope" and "attention_factor" not in p)
    if needs_factor and p.get("factor") is None and "max_position_embeddings" not in p:
        raise ValueError(
            f"rope_scaling needs 'factor' (or max_position_embeddings, factor = "
            f"max / original) for rope_type '{kind}', got factor=None"
        )


def check_scaled_rotary_dim(rotary_dim: object, r: int) -> int:
    """rotary_dim, if given, must match the r that a rope_scaling dict fixes."""
    if rotary_dim is not None and rotary_dim != r:
        raise ValueError(
            f"rotary_dim must match the rotary dimension that rope_scaling gives "
            f"(2 * len(theta) = {r}), got rotary_dim={rotary_dim!r}"
        )
    return r
