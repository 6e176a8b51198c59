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
prints the verdicts. Exit status: 0 all pass, 1 some fail, 2 unusable input (a missing
file, a wrong shape, NaN in an output, inputs that differ from the golden ones).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from rope_ref.golden.store import LATEST_VERSION

OUTPUT_FILE = "output.npy"
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
        config = {k: v for k, v in group.config.items() if k != "description"}
        config.update(
            group=name, version=version, attention_factor=group.attention_factor, output=OUTPUT_FILE
        )
        (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return names


def check_directory(directory, precision: str | None = None) -> list[tuple[str, object]]:
    """[(group, Report), ...] for every exported group folder under ``directory``.

    Raises ValueError naming the file for anything unusable (see the module docstring).
    """
    from rope_ref.checker.report import check_outputs
    from rope_ref.golden import load_group

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
    results = []
    for folder in folders:
        for name in _INPUT_FILES + (OUTPUT_FILE,):
            if not (folder / name).is_file():
                raise ValueError(f"{folder / name} is missing")
        config = _read_config(folder / "config.json")
        group = load_group(config["group"], config.get("version", LATEST_VERSION))
        x = _read_npy(folder / "x.npy")
        if x.shape != group.arrays["x"].shape or not np.array_equal(x, group.arrays["x"]):
            raise ValueError(
                f"{folder / 'x.npy'} differs from golden group {group.name}'s "
                "inputs; export it again"
            )
        outputs = _read_npy(folder / OUTPUT_FILE)
        try:
            results.append((group.name, check_outputs(outputs, group, precision=precision)))
        except (ValueError, TypeError) as err:
            raise ValueError(f"{folder / OUTPUT_FILE}: {err}") from err
    return results


def _read_config(path: Path) -> dict:
    """An exported config.json: a JSON object with at least the golden group's name."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path} is not valid JSON: {err}") from None
    if not isinstance(config, dict) or not isinstance(config.get("group"), str):
        raise ValueError(
            f"{path} must be a JSON object with the golden group's name under 'group' "
            "(as `rope-ref golden export` writes it)"
        )
    return config


def _read_npy(path: Path) -> np.ndarray:
    """An .npy file (no pickles), or a ValueError naming it."""
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, EOFError, OSError) as err:
        raise ValueError(f"{path} is not a readable .npy array: {err}") from None


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
    check = sub.add_parser("check", help="check DIR/<group>/output.npy against the goldens")
    check.add_argument("dir", help="a folder written by `rope-ref golden export`")
    check.add_argument(
        "--precision",
        choices=["float64", "float32", "float16", "bfloat16"],
        help="the precision the implementation works in (default: the outputs' dtype)",
    )
    check.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    check.set_defaults(func=_check)


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
    except (ValueError, TypeError, OSError, KeyError) as err:
        if args.json:
            print(json.dumps({"ok": False, "error": str(err)}))
        print(f"rope-ref check: unusable input: {err}", file=sys.stderr)
        return 2
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
