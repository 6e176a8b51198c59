"""rope-ref with files it cannot read or a folder it cannot write: exit status 2 and a
message naming the file, not a traceback (each found by the API audit)."""

from __future__ import annotations

import numpy as np
import pytest

from rope_ref.cli import main


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
