"""`rope-ref model NAME|config.json` prints a model's RoPE layer by layer, and a model's
goldens make the round trip a port in another language makes: `rope-ref golden export
--model NAME DIR` (or --config), the port's output.npy per group, `rope-ref check DIR`
with a verdict per layer (0 pass, 1 fail, 2 unusable)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from configs._families import CASES

from rope_ref import model_rope
from rope_ref.cli import main

GEMMA3 = CASES["gemma-3 (legacy keys)"][1]


def test_the_table_names_each_ropes_layers_base_scaling_and_wavelengths(capsys):
    assert main(["model", "gemma-3-27b"]) == 0
    out = capsys.readouterr().out
    assert "62 layers, context 131072" in out and "google/gemma-3-27b-it" in out
    rows = [line.split() for line in out.splitlines() if line.strip().startswith("rope")]
    assert rows[1][0] == "rope0" and "(52)" in rows[1] and "10000" in rows[1]
    assert rows[2][0] == "rope1" and "(10)" in rows[2] and "linear" in rows[2]
    assert "6.283 .. 5.441e+04" in out  # 2 pi / theta_i, eq 15 with base 1e4 over 128


def test_the_table_reads_a_config_json_and_prints_json(tmp_path, capsys):
    (tmp_path / "config.json").write_text(json.dumps(GEMMA3))
    assert main(["model", str(tmp_path / "config.json"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["layers"] for r in data["ropes"]] == [[0, 2], [1, 3]]
    assert data["ropes"][1]["rope_scaling"]["factor"] == 8.0
    assert main(["model", str(tmp_path)]) == 0  # a folder holding config.json


def test_an_unknown_model_is_one_line_and_exit_2(capsys):
    assert main(["model", "no-such-model"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "neither a config dict nor a preset name" in err


def _outputs(root, mistake=None):
    """Each group's output.npy as a port computes it from the exported files alone:
    rope_ref's layer rotation in float32; ``mistake="local"`` gives the full layers the
    sliding layers' RoPE."""
    manifest = json.loads((root / "model.json").read_text())
    rope = model_rope(manifest["config"])
    for group in manifest["groups"]:
        folder = root / group["name"]
        x, p = np.load(folder / "x.npy"), np.load(folder / "positions.npy")
        spec = rope.layers[0 if mistake == "local" else group["layers"][0]]
        np.save(folder / "output.npy", spec.rotate(x.astype(np.float32), p))


@pytest.fixture
def exported(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(GEMMA3))
    assert (
        main(["golden", "export", "--config", str(tmp_path / "config.json"), str(tmp_path / "set")])
        == 0
    )
    return tmp_path / "set"


def test_a_correct_port_passes_every_layer(exported, capsys):
    _outputs(exported)
    assert main(["check", str(exported)]) == 0
    assert "gemma3_text: 4 of 4 layers pass" in capsys.readouterr().out


def test_a_port_with_the_local_base_in_global_layers_is_named_per_layer(exported, capsys):
    _outputs(exported, mistake="local")
    assert main(["check", str(exported), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [layer["ok"] for layer in data["layers"]] == [True, False, True, False]
    failed = [g for g in data["groups"] if not g["ok"]]
    assert failed and {g["findings"][0]["name"] for g in failed} == {"wrong_layer_base"}


def test_edited_inputs_or_a_missing_output_are_unusable(exported, capsys):
    _outputs(exported)
    (exported / "rope0_prefill" / "output.npy").unlink()
    assert main(["check", str(exported)]) == 2
    assert "output.npy is missing" in capsys.readouterr().err
    _outputs(exported)
    x = np.load(exported / "rope1_long" / "x.npy")
    np.save(exported / "rope1_long" / "x.npy", x + 1)
    assert main(["check", str(exported)]) == 2
    assert "differs from what was exported" in capsys.readouterr().err


def test_export_takes_a_model_or_a_config_not_both(tmp_path, capsys):
    args = ["golden", "export", "--model", "qwen3-8b", "--config", "c.json", str(tmp_path)]
    assert main(args) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["golden", "export", "--model", "qwen3-8b", str(tmp_path / "q")]) == 0
    assert (tmp_path / "q" / "model.json").is_file()


def test_an_mrope_models_set_is_checked_at_vector_positions(tmp_path, capsys):
    config = CASES["qwen3-vl (image positions)"][1]
    (tmp_path / "config.json").write_text(json.dumps(config))
    root = tmp_path / "set"
    assert main(["golden", "export", "--config", str(tmp_path / "config.json"), str(root)]) == 0
    manifest = json.loads((root / "model.json").read_text())
    rope = model_rope(config)
    for group in manifest["groups"]:  # a port that exchanges rows h and w of the positions
        folder = root / group["name"]
        x, p = np.load(folder / "x.npy"), np.load(folder / "positions.npy")
        p = p[[0, 2, 1]] if p.ndim == 2 else p
        np.save(folder / "output.npy", rope.layers[0].rotate(x.astype(np.float32), p))
    capsys.readouterr()
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr().out
    assert "[rope0_mrope_image] rope_ref check: FAIL" in out and "hw_swapped" in out
    assert "[rope0_prefill] rope_ref check: PASS" in out
    assert out.rstrip().endswith("failing layers: 0-1 (full_attention)")
