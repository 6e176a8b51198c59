"""Properties of rotate(..., rope_scaling=...) over random valid configurations of every
rope_type: shapes and dtypes kept, agreement with the matrix form (eq 14) and the complex
form (sec 3.4.1) given the same scaled theta within ``rotation_error_bound``, and unrotate
as the inverse (times A^2 when the attention factor A is not 1: unrotate scales again)."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

import rope_ref as rr
from rope_ref.golden.exact import MP, exact_frequencies
from rope_ref.scaling.config import resolve

ROPE_TYPES = ("default", "linear", "ntk", "dynamic", "yarn", "llama3", "longrope", "proportional")


@st.composite
def scaled_configs(draw):
    """(d, rope_scaling, seq_len, hf_compat): a valid HF-style dict of a random rope_type
    for a head of d features, with random factors, lengths, rope_theta and
    partial_rotary_factor."""
    kind = draw(st.sampled_from(ROPE_TYPES))
    d = 2 * draw(st.integers(2, 64))
    p = {"rope_type": kind}
    if draw(st.booleans()):
        p["rope_theta"] = draw(st.sampled_from([10000.0, 500000.0, 1e6, 10.0, 1.5]))
    if draw(st.booleans()):
        p["partial_rotary_factor"] = draw(st.sampled_from([1.0, 0.5, 0.25, 0.75, 0.4]))
    r = d if kind == "proportional" else int(d * p.get("partial_rotary_factor", 1.0))
    assume(r >= 2 and r % 2 == 0 and (r >= 4 or kind not in ("ntk", "dynamic")))
    factor = draw(st.floats(1.0, 64.0))
    length = draw(st.sampled_from([16, 256, 2048, 4096, 8192]))
    hf_compat = draw(st.booleans())
    if kind in ("linear", "ntk"):
        p["factor"] = draw(st.floats(0.25, 64.0))
    elif kind == "dynamic":
        p.update(factor=factor, max_position_embeddings=length)
    elif kind == "yarn":
        p["original_max_position_embeddings"] = length
        if draw(st.booleans()):
            p["factor"] = factor
        else:
            p.update(factor=None, max_position_embeddings=int(length * factor))
        slow = draw(st.floats(0.5, 2.0))
        p.update(beta_slow=slow, beta_fast=slow + draw(st.floats(0.5, 64.0)))
        for key in ("mscale", "mscale_all_dim", "attention_factor"):
            if draw(st.integers(0, 3)) == 0:
                p[key] = draw(st.floats(0.1, 2.0))
        if hf_compat and draw(st.booleans()):
            p["truncate"] = draw(st.booleans())
    elif kind == "llama3":
        low = draw(st.floats(0.5, 2.0))
        p.update(
            factor=factor,
            low_freq_factor=low,
            high_freq_factor=low + draw(st.floats(0.5, 8.0)),
            original_max_position_embeddings=length,
        )
    elif kind == "longrope":
        rng = np.random.default_rng(draw(st.integers(0, 2**16)))
        p.update(
            short_factor=list(rng.uniform(1.0, 4.0, r // 2)),
            long_factor=list(rng.uniform(1.0, 64.0, r // 2)),
            original_max_position_embeddings=length,
        )
        p.update(draw(st.sampled_from([{"factor": factor}, {"attention_factor": 1.0}, {}])))
        if "factor" not in p and "attention_factor" not in p:
            p["max_position_embeddings"] = int(length * factor)
    elif kind == "proportional" and draw(st.booleans()):
        p["factor"] = factor
    seq_len = draw(st.integers(1, 2**17))
    return d, p, seq_len, hf_compat


@st.composite
def inputs(draw, d: int):
    """x (batch, seq, d) of a random float dtype, positions (seq,) int / negative /
    fractional / large."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    seq, batch = draw(st.integers(1, 5)), draw(st.integers(1, 2))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.float16]))
    x = rng.standard_normal((batch, seq, d)).astype(dtype)
    kind = draw(st.sampled_from(["int", "negative", "fractional", "large"]))
    positions = {
        "int": lambda: rng.integers(0, 4096, seq),
        "negative": lambda: rng.integers(-4096, 4096, seq),
        "fractional": lambda: rng.uniform(-100.0, 100.0, seq),
        "large": lambda: rng.integers(0, 2**20, seq),
    }[kind]()
    return x, positions


def _scaled(d, p, seq_len, hf_compat, layout):
    kw = {"rope_scaling": p, "seq_len": seq_len, "hf_compat": hf_compat, "layout": layout}
    theta, factor = rr.scaled_frequencies(d, None, p, seq_len, hf_compat=hf_compat)
    return kw, theta, factor


