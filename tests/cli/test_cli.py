"""`rope-ref demo` prints the relative-position table and the norms, and they say what
they claim."""

from __future__ import annotations

import re
import subprocess
import sys

from rope_ref.cli import main


def test_demo_shows_scores_depend_only_on_relative_position(capsys, tmp_path):
    assert main(["demo", "--d", "32", "--seed", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = re.findall(r"^\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+\.\d+)$", out, re.M)
    assert len(rows) >= 6
    by_offset: dict[int, list[float]] = {}
    for m, n, diff, score in rows:
        assert int(m) - int(n) == int(diff)
        by_offset.setdefault(int(diff), []).append(float(score))
    assert len(by_offset) >= 2
    for scores in by_offset.values():
        assert max(scores) - min(scores) < 1e-9
    norms = re.findall(r"^\s+\d+\s+(\d+\.\d+)\s+(\d+\.\d+)$", out, re.M)
    assert norms and all(abs(float(a) - float(b)) < 1e-12 for a, b in norms)


def test_cli_reports_bad_arguments_with_exit_2():
    proc = subprocess.run(
        [sys.executable, "-m", "rope_ref.cli", "demo", "--d", "7"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "--d must be even" in proc.stderr
