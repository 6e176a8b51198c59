"""``rope-ref check --run 'CMD {inputs} {outputs}'``: check a program in any language
(C++, Rust, CUDA) in one command, instead of export / run / check.

``rope_ref.check`` builds its inputs as for any implementation; each time it calls the
implementation, this module writes them to a fresh folder INPUTS in the golden format
(docs/golden-format.md, as ``rope-ref golden export`` writes a group)

    INPUTS/x.npy          (batch, heads, seq, d) float64, little-endian (values exact in
                          bfloat16, so in every precision)
    INPUTS/positions.npy  (seq,) int64 (multi-axis: (k, seq))
    INPUTS/config.json    d, rotary_dim, base, layout, rope_scaling, seq_len, style,
                          section, precision, seed, max_position, output

runs CMD with ``{inputs}`` and ``{outputs}`` replaced by the two folders (split as a shell
would, ``shlex.split``, but run without one), within a time limit, and reads the
program's OUTPUTS/output.npy: x's shape, float16, float32 or float64 (a bfloat16 program
writes float32 and states ``--precision bfloat16``). Whatever goes wrong with the program
is one ValueError saying what (not found, not runnable, exit status and the end of its
stderr, over the time limit, no output, wrong shape or dtype); the CLI prints it as one
line and exits 2.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from rope_ref.checker.probe import new_seed
from rope_ref.checker.report import Report, check
from rope_ref.scaling.config import DEFAULT_BASE, stated
from rope_ref.validation.checker import check_seed, check_timeout
from rope_ref.validation.files import npy_header, read_npy

PLACEHOLDERS = ("{inputs}", "{outputs}")
OUTPUT_FILE = "output.npy"
#: Seconds a program may run per call, by default (``--timeout``).
DEFAULT_TIMEOUT = 60.0
_OUTPUT_DTYPES = ("<f2", "<f4", "<f8")


def check_command(command: str, *, timeout: float = DEFAULT_TIMEOUT, **config) -> Report:
    """The verdict on the program ``command`` runs (module docstring).

    Args:
        command: a command line naming ``{inputs}`` and ``{outputs}``, e.g.
            ``"./rope {inputs} {outputs}"``.
        timeout: seconds the program may run (> 0).
        **config: ``rope_ref.check``'s keywords (d, base, layout, rotary_dim,
            rope_scaling, precision, style, section, seed, max_position, ...).

    Raises:
        ValueError: a bad command or timeout, or a program that fails (module docstring).
    """
    argv = parse_command(command)
    timeout = check_timeout(timeout)
    config = {**config, "seed": check_seed(config.get("seed"))}
    if config["seed"] is None:  # one seed, in config.json and in the Report
        config["seed"] = new_seed()
    return check(lambda x, positions: run_program(argv, x, positions, config, timeout), **config)


def parse_command(command: object) -> list[str]:
    """The argument list of ``command`` (``shlex.split``), which must name {inputs} and
    {outputs}."""
    if not isinstance(command, str) or not command.strip():
        raise ValueError(f"--run must be a command line such as './rope {{inputs}} "
                         f"{{outputs}}', got {command!r}")  # fmt: skip
    try:
        argv = shlex.split(command)
    except ValueError as err:  # an unclosed quote
        raise ValueError(f"--run {command!r} cannot be split into arguments: {err}") from None
    roles = {"{inputs}": "the folder it reads x.npy, positions.npy and config.json from",
             "{outputs}": f"the folder it writes {OUTPUT_FILE} to"}  # fmt: skip
    missing = [p for p in PLACEHOLDERS if not any(p in arg for arg in argv)]
    if missing:
        said = "; ".join(f"{p}, {roles[p]}" for p in missing)
        raise ValueError(f"--run must name {said}; got {command!r}")
    return argv


def run_program(argv: list[str], x: np.ndarray, positions: np.ndarray, config: dict,
                timeout: float) -> np.ndarray:  # fmt: skip
    """Write x and positions to a fresh INPUTS folder, run the program on it and OUTPUTS,
    and return OUTPUTS/output.npy (checked: x's shape, a float dtype)."""
    with tempfile.TemporaryDirectory(prefix="rope-ref-run-") as tmp:
        inputs, outputs = Path(tmp) / "inputs", Path(tmp) / "outputs"
        inputs.mkdir()
        outputs.mkdir()
        write_inputs(inputs, x, positions, config)
        filled = [a.replace("{inputs}", str(inputs)).replace("{outputs}", str(outputs))
                  for a in argv]  # fmt: skip
        _run(filled, argv, timeout)
        return read_output(outputs / OUTPUT_FILE, x.shape, argv[0])


def write_inputs(folder: Path, x: np.ndarray, positions: np.ndarray, config: dict) -> None:
    """x.npy (<f8), positions.npy (<i8) and config.json in ``folder``."""
    np.save(folder / "x.npy", np.asarray(x, dtype="<f8"))
    np.save(folder / "positions.npy", np.asarray(positions, dtype="<i8"))
    rope = {k: config.get(k) for k in ("d", "rotary_dim", "base", "layout", "rope_scaling",
                                       "style", "section", "precision")}  # fmt: skip
    # the base and rotary_dim check itself reads (a dict's rope_theta and
    # partial_rotary_factor), not check's defaults beside a dict that says otherwise
    given = DEFAULT_BASE if rope["base"] is None else rope["base"]
    base, rotary_dim, _ = stated(rope["d"], given, rope["rotary_dim"], rope["rope_scaling"])
    rope["base"], rope["rotary_dim"] = base, rotary_dim or rope["d"]
    rope["layout"] = rope["layout"] or "interleaved"
    rope.update(
        seq_len=int(np.max(positions)) + 1,
        positions_shape=list(positions.shape),
        seed=config.get("seed"),
        max_position=int(np.max(positions)),
        output=OUTPUT_FILE,
    )
    text = json.dumps(rope, indent=2, default=_json_value) + "\n"
    (folder / "config.json").write_text(text, encoding="utf-8")


def _json_value(value):
    """JSON for the NumPy values a config may hold (a section as a tuple of np.int64)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"config value {value!r} is not JSON")


def _run(argv: list[str], template: list[str], timeout: float) -> None:
    """Run argv (in its own process group, killed whole at the time limit)."""
    name = template[0]
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    except FileNotFoundError:
        raise ValueError(f"program not found: {name!r} (the first word of --run)") from None
    except PermissionError:
        raise ValueError(f"cannot run {name!r}: permission denied (is it executable?)") from None
    except OSError as err:
        raise ValueError(f"cannot run {name!r}: {err.strerror or err}") from None
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ValueError(
            f"{name!r} did not finish within {timeout:g} s (--timeout); it was stopped"
        ) from None
    if proc.returncode != 0:
        tail = _last_line(stderr)
        raise ValueError(
            f"{name!r} exited with status {proc.returncode}"
            + (f"; its stderr ends: {tail}" if tail else " and wrote nothing to stderr")
        )


def _last_line(stderr: bytes) -> str:
    """The last non-empty line of a program's stderr, at most 200 characters."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


def read_output(path: Path, shape: tuple[int, ...], name: str) -> np.ndarray:
    """OUTPUTS/output.npy: x's shape, dtype float16/32/64 little-endian, no pickles."""
    if not path.is_file():
        raise ValueError(
            f"{name!r} exited with status 0 but wrote no {OUTPUT_FILE} in {{outputs}}; it "
            f"must write (batch, heads, seq, d) = {tuple(shape)} float64/32/16 there"
        )
    with open(path, "rb") as f:
        dtype, got, fortran, _ = npy_header(f"{name!r}'s {OUTPUT_FILE}", f)
    if dtype.str not in _OUTPUT_DTYPES:
        raise ValueError(
            f"{name!r}'s {OUTPUT_FILE} has dtype {dtype.str} ({dtype}); expected float64, "
            "float32 or float16, little-endian (<f8, <f4, <f2)"
        )
    if tuple(got) != tuple(shape) or fortran:
        raise ValueError(
            f"{name!r}'s {OUTPUT_FILE} has shape {tuple(got)}"
            + (" in Fortran order" if fortran else "")
            + f"; expected x's shape (batch, heads, seq, d) = {tuple(shape)}, C order"
        )
    return read_npy(f"{name!r}'s {OUTPUT_FILE}", path)
