"""Every escape the API audit found, as it was found: a bad or extreme argument that got
past the checks (an OverflowError, a NumPy message without the argument's name, a
RuntimeWarning and inf or NaN, an AttributeError, a MemoryError). Each case failed before
its fix; tests/test_fuzz_api.py fuzzes for more."""

from __future__ import annotations

import re
import warnings
from fractions import Fraction

import numpy as np
import pytest

import rope_ref as rr
from rope_ref.golden import load_group
from validation._fuzz import (
    CFG,
    IDS,
    LONG,
    WEIGHTS,
    YARN,
    P,
    Q,
    V,
    X,
    big_outputs,
    raising_fn,
    with_,
)

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
        lambda: rr.scaled_frequencies(8, None, with_(LONG, short_factor=[1e-320] * 4)),
        ValueError,
        r"rope_scaling \(rope_type 'longrope'\) gives theta",
    ),
    (
        "yarn: mscale 1e308 made the attention factor inf",
        lambda: rr.scaled_frequencies(
            8, None, with_(YARN, factor=1e300, mscale=1e308, mscale_all_dim=0.5)
        ),
        ValueError,
        r"rope_scaling \(rope_type 'yarn'\) gives the attention factor inf",
    ),
    (
        "yarn hf: 'math domain error'",
        lambda: rr.scaled_frequencies(
            8, None, with_(YARN, beta_fast=1e308, beta_slow=1e-308), hf_compat=True
        ),
        ValueError,
        r"rope_scaling\['beta_fast'\] must keep L / \(2 pi beta_fast\)",
    ),
    (
        "yarn: 2**1100 context length, OverflowError",
        lambda: rr.scaled_frequencies(
            8, None, with_(YARN, original_max_position_embeddings=2**1100)
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
        lambda: rr.scaled_frequencies(8, None, with_(LONG, short_factor=[10**400] * 4)),
        ValueError,
        r"rope_scaling\['short_factor'\] must hold finite numbers",
    ),
    (
        "longrope L = 1: ZeroDivisionError",
        lambda: rr.scaled_frequencies(8, None, with_(LONG, original_max_position_embeddings=1)),
        ValueError,
        r"original_max_position_embeddings'\] must be >= 2 for rope_type 'longrope'",
    ),
    *[
        (
            f"{kind} with factor None: NumPy's or Python's arithmetic error",
            lambda p=p: rr.scaled_frequencies(8, None, p, 100),
            TypeError,
            rf"rope_scaling\['factor'\] must be a real number for rope_type '{kind}'",
        )
        for kind, p in [
            ("linear", {"rope_type": "linear", "factor": None}),
            ("ntk", {"rope_type": "ntk", "factor": None}),
            ("dynamic", {"rope_type": "dynamic", "factor": None, "max_position_embeddings": 8}),
            ("proportional", {"rope_type": "proportional", "factor": None}),
        ]
    ],
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
        "check with partial_rotary_factor 1.7e308: OverflowError",
        lambda: rr.check(
            big_outputs,
            d=8,
            rope_scaling={"rope_type": "default", "partial_rotary_factor": 1.7e308},
        ),
        ValueError,
        r"rope_scaling\['partial_rotary_factor'\] must be in \(0, 1\]",
    ),
    (
        "check_outputs(group=3): AttributeError",
        lambda: rr.check_outputs(np.zeros(3), 3),
        TypeError,
        r"group must be a golden group's name",
    ),
    (
        "check of a fn returning 1e308: RuntimeWarning",
        lambda: rr.check(big_outputs, d=8).ok,
        None,
        None,
    ),
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
        lambda: rr.encode(WEIGHTS, IDS, config=with_(CFG, hidden_act=np.array(["gelu", "x"]))),
        ValueError,
        r"config\['hidden_act'\] must be 'gelu'",
    ),
    (
        "layer_norm_eps 1e300 overflowed float32",
        lambda: rr.encode(
            {k: v.astype(np.float32) for k, v in WEIGHTS.items()},
            IDS,
            config=with_(CFG, layer_norm_eps=1e300),
        ),
        ValueError,
        r"config\['layer_norm_eps'\] must be > 0 and finite in the weights' dtype",
    ),
    (
        "huge LayerNorm gamma: NaN hidden states",
        lambda: rr.encode(
            with_(WEIGHTS, **{"embeddings_ln.gamma": np.full(8, 1e300)}), IDS, config=CFG
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
            with_(WEIGHTS, **{"embeddings_ln.gamma": [[1.0], [1.0, 2.0]]}), IDS, config=CFG
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
    (
        "num_hidden_layers 10**6: 11 s and 16e6 missing keys (10**9: out of memory)",
        lambda: rr.encode(WEIGHTS, IDS, config=with_(CFG, num_hidden_layers=10**6)),
        ValueError,
        r"config\['num_hidden_layers'\] is 1000000 but the weights hold 1 layer",
    ),
    (
        "a key 'layer.abc.W_q': listed as unknown, not int('abc')",
        lambda: rr.encode(with_(WEIGHTS, **{"layer.abc.W_q": np.ones((8, 8))}), IDS, config=CFG),
        ValueError,
        r"unknown keys: layer.abc.W_q",
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
        rr.check(raising_fn, d=8)
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


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("config.json", "{bad", "config.json is not valid JSON"),
        ("config.json", '{"version": "v1"}', "config.json must be a JSON object with"),
        ("config.json", "[1, 2]", "config.json must be a JSON object with"),
        ("x.npy", "garbage", "x.npy is not a readable .npy array"),
    ],
    ids=["json", "no group", "list", "x.npy"],
)
def test_a_malformed_export_names_the_file(tmp_path, capsys, file, content, message):
    """rope-ref check said "unusable input: 'group'" (a KeyError), "list indices must be
    integers", or NumPy's message, without the file."""
    from rope_ref.cli import main

    assert main(["golden", "export", str(tmp_path), "--group", "d2_base10000"]) == 0
    folder = tmp_path / "d2_base10000"
    np.save(folder / "output.npy", np.zeros((1, 2, 32, 2)))
    (folder / file).write_text(content)
    capsys.readouterr()
    assert main(["check", str(tmp_path)]) == 2
    assert str(folder / message.split()[0]) + message[len(message.split()[0]) :] in (
        capsys.readouterr().err
    )


def test_export_to_a_folder_it_cannot_create_is_an_error_not_a_traceback(tmp_path, capsys):
    """rope-ref golden export /proc/x ended in a FileNotFoundError traceback."""
    from rope_ref.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["golden", "export", str(blocker / "sub"), "--group", "d2_base10000"]) == 2
    assert "rope-ref: error:" in capsys.readouterr().err
