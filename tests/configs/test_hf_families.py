"""model_rope against HF transformers' own models, family by family.

For each case of ``configs._families.CASES``: a tiny random HF model of that config runs
one forward at positions far past the original context; in every layer, what the
modeling module's rotary function made of q and of k equals
``model_rope(config).layers[i].rotate(q_before, positions)`` within HF's float32 error
(the checker's float32 error model; the features past the rotated ones exactly), and the
layers model_rope says have no RoPE are exactly those where HF never called it; the
layer types are HF's.
"""

from __future__ import annotations

import pytest

from configs._families import CASES
from configs._hf import capture, compare
from rope_ref import model_rope

#: name -> {layer type: (max |difference|, max difference / tolerance)}: the note's table.
RESULTS: dict[str, dict] = {}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_layer_rotates_as_hf(name):
    family, config, positions = CASES[name]
    rope = model_rope(config)
    assert rope.family == family
    seen, hf_config = capture(config, positions)
    if getattr(hf_config, "layer_types", None):
        assert rope.layer_types == tuple(hf_config.layer_types)
    with_rope = {i for i, spec in enumerate(rope.layers) if spec is not None}
    assert set(seen) == with_rope, f"HF rotates layers {sorted(seen)}, rope_ref {with_rope}"
    stats = RESULTS.setdefault(name, {})
    for i, calls in seen.items():
        assert calls, f"layer {i}: nothing captured"
        for before, after, axis in calls:
            err, ratio, passed = compare(rope.layers[i], before, after, axis, positions)
            assert passed, f"layer {i}: a feature past the rotated ones changed"
            assert ratio <= 1.0, f"layer {i}: {err:.3g} is {ratio:.3g}x HF's float32 tolerance"
            kind = rope.layer_types[i]
            old = stats.get(kind, (0.0, 0.0))
            stats[kind] = (max(old[0], err), max(old[1], ratio))


def test_print_the_table_of_differences():
    """The table for the closing note (pytest -s shows it)."""
    for name in sorted(CASES):
        if name not in RESULTS:
            test_every_layer_rotates_as_hf(name)
    print(f"\n{'case':32} {'layer type':18} {'max |diff|':>11} {'/ tolerance':>11}")
    for name in sorted(RESULTS):
        for kind, (err, ratio) in sorted(RESULTS[name].items()):
            print(f"{name:32} {kind:18} {err:11.3g} {ratio:11.3g}")
    assert all(r <= 1.0 for stats in RESULTS.values() for _, r in stats.values())
