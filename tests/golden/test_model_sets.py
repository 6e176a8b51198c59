"""A model's golden set: one group per distinct layer RoPE and position set (prefill,
decode offsets, a ladder to the full context, both sides of LongRoPE's switch; for M-RoPE
layers text, image and video at vector positions), whose mpmath expectations rope_ref's
float64 rotation meets within its documented error bound, written byte-identically on
every run; `rope-ref check` of a port's outputs names its multi-axis mistakes per layer."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from configs._families import CASES

from rope_ref import model_rope, rotation_error_bound, to_half_layout
from rope_ref.checker.layers import check_layer_outputs
from rope_ref.cli.model_golden import check_model_directory
from rope_ref.golden.model_sets import TEXT_AFTER, export_model, model_groups, position_sets
from rope_ref.multimodal.positions import mrope_position_ids

PHI3 = CASES["phi-3 (short factors)"][1]


def _load(root, group, key):
    return np.load(root / group["files"][key]["path"])


@pytest.mark.parametrize("name", ["gemma-3-1b", "deepseek-v3", "pythia-1.4b", "smollm3-3b"])
def test_every_group_meets_rope_refs_bound_against_mpmath(tmp_path, name):
    rope = model_rope(name)
    manifest = export_model(rope, name, tmp_path)
    assert {i for g in manifest["groups"] for i in g["layers"]} == set(range(len(rope.layers)))
    for group in manifest["groups"]:
        x, positions = _load(tmp_path, group, "x"), _load(tmp_path, group, "positions")
        expected = _load(tmp_path, group, "expected_float64")
        spec = rope.layers[group["layers"][0]]
        if spec is None:
            np.testing.assert_array_equal(expected, x)
            continue
        full = np.zeros(x.shape[:-1] + (spec.head_dim,))
        full[..., spec.offset :] = x
        ours = spec.rotate(full, positions)[..., spec.offset :]
        bound = rotation_error_bound(
            x,
            positions,
            rope_scaling=spec.rope_scaling,
            rotary_dim=spec.rotary_dim,
            layout=spec.layout,
            seq_len=int(positions[-1]) + 1 if spec.rope_type in ("dynamic", "longrope") else None,
        )
        if spec.output_layout != spec.layout:
            bound = to_half_layout(bound, spec.rotary_dim)
        assert np.all(np.abs(ours - expected) <= bound), group["name"]


def test_longrope_sets_straddle_the_switch_and_decode_one_step_a_group():
    spec = model_rope(PHI3).layers[0]
    sets = position_sets(spec, 131072)
    assert sets["switch_below"][-1] == 4095 and sets["switch_above"][-1] == 4096
    assert sets["long"][-1] == 131071 and sets["prefill"].tolist() == list(range(32))
    decode = [k for k in sets if k.startswith("decode_")]
    assert {"decode_4095", "decode_4096", "decode_131071"} <= set(decode)
    assert all(len(sets[k]) == 1 for k in decode)
    assert "decode" in position_sets(model_rope("qwen3-8b").layers[0], 40960)


def test_a_1m_context_reaches_its_last_position():
    groups = model_groups(model_rope("llama-4-scout"))
    longest = max(int(g["positions"][-1]) for g in groups)
    assert longest == 10485759 and {g["rope"] for g in groups} == {"rope0", "nope"}


def test_the_set_is_written_byte_identically(tmp_path):
    first = export_model(model_rope(PHI3), PHI3, tmp_path / "a")
    second = export_model(model_rope(PHI3), PHI3, tmp_path / "b")
    assert json.dumps(first) == json.dumps(second)
    for group in first["groups"]:
        for entry in group["files"].values():
            a = (tmp_path / "a" / entry["path"]).read_bytes()
            assert a == (tmp_path / "b" / entry["path"]).read_bytes()


# M-RoPE layers: groups at vector positions (t, h, w) as the model's get_rope_index builds
# them, their exact values golden v3's multi-axis ones.
Q3_TINY = CASES["qwen3-vl (image positions)"][1]


def test_mrope_groups_follow_the_models_position_rule():
    for name, rule in (("qwen2.5-vl-7b", "qwen2_5_vl"), ("qwen3-vl-8b", "qwen3_vl")):
        rope = model_rope(name)
        groups = {g["name"]: g for g in model_groups(rope) if "style" in g}
        assert set(groups) == {"rope0_mrope_image", "rope0_mrope_video", "rope0_mrope_late"}
        image = groups["rope0_mrope_image"]["positions"]
        text = np.all(image == image[0], axis=0)  # text tokens: t = h = w
        t, h, w = image[:, ~text]
        assert len(set(t)) == 1 and len(set(h)) == 6 and len(set(w)) == 8  # 6 x 8 merged
        after = image[0, np.flatnonzero(text)[-TEXT_AFTER]]
        assert after == image.max() - TEXT_AFTER + 1 == max(h.max(), w.max()) + 1  # rope_deltas
        assert groups["rope0_mrope_late"]["positions"].max() == rope.max_position_embeddings - 1
        types = [0] * 5 + [1] * 48 + [0] * 4
        built, _ = mrope_position_ids(types, [[1, 12, 16]], model=rule, tokens_per_second=2)
        assert np.array_equal(image, built[:, 0])
    assert not [g for g in model_groups(model_rope("qwen3-8b")) if "style" in g]


@pytest.fixture(scope="module")
def mrope_sets(tmp_path_factory):
    """qwen2.5-vl-7b's set and the tiny Qwen3-VL's: (root, manifest, rope) each."""
    out = {}
    for name, config in (("qwen2.5-vl-7b", "qwen2.5-vl-7b"), ("qwen3-vl tiny", Q3_TINY)):
        root = tmp_path_factory.mktemp(name.replace(" ", "_"))
        rope = model_rope(config)
        out[name] = (root, export_model(rope, config, root), rope)
    return out


def test_the_mpmath_values_at_vector_positions_meet_rope_refs_rotation(mrope_sets):
    root, manifest, rope = mrope_sets["qwen2.5-vl-7b"]
    spec = rope.layers[0]
    for group in (g for g in manifest["groups"] if "style" in g["config"]):
        x, positions = _load(root, group, "x"), _load(root, group, "positions")
        assert positions.shape == (3, x.shape[-2])
        assert np.array_equal(_load(root, group, "axes"), spec.axes)
        for key in ("expected_float64", "expected_float32"):  # the error model of each
            report = check_layer_outputs(rope, 0, x, _load(root, group, key), positions)
            assert report.ok and "mrope [16, 24, 24] on 3 axes" in report.config, str(report)
        ours = spec.rotate(x, positions)
        assert check_layer_outputs(rope, 0, x, ours, positions, "float64").ok, group["name"]


def _port_outputs(root, manifest, rope, mrope=None, swap_hw=False):
    """Each group's output.npy from the exported files alone, in float32: the layer's
    rotation (``mrope``: with that section; ``swap_hw``: rows h and w exchanged)."""
    for group in manifest["groups"]:
        x, p = _load(root, group, "x"), _load(root, group, "positions")
        spec = rope.layers[group["layers"][0]]
        spec = spec if mrope is None else dataclasses.replace(spec, mrope=mrope)
        p = p[[0, 2, 1]] if swap_hw and p.ndim == 2 else p
        np.save(root / group["name"] / "output.npy", spec.rotate(x.astype(np.float32), p))


@pytest.mark.parametrize(
    ("name", "mistake", "expected"),
    [
        ("qwen2.5-vl-7b", {}, None),
        ("qwen3-vl tiny", {}, None),
        ("qwen2.5-vl-7b", {"mrope": (("mrope_section", (24, 24, 16)),)}, "mrope_section_mismatch"),
        ("qwen2.5-vl-7b", {"swap_hw": True}, "hw_swapped"),
        ("qwen3-vl tiny", {"swap_hw": True}, "hw_swapped"),
        ("qwen3-vl tiny", {"mrope": (("mrope_section", (2, 3, 3)),)}, "mrope_style_swapped"),
    ],
)
def test_check_names_a_multi_axis_mistake_per_layer(mrope_sets, name, mistake, expected):
    root, manifest, rope = mrope_sets[name]
    _port_outputs(root, manifest, rope, **mistake)
    _, groups, layers = check_model_directory(root)
    assert all(ok == (expected is None) for *_, ok in layers) and len(layers) == len(rope.layers)
    for (group, report), entry in zip(groups, manifest["groups"], strict=True):
        vector = "style" in entry["config"]
        assert report.ok == (expected is None or not vector), f"[{group}] {report}"
        assert [f.name for f in report.findings] == ([expected] if not report.ok else [])
