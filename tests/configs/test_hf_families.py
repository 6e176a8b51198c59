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
    stats: dict[str, tuple] = {}
    for i, calls in seen.items():
        assert calls, f"layer {i}: nothing captured"
        for before, after, axis in calls:
            err, ratio, passed = compare(rope.layers[i], before, after, axis, positions)
            assert passed, f"layer {i}: a feature past the rotated ones changed"
            assert ratio <= 1.0, f"layer {i}: {err:.3g} is {ratio:.3g}x HF's float32 tolerance"
            old = stats.get(rope.layer_types[i], (0.0, 0.0))
            stats[rope.layer_types[i]] = (max(old[0], err), max(old[1], ratio))
    for kind, (err, ratio) in sorted(stats.items()):  # the note's table: pytest -s
        print(f"\n{name:36} {kind:18} max |diff| {err:9.3g}  / tolerance {ratio:6.3g}", end="")
