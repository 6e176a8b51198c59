"""The checker against onnxruntime's RotaryEmbedding: the standard op (ai.onnx opset 23)
and the com.microsoft contrib op, in graphs built with onnx.helper around cos/sin caches
computed from rope_ref's frequencies and angles. Correct graphs pass for interleaved 0/1
and partial rotary_embedding_dim; graphs broken as real exporters break them are named.
Each test prints one line of the interop table."""

from __future__ import annotations

from importlib.metadata import version

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from rope_ref import angles, scaled_frequencies
from rope_ref.checker.precision import round_to
from rope_ref.checker.report import check

ORT = f"onnxruntime {version('onnxruntime')} (onnx {version('onnx')})"
CACHE_ROWS = 65536 + 8  # positions up to 65535, and room for a shifted one
_ONNX_TYPES = {np.float32: TensorProto.FLOAT, np.float16: TensorProto.FLOAT16}


def rope_caches(
    rotary_dim: int,
    base=10000.0,
    *,
    rope_scaling=None,
    theta_dtype=None,
    factor=None,
    dtype=np.float32,
):
    """cos/sin caches (CACHE_ROWS, rotary_dim/2): s cos(m theta_i), s sin(m theta_i) for
    m = 0..CACHE_ROWS-1 (eq 13), theta and the attention factor s from rope_ref's
    scaled_frequencies, rounded to ``dtype``. theta_dtype rounds theta first (the bug of
    casting inv_freq to bfloat16); factor replaces s (the bug of dropping it: 1.0)."""
    theta, attention_factor = scaled_frequencies(rotary_dim, base, rope_scaling)
    if theta_dtype is not None:
        theta = round_to(theta, theta_dtype)
    s = attention_factor if factor is None else factor
    phi = angles(np.arange(CACHE_ROWS), theta)
    return (s * np.cos(phi)).astype(dtype), (s * np.sin(phi)).astype(dtype)


def ort_rope(
    d: int = 64,
    *,
    domain: str = "",
    interleaved: int = 0,
    rotary_dim: int | None = None,
    caches=None,
    dtype=np.float32,
    position_shift: int = 0,
):
    """fn(x, positions) running one RotaryEmbedding node in onnxruntime.

    Standard op (domain ""): inputs X (batch, heads, seq, d), cos, sin, position_ids.
    Contrib op (domain "com.microsoft"): X (batch, seq, heads * d), position_ids, cos, sin,
    with num_heads. rotary_dim sets rotary_embedding_dim (partial rotation).
    """
    r = rotary_dim or d
    cos, sin = caches if caches is not None else rope_caches(r, dtype=dtype)
    elem = _ONNX_TYPES[dtype]
    attrs = {"interleaved": interleaved}
    if rotary_dim is not None:
        attrs["rotary_embedding_dim"] = rotary_dim
    if domain == "com.microsoft":
        attrs["num_heads"] = 3
        node = helper.make_node(
            "RotaryEmbedding", ["X", "pos", "cos", "sin"], ["Y"], domain=domain, **attrs
        )
        opsets = [helper.make_opsetid("", 23), helper.make_opsetid(domain, 1)]
    else:
        node = helper.make_node("RotaryEmbedding", ["X", "cos", "sin", "pos"], ["Y"], **attrs)
        opsets = [helper.make_opsetid("", 23)]
    graph = helper.make_graph(
        [node],
        "rope",
        [
            helper.make_tensor_value_info("X", elem, None),
            helper.make_tensor_value_info("pos", TensorProto.INT64, [None, None]),
        ],
        [helper.make_tensor_value_info("Y", elem, None)],
        initializer=[
            helper.make_tensor(n, elem, a.shape, a.tobytes(), raw=True)
            for n, a in (("cos", cos), ("sin", sin))
        ],
    )
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(
        helper.make_model(graph, opset_imports=opsets).SerializeToString(),
        options,
        providers=["CPUExecutionProvider"],
    )

    def fn(x, positions):
        batch, heads, seq, dd = x.shape
        pos = np.broadcast_to(positions + position_shift, (batch, seq)).astype(np.int64)
        if domain == "com.microsoft":
            x3 = x.transpose(0, 2, 1, 3).reshape(batch, seq, heads * dd).astype(dtype)
            y = session.run(None, {"X": x3, "pos": pos})[0]
            return y.reshape(batch, seq, heads, dd).transpose(0, 2, 1, 3)
        return session.run(None, {"X": x.astype(dtype), "pos": pos})[0]

    return fn