@given(config=scaled_configs(), data=st.data(), layout=st.sampled_from(["interleaved", "half"]))
def test_scaled_rotate_matches_the_matrix_and_complex_forms(config, data, layout):
    """rotate(x, m, rope_scaling=p) = A R(m; theta_p) x with theta_p, A from
    scaled_frequencies, within twice rotation_error_bound (each side is within one bound
    of the exact rotation by the same theta)."""
    d, p, seq_len, hf_compat = config
    x, positions = data.draw(inputs(d))
    kw, theta, factor = _scaled(d, p, seq_len, hf_compat, layout)
    r = 2 * theta.size
    y = rr.rotate(x, positions, **kw)
    assert y.shape == x.shape and y.dtype == x.dtype
    assert np.array_equal(y[..., r:], x[..., r:]), "pass-through features changed"
    bound = rr.rotation_error_bound(x, positions, **kw)
    assert bound.shape == x.shape and np.all(np.isfinite(bound)) and np.all(bound >= 0)
    x64 = x.astype(np.float64)
    for form in (rr.rotate_matrix_form, rr.rotate_complex_form):
        ref = form(x64, positions, theta=theta, rotary_dim=r, layout=layout)
        ref[..., :r] *= factor
        err = np.abs(y.astype(np.float64) - ref)
        worst = np.unravel_index(np.argmax(err - 2 * bound), err.shape)
        assert np.all(err <= 2 * bound), (
            f"{form.__name__}, {p}: error {err[worst]:.3g} > 2 * bound {bound[worst]:.3g} "
            f"at {worst}, position {np.broadcast_to(positions, x.shape[:-1])[worst[:-1]]}"
        )


@given(config=scaled_configs(), data=st.data(), layout=st.sampled_from(["interleaved", "half"]))
def test_scaled_unrotate_inverts_rotate(config, data, layout):
    """unrotate(rotate(x, m), m) = A^2 x: x itself when the attention factor A is 1. The
    angles of both are fl(m theta_i) and -fl(m theta_i), so only the rounding of each
    rotation remains: within 2 * bound(x) + bound(y) (a pair's error may mix into both
    of its features)."""
    d, p, seq_len, hf_compat = config
    x, positions = data.draw(inputs(d))
    kw, theta, factor = _scaled(d, p, seq_len, hf_compat, layout)
    y = rr.rotate(x, positions, **kw)
    back = rr.unrotate(y, positions, **kw)
    assert back.shape == x.shape and back.dtype == x.dtype
    r = 2 * theta.size
    expected = x.astype(np.float64)
    expected[..., :r] *= factor**2
    tol = factor * 2 * rr.rotation_error_bound(x, positions, **kw)
    tol += rr.rotation_error_bound(y, positions, **kw)
    tol[..., :r] += factor**2 * np.abs(x[..., :r]).astype(np.float64) * np.finfo(x.dtype).eps
    err = np.abs(back.astype(np.float64) - expected)
    assert np.all(err <= tol), f"{p}: max error {err.max():.3g}, factor {factor}"
    if factor == 1.0:
        assert np.all(np.abs(back.astype(np.float64) - x) <= tol)


@given(config=scaled_configs())
def test_scaled_theta_error_bound_holds_against_mpmath(config):
    """|theta_i - exact_i| <= t'_i exact_i with t' = scaled_theta_error_bound >= 0, exact
    from the golden generator's independent mpmath writing (60 digits) of every variant."""
    _assert_theta_bound(*config)


def _assert_theta_bound(d, p, seq_len, hf_compat):
    theta, factor = rr.scaled_frequencies(d, None, p, seq_len, hf_compat=hf_compat)
    t = rr.scaled_theta_error_bound(d, None, p, seq_len, hf_compat=hf_compat)
    assert t.shape == theta.shape and np.all(np.isfinite(t)) and np.all(t >= 0)
    checked = resolve(p, d)
    base = checked["rope_theta"]
    exact, _ = exact_frequencies(checked, d, base, seq_len, "code" if hf_compat else "paper")
    for i, (got, want) in enumerate(zip(theta, exact, strict=True)):
        err = abs(MP.mpf(float(got)) - want)
        assert err <= MP.mpf(float(t[i])) * abs(want), (
            f"{p}: theta_{i} = {got!r} is {float(err / want) if want else err:.3g} "
            f"(relative) from exact, bound {t[i]:.3g}"
        )


def test_yarn_hf_error_bound_is_positive_when_the_ramp_runs_backwards():
    """HF's ramp ends, clamped to [0, r - 1], can cross (here low = 4.43 > high = 3, with
    base 10 and r = 4): the bound divided by high - low < 0 and came out negative."""
    p = {"rope_type": "yarn", "rope_theta": 10.0, "original_max_position_embeddings": 2048}
    p.update(factor=2.0, beta_slow=1.0, beta_fast=2.0, truncate=False)
    _assert_theta_bound(4, p, 1, True)
