"""Bad input gets a ValueError or TypeError that names the argument; nothing else escapes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rope_ref as rr

X = np.zeros((2, 4, 8))
P = np.arange(4)

BAD_CALLS = [
    ("odd d", lambda: rr.frequencies(7), ValueError, "d must be even"),
    ("d zero", lambda: rr.frequencies(0), ValueError, "d must be an integer >= 2"),
    ("float d", lambda: rr.frequencies(8.0), TypeError, "d must be an integer"),
    ("base 1", lambda: rr.frequencies(8, 1.0), ValueError, "base must be > 0 and != 1"),
    ("base 0", lambda: rr.frequencies(8, 0.0), ValueError, "base must be > 0"),
    ("base -2", lambda: rr.frequencies(8, -2.0), ValueError, "base must be > 0"),
    ("base inf", lambda: rr.frequencies(8, np.inf), ValueError, "base must be finite"),
    ("base nan", lambda: rr.rotate(X, P, base=float("nan")), ValueError, "base must be finite"),
    ("base str", lambda: rr.frequencies(8, "10000"), TypeError, "base must be a real number"),
    ("odd x", lambda: rr.rotate(np.zeros((4, 7)), P), ValueError, "d (the last axis of x)"),
    (
        "odd rotary_dim",
        lambda: rr.rotate(X, P, rotary_dim=3),
        ValueError,
        "rotary_dim must be even",
    ),
    (
        "rotary_dim > d",
        lambda: rr.rotate(X, P, rotary_dim=10),
        ValueError,
        "rotary_dim must be <= d",
    ),
    ("seq mismatch", lambda: rr.rotate(X, np.arange(5)), ValueError, "positions must have shape"),
    ("too many axes", lambda: rr.rotate(X, np.zeros((3, 2, 2, 4))), ValueError, "positions"),
    (
        "nan position",
        lambda: rr.rotate(X, [0, 1, np.nan, 3]),
        ValueError,
        "positions must be finite",
    ),
    ("inf position", lambda: rr.angles([np.inf], [1.0]), ValueError, "positions must be finite"),
    ("str positions", lambda: rr.rotate(X, "0123"), TypeError, "positions must be"),
    ("complex positions", lambda: rr.rotate(X, np.ones(4) * 1j), TypeError, "positions must hold"),
    ("nan in x", lambda: rr.rotate(np.full((4, 8), np.nan), P), ValueError, "x must be finite"),
    ("inf in x", lambda: rr.rotate(np.full((4, 8), np.inf), P), ValueError, "x must be finite"),
    (
        "int x",
        lambda: rr.rotate(np.zeros((4, 8), dtype=np.int64), P),
        TypeError,
        "x must have dtype",
    ),
    ("list x", lambda: rr.rotate([[0.0, 1.0]], [0]), TypeError, "x must be a NumPy array"),
    ("0-d x", lambda: rr.rotate(np.float64(1.0), P), TypeError, "x must be a NumPy array"),
    ("0-d array x", lambda: rr.rotate(np.array(1.0), P), ValueError, "x must have at least 2 axes"),
    ("1-d x", lambda: rr.rotate(np.zeros(8), P), ValueError, "x must have at least 2 axes"),
    ("layout", lambda: rr.rotate(X, P, layout="neox"), ValueError, "layout must be one of"),
    (
        "theta length",
        lambda: rr.rotate(X, P, theta=np.ones(3)),
        ValueError,
        "theta must have shape",
    ),
    (
        "m array",
        lambda: rr.rotary_matrix([1, 2], rr.frequencies(4)),
        ValueError,
        "m must be a single",
    ),
    ("heads", lambda: rr.permute_qk_weights(np.zeros((10, 3)), 3), ValueError, "n_heads=3"),
    (
        "odd head_dim",
        lambda: rr.permute_qk_weights(np.zeros((6, 3)), 2),
        ValueError,
        "d must be even",
    ),
    (
        "to",
        lambda: rr.permute_qk_weights(np.zeros((8, 3)), 2, to="x"),
        ValueError,
        "layout must be",
    ),
]


@pytest.mark.parametrize(
    ("name", "call", "error", "message"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS]
)
def test_bad_input_is_named(name, call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value), f"{name}: message {str(info.value)!r} lacks {message!r}"


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
    shape = draw(st.lists(st.integers(0, 5), max_size=4))
    dtype = draw(
        st.sampled_from([np.float16, np.float32, np.float64, np.int32, np.bool_, np.complex128])
    )
    values = draw(st.sampled_from([0.0, 1.5, np.nan, np.inf, -np.inf]))
    with np.errstate(invalid="ignore"):
        return np.full(shape, values).astype(dtype)


@given(
    x=st.one_of(bad_arrays(), ANYTHING),
    positions=st.one_of(bad_arrays(), ANYTHING),
    rotary_dim=ANYTHING,
    base=ANYTHING,
    layout=ANYTHING,
)
def test_fuzzed_arguments_raise_only_value_or_type_errors(x, positions, rotary_dim, base, layout):
    """Either rotate succeeds with a finite result of x's shape, or it says what is wrong."""
    try:
        y = rr.rotate(x, positions, rotary_dim=rotary_dim, base=base, layout=layout)
    except (ValueError, TypeError) as err:
        assert str(err), "an error must carry a message"
        return
    assert isinstance(y, np.ndarray) and y.shape == x.shape and y.dtype == x.dtype
    assert np.all(np.isfinite(y)), "rotate returned NaN or inf for accepted input"


@given(
    d=ANYTHING, base=ANYTHING, W=st.one_of(bad_arrays(), ANYTHING), n_heads=ANYTHING, to=ANYTHING
)
def test_fuzzed_steps_and_layouts_raise_only_value_or_type_errors(d, base, W, n_heads, to):
    for call in (
        lambda: rr.frequencies(d, base),
        lambda: rr.half_permutation(d),
        lambda: rr.permute_qk_weights(W, n_heads, to=to),
        lambda: rr.rotary_matrix(base, rr.frequencies(4), layout=to),
    ):
        try:
            out = call()
        except (ValueError, TypeError) as err:
            assert str(err)
            continue
        assert isinstance(out, np.ndarray)
        if out.dtype.kind == "f":
            assert np.all(np.isfinite(out))


def test_rotate_names_an_overflow_instead_of_returning_inf():
    """A float16 pair (60000, 60000) turned by 45 degrees has a component 84853 > 65504."""
    x = np.full((1, 2), 60000.0, dtype=np.float16)
    theta = np.array([np.pi / 4])
    with pytest.raises(ValueError, match="x is too large to rotate in float16"):
        rr.rotate(x, [1.0], theta=theta)
    assert np.all(np.isfinite(rr.rotate(x, [0.0], theta=theta)))


def test_rotate_takes_theta_or_base_not_both():
    with pytest.raises(ValueError, match="give theta or base, not both"):
        rr.rotate(X, P, theta=rr.frequencies(8), base=500000.0)
    with pytest.raises(TypeError, match="hf_compat"):
        rr.rotate(X, P, hf_compat="yes")


def test_error_bound_is_inf_past_float64_range_without_warning():
    x = np.full((1, 2), 1.7e308)
    with np.errstate(all="raise"):
        bound = rr.rotation_error_bound(x, [3.0])
    assert np.all(np.isinf(bound))
