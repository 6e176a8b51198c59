"""`rope-ref check --run 'CMD {inputs} {outputs}'`: a program in another language checked
in one command. A small Python program stands in for it (its own NumPy RoPE, reading the
golden-format inputs): right, it passes (exit 0); wrong, it fails with the mistake named
(exit 1); a program that cannot be used (not found, non-zero exit, over the time limit,
no output, wrong shape or dtype) and bad arguments are one line on stderr (exit 2)."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from rope_ref.cli import main

#: The stand-in for a C++/Rust/CUDA binary: RoPE in float32 from config.json, written as
#: an outside implementation would (no rope_ref). argv: INPUTS OUTPUTS [MODE].
PROGRAM = """
import json, sys, time
inputs, outputs = sys.argv[1], sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 else "right"
if mode == "crash":
    sys.exit("rope: CUDA error: out of memory")
if mode == "sleep":
    time.sleep(30)
if mode == "nothing":
    sys.exit(0)
import numpy as np
cfg = json.load(open(inputs + "/config.json"))
x = np.load(inputs + "/x.npy").astype(np.float32)
m = np.load(inputs + "/positions.npy") + (1 if mode == "offset" else 0)
d = cfg["d"]
inv_freq = 1.0 / np.float32(cfg["base"]) ** (np.arange(0, d, 2, dtype=np.float32) / np.float32(d))
phi = m.astype(np.float32)[:, None] * inv_freq
c, s = np.cos(phi), np.sin(phi)
if cfg["layout"] == "half":
    a, b = np.arange(d // 2), np.arange(d // 2) + d // 2
else:
    a, b = np.arange(0, d, 2), np.arange(1, d, 2)
y = x.copy()
y[..., a], y[..., b] = x[..., a] * c - x[..., b] * s, x[..., b] * c + x[..., a] * s
if mode == "shape":
    y = y[..., :-2]
if mode == "int":
    y = y.astype(np.int32)
np.save(outputs + "/output.npy", y)
"""


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    path = tmp_path_factory.mktemp("prog") / "rope.py"
    path.write_text(PROGRAM, encoding="utf-8")
    return f"{sys.executable} {path}"


def _run(program, mode="right", *extra):
    return main(["check", "--run", f"{program} {{inputs}} {{outputs}} {mode}", *extra])


def test_a_right_program_passes(program, capsys):
    assert _run(program, "right", "--d", "32", "--layout", "half", "--base", "5e5") == 0
    out = capsys.readouterr().out
    assert out.startswith("rope_ref check: PASS (d=32, rotary_dim=32, base 500000, half")
    assert "precision float32" in out and "drawn with seed" in out


def test_a_wrong_program_fails_with_the_mistake_named(program, capsys):
    assert _run(program, "offset", "--d", "16", "--seed", "7", "--json") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["findings"][0]["name"] == "position_offset"
    assert data["seed"] == 7 and "m + 1" in data["findings"][0]["detail"]


def test_the_program_reads_the_golden_format(program, tmp_path, capsys):
    keep = tmp_path / "seen"
    spy = f'{sys.executable} -c "import shutil, sys; shutil.copytree(sys.argv[1], sys.argv[3])"'
    code = main(["check", "--run", f"{spy} {{inputs}} {{outputs}} {keep}", "--d", "8",
                 "--seed", "3", "--max-position", str(2**20)])  # fmt: skip
    assert code == 2  # it wrote no output
    config = json.loads((keep / "config.json").read_text())
    x, positions = np.load(keep / "x.npy"), np.load(keep / "positions.npy")
    assert x.dtype == np.dtype("<f8") and positions.dtype == np.dtype("<i8")
    assert x.shape == (2, 3, positions.size, 8) and positions.max() == 2**20
    assert config["d"] == 8 and config["layout"] == "interleaved" and config["base"] == 10000.0
    assert (config["seed"], config["seq_len"], config["output"]) == (3, 2**20 + 1, "output.npy")
    assert "wrote no output.npy" in capsys.readouterr().err


def test_the_config_written_states_the_base_and_rotary_dim_check_reads(tmp_path):
    # a pasted dict's rope_theta and partial_rotary_factor, not check's defaults beside it
    keep = tmp_path / "seen"
    spy = f'{sys.executable} -c "import shutil, sys; shutil.copytree(sys.argv[1], sys.argv[3])"'
    dict_ = {"rope_type": "default", "rope_theta": 500000.0, "partial_rotary_factor": 0.5}
    main(["check", "--run", f"{spy} {{inputs}} {{outputs}} {keep}", "--d", "16",
          "--rope-scaling", json.dumps(dict_), "--seed", "3"])  # fmt: skip
    config = json.loads((keep / "config.json").read_text())
    assert (config["base"], config["rotary_dim"]) == (dict_["rope_theta"], 16 // 2)
    assert config["rope_scaling"] == dict_


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["nothing"], "exited with status 0 but wrote no output.npy"),
        (["crash"], "exited with status 1; its stderr ends: rope: CUDA error: out of memory"),
        (["sleep", "--timeout", "0.5"], "did not finish within 0.5 s (--timeout)"),
        (["shape"], "output.npy has shape (2, 3, "),
        (["int"], "output.npy has dtype <i4 (int32); expected float64, float32 or float16"),
    ],
    ids=["writes nothing", "exits 1", "times out", "wrong shape", "int output"],
)
def test_an_unusable_program_is_one_line_and_exit_2(program, capsys, args, words):
    mode, *extra = args
    assert _run(program, mode, "--d", "8", *extra) == 2
    err = capsys.readouterr().err
    assert err.startswith("rope-ref check --run: ") and words in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["check", "--run", "no-such-rope-binary {inputs} {outputs}", "--d", "8"],
            "program not found: 'no-such-rope-binary'",
        ),
        (
            ["check", "--run", "./rope {inputs}", "--d", "8"],
            "--run must name {outputs}, the folder it writes output.npy to",
        ),
        (["check", "--run", "./rope {inputs} {outputs}"], "--run needs --d"),
        (
            ["check", "DIR", "--run", "./rope {inputs} {outputs}", "--d", "8"],
            "give DIR or --run CMD, not both",
        ),
        (["check", "DIR", "--d", "8"], "--d go(es) with --run CMD, not with DIR"),
        (["check"], "give DIR (a folder written by `rope-ref golden export`) or --run CMD"),
        (["check", "--run", "./rope '{inputs} {outputs}", "--d", "8"], "cannot be split"),
        (["check", "--run", "x {inputs} {outputs}", "--d", "7"], "d must be even"),
        (
            ["check", "--run", "x {inputs} {outputs}", "--d", "8", "--timeout", "0"],
            "timeout must be a number of seconds > 0",
        ),
    ],  # fmt: skip
    ids=[
        "not found",
        "no {outputs}",
        "no --d",
        "DIR and --run",
        "--d with DIR",
        "nothing",
        "unclosed quote",
        "odd d",
        "timeout 0",
    ],  # fmt: skip
)
def test_bad_arguments_are_one_line_and_exit_2(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
