"""Checks every module uses: integers and reals, dimensions d and rotary_dim, the base,
layouts, float arrays, positions m, frequencies theta and the angles m theta_i.

Every message names the argument, what was expected and what came, in the manner of
NumPy's own errors. Functions here return the checked (and converted) value so callers
write ``d = check_even_dim("d", d)`` and go on.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

LAYOUTS = ("interleaved", "half", "half_in_halves")
FLOAT_DTYPES = (np.float16, np.float32, np.float64)


def describe(value: object) -> str:
    """A short description of a value for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


#: The most axes an array argument may have: NumPy's iterators (einsum, ``where=``,
#: ``out=`` with broadcasting) stop at 32, so more would fail deep inside NumPy.
MAX_NDIM = 32
#: The most values an array that a function builds (an output or a temporary that its
#: inputs do not already hold: R per position, the (seq, seq) scores, the partial sums
#: S_j per distance) may have: 2^25, 256 MiB of float64. Checked before allocating, so
#: a call that would need more is a ValueError naming the arguments, not a MemoryError.
MAX_ELEMENTS = 2**25


def check_plain_array(name: str, value: object) -> object:
    """Reject the ndarray subclasses whose values or arithmetic are not their array's: a
    masked array (``np.asarray`` and every ufunc's ``out=`` drop its mask, so a masked NaN
    comes back as a NaN) and ``np.matrix`` (always 2-D; ``*`` is a matrix product).
    Returns ``value``."""
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(
            f"{name} must be a plain NumPy array, got a masked array (np.ma.MaskedArray), "
            f"whose mask rope_ref would drop; pass {name}.filled(fill_value) or {name}.data"
        )
    if isinstance(value, np.matrix):
        raise TypeError(
            f"{name} must be a plain NumPy array, got an np.matrix (always 2-D, * is a "
            f"matrix product); pass np.asarray({name})"
        )
    return value


def check_ndim(name: str, arr: np.ndarray) -> np.ndarray:
    """At most MAX_NDIM axes."""
    if arr.ndim > MAX_NDIM:
        raise ValueError(
            f"{name} must have at most {MAX_NDIM} axes (NumPy's iterators stop there), "
            f"got {arr.ndim} axes"
        )
    return arr


def check_size(names: str, what: str, shape: tuple[int, ...], limit: int = MAX_ELEMENTS):
    """An array of ``shape`` about to be built (``what``, e.g. "R of shape (..., r, r)")
    must hold at most ``limit`` values (MAX_ELEMENTS); ``names`` are the arguments that set
    its shape. Checked with Python integers, before anything is allocated. Returns shape."""
    size = math.prod(int(n) for n in shape)
    if size > limit:
        raise ValueError(
            f"{names} too large: {what} would hold {size:.4g} values (shape {tuple(shape)}), "
            f"more than the {limit:.4g} (2^{limit.bit_length() - 1}, MAX_ELEMENTS) that "
            "rope_ref builds in one array"
        )
    return tuple(shape)


def as_array(name: str, value: object) -> np.ndarray:
    """``np.asarray(value)``, with NumPy's error for a ragged or unconvertible value
    (``[[1], [1, 2]]``) turned into one that names the argument; a masked array or
    np.matrix is a TypeError (``check_plain_array``), more than MAX_NDIM axes a ValueError."""
    check_plain_array(name, value)
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError, OverflowError, RecursionError) as err:
        raise TypeError(
            f"{name} must be an array or a nested list of equal-length rows, "
            f"got {describe(value)}: {err}"
        ) from None
    return check_ndim(name, arr)


#: Lengths and counts that meet float64 arithmetic (context lengths, seq_len) must be
#: exact as float64: integers up to 2^53.
MAX_EXACT_INT = 2**53


