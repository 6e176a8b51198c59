"""check_model checks a port of a whole model layer by layer, against model_rope at the
model's own positions: HF's own rotaries pass every layer, and ports broken the way real
ports break are each named by the per-layer class, in exactly the layers they break."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import transformers
from configs._families import CASES
from configs._hf import build

from checker._ports import PORTS
from rope_ref import model_rope
from rope_ref.checker.layers import check_layer_outputs, check_model, run_positions
from rope_ref.checker.vocabulary import CLASSES, FINDING_NAMES, LAYER_CLASSES


@pytest.mark.parametrize(("label", "case", "make", "expected"), PORTS, ids=[p[0] for p in PORTS])
def test_the_port_gets_its_verdict_in_every_layer(label, case, make, expected):
    report = check_model(make(), CASES[case][1], precision="float32", seed=0)
    assert len(report.layers) == len(model_rope(CASES[case][1]).layers)
    if expected is None:
        assert report.ok, str(report)
        return
    failed = [layer for layer in report.layers if not layer.ok]
    assert failed and not report.ok, str(report)
    for layer in failed:
        assert [f.name for f in layer.report.findings] == [expected], str(report)


def test_every_per_layer_class_has_a_broken_port_and_is_in_the_vocabulary():
    assert set(LAYER_CLASSES) <= {expected for *_, expected in PORTS}
    assert set(LAYER_CLASSES) <= set(CLASSES) and set(CLASSES) < set(FINDING_NAMES)


def test_a_broken_port_fails_exactly_the_layers_it_breaks():
    _, case, make, _ = PORTS[1]  # Gemma 3: sliding layers given the global base
    report = check_model(make(), CASES[case][1], precision="float32")
    types = model_rope(CASES[case][1]).layer_types
    assert [r.ok for r in report.layers] == [t == "full_attention" for t in types]
    assert "layers 0, 2:" in str(report) and "wrong_layer_base" in str(report)


def test_longrope_layers_run_on_both_sides_of_the_switch():
    rope = model_rope(CASES["phi-3 (short factors)"][1])
    probed, below, at = run_positions(rope, 0, seed=0)
    assert probed.max() == 131071 and below[-1] == 4095 and at[-1] == 4096
    assert np.array_equal(below[:-1], at[:-1]) and np.all(np.diff(below) > 0)
    assert {65535, 65536, 65537, 131071} <= set(probed.tolist())  # the 16-bit boundaries
    assert len(run_positions(model_rope("qwen3-8b"), 0, seed=0)) == 1


# M-RoPE: ports of HF's own Qwen2.5-VL / Qwen3-VL text rotaries (tiny random models), fed
# 1D positions as HF's (1, seq) position_ids and vector ones as (3, 1, seq).
Q25, Q3 = "qwen2.5-vl (image positions)", "qwen3-vl (image positions)"
_ROTARIES: dict = {}


def _mrope_port(case: str, section=None, swap_hw: bool = False):
    """HF's rotary of ``case`` (``section``: its mrope_section replaced; ``swap_hw``: rows
    h and w of the positions exchanged) and its modeling module's apply_rotary_pos_emb."""
    if case not in _ROTARIES:
        _ROTARIES[case] = build(CASES[case][1]).rotary_emb
    rotary = copy.deepcopy(_ROTARIES[case])
    rotary.mrope_section = list(section or rotary.mrope_section)
    kind = CASES[case][1]["model_type"].removesuffix("_text")
    module = getattr(getattr(transformers.models, kind), f"modeling_{kind}")

    def fn(x, positions, layer):
        p = torch.as_tensor(positions)
        p = p[:, None] if p.ndim == 2 else p[None]
        if swap_hw and p.shape[0] == 3:
            p = p[[0, 2, 1]]
        q = torch.as_tensor(x)
        cos, sin = rotary(q, p)
        return module.apply_rotary_pos_emb(q, q, cos, sin)[0].numpy()

    return fn


MROPE_PORTS = [
    ("Qwen2.5-VL, HF's rotary", Q25, {}, None),
    ("Qwen3-VL, HF's rotary", Q3, {}, None),
    ("Qwen2.5-VL, mrope_section reversed", Q25, {"section": [3, 3, 2]}, "mrope_section_mismatch"),
    ("Qwen2.5-VL, h and w swapped", Q25, {"swap_hw": True}, "hw_swapped"),
    ("Qwen3-VL, h and w swapped", Q3, {"swap_hw": True}, "hw_swapped"),
]


@pytest.mark.parametrize(("label", "case", "kw", "expected"), MROPE_PORTS,
                         ids=[p[0] for p in MROPE_PORTS])  # fmt: skip
def test_an_mrope_port_is_checked_at_vector_positions_and_named_per_layer(
    label, case, kw, expected
):
    report = check_model(_mrope_port(case, **kw), CASES[case][1], precision="float32", seed=1)
    assert len(report.layers) == 2, str(report)
    if expected is None:
        assert report.ok, str(report)
        return
    for layer in report.layers:
        assert not layer.ok and [f.name for f in layer.report.findings] == [expected], str(report)
        assert len(layer.positions) == 3, "the worst run is a vector run"


def test_text_positions_alone_cannot_tell_a_reversed_section():
    fn = _mrope_port(Q25, section=[3, 3, 2])
    rope = model_rope(CASES[Q25][1])
    runs = run_positions(rope, 0, seed=1)
    verdicts = [_ok_at(fn, rope, p) for p in runs]
    assert [p.ndim for p in runs] == [1, 2, 2, 2, 2, 2]
    assert verdicts[0] and not any(verdicts[1:])


def _ok_at(fn, rope, positions) -> bool:
    """Whether layer 0's outputs of fn pass at these positions alone."""
    x = np.ones((1, 1, positions.shape[-1], 16), dtype=np.float32)
    y = fn(x, positions, 0).astype(np.float64)
    return check_layer_outputs(rope, 0, x, y, positions, "float32").ok


def test_the_seed_is_in_the_report_and_reproduces_the_run():
    fn, config = _mrope_port(Q3), CASES[Q3][1]
    first = check_model(fn, config, precision="float32")
    again = check_model(fn, config, precision="float32", seed=first.seed)
    assert isinstance(first.seed, int) and again.to_dict() == first.to_dict()
    assert f"seed={first.seed}" in str(first) and first.to_dict()["seed"] == first.seed
    rope = model_rope(config)
    a, b = run_positions(rope, 0, 5), run_positions(rope, 0, 6)
    assert all(np.array_equal(p, q) for p, q in zip(a, run_positions(rope, 0, 5), strict=True))
    assert not np.array_equal(a[0], b[0]) and not np.array_equal(a[-1], b[-1])
    assert np.array_equal(a[1], b[1])  # the model's own sequences are not drawn
