"""``rope-ref golden export DIR`` and ``rope-ref check DIR``: the checker for any language.

``export`` writes, for each golden group, a folder DIR/<group>/ with

    x.npy          (batch, heads, seq, d) float64, little-endian: the inputs
    positions.npy  (seq,) int64 or float64: the position m of each row of x
    config.json    d, rotary_dim, base, layout ("interleaved": pairs (2i, 2i+1), the paper;
                   "half": pairs (i, i + rotary_dim/2)), rope_scaling, seq_len, hf_compat,
                   attention_factor, and the golden group and version it came from

A user runs their implementation on x at positions and writes ``output.npy`` (same shape,
float16/32/64) beside them. ``check`` reads every DIR/<group>/output.npy (or DIR itself if
it holds config.json), checks it against the golden group with ``check_outputs``, and
prints the verdicts. Every input file is read and compared with the golden group before
the outputs are judged: x.npy and positions.npy must hold the group's arrays (dtype and
values), and config.json every field that export writes, unchanged. Exit status: 0 all
pass, 1 some fail, 2 unusable input (a missing or unreadable file, an .npy whose header
claims more than the file holds, JSON nested too deeply, a wrong shape, NaN in an output,
inputs or a config that differ from the golden ones), with one line on stderr (and
``{"ok": false, "error": ...}`` on stdout with ``--json``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from rope_ref.cli.run_check import DEFAULT_TIMEOUT, check_command, parse_command
from rope_ref.golden.store import LATEST_VERSION
from rope_ref.validation import check_golden_version
from rope_ref.validation.files import npy_header, parse_json, read_npy

OUTPUT_FILE = "output.npy"
#: What an unusable input raises (exit 2, one line): named errors, a file that cannot be
#: read, and, as a last resort, what NumPy or the JSON parser raise for a file too large
#: or too deep that slipped past the checks.
UNUSABLE = (ValueError, TypeError, OSError, RecursionError, MemoryError)
_INPUT_FILES = ("x.npy", "positions.npy", "config.json")


def export_inputs(directory, groups=None, version: str = LATEST_VERSION) -> list[str]:
    """Write the inputs of ``groups`` (default: all) of golden set ``version`` to
    directory/<group>/. Returns the group names written."""
    from rope_ref.golden import list_groups, load_group

    names = list_groups(version) if not groups else list(groups)
    root = Path(directory)
    for name in names:
        group = load_group(name, version)
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "x.npy", np.asarray(group.arrays["x"], dtype="<f8"))
        positions = np.asarray(group.arrays["positions"])
        np.save(folder / "positions.npy", positions.astype(positions.dtype.newbyteorder("<")))
        text = json.dumps(exported_config(group, version), indent=2) + "\n"
        (folder / "config.json").write_text(text, encoding="utf-8")
    return names


def exported_config(group, version: str) -> dict:
    """The config.json that export writes for a golden group (and check expects back)."""
    config = {k: v for k, v in group.config.items() if k != "description"}
    config.update(
        group=group.name,
        version=version,
        attention_factor=group.attention_factor,
        output=OUTPUT_FILE,
    )
    return config


def check_directory(directory, precision: str | None = None) -> list[tuple[str, object]]:
    """[(group, Report), ...] for every exported group folder under ``directory``.

    Raises ValueError naming the file for anything unusable (see the module docstring).
    """
    root = Path(directory)
    if not root.is_dir():
        raise ValueError(f"DIR must be a folder written by `rope-ref golden export`, got {root}")
    folders = (
        [root]
        if (root / "config.json").is_file()
        else sorted(p for p in root.iterdir() if (p / "config.json").is_file())
    )
    if not folders:
        raise ValueError(f"DIR {root} holds no exported group (no */config.json)")
    return [_check_folder(folder, precision) for folder in folders]


def _check_folder(folder: Path, precision: str | None) -> tuple[str, object]:
    """(group, Report) for one exported folder: its inputs and config compared with the
    golden group's, then its output judged."""
    from rope_ref.checker.report import check_outputs

    for name in _INPUT_FILES + (OUTPUT_FILE,):
        if not (folder / name).is_file():
            raise ValueError(f"{folder / name} is missing")
    group, version = _golden_group(folder / "config.json")
    for key in ("x", "positions"):
        _same_array(folder / f"{key}.npy", group.arrays[key], group.name)
    outputs = _read_npy(folder / OUTPUT_FILE, group.arrays["x"].shape)
    try:
        return group.name, check_outputs(outputs, group, precision=precision)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{folder / OUTPUT_FILE}: {err}") from err