def check_int(
    name: str, value: object, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer (Python or NumPy, not bool), optionally ``>= minimum``, ``<= maximum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {describe(value)}")
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
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    try:
        value = float(value)
    except OverflowError:  # an int or Fraction beyond float64's range
        raise ValueError(f"{name} must be finite, got {describe(value)}") from None
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
    """``"interleaved"`` (the paper, eq 15), ``"half"`` (GPT-NeoX / HF Llama) or
    ``"half_in_halves"`` (Gemma 4's vision tower: the half split inside each half)."""
    if not isinstance(layout, str) or layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {describe(layout)}")
    return layout


def check_layout_dim(layout: str, rotary_dim: int) -> int:
    """rotary_dim fits a checked layout: a multiple of 4 for ``"half_in_halves"`` (each
    half of the rotated features is itself split in half)."""
    if layout == "half_in_halves" and rotary_dim % 4:
        raise ValueError(
            f"rotary_dim must be a multiple of 4 for layout 'half_in_halves' (each half "
            f"split in half again), got {rotary_dim}"
        )
    return rotary_dim


def check_float_array(name: str, x: object, *, min_ndim: int = 1) -> np.ndarray:
    """A NumPy float16/32/64 array with at least ``min_ndim`` axes and no NaN or inf.

    Lists and other array-likes are rejected rather than guessed at: an integer or
    object array would silently change the output dtype.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name} must be a NumPy array of float16, float32 or float64, got {describe(x)}"
        )
    check_ndim(name, check_plain_array(name, x))
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
        arr = check_ndim(name, check_plain_array(name, positions))
    elif isinstance(positions, (numbers.Real, list, tuple)) and not isinstance(positions, bool):
        arr = as_array(name, positions)
    else:
        raise TypeError(
            f"{name} must be a real number or an array of them, got {describe(positions)}"
        )
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold integers or floats, got dtype {arr.dtype}")
    arr = np.atleast_1d(arr.astype(np.float64))
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got NaN or inf in {name}")
    return arr


def check_angles_finite(
    phi: np.ndarray, m: np.ndarray, theta: np.ndarray, name: str = "positions"
) -> np.ndarray:
    """The angles phi = m theta_i (eq 13) must be finite: a finite m times a finite
    theta_i can still overflow float64 (m = 1e308, theta_i = 10). phi: (..., d/2), m: (...,)
    and theta: (d/2,) float64, m and theta already checked. Returns phi."""
    if not np.all(np.isfinite(phi)):
        raise ValueError(
            f"{name} times theta overflows float64: the angles m theta_i (eq 13) must be "
            f"finite, got max |{name}| = {np.abs(m).max():.3g} and max theta_i = "
            f"{np.abs(theta).max():.3g}"
        )
    return phi


def fit_rotated(y: np.ndarray, dtype: np.dtype, factor: float = 1.0) -> np.ndarray:
    """A rotation computed in float64 (``y``), rounded to x's ``dtype``: it must be finite
    in both (finite x of 1e308 rotates past float64's range; 6e4 past float16's), and the
    error is the one ``rotate`` gives. Returns y cast to dtype."""
    with np.errstate(over="ignore", invalid="ignore"):
        cast = y.astype(dtype, copy=False)
    if not _all_finite(np.asarray(cast)):
        dtype = np.dtype(dtype)
        raise ValueError(
            f"x is too large to rotate in {dtype}: a rotated pair (times the attention "
            f"factor {factor}) overflows {dtype}'s largest value {np.finfo(dtype).max}"
        )
    return cast


def check_finite_result(values: np.ndarray, what: str) -> np.ndarray:
    """A result computed from accepted (finite) arguments must be finite too; ``what``
    says which result and which arguments drove it out of float64's range."""
    if not _all_finite(np.asarray(values)):
        raise ValueError(f"{what} overflows float64 (inf or NaN)")
    return values


def broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` broadcasts to exactly ``target`` (without growing it)."""
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


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
    if not broadcasts_to(positions.shape, lead):
        raise ValueError(
            f"positions of shape {positions.shape} do not broadcast to x's leading axes {lead}"
        )


def check_theta(theta: object, rotary_dim: int | None = None) -> np.ndarray:
    """A 1-D finite float array of frequencies theta_i, length rotary_dim/2 if given."""
    if not isinstance(theta, np.ndarray):
        theta = as_array("theta", theta) if isinstance(theta, (list, tuple)) else theta
    check_plain_array("theta", theta)
    if not isinstance(theta, np.ndarray) or theta.dtype.kind not in "iuf":
        raise TypeError(f"theta must be a 1-D array of floats, got {describe(theta)}")
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


def check_bool(name: str, value: object) -> bool:
    """True or False (or NumPy's bool_; not 0/1, not a string)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {describe(value)}")
    return bool(value)


def check_positive_real(name: str, value: object) -> float:
    """A finite real number > 0 (a length, a count of positions)."""
    value = check_finite_real(name, value)
    if value <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def check_feature_axis(name: str, x: object) -> np.ndarray:
    """An array with a last axis of features, (..., d): ``as_array``, at least one axis."""
    x = as_array(name, x)
    if x.ndim == 0:
        raise ValueError(f"{name} must have shape (..., d), got a 0-d array of shape {x.shape}")
    return x


def check_head_rows(W: np.ndarray, n_heads: int) -> int:
    """W of shape (n_heads * head_dim, d_in) or (n_heads * head_dim,): returns head_dim."""
    if W.ndim not in (1, 2) or W.shape[0] % n_heads:
        raise ValueError(
            f"W must have shape (n_heads * head_dim, d_in) or (n_heads * head_dim,) with "
            f"n_heads={n_heads} dividing its first axis, got shape {W.shape}"
        )
    return W.shape[0] // n_heads