def _verdict(case: str, fn, expected: str | None, **config):
    report = check(fn, **config)
    got = "pass" if report.ok else ", ".join(f.name for f in report.findings)
    print(f"\n{ORT} | {case} | {got} | error {report.max_error:.3g} tol {report.tolerance:.3g}")
    if expected is None:
        assert report.ok and not report.findings, str(report)
    else:
        assert not report.ok, str(report)
        assert [f.name for f in report.findings] == [expected], str(report)


DOMAINS = ["", "com.microsoft"]


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("interleaved", [0, 1])
@pytest.mark.parametrize("rotary_dim", [None, 32])
def test_rotary_embedding_op_passes(domain, interleaved, rotary_dim):
    layout = "interleaved" if interleaved else "half"
    name = (
        f"RotaryEmbedding {domain or 'ai.onnx opset 23'}, interleaved={interleaved}, "
        f"rotary_embedding_dim={rotary_dim or 'all'}"
    )
    _verdict(
        name,
        ort_rope(domain=domain, interleaved=interleaved, rotary_dim=rotary_dim),
        None,
        d=64,
        rotary_dim=rotary_dim,
        layout=layout,
    )


@pytest.mark.parametrize("domain", DOMAINS)
def test_rotary_embedding_op_passes_in_float16(domain):
    _verdict(
        f"RotaryEmbedding {domain or 'ai.onnx opset 23'}, float16",
        ort_rope(domain=domain, dtype=np.float16),
        None,
        d=64,
        layout="half",
    )


YARN = {"rope_type": "yarn", "factor": 8.0, "original_max_position_embeddings": 4096}


@pytest.mark.parametrize("domain", DOMAINS)
def test_rotary_embedding_op_with_yarn_caches_passes(domain):
    _verdict(
        f"RotaryEmbedding {domain or 'ai.onnx opset 23'}, YaRN caches (x attention factor)",
        ort_rope(domain=domain, caches=rope_caches(64, rope_scaling=YARN)),
        None,
        d=64,
        layout="half",
        rope_scaling=YARN,
    )


BROKEN = [
    (
        "interleaved=1 exported for a half-split model",
        {"interleaved": 1},
        "layout_swapped",
        {"layout": "half"},
    ),
    (
        "caches from inv_freq cast to bfloat16",
        {"caches": rope_caches(64, theta_dtype="bfloat16")},
        "low_precision_angles",
        {"layout": "half"},
    ),
    ("position_ids shifted by one", {"position_shift": 1}, "position_offset", {"layout": "half"}),
    (
        "caches with rope_theta 500000 where 10000 is stated",
        {"caches": rope_caches(64, 500000.0)},
        "wrong_base",
        {"layout": "half"},
    ),
    (
        "rotary_embedding_dim 32 where 64 is stated",
        {"rotary_dim": 32},
        "rotary_dim_mismatch",
        {"layout": "half"},
    ),
    (
        "YaRN caches without the attention factor",
        {"caches": rope_caches(64, rope_scaling=YARN, factor=1.0)},
        "attention_factor_missing",
        {"layout": "half", "rope_scaling": YARN},
    ),
]


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize(
    ("case", "graph", "expected", "config"), BROKEN, ids=[b[0] for b in BROKEN]
)
def test_broken_graph_is_named(domain, case, graph, expected, config):
    _verdict(
        f"RotaryEmbedding {domain or 'ai.onnx opset 23'}, {case}",
        ort_rope(domain=domain, **graph),
        expected,
        d=64,
        **config,
    )
