"""Shared by the API-wide fuzz tests (tests/validation/test_fuzz_api.py): small valid
objects to break one argument of, what counts as a clean rejection, and the strategies."""

from __future__ import annotations

import re
import warnings
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from rope_ref.model.weights import _expected_shapes

YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}
LONG = {
    "rope_type": "longrope",
    "short_factor": [1.0] * 4,
    "long_factor": [2.0] * 4,
    "original_max_position_embeddings": 4096,
    "factor": 8.0,
}
CFG = {
    "vocab_size": 10,
    "hidden_size": 8,
    "num_attention_heads": 2,
    "num_hidden_layers": 1,
    "intermediate_size": 6,
    "type_vocab_size": 2,
}
_rng = np.random.default_rng(0)
WEIGHTS = {k: _rng.standard_normal(s) for k, s in _expected_shapes(10, 2, 8, 8, 6, 1).items()}
IDS = np.array([[1, 2, 3]])


def as_matrix(rows) -> np.matrix:
    """np.matrix(rows), without NumPy's PendingDeprecationWarning (the subclass is one of
    the inputs rope_ref must refuse by name)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix(rows)


def with_(base: dict, **changes) -> dict:
    out = dict(base)
    out.update(changes)
    return out


def _qk_word(name: str) -> str:
    return rf"(?<![\w]){re.escape(name)}(?![\w])"


def assert_named(err: BaseException, names) -> None:
    """The message names one of the arguments ``names`` (as a word)."""
    text = str(err)
    assert text, f"{type(err).__name__} without a message"
    assert any(re.search(_qk_word(n), text) for n in names), (
        f"{type(err).__name__}: {text!r} names none of {list(names)}"
    )


def assert_finite(out) -> None:
    """Arrays, floats and tuples of them hold no NaN or inf."""
    if isinstance(out, tuple):
        for item in out:
            assert_finite(item)
    elif isinstance(out, (np.ndarray, float, np.floating)):
        arr = np.asarray(out)
        if arr.dtype.kind in "fc":
            assert np.all(np.isfinite(arr)), "accepted input gave NaN or inf"


def attempt(call, names):
    """Run ``call`` with NumPy's warnings as errors. Returns (True, output) if it
    returned finite values, (False, error) if it raised ValueError/TypeError naming one
    of ``names``; anything else fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            out = call()
        except (ValueError, TypeError) as err:
            assert_named(err, names)
            return False, err
    assert_finite(out)
    return True, out


# --- strategies ---------------------------------------------------------------------------

#: Scalars at every edge: None, bools, ints up to 10**400, floats from subnormal to inf,
#: NaN, Fractions, strings, ragged and flat lists, layout names.
WILD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 300),
    st.sampled_from([0, 1, 2, 3, 4, 8, 2**53 + 1, 2**70, 10**400, -(10**400)]),
    st.floats(),
    st.sampled_from([5e-324, 1e-300, 1e-16, 0.5, 1.0, 1e16, 1e300, 1.7e308, float("nan")]),
    st.builds(Fraction, st.integers(-(10**400), 10**400), st.integers(1, 10)),
    st.text(max_size=3),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=4),
    st.just([[1.0], [1.0, 2.0]]),
    st.sampled_from(["interleaved", "half", "float32", "bfloat16", "v1"]),
)


@st.composite
def arrays(draw, max_abs: float = 1e6):
    """Arrays of any dtype and up to 4 axes, filled with one value: 0, a modest value up
    to max_abs, NaN, inf. (Values near the float maximum are left out here: rotating
    them can overflow in rope_ref.rotary, reported to the lead, see the module doc.)"""
    shape = draw(st.lists(st.integers(0, 5), max_size=4))
    dtype = draw(
        st.sampled_from(
            [np.float16, np.float32, np.float64, np.int32, np.uint8, np.bool_, np.complex128]
        )
    )
    value = draw(st.sampled_from([0.0, 1.5, -2.0, max_abs, np.nan, np.inf, -np.inf]))
    with np.errstate(invalid="ignore", over="ignore"):
        return np.full(shape, value).astype(dtype)


@st.composite
def disguised_arrays(draw):
    """Valid-looking float arrays in a form rope_ref must refuse by name (issue 15): a
    masked array (with a masked NaN, or with no mask at all), an np.matrix, or an array of
    more than 32 axes (NumPy's iterators stop at 32)."""
    kind = draw(st.sampled_from(["masked nan", "masked none", "matrix", "many axes"]))
    base = draw(float_arrays(ndim=(2, 2), max_abs=10.0))
    if kind == "masked nan":
        with np.errstate(invalid="ignore"):
            base = base.copy()
            base.flat[0] = np.nan
        return np.ma.masked_invalid(base)
    if kind == "masked none":
        return np.ma.array(base)
    if kind == "matrix":
        return as_matrix(base)
    return np.ones((1,) * draw(st.integers(33, 40)) + base.shape[-1:], base.dtype)


ARGS = st.one_of(arrays(), WILD, disguised_arrays())


def mostly(good, bad=ARGS):
    """Valid values three times in four, so that one bad argument meets valid others and
    the call reaches past the first check."""
    return st.sampled_from([True, True, True, False]).flatmap(lambda ok: good if ok else bad)


@st.composite
def float_arrays(draw, ndim=(2, 3), d=None, seq=None, max_abs: float = 1e3):
    """Valid-looking float arrays (..., seq, d): random values, float16/32/64."""
    n = draw(st.integers(*ndim))
    shape = [draw(st.integers(1, 3)) for _ in range(n - 2)]
    shape += [seq if seq is not None else draw(st.integers(1, 4))]
    shape += [d if d is not None else 2 * draw(st.integers(1, 6))]
    dtype = draw(st.sampled_from([np.float16, np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return (rng.standard_normal(shape) * draw(st.sampled_from([1.0, max_abs]))).astype(dtype)


POSITIONS = st.one_of(
    st.lists(st.integers(-(2**20), 2**24), min_size=1, max_size=4),
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=4),
    st.integers(0, 2**30),
)
GOOD_D = st.integers(1, 32).map(lambda h: 2 * h)
GOOD_BASE = st.sampled_from([10000.0, 500000, 1e6, 2.0, 0.5, 1e-3, 1e300])
GOOD_LAYOUT = st.sampled_from(["interleaved", "half"])


#: The first fuzzers' scalars (rotate's and the layouts' arguments): fewer edges than WILD.
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 300),
    st.floats(),
    st.text(max_size=3),
    st.lists(st.floats(), max_size=4),
    st.sampled_from(["interleaved", "half"]),
)


@st.composite
def bad_arrays(draw):
    """Arrays of up to 4 axes of a float, int, bool or complex dtype, filled with one
    value: 0, 1.5, NaN or +-inf."""
    shape = draw(st.lists(st.integers(0, 5), max_size=4))
    dtype = draw(
        st.sampled_from([np.float16, np.float32, np.float64, np.int32, np.bool_, np.complex128])
    )
    values = draw(st.sampled_from([0.0, 1.5, np.nan, np.inf, -np.inf]))
    with np.errstate(invalid="ignore"):
        return np.full(shape, values).astype(dtype)