def _golden_group(path: Path):
    """(GoldenGroup, version) that an exported config.json names, after checking that it
    holds exactly the fields export wrote (a missing 'version' means the newest set)."""
    from rope_ref.golden import load_group

    config = _read_config(path)
    version = config.get("version", LATEST_VERSION)
    try:
        group = load_group(config["group"], check_golden_version(version))
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
    expected = exported_config(group, version)
    if "version" not in config:
        expected.pop("version")
    changed = [k for k in sorted(set(config) | set(expected), key=str) if k not in config
               or k not in expected or not _same_json(config[k], expected[k])]  # fmt: skip
    if changed:
        raise ValueError(
            f"{path} differs from golden group {group.name}'s config (set {version}) in "
            f"field(s) {changed}; export it again"
        )
    return group, version


def _same_json(a, b) -> bool:
    """Equal as JSON values: 1 and 1.0 are one number, but True is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same_json, a, b))
    return type(a) is type(b) and a == b or (_number(a) and _number(b) and a == b)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_array(path: Path, golden: np.ndarray, group: str) -> None:
    """An exported input file must hold the golden array: same shape, dtype and values."""
    arr = _read_npy(path, golden.shape)
    if arr.dtype != golden.dtype or not np.array_equal(arr, golden):
        raise ValueError(
            f"{path} differs from golden group {group}'s inputs ({arr.dtype} {arr.shape}, "
            f"expected {golden.dtype} {golden.shape}); export it again"
        )


def _read_config(path: Path) -> dict:
    """An exported config.json: a JSON object with at least the golden group's name."""
    config = parse_json(str(path), path.read_bytes())
    if not isinstance(config, dict) or not isinstance(config.get("group"), str):
        raise ValueError(
            f"{path} must be a JSON object with the golden group's name under 'group' "
            "(as `rope-ref golden export` writes it)"
        )
    return config


