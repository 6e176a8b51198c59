"""API-wide fuzzing: every public function of rope_ref (and rope_ref.golden's loaders),
fed bad and extreme arguments among mostly valid ones, either returns finite values or
raises ValueError / TypeError (GoldenIntegrityError, a ValueError, for golden files) whose
message names the argument at fault. NumPy's RuntimeWarnings (overflow, invalid) count as
failures: an overflow that only warns hands the caller inf or NaN.

Documented exceptions to "finite": linear attention's 0/0 for a query whose keys are all
masked, and ``wavelengths``' inf for theta = 0. Inputs near the float maximum are left out
of x: ``rotate`` can overflow on them (see the audit's report).

Issue 15's families: every array argument also meets masked arrays, np.matrix and arrays
of more than 32 axes (``ARGS``); huge d runs under a memory limit in a child process;
lying .npy / .npz / safetensors headers, deeply nested JSON, every manifest field edited
and every export-folder file edited are in tests/validation/test_fuzz_files.py.
"""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import rope_ref as rr
from rope_ref.golden import GoldenIntegrityError, list_groups, load_group, load_manifest
from rope_ref.model.weights import _HF_NAMES
from validation._fuzz import (
    ANYTHING,
    ARGS,
    CFG,
    GOOD_BASE,
    GOOD_D,
    GOOD_LAYOUT,
    IDS,
    LONG,
    POSITIONS,
    WEIGHTS,
    WILD,
    YARN,
    assert_named,
    attempt,
    bad_arrays,
    float_arrays,
    mostly,
    with_,
)

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


# --- scaling ------------------------------------------------------------------------------

TEMPLATES = [
    {"rope_type": "default"},
    {"rope_type": "linear", "factor": 4.0},
    {"rope_type": "ntk", "factor": 8.0},
    {"rope_type": "dynamic", "factor": 2.0, "max_position_embeddings": 64},
    YARN,
    with_(YARN, beta_fast=16.0, beta_slow=2.0, mscale=0.7, mscale_all_dim=0.7),
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
        lambda x, m: np.ma.masked_invalid(rr.rotate(x, m)),  # issue 15: masked outputs
        lambda x, m: np.ma.masked_greater(rr.rotate(x, m), 0.5),
        lambda x, m: np.ones((1,) * 33 + x.shape),
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
    rotary_dim=mostly(st.sampled_from([None, 2]), WILD),
    hf_compat=mostly(st.booleans(), WILD),
)
def test_fuzzed_check_raises_only_named_errors(
    fn, d, base, layout, precision, rope_scaling, rotary_dim, hf_compat
):
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
        "hf_compat",
    ]
    kw = {"base": base, "layout": layout, "precision": precision, "rotary_dim": rotary_dim}
    kw.update(rope_scaling=rope_scaling, hf_compat=hf_compat)
    ok, report = attempt(lambda: rr.check(fn, d=d, **kw), names)
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
    weights = WEIGHTS if weight is None else with_(WEIGHTS, **{weight: value})
    names = ["config", "weights", "input_ids", "attention_mask", "token_type_ids", "positions"]
    ok, y = attempt(
        lambda: rr.encode(
            weights,
            ids,
            config=with_(CFG, **changes),
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
    for call in (
        lambda: list_groups(version, root=root),
        lambda: load_manifest(version, root=root),
    ):
        ok, out = attempt(call, ["version", "root", "golden manifest"])
        if ok:
            assert out
