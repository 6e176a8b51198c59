"""`rope-ref demo` prints the relative-position table and the norms, and they say what
they claim; without torch, transformers or matplotlib it shows the rest and names the
extra that installs them."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from rope_ref.cli import demo, main


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
    assert "\n7. Figures" in out and "skipped" not in out  # everything is installed here


def test_cli_reports_bad_arguments_with_exit_2():
    proc = subprocess.run(
        [sys.executable, "-m", "rope_ref.cli", "demo", "--d", "7"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "--d must be even" in proc.stderr


BLOCK_AND_RUN = (
    "import sys; sys.modules.update(dict.fromkeys(sys.argv[1].split(',')));"
    "from rope_ref.cli import main; sys.exit(main(sys.argv[2:]))"
)
NUMPY_SECTIONS = ("1. q_m . k_n", "2. rotation keeps norms", "3. long-term decay")


@pytest.mark.parametrize(
    ("blocked", "shown", "skip_line"),
    [
        (
            "torch,transformers,matplotlib",
            (),
            "skipped: the encoder against HF and the checker on HF's Llama (need torch, "
            "transformers), the figures (needs matplotlib): pip install 'rope_ref[demo]'",
        ),
        (
            "torch",
            ("7. Figures: 5 PNG files",),
            "skipped: the encoder against HF and the checker on HF's Llama (needs torch): "
            "pip install 'rope_ref[demo]'",
        ),
    ],
)
def test_demo_without_optional_packages_runs_the_rest_and_names_the_extra(
    tmp_path, blocked, shown, skip_line
):
    proc = subprocess.run(
        [sys.executable, "-c", BLOCK_AND_RUN, blocked, "demo", "--out", "figs"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    for heading in NUMPY_SECTIONS + shown:
        assert heading in proc.stdout
    for heading in ("\n4. ", "\n5. ", "\n6. "):
        assert heading not in proc.stdout
    skips = [line for line in proc.stdout.splitlines() if line.startswith("skipped")]
    assert skips == [skip_line]
    assert proc.stdout.splitlines()[-1] == skip_line
    assert (tmp_path / "figs").exists() == bool(shown)


@pytest.mark.parametrize(
    ("skipped", "line"),
    [
        (
            [("the figures", ("matplotlib",))],
            "skipped: the figures (needs matplotlib): pip install 'rope_ref[demo]'",
        ),
        (
            [("A", ("transformers",)), ("B", ("transformers",)), ("C", ("matplotlib",))],
            "skipped: A and B (needs transformers), C (needs matplotlib): "
            "pip install 'rope_ref[demo]'",
        ),
        (
            [("A", ("torch", "transformers")), ("B", ("torch",))],
            "skipped: A (need torch, transformers), B (needs torch): pip install 'rope_ref[demo]'",
        ),
    ],
)
def test_skipped_line_groups_sections_by_what_they_lack(skipped, line):
    assert demo.skipped_line(skipped) == line


def test_finding_what_is_missing_imports_nothing_heavier_than_numpy():
    code = (
        "import sys; from rope_ref.cli.demo import missing_modules;"
        "assert missing_modules(('numpy', 'no_such_module_rope_ref')) == "
        "('no_such_module_rope_ref',); missing_modules(('torch', 'transformers', 'matplotlib'));"
        "print(sorted(m for m in ('torch', 'transformers', 'matplotlib') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_golden_regenerate_without_mpmath_names_the_extra(tmp_path):
    """mpmath is not a runtime dependency: without it, regenerate says which extra to
    install, in one line, and exits 2; verify (sha256 only) still works."""
    run = [sys.executable, "-c", BLOCK_AND_RUN, "mpmath"]
    proc = subprocess.run(
        run + ["golden", "regenerate", "out"], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "rope-ref: error: golden regenerate computes with mpmath, which is not installed: "
        "pip install 'rope_ref[golden]'"
    ]
    assert not (tmp_path / "out").exists()
    verify = subprocess.run(run + ["golden", "verify"], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