def _read_npy(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    """An .npy file (no pickles) of ``shape``, its header checked before its data is
    read; a ValueError names the file."""
    with open(path, "rb") as f:
        _, got, _, _ = npy_header(str(path), f)
    if got != tuple(shape):
        raise ValueError(
            f"{path} holds shape {got}, expected {tuple(shape)} (the golden inputs' shape)"
        )
    return read_npy(str(path), path)


def add_check_parsers(sub, golden_actions) -> None:
    """Register ``rope-ref check DIR`` on the top-level subparsers and ``export`` on
    ``rope-ref golden``'s."""
    export = golden_actions.add_parser(
        "export", help="write golden inputs to DIR for an implementation in any language"
    )
    export.add_argument("dir", help="output folder (created if missing)")
    export.add_argument("--group", action="append", help="a group name (repeatable; default all)")
    export.add_argument(
        "--version", default=LATEST_VERSION, help=f"set version (default {LATEST_VERSION})"
    )
    export.set_defaults(func=_export)
    check = sub.add_parser(
        "check",
        help="check DIR/<group>/output.npy against the goldens, or a program with --run",
    )
    check.add_argument(
        "dir", nargs="?", help="a folder written by `rope-ref golden export` (not with --run)"
    )
    check.add_argument(
        "--precision",
        choices=["float64", "float32", "float16", "bfloat16"],
        help="the precision the implementation works in (default: the outputs' dtype)",
    )
    check.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    _add_run_arguments(check)
    check.set_defaults(func=_check)


def _json(text: str):
    """--rope-scaling's JSON (argparse names the type "JSON" when it is not)."""
    return json.loads(text)


def _sections(text: str) -> list[int]:
    """--section's comma-separated integers, e.g. 16,24,24."""
    return [int(v) for v in text.split(",")]


_json.__name__, _sections.__name__ = "JSON", "section"  # argparse: "invalid JSON value"

#: ``--run``'s options: (flag, keyword of rope_ref.check, type, metavar, help).
RUN_OPTIONS = (
    ("--d", "d", int, "D", "head dimension (even; required with --run)"),
    ("--base", "base", float, "B", "base of theta_i (eq 15; default 10000)"),
    ("--layout", "layout", str, "L", "interleaved (the paper, default), half or half_in_halves"),
    ("--rotary-dim", "rotary_dim", int, "R", "features rotated (default d)"),
    ("--rope-scaling", "rope_scaling", _json, "JSON", "an HF rope_scaling dict as JSON"),
    ("--style", "style", str, "S", "a multi-axis style (mrope, mrope_interleaved, axial, ...)"),
    ("--section", "section", _sections, "A,B,C", "M-RoPE's sections, e.g. 16,24,24"),
    ("--seed", "seed", int, "N", "seed of the drawn positions (a report's, to reproduce it)"),
    ("--max-position", "max_position", int, "N", "last position (context length - 1)"),
)  # fmt: skip


def _add_run_arguments(check) -> None:
    """``--run CMD`` and the configuration the program claims (the golden export's
    fields), with ``--timeout``."""
    check.add_argument(
        "--run",
        metavar="CMD",
        help="a program to check, e.g. './rope {inputs} {outputs}': it reads x.npy, "
        "positions.npy, config.json from {inputs} and writes output.npy to {outputs}",
    )
    for flag, dest, kind, metavar, text in RUN_OPTIONS:
        check.add_argument(
            flag, dest=f"run_{dest}", type=kind, metavar=metavar, help=f"with --run: {text}"
        )
    check.add_argument(
        "--timeout", type=float, default=None, metavar="SECONDS",
        help=f"with --run: seconds the program may run per call (default {DEFAULT_TIMEOUT:g})",
    )  # fmt: skip


def route_run(check_parser) -> None:
    """Send ``rope-ref check --run`` to ``run_command`` and anything else to the command
    already registered (``rope-ref check DIR``, a model's per-layer check included)."""
    default = check_parser.get_default("func")
    check_parser.set_defaults(func=lambda args: _route(args, default))


def _route(args, default) -> int:
    given = [f for f, dest, *_ in RUN_OPTIONS if getattr(args, f"run_{dest}") is not None]
    given += ["--timeout"] if args.timeout is not None else []
    if args.run is None:
        if args.dir is None:
            return _usage("give DIR (a folder written by `rope-ref golden export`) or --run CMD")
        if given:
            return _usage(f"{', '.join(given)} go(es) with --run CMD, not with DIR")
        return default(args)
    if args.dir is not None:
        return _usage(f"give DIR or --run CMD, not both (got DIR {args.dir!r})")
    if args.run_d is None:
        return _usage("--run needs --d (the head dimension the program rotates)")
    try:
        parse_command(args.run)
    except ValueError as err:
        return _usage(str(err))
    return run_command(args)


def _usage(text: str) -> int:
    print(f"rope-ref check: error: {text}", file=sys.stderr)
    return 2


def run_command(args) -> int:
    """``rope-ref check --run CMD``: the verdict on the program (0 pass, 1 fail, 2 when
    the program or the arguments are unusable, with one line on stderr)."""
    config = {dest: getattr(args, f"run_{dest}") for _, dest, *_ in RUN_OPTIONS}
    config = {k: v for k, v in config.items() if v is not None}
    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    try:
        report = check_command(args.run, timeout=timeout, precision=args.precision, **config)
    except UNUSABLE as err:
        return _unusable(err, args, "rope-ref check --run")
    print(json.dumps(report.to_dict(), indent=2) if args.json else str(report))
    return 0 if report.ok else 1


def _unusable(err: Exception, args, prefix: str) -> int:
    """Exit 2 with the error on one line of stderr (and as JSON on stdout with --json)."""
    text = " ".join(str(err).split()) or type(err).__name__  # one line
    if args.json:
        print(json.dumps({"ok": False, "error": text}))
    print(f"{prefix}: {text}", file=sys.stderr)
    return 2


def _export(args) -> int:
    names = export_inputs(args.dir, args.group, args.version)
    print(
        f"wrote the inputs of {len(names)} golden group(s) to {args.dir}; write each "
        f"group's {OUTPUT_FILE} beside its x.npy, then run `rope-ref check {args.dir}`"
    )
    return 0


def _check(args) -> int:
    try:
        results = check_directory(args.dir, args.precision)
    except UNUSABLE as err:
        return _unusable(err, args, "rope-ref check: unusable input")
    ok = all(report.ok for _, report in results)
    if args.json:
        print(
            json.dumps(
                {
                    "ok": ok,
                    "groups": [{"group": name, **report.to_dict()} for name, report in results],
                },
                indent=2,
            )
        )
    else:
        for name, report in results:
            print(f"[{name}] {report}")
        passed = sum(report.ok for _, report in results)
        print(f"\n{passed} of {len(results)} group(s) pass")
    return 0 if ok else 1
