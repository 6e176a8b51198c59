"""A model's golden set: one group per distinct layer RoPE and position set (prefill,
decode offsets, a ladder to the full context, both sides of LongRoPE's switch), whose
mpmath expectations rope_ref's float64 rotation meets within its documented error
bound, written byte-identically on every run."""

from __future__ import annotations

import json

import numpy as np
import pytest
from configs._families import CASES

from rope_ref import model_rope, rotation_error_bound, to_half_layout
from rope_ref.golden.model_sets import export_model, model_groups, position_sets

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
