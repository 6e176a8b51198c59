"""API-wide fuzzing: every public function of rope_ref, fed bad and extreme arguments,
either returns finite values or raises ValueError / TypeError (GoldenIntegrityError, a
ValueError, for golden files) whose message names the argument at fault.

NumPy's RuntimeWarnings (overflow, invalid) count as failures: an overflow that only
warns hands the caller inf or NaN. ``ESCAPES`` lists every escape this audit found, as it
was found; each case failed before its fix.
"""

from __future__ import annotations

import re
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rope_ref as rr
from rope_ref._roformer_weights import _HF_NAMES, _expected_shapes
from rope_ref.golden import GoldenIntegrityError, list_groups, load_group

X = np.ones((2, 4, 8))
P = np.arange(4)
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
Q = np.ones((2, 3, 4))
V = np.ones((2, 3, 5))


def _big(x, positions):
    return np.full_like(x, 1e308)


def _raises(x, positions):
    raise RuntimeError("the implementation's own error")


def _with(base: dict, **changes) -> dict:
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


# --- the escapes found, each a case that failed before its fix ----------------------------

ESCAPES = [
    # steps 1-2: bases and positions at float64's edges
    (
        "subnormal base: theta overflowed to inf",
        lambda: rr.frequencies(1000, 5e-324),
        ValueError,
        r"base must be >= 2.2",
    ),
    (
        "huge int base: OverflowError",
        lambda: rr.frequencies(8, 10**400),
        ValueError,
        r"base must be finite",
    ),
    (
        "huge Fraction base: OverflowError",
        lambda: rr.frequencies(8, Fraction(10**400)),
        ValueError,
        r"base must be finite",
    ),
    (
        "m theta overflowed to inf",
        lambda: rr.angles([1e308], [10.0]),
        ValueError,
        r"positions times theta overflows",
    ),
    (
        "rotate: huge theta times m",
        lambda: rr.rotate(X, P * 1e307, theta=np.full(4, 1e3)),
        ValueError,
        r"positions times theta overflows",
    ),
    (
        "distances times theta overflowed",
        lambda: rr.partial_sums([1e308], 8, 1e-300),
        ValueError,
        r"distances times theta overflows",
    ),
    (
        "ragged positions: NumPy's message",
        lambda: rr.angles([[1.0], [1.0, 2.0]], [1.0]),
        TypeError,
        r"positions must be an array",
    ),
    (
        "ragged theta: NumPy's message",
        lambda: rr.angles([1.0], [[1.0], [1.0, 2.0]]),
        TypeError,
        r"theta must be an array",
    ),
    (
        "ragged x in to_half_layout",
        lambda: rr.to_half_layout([[1, 2], [1]]),
        TypeError,
        r"x must be an array",
    ),
    (
        "ragged W in permute_qk_weights",
        lambda: rr.permute_qk_weights([[1.0], [1.0, 2.0]], 1),
        TypeError,
        r"W must be an array",
    ),
    # scaling: OverflowError, ZeroDivisionError, inf theta, and the wrong argument named
    (
        "ntk: b s^(r/(r-2)) OverflowError",
        lambda: rr.scaled_frequencies(8, None, {"rope_type": "ntk", "factor": 1e300}),
        ValueError,
        r"rope_scaling\['factor'\] gives rope_type 'ntk'",
    ),
    (
        "ntk: tiny factor blamed 'base'",
        lambda: rr.scaled_frequencies(8, None, {"rope_type": "ntk", "factor": 1e-300}),
        ValueError,
        r"rope_scaling\['factor'\] gives rope_type 'ntk'",
    ),
    (
        "dynamic: OverflowError",
        lambda: rr.scaled_frequencies(
            8, None, {"rope_type": "dynamic", "factor": 1e300, "max_position_embeddings": 10}, 100
        ),
        ValueError,
        r"rope_scaling\['factor'\] gives rope_type 'dynamic'",
    ),
    (
        "error bound of ntk: OverflowError",
        lambda: rr.rotation_error_bound(X, P, rope_scaling={"rope_type": "ntk", "factor": 1e300}),
        ValueError,
        r"rope_scaling\['factor'\]",
    ),
    (
        "linear: theta / 1e-320 overflowed to inf",
        lambda: rr.scaled_frequencies(8, None, {"rope_type": "linear", "factor": 1e-320}),
        ValueError,
        r"rope_scaling \(rope_type 'linear'\) gives theta outside",
    ),
    (
        "proportional: theta / 1e-320 overflowed",
        lambda: rr.scaled_frequencies(8, None, {"rope_type": "proportional", "factor": 1e-320}),
        ValueError,
        r"rope_scaling \(rope_type 'proportional'\) gives theta",
    ),
    (
        "longrope: theta / 1e-320 overflowed",
        lambda: rr.scaled_frequencies(8, None, _with(LONG, short_factor=[1e-320] * 4)),
        ValueError,
        r"rope_scaling \(rope_type 'longrope'\) gives theta",
    ),
    (
        "yarn: mscale 1e308 made the attention factor inf",
        lambda: rr.scaled_frequencies(
            8, None, _with(YARN, factor=1e300, mscale=1e308, mscale_all_dim=0.5)
        ),
        ValueError,
        r"rope_scaling \(rope_type 'yarn'\) gives the attention factor inf",
    ),
    (
        "yarn hf: 'math domain error'",
        lambda: rr.scaled_frequencies(
            8, None, _with(YARN, beta_fast=1e308, beta_slow=1e-308), hf_compat=True
        ),
        ValueError,
        r"rope_scaling\['beta_fast'\] must keep L / \(2 pi beta_fast\)",
    ),
    (
        "yarn: 2**1100 context length, OverflowError",
        lambda: rr.scaled_frequencies(
            8, None, _with(YARN, original_max_position_embeddings=2**1100)
        ),
        ValueError,
        r"original_max_position_embeddings'\] must be an integer <= 9007199254740992",
    ),
    (
        "llama3: 10**400 context length, OverflowError",
        lambda: rr.scaled_frequencies(
            8,
            None,
            {
                "rope_type": "llama3",
                "factor": 8.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 10**400,
            },
        ),
        ValueError,
        r"original_max_position_embeddings'\] must be an integer <=",
    ),
    (
        "rope_theta 10**400: OverflowError",
        lambda: rr.scaled_frequencies(8, None, {"rope_type": "default", "rope_theta": 10**400}),
        ValueError,
        r"rope_scaling\['rope_theta'\] must be finite",
    ),
    (
        "longrope factor list of 10**400: OverflowError",
        lambda: rr.scaled_frequencies(8, None, _with(LONG, short_factor=[10**400] * 4)),
        ValueError,
        r"rope_scaling\['short_factor'\] must hold finite numbers",
    ),
    (
        "longrope L = 1: ZeroDivisionError",
        lambda: rr.scaled_frequencies(8, None, _with(LONG, original_max_position_embeddings=1)),
        ValueError,
        r"original_max_position_embeddings'\] must be >= 2 for rope_type 'longrope'",
    ),
    (
        "hf_compat='yes' ignored without rope_scaling",
        lambda: rr.scaled_frequencies(8, None, None, hf_compat="yes"),
        TypeError,
        r"hf_compat must be a bool",
    ),
    (
        "seq_len='x' ignored without rope_scaling",
        lambda: rr.scaled_frequencies(8, None, None, seq_len="x"),
        TypeError,
        r"seq_len must be an integer",
    ),
    (
        "rotate: a bad rotary_dim was called 'd'",
        lambda: rr.rotate(X, P, rope_scaling={"rope_type": "default"}, rotary_dim=3),
        ValueError,
        r"rotary_dim must be even",
    ),
    (
        "rotate: rotary_dim=True was called 'd'",
        lambda: rr.rotate(X, P, rope_scaling={"rope_type": "default"}, rotary_dim=True),
        TypeError,
        r"rotary_dim must be an integer",
    ),
    (
        "rotate: rotary_dim=4.0 accepted with a partial dict",
        lambda: rr.rotate(
            X,
            P,
            rope_scaling={"rope_type": "default", "partial_rotary_factor": 0.5},
            rotary_dim=4.0,
        ),
        TypeError,
        r"rotary_dim must be an integer",
    ),
    # decay
    (
        "h = q k* overflowed",
        lambda: rr.pair_products(np.full(2, 1e200), np.full(2, 1e200)),
        ValueError,
        r"q and k are too large",
    ),
    (
        "eq 37's bound overflowed",
        lambda: rr.decay_bound(np.full(8, 1e200), np.full(8, 1e200), [1.0]),
        ValueError,
        r"q and k are too large",
    ),
    # attention
    (
        "float16 scores overflowed",
        lambda: rr.rope_attention(
            np.full((3, 4), 200, np.float16),
            np.full((3, 4), 200, np.float16),
            np.ones((3, 5), np.float16),
            np.arange(3),
        ),
        ValueError,
        r"q, k \(or v\) are too large: the scores",
    ),
    (
        "float64 scores overflowed",
        lambda: rr.attention_scores(Q * 1e200, Q * 1e200, np.arange(3)),
        ValueError,
        r"the scores q_m\^T k_n / sqrt\(d\) \(eq 16\) overflow float64",
    ),
    (
        "linear attention overflowed",
        lambda: rr.linear_attention(Q * 1e200, Q * 1e200, V, [0, 1, 2]),
        ValueError,
        r"the numerator of eq 19 overflow",
    ),
    (
        "causal='yes' accepted",
        lambda: rr.rope_attention(Q, Q, V, [0, 1, 2], causal="yes"),
        TypeError,
        r"causal must be a bool",
    ),
    (
        "linear='no' taken as True",
        lambda: rr.rope_attention(Q, Q, V, [0, 1, 2], linear="no"),
        TypeError,
        r"linear must be a bool",
    ),
    (
        "rotary_value with odd d_v called it 'x'",
        lambda: rr.rope_attention(Q, Q, V, [0, 1, 2], rotary_value=True),
        ValueError,
        r"d_v \(the last axis of v",
    ),
    (
        "seq 0: 'zero-size array to reduction'",
        lambda: rr.rope_attention(np.ones((0, 4)), np.ones((0, 4)), np.ones((0, 5)), np.zeros(0)),
        ValueError,
        r"q must have seq >= 1",
    ),
    # the checker
    (
        "check_outputs(group=3): AttributeError",
        lambda: rr.check_outputs(np.zeros(3), 3),
        TypeError,
        r"group must be a golden group's name",
    ),
    ("check of a fn returning 1e308: RuntimeWarning", lambda: rr.check(_big, d=8).ok, None, None),
    # golden
    (
        "a 5000-character version: OSError",
        lambda: load_group("d2_base10000", "v" * 5000),
        ValueError,
        r"version must be a folder name",
    ),
    (
        "root=3: Path's message",
        lambda: load_group("d2_base10000", root=3),
        TypeError,
        r"root must be a folder path",
    ),
    # encoder and weights
    (
        "hidden_act as an array: 'truth value ambiguous'",
        lambda: rr.encode(WEIGHTS, IDS, config=_with(CFG, hidden_act=np.array(["gelu", "x"]))),
        ValueError,
        r"config\['hidden_act'\] must be 'gelu'",
    ),
    (
        "layer_norm_eps 1e300 overflowed float32",
        lambda: rr.encode(
            {k: v.astype(np.float32) for k, v in WEIGHTS.items()},
            IDS,
            config=_with(CFG, layer_norm_eps=1e300),
        ),
        ValueError,
        r"config\['layer_norm_eps'\] must be > 0 and finite in the weights' dtype",
    ),
    (
        "huge LayerNorm gamma: NaN hidden states",
        lambda: rr.encode(
            _with(WEIGHTS, **{"embeddings_ln.gamma": np.full(8, 1e300)}), IDS, config=CFG
        ),
        ValueError,
        r"weights overflow float64 in layer.0's attention: q, k \(or v\) are too large",
    ),
    (
        "ragged input_ids: NumPy's message",
        lambda: rr.encode(WEIGHTS, [[1, 2], [1]], config=CFG),
        TypeError,
        r"input_ids must be an array",
    ),
    (
        "ragged attention_mask: NumPy's message",
        lambda: rr.encode(WEIGHTS, IDS, config=CFG, attention_mask=[[1], [1, 1]]),
        TypeError,
        r"attention_mask must be an array",
    ),
    (
        "ragged weight: NumPy's message",
        lambda: rr.encode(
            _with(WEIGHTS, **{"embeddings_ln.gamma": [[1.0], [1.0, 2.0]]}), IDS, config=CFG
        ),
        TypeError,
        r"weights\['embeddings_ln.gamma'\] must be an array",
    ),
    (
        "layer 99999999 alone: ran out of memory",
        lambda: rr.weights_from_hf_state_dict(
            {"encoder.layer.99999999.attention.self.query.weight": np.ones((2, 2))}
        ),
        ValueError,
        r"state_dict must number its layers 0..L-1 without gaps",
    ),
    # figures
    (
        "score_grid of complex q: ComplexWarning",
        lambda: rr.score_grid(np.ones(8) * 1j, np.ones(8), np.arange(3)),
        TypeError,
        r"q must hold real numbers",
    ),
    (
        "score_grid of ragged q: NumPy's message",
        lambda: rr.score_grid([[1], [1, 2]], np.ones(8), np.arange(3)),
        TypeError,
        r"q must be an array",
    ),
    (
        "score_grid overflowed",
        lambda: rr.score_grid(np.full(8, 1e200), np.full(8, 1e200), [0, 1]),
        ValueError,
        r"the scores q_m\^T k_n \(eq 16\) overflow",
    ),
    (
        "error_by_position: 1e308 - -1e308 = inf",
        lambda: rr.error_by_position(np.full((3, 4), 1e308), np.full((3, 4), -1e308)),
        ValueError,
        r"y - reference overflows float64",
    ),
    (
        "ragged state_dict value: NumPy's message",
        lambda: rr.weights_from_hf_state_dict({"a": [[1.0], [1.0, 2.0]]}),
        TypeError,
        r"state_dict\['a'\] must be an array",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), [c[1:] for c in ESCAPES], ids=[c[0] for c in ESCAPES]
)
def test_escape_is_fixed(call, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        if error is None:  # accepted: a verdict, no warning
            assert call() is False
            return
        with pytest.raises(error, match=message):
            call()


def test_an_exception_of_fn_propagates_with_a_note():
    """check's documented behaviour: fn's own exception, its type kept, plus a note."""
    with pytest.raises(RuntimeError, match="the implementation's own error") as info:
        rr.check(_raises, d=8)
    assert any(
        "raised by fn(x, positions) inside rope_ref.check" in n for n in info.value.__notes__
    )


@pytest.mark.parametrize(
    "header",
    [
        b'{"a": {"dtype": [1], "shape": [2], "data_offsets": [0, 8]}}',
        b'{"a": {"dtype": "F32", "shape": [-2, -1], "data_offsets": [0, 8]}}',
        b'{"a": {"dtype": "F32", "shape": "ab", "data_offsets": [0, 8]}}',
        b'{"a": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}',
        b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": ["0", "8"]}}',
        b'{"a": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}}',
    ],
    ids=["dtype list", "negative shape", "shape str", "shape float", "offsets str", "shape 2^64"],
)
def test_a_malformed_safetensors_header_names_the_file(tmp_path, header):
    """These headers raised NumPy's own errors (or reshaped 2^64 elements to size 0)."""
    path = tmp_path / "w.safetensors"
    path.write_bytes(len(header).to_bytes(8, "little") + header + b"\0" * 8)
    with pytest.raises(ValueError, match=re.escape(str(path)) + ": tensor 'a'"):
        rr.weights_from_hf_state_dict(path)


@pytest.mark.parametrize("content", [b"PK\x03\x04 not a zip", b"hello"], ids=["zip", "text"])
def test_a_malformed_npz_names_the_file(tmp_path, content):
    """A corrupt .npz raised zipfile.BadZipFile, or NumPy's message about pickles."""
    path = tmp_path / "w.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="state_dict file .* is not a readable .npz"):
        rr.weights_from_hf_state_dict(path)


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


ARGS = st.one_of(arrays(), WILD)


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


# --- steps 1-4 and the layouts ------------------------------------------------------------


@given(
    d=mostly(GOOD_D, WILD),
    base=mostly(GOOD_BASE, WILD),
    positions=mostly(POSITIONS),
    theta=mostly(GOOD_D.map(lambda d: np.geomspace(1, 1e-4, d // 2))),
    layout=mostly(GOOD_LAYOUT, WILD),
)
def test_fuzzed_steps_raise_only_named_errors(d, base, positions, theta, layout):
    for call, names in [
        (lambda: rr.frequencies(d, base), ["d", "base"]),
        (lambda: rr.theta_error_bound(d, base), ["d", "base"]),
        (lambda: rr.angles(positions, theta), ["positions", "theta"]),
        (lambda: rr.angle_error_bound(positions, d, base), ["positions", "d", "base"]),
        (lambda: rr.rotary_matrix(positions, theta, layout), ["m", "theta", "layout"]),
        (lambda: rr.rotary_matrix(base, rr.frequencies(4), layout), ["m", "layout"]),
        (lambda: rr.pair_indices(d, layout), ["rotary_dim", "layout"]),
        (lambda: rr.half_permutation(d, base), ["d", "rotary_dim"]),
    ]:
        attempt(call, names)


ROTATE_NAMES = ["x", "positions", "theta", "base", "layout", "rotary_dim", "d", "rope_scaling"]


@given(
    x=mostly(float_arrays(seq=4, d=8)),
    positions=mostly(POSITIONS.map(lambda p: np.resize(p, 4))),
    theta=st.one_of(st.none(), st.none(), ARGS, st.just(np.geomspace(1, 1e-3, 4))),
    base=mostly(st.one_of(st.none(), GOOD_BASE), WILD),
    layout=mostly(GOOD_LAYOUT, WILD),
    rotary_dim=mostly(st.sampled_from([None, 2, 4, 8]), WILD),
)
def test_fuzzed_rotations_raise_only_named_errors(x, positions, theta, base, layout, rotary_dim):
    if theta is not None and rotary_dim in (2, 4) and getattr(theta, "size", 0) == 4:
        rotary_dim = 8
    kw = {"theta": theta, "layout": layout, "rotary_dim": rotary_dim}
    if theta is None:
        kw["base"] = base
    for fn in (rr.rotate, rr.unrotate, rr.rotate_matrix_form, rr.rotate_complex_form):
        ok, y = attempt(lambda fn=fn: fn(x, positions, **kw), ROTATE_NAMES)
        if ok:
            assert y.shape == x.shape and y.dtype == x.dtype
    ok, bound = attempt(
        lambda: rr.rotation_error_bound(
            x, positions, base=base, layout=layout, rotary_dim=rotary_dim
        ),
        ROTATE_NAMES,
    )
    if ok:
        assert bound.shape == x.shape and np.all(bound >= 0)


@given(
    x=mostly(float_arrays(ndim=(1, 3))),
    rotary_dim=mostly(st.sampled_from([None, 2]), WILD),
    n_heads=mostly(st.sampled_from([1, 2]), WILD),
    to=mostly(GOOD_LAYOUT, WILD),
)
def test_fuzzed_layouts_raise_only_named_errors(x, rotary_dim, n_heads, to):
    """Layout functions permute any dtype; a NaN in x is carried, never made."""
    for call, names in [
        (lambda: rr.to_half_layout(x, rotary_dim), ["x", "d", "rotary_dim"]),
        (lambda: rr.to_interleaved_layout(x, rotary_dim), ["x", "d", "rotary_dim"]),
        (
            lambda: rr.permute_qk_weights(x, n_heads, to=to, rotary_dim=rotary_dim),
            ["W", "n_heads", "layout", "d", "rotary_dim"],
        ),
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                y = call()
            except (ValueError, TypeError) as err:
                assert_named(err, names)
                continue
        flat_in, flat_out = np.asarray(x).ravel(), np.asarray(y).ravel()
        assert np.array_equal(np.sort(flat_in), np.sort(flat_out), equal_nan=True)


# --- scaling ------------------------------------------------------------------------------

TEMPLATES = [
    {"rope_type": "default"},
    {"rope_type": "linear", "factor": 4.0},
    {"rope_type": "ntk", "factor": 8.0},
    {"rope_type": "dynamic", "factor": 2.0, "max_position_embeddings": 64},
    YARN,
    _with(YARN, beta_fast=16.0, beta_slow=2.0, mscale=0.7, mscale_all_dim=0.7),
    {
        "rope_type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
    },
    LONG,
    {"rope_type": "proportional", "partial_rotary_factor": 0.25},
]
SCALING_KEYS = sorted(
    {k for t in TEMPLATES for k in t}
    | {"rope_theta", "partial_rotary_factor", "attention_factor", "truncate", "type", "scale"}
)


@st.composite
def bad_rope_scaling(draw):
    """A valid template with 1-3 keys set to wild values, dropped, or added; or not a dict."""
    if draw(st.integers(0, 9)) == 0:
        return draw(WILD)
    p = dict(draw(st.sampled_from(TEMPLATES)))
    for _ in range(draw(st.integers(0, 2))):
        key = draw(st.sampled_from(SCALING_KEYS))
        action = draw(st.sampled_from(["set", "set", "drop", "list"]))
        if action == "drop":
            p.pop(key, None)
        elif action == "list":
            p[key] = [draw(WILD) for _ in range(draw(st.integers(0, 5)))]
        else:
            p[key] = draw(WILD)
    return p


@given(
    rope_scaling=bad_rope_scaling(),
    d=mostly(st.sampled_from([8, 8, 4, 2]), WILD),
    base=mostly(st.none(), WILD),
    seq_len=mostly(st.sampled_from([None, 100, 5000, 100000]), WILD),
    hf_compat=mostly(st.booleans(), WILD),
)
def test_fuzzed_rope_scaling_raises_only_named_errors(rope_scaling, d, base, seq_len, hf_compat):
    names = ["rope_scaling", "d", "base", "seq_len", "hf_compat"]
    ok, out = attempt(
        lambda: rr.scaled_frequencies(d, base, rope_scaling, seq_len, hf_compat=hf_compat), names
    )
    if ok:
        theta, factor = out
        assert theta.ndim == 1 and np.all(theta >= 0) and factor > 0
        bound = rr.scaled_theta_error_bound(d, base, rope_scaling, seq_len, hf_compat=hf_compat)
        assert bound.shape == theta.shape and np.all(np.isfinite(bound)) and np.all(bound >= 0)
    x = np.ones((3, 8))
    attempt(
        lambda: rr.rotate(
            x, [0, 5, 9], rope_scaling=rope_scaling, seq_len=seq_len, hf_compat=hf_compat
        ),
        names + ["rotary_dim", "x"],
    )


# --- figures ------------------------------------------------------------------------------


@given(
    a=mostly(float_arrays(ndim=(1, 2), d=4)),
    b=mostly(float_arrays(ndim=(1, 2), d=4)),
    positions=mostly(POSITIONS),
    length=mostly(st.floats(0.5, 1e6), WILD),
    trained=mostly(st.floats(0.5, 1e6), WILD),
)
def test_fuzzed_figures_raise_only_named_errors(a, b, positions, length, trained):
    names = [
        "positions",
        "theta",
        "q",
        "k",
        "y",
        "reference",
        "trained_theta",
        "length",
        "trained_length",
        "x",
        "d",
    ]
    attempt(lambda: rr.clock_hands(positions, a), names)
    attempt(lambda: rr.score_grid(a, b, positions), names)
    attempt(lambda: rr.error_by_position(a, b), names)
    attempt(lambda: rr.unseen_angle_ratio(a, b, trained, length), names)
    with warnings.catch_warnings():  # wavelengths: inf for theta 0 is documented
        warnings.simplefilter("error", RuntimeWarning)
        try:
            lam = rr.wavelengths(a)
        except (ValueError, TypeError) as err:
            assert_named(err, names)
            return
    theta = np.abs(np.asarray(a, dtype=np.float64))
    assert np.array_equal(np.isinf(lam), theta < 2 * np.pi / np.finfo(np.float64).max)


# --- decay and attention ------------------------------------------------------------------


@given(
    q=mostly(float_arrays(ndim=(1, 1), d=8)),
    k=mostly(float_arrays(ndim=(1, 1), d=8)),
    distances=mostly(POSITIONS),
    d=mostly(GOOD_D, WILD),
    base=mostly(GOOD_BASE, WILD),
    layout=mostly(GOOD_LAYOUT, WILD),
)
def test_fuzzed_decay_raises_only_named_errors(q, k, distances, d, base, layout):
    names = ["q", "k", "distances", "d", "base", "layout"]
    for call in (
        lambda: rr.partial_sums(distances, d, base),
        lambda: rr.relative_upper_bound(distances, d, base),
        lambda: rr.pair_products(q, k, layout),
        lambda: rr.relative_score(q, k, distances, base, layout),
        lambda: rr.decay_bound(q, k, distances, base, layout),
    ):
        attempt(call, names)


@given(
    q=mostly(float_arrays(seq=3, d=4)),
    k=mostly(float_arrays(seq=3, d=4)),
    v=mostly(float_arrays(seq=3)),
    positions=mostly(POSITIONS.map(lambda p: np.resize(p, 3))),
    mask=st.one_of(st.none(), st.none(), ARGS, st.just(np.tri(3, dtype=bool))),
    flag=mostly(st.booleans(), WILD),
)
def test_fuzzed_attention_raises_only_named_errors(q, k, v, positions, mask, flag):
    names = ["q", "k", "v", "positions", "mask", "causal", "linear", "rotary_value", "x", "d"]
    attempt(lambda: rr.attention_scores(q, k, positions), names)
    attempt(lambda: rr.rope_attention(q, k, v, positions, mask=mask, causal=flag), names)
    attempt(lambda: rr.rope_attention(q, k, v, positions, rotary_value=flag), names)
    if mask is not None:  # an all-masked query in linear attention is 0/0 (documented)
        return
    attempt(lambda: rr.linear_attention(q, k, v, positions, causal=flag), names)


@given(
    scale=st.sampled_from([1.0, 10.0, 300.0, 1e5, 1e150, 1e200]),
    dtype=st.sampled_from([np.float16, np.float32, np.float64]),
    causal=st.booleans(),
    linear=st.booleans(),
)
def test_large_finite_inputs_give_finite_attention_or_a_named_error(scale, dtype, causal, linear):
    """Finite q, k, v of any size: either finite outputs or 'too large', never NaN."""
    rng = np.random.default_rng(1)
    with np.errstate(over="ignore"):
        q, k, v = (
            np.asarray(rng.standard_normal((2, 5, 4)) * scale).astype(dtype) for _ in range(3)
        )
    if not all(np.all(np.isfinite(a)) for a in (q, k, v)):
        q, k, v = (np.clip(a, -1000, 1000).astype(dtype) for a in (q, k, v))
    attempt(
        lambda: rr.rope_attention(q, k, v, np.arange(5), causal=causal, linear=linear),
        ["q", "k", "v"],
    )


# --- the checker --------------------------------------------------------------------------


def _fns():
    def correct(x, m):
        return rr.rotate(x, m)

    return [
        correct,
        lambda x, m: rr.rotate(x, m).tolist(),
        lambda x, m: np.full_like(x, np.nan),
        lambda x, m: np.full_like(x, np.inf),
        lambda x, m: np.full(x.shape, 1e308),
        lambda x, m: np.full_like(x, -1e-320),
        lambda x, m: x[..., :2],
        lambda x, m: np.zeros(x.shape, int),
        lambda x, m: None,
        lambda x, m: "abc",
        lambda x, m: x + 0j,
        lambda x, m: 1.0,
        lambda x, m: (v for v in x),
        lambda x, m: rr.rotate(x, m).astype(np.float16),
        lambda x, m: rr.rotate(x, m + 1),
        lambda x, m: rr.rotate(x, m, base=500000.0),
        lambda x, m: x,
        3,
        None,
    ]


FNS = _fns()


@given(
    fn=st.sampled_from(FNS),
    d=mostly(st.sampled_from([2, 8]), WILD),
    base=mostly(st.just(10000.0), WILD),
    layout=mostly(GOOD_LAYOUT, WILD),
    precision=mostly(st.sampled_from([None, "float64", "float32", "float16", "bfloat16"]), WILD),
    rope_scaling=st.one_of(st.none(), st.none(), bad_rope_scaling()),
)
def test_fuzzed_check_raises_only_named_errors(fn, d, base, layout, precision, rope_scaling):
    names = [
        "fn",
        "the output of fn",
        "d",
        "base",
        "layout",
        "precision",
        "rope_scaling",
        "rotary_dim",
        "x",
        "seq_len",
    ]
    ok, report = attempt(
        lambda: rr.check(
            fn, d=d, base=base, layout=layout, precision=precision, rope_scaling=rope_scaling
        ),
        names,
    )
    if ok:
        assert isinstance(report.ok, bool) and str(report).startswith("rope_ref check: ")
        assert report.ok == (report.max_error <= report.tolerance)
        assert report.ok != bool(report.findings)


GROUPS = list_groups()


@given(
    outputs=st.one_of(ARGS, st.sampled_from(["expected", "expected_list", "zeros"])),
    group=st.one_of(st.sampled_from(GROUPS), WILD),
    precision=st.one_of(st.none(), WILD),
)
def test_fuzzed_check_outputs_raise_only_named_errors(outputs, group, precision):
    if isinstance(outputs, str) and outputs in ("expected", "expected_list", "zeros"):
        group = group if group in GROUPS else GROUPS[0]
        y = load_group(group).arrays["expected_float64"]
        outputs = {"expected": y, "expected_list": y.tolist(), "zeros": np.zeros_like(y)}[outputs]
    ok, report = attempt(
        lambda: rr.check_outputs(outputs, group, precision=precision),
        ["outputs", "group", "name", "precision"],
    )
    if ok:
        assert report.ok == (report.max_error <= report.tolerance)


# --- the encoder and its weights ----------------------------------------------------------

CONFIG_KEYS = sorted(CFG) + [
    "embedding_size",
    "hidden_act",
    "layer_norm_eps",
    "rotary_value",
    "is_decoder",
    "add_cross_attention",
]


@given(
    changes=st.dictionaries(st.sampled_from(CONFIG_KEYS), WILD, max_size=2),
    ids=mostly(st.just(IDS)),
    mask=mostly(st.sampled_from([None, [[1, 0, 1]], np.array([[True, True, False]])])),
    types=mostly(st.sampled_from([None, np.array([[0, 1, 1]])])),
    positions=mostly(st.one_of(st.none(), POSITIONS.map(lambda p: np.resize(p, 3)))),
    weight=mostly(st.none(), st.sampled_from(sorted(WEIGHTS))),
    value=ARGS,
)
def test_fuzzed_encoder_raises_only_named_errors(
    changes, ids, mask, types, positions, weight, value
):
    weights = WEIGHTS if weight is None else _with(WEIGHTS, **{weight: value})
    names = ["config", "weights", "input_ids", "attention_mask", "token_type_ids", "positions"]
    ok, y = attempt(
        lambda: rr.encode(
            weights,
            ids,
            config=_with(CFG, **changes),
            attention_mask=mask,
            token_type_ids=types,
            positions=positions,
        ),
        names,
    )
    if ok:
        assert y.shape == np.asarray(ids).shape + (8,)


HF_NAMES = sorted(_HF_NAMES.values()) + [
    "encoder.layer.0.attention.self.query.weight",
    "encoder.layer.7.output.dense.bias",
    "encoder.embed_positions.weight",
    "roformer.embeddings.LayerNorm.weight",
    "unknown",
]


@given(
    state_dict=st.one_of(st.dictionaries(st.sampled_from(HF_NAMES), ARGS, max_size=4), WILD),
    dtype=st.one_of(st.none(), st.sampled_from([np.float32, "float64", np.int8, "x"])),
)
def test_fuzzed_state_dicts_raise_only_named_errors(state_dict, dtype):
    attempt(lambda: rr.weights_from_hf_state_dict(state_dict, dtype=dtype), ["state_dict", "dtype"])


# --- golden -------------------------------------------------------------------------------


@given(
    name=st.one_of(st.sampled_from(GROUPS[:3]), WILD),
    version=st.one_of(st.just("v1"), WILD),
    root=st.one_of(st.none(), WILD),
)
def test_fuzzed_golden_names_raise_only_named_errors(name, version, root):
    """A bad name, version or root: ValueError/TypeError naming it; a version or root with
    no manifest: GoldenIntegrityError (a ValueError) naming the missing file."""
    ok, out = attempt(
        lambda: load_group(name, version, root=root), ["name", "version", "root", "golden manifest"]
    )
    if not ok and isinstance(out, GoldenIntegrityError):
        assert "manifest" in str(out)
    if ok:
        assert out.name == name and np.all(np.isfinite(out.arrays["x"]))
