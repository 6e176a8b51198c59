"""rope-ref with files it cannot read or a folder it cannot write: exit status 2 and a
message naming the file, not a traceback (each found by the API audit)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rope_ref.cli import main
from rope_ref.golden import load_group


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("config.json", "{bad", "config.json is not valid JSON"),
        ("config.json", '{"version": "v1"}', "config.json must be a JSON object with"),
        ("config.json", "[1, 2]", "config.json must be a JSON object with"),
        ("x.npy", "garbage", "x.npy is not a readable .npy array"),
    ],
    ids=["json", "no group", "list", "x.npy"],
)
def test_a_malformed_export_names_the_file(tmp_path, capsys, file, content, message):
    """rope-ref check said "unusable input: 'group'" (a KeyError), "list indices must be
    integers", or NumPy's message, without the file."""
    assert main(["golden", "export", str(tmp_path), "--group", "d2_base10000"]) == 0
    folder = tmp_path / "d2_base10000"
    np.save(folder / "output.npy", np.zeros((1, 2, 32, 2)))
    (folder / file).write_text(content)
    capsys.readouterr()
    assert main(["check", str(tmp_path)]) == 2
    assert str(folder / message.split()[0]) + message[len(message.split()[0]) :] in (
        capsys.readouterr().err
    )


def test_export_to_a_folder_it_cannot_create_is_an_error_not_a_traceback(tmp_path, capsys):
    """rope-ref golden export /proc/x ended in a FileNotFoundError traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["golden", "export", str(blocker / "sub"), "--group", "d2_base10000"]) == 2
    assert "rope-ref: error:" in capsys.readouterr().err


def _npy_claiming(shape: tuple[int, ...]) -> bytes:
    """An .npy of 64 data bytes whose header claims ``shape`` of float64."""
    header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}"
    header += " " * (63 - len(header) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + bytes(64)


def _config_edit(**changes):
    def edit(folder):
        config = json.loads((folder / "config.json").read_text())
        config.update(changes)
        (folder / "config.json").write_text(json.dumps(config))

    return edit


#: (id, edit of the exported folder, words of the one line on stderr): each of these
#: gave exit 0 ("1 of 1 group(s) pass"), or a traceback and exit 1, before.
EXPORT_EDITS = [
    (
        "positions edited",
        lambda f: np.save(f / "positions.npy", np.arange(32) + 1),
        "positions.npy differs from golden group d2_base10000's inputs",
    ),
    (
        "positions empty",
        lambda f: np.save(f / "positions.npy", np.zeros(0, np.int64)),
        "positions.npy holds shape (0,), expected (32,)",
    ),
    (
        "positions as float64",
        lambda f: np.save(f / "positions.npy", np.arange(32.0)),
        "positions.npy differs from golden group d2_base10000's inputs (float64",
    ),
    (
        "positions garbage",
        lambda f: (f / "positions.npy").write_bytes(b"garbage"),
        "positions.npy is not a readable .npy array",
    ),
    ("layout edited", _config_edit(layout="half"), "config.json differs from golden group"),
    ("base edited", _config_edit(base=500000.0), "in field(s) ['base']"),
    ("a field added", _config_edit(extra=1), "in field(s) ['extra']"),
    ("hf_compat 1 for false", _config_edit(hf_compat=0), "in field(s) ['hf_compat']"),
    ("group unknown", _config_edit(group="nope"), "name must be a group of golden set v2"),
    ("version a list", _config_edit(version=["v2"]), "version must be a folder name"),
    (
        "config 100000 deep",
        lambda f: (f / "config.json").write_text("[" * 100000 + "]" * 100000),
        "config.json is JSON nested too deeply",
    ),
    (
        "config not UTF-8",
        lambda f: (f / "config.json").write_bytes(b'{"group": "\xff"}'),
        "config.json is not UTF-8 text",
    ),
    (
        "output claims 10**12 values",
        lambda f: (f / "output.npy").write_bytes(_npy_claiming((1000000, 1000000))),
        "output.npy holds shape (1000000, 1000000), expected (1, 2, 32, 2)",
    ),
    (
        "output's header lies about its size",
        lambda f: (f / "output.npy").write_bytes(_npy_claiming((1, 2, 32, 2))),
        "output.npy is not a readable .npy array: its header claims shape (1, 2, 32, 2)",
    ),
    (
        "x truncated",
        lambda f: (f / "x.npy").write_bytes((f / "x.npy").read_bytes()[:-8]),
        "x.npy is not a readable .npy array",
    ),
]


@pytest.mark.parametrize(
    ("edit", "words"), [r[1:] for r in EXPORT_EDITS], ids=[r[0] for r in EXPORT_EDITS]
)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_every_export_file_is_read_and_an_edit_exits_2_in_one_line(
    tmp_path, capsys, edit, words, as_json
):
    assert main(["golden", "export", str(tmp_path), "--group", "d2_base10000"]) == 0
    folder = tmp_path / "d2_base10000"
    np.save(folder / "output.npy", load_group("d2_base10000").arrays["expected_float64"])
    capsys.readouterr()
    assert main(["check", str(tmp_path)]) == 0  # untouched, it passes
    capsys.readouterr()
    edit(folder)
    assert main(["check", str(tmp_path)] + (["--json"] if as_json else [])) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("rope-ref check: unusable input: ")
    assert words in err
    if as_json:
        verdict = json.loads(out)
        assert verdict["ok"] is False and words in verdict["error"]


def test_golden_verify_of_a_deep_manifest_exits_2_in_one_line(tmp_path, capsys):
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "manifest.json").write_text("[" * 100000 + "]" * 100000)
    assert main(["golden", "verify", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "manifest.json is JSON nested too deeply" in err
