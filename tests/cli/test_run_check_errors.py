"""rope_ref.cli.run_check: a bad command or time limit, and a program that cannot be used,
raise a ValueError or TypeError that says what (the CLI prints it as one line, exit 2)."""

from __future__ import annotations

import sys

import pytest
from validation.error_table import assert_raises_named, error_params

from rope_ref.cli.run_check import check_command

PY = f"{sys.executable} -c"

RUN_CHECK_ERRORS = [
    ("command not a string", lambda: check_command(["./rope"], d=8), ValueError,
     "--run must be a command line such as './rope {inputs} {outputs}', got ['./rope']"),
    ("empty command", lambda: check_command("  ", d=8), ValueError,
     "--run must be a command line"),
    ("no placeholders", lambda: check_command("./rope", d=8), ValueError,
     ("--run must name {inputs}, the folder it reads x.npy", "{outputs}, the folder it writes")),
    ("timeout -1", lambda: check_command("x {inputs} {outputs}", d=8, timeout=-1), ValueError,
     "timeout must be a number of seconds > 0, got -1"),
    ("timeout inf", lambda: check_command("x {inputs} {outputs}", d=8, timeout=float("inf")),
     ValueError, "timeout must be a number of seconds > 0, got inf"),
    ("timeout '5'", lambda: check_command("x {inputs} {outputs}", d=8, timeout="5"), TypeError,
     "timeout must be a number of seconds > 0, got '5'"),
    ("seed -1", lambda: check_command("x {inputs} {outputs}", d=8, seed=-1), ValueError,
     "seed must be an integer >= 0, got -1"),
    ("a folder as the program", lambda: check_command("/ {inputs} {outputs}", d=8), ValueError,
     "cannot run '/': permission denied"),
    ("exit 1 with stderr",
     lambda: check_command(f"{PY} 'import sys; sys.exit(\"bad\\nworse\")' {{inputs}} {{outputs}}",
                           d=8),
     ValueError, ("exited with status 1; its stderr ends: worse")),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "words"), error_params(RUN_CHECK_ERRORS))
def test_run_check_error(call, error, words):
    assert_raises_named(call, error, words)
