"""`rope-ref golden export DIR` and `rope-ref check DIR`: the round trip an implementation
in another language makes, its exit statuses (0 pass, 1 fail, 2 unusable) and --json."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rope_ref import rotate
from rope_ref.cli import main
from rope_ref.golden import load_group

GROUPS = ["d64_base10000_half", "yarn_qwen_hf"]


@pytest.fixture
def exported(tmp_path):
    args = ["golden", "export", str(tmp_path)]
    for name in GROUPS:
        args += ["--group", name]
    assert main(args) == 0
    return tmp_path


def _write_outputs(root, mistake=None):
    """Each group's output.npy as an outside implementation computes it: rope_ref's rotation
    (float32), from the exported files only; ``mistake="offset"`` shifts positions by 1."""
    for name in GROUPS:
        folder = root / name
        config = json.loads((folder / "config.json").read_text())
        x, positions = np.load(folder / "x.npy"), np.load(folder / "positions.npy")
        if mistake == "offset":
            positions = positions + 1
        y = rotate(
            x.astype(np.float32),
            positions,
            base=config["base"],
            layout=config["layout"],
            rotary_dim=config["rotary_dim"],
            rope_scaling=config["rope_scaling"],
            hf_compat=config["hf_compat"],
        )
        np.save(folder / "output.npy", y)


def test_export_writes_inputs_and_config_for_each_group(exported):
    assert sorted(p.name for p in exported.iterdir()) == sorted(GROUPS)
    for name in GROUPS:
        group = load_group(name)
        folder = exported / name
        assert np.array_equal(np.load(folder / "x.npy"), group.arrays["x"])
        assert np.array_equal(np.load(folder / "positions.npy"), group.arrays["positions"])
        config = json.loads((folder / "config.json").read_text())
        assert config["group"] == name and config["layout"] == group.config["layout"]
        assert config["attention_factor"] == group.attention_factor


def test_export_records_the_default_version_v2(exported):
    for name in GROUPS:
        config = json.loads((exported / name / "config.json").read_text())
        assert config["version"] == "v2"


def test_a_v1_export_round_trips_and_checks_against_v1(tmp_path, capsys):
    assert main(["golden", "export", str(tmp_path), "--group", GROUPS[0], "--version", "v1"]) == 0
    config = json.loads((tmp_path / GROUPS[0] / "config.json").read_text())
    assert config["version"] == "v1"
    np.save(
        tmp_path / GROUPS[0] / "output.npy", load_group(GROUPS[0], "v1").arrays["expected_float64"]
    )
    assert main(["check", str(tmp_path)]) == 0
    assert "1 of 1 group(s) pass" in capsys.readouterr().out
    config["version"] = "v0"  # a version that does not exist is named
    (tmp_path / GROUPS[0] / "config.json").write_text(json.dumps(config))
    assert main(["check", str(tmp_path)]) == 2
    assert "v0" in capsys.readouterr().err


def test_a_config_without_a_version_is_checked_against_the_default(exported, capsys):
    _write_outputs(exported)
    for name in GROUPS:
        path = exported / name / "config.json"
        config = json.loads(path.read_text())
        del config["version"]
        path.write_text(json.dumps(config))
    assert main(["check", str(exported)]) == 0
    assert f"{len(GROUPS)} of {len(GROUPS)} group(s) pass" in capsys.readouterr().out


def test_correct_outputs_pass_with_exit_0(exported, capsys):
    _write_outputs(exported)
    assert main(["check", str(exported)]) == 0
    out = capsys.readouterr().out
    assert out.count("PASS") == len(GROUPS) and "2 of 2 group(s) pass" in out


def test_shifted_positions_fail_with_exit_1_and_are_named_in_json(exported, capsys):
    _write_outputs(exported, mistake="offset")
    assert main(["check", str(exported), "--json"]) == 1
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["ok"] is False
    assert [g["group"] for g in verdict["groups"]] == sorted(GROUPS)
    for group in verdict["groups"]:
        assert not group["ok"]
        assert [f["name"] for f in group["findings"]] == ["position_offset"]
        assert group["max_error"] > group["tolerance"]


def test_a_single_group_folder_can_be_checked(exported, capsys):
    _write_outputs(exported)
    assert main(["check", str(exported / GROUPS[0])]) == 0
    assert "PASS" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda f: (f / "output.npy").unlink(), "output.npy is missing"),
        (lambda f: np.save(f / "output.npy", np.load(f / "output.npy")[..., :-1]), "shape"),
        (
            lambda f: np.save(f / "output.npy", np.full_like(np.load(f / "output.npy"), np.nan)),
            "NaN",
        ),
        (lambda f: np.save(f / "x.npy", np.load(f / "x.npy") + 1.0), "differs from golden"),
        (lambda f: (f / "output.npy").write_bytes(b"not an npy file"), "not a readable .npy"),
    ],
    ids=["missing output", "wrong shape", "NaN", "inputs edited", "not npy"],
)
def test_unusable_input_exits_2_naming_the_problem(exported, capsys, spoil, message):
    _write_outputs(exported)
    spoil(exported / GROUPS[0])
    assert main(["check", str(exported)]) == 2
    err = capsys.readouterr().err
    assert message in err and GROUPS[0] in err


def test_a_folder_without_exported_groups_exits_2(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    assert "no exported group" in capsys.readouterr().err
