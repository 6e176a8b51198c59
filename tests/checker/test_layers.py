"""check_model checks a port of a whole model layer by layer, against model_rope at the
model's own positions: HF's own rotaries pass every layer, and ports broken the way real
ports break are each named by the per-layer class, in exactly the layers they break."""

from __future__ import annotations

import numpy as np
import pytest
from configs._families import CASES

from checker._ports import PORTS
from rope_ref import model_rope
from rope_ref.checker.layers import check_model, run_positions
from rope_ref.checker.vocabulary import CLASSES, FINDING_NAMES, LAYER_CLASSES


@pytest.mark.parametrize(("label", "case", "make", "expected"), PORTS, ids=[p[0] for p in PORTS])
def test_the_port_gets_its_verdict_in_every_layer(label, case, make, expected):
    report = check_model(make(), CASES[case][1], precision="float32")
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
    ladder, below, at = run_positions(rope, 0)
    assert ladder[-1] == 131071 and below[-1] == 4095 and at[-1] == 4096
    assert np.array_equal(below[:-1], at[:-1]) and np.all(np.diff(ladder) > 0)
    assert len(run_positions(model_rope("qwen3-8b"), 0)) == 1
