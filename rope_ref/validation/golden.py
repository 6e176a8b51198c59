"""Checks for the golden set (docs/golden-format.md): the layout of a parsed manifest
(every group's name, config, attention factor and file table), and a ``GoldenGroup``
handed to ``check_outputs``. Every message names the manifest (or the group), the field
and what was expected, so that no malformed manifest surfaces as a KeyError."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np

from rope_ref.validation.checker import check_golden_flags
from rope_ref.validation.core import (
    LAYOUTS,
    MAX_ELEMENTS,
    MAX_NDIM,
    check_base,
    check_float_array,
    check_positions,
    describe,
)

#: The arrays every group holds (``GoldenGroup.arrays``), and what each file entry says.
GOLDEN_FILES = (
    "x",
    "positions",
    "theta",
    "angles",
    "cos",
    "sin",
    "expected_float64",
    "expected_float32",
)
FILE_FIELDS = ("path", "dtype", "shape", "sha256")
#: The dtypes a golden .npy may hold: binary64, binary32, int64, little-endian.
GOLDEN_DTYPES = ("<f8", "<f4", "<i8")
#: Integer fields of a group's config (None allowed for rotary_dim and seq_len).
_CONFIG_INTS = ("d", "batch", "heads", "seq")
_NAME = re.compile(r"[a-z0-9_]{1,100}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def check_golden_manifest(manifest: object, bug_classes: tuple[str, ...], where: str) -> dict:
    """A parsed manifest: an object whose ``groups`` is a non-empty list of groups with
    distinct names, each with a well-formed config, attention factor, file table and flags
    (``check_golden_flags``). Returns the manifest."""
    if not isinstance(manifest, dict):
        raise ValueError(f"golden manifest {where} must be a JSON object, got {describe(manifest)}")
    groups = manifest.get("groups")
    if not isinstance(groups, list) or not groups:
        raise ValueError(
            f"golden manifest {where}: field 'groups' must be a list of test groups (at "
            f"least one), got {describe(groups)}"
        )
    seen = set()
    for index, entry in enumerate(groups):
        name = _check_group_name(entry, index, where)
        if name in seen:
            raise ValueError(f"golden manifest {where}: group {name!r} appears twice")
        seen.add(name)
        _check_group_config(entry, where)
        _check_attention_factor(entry, where)
        _check_files(entry, where)
    return check_golden_flags(manifest, bug_classes, where)


def _fail(where: str, group: str, field: str, expected: str, got: object) -> ValueError:
    return ValueError(
        f"golden manifest {where}: group {group!r} field {field!r} must be {expected}, "
        f"got {describe(got)}"
    )


def _check_group_name(entry: object, index: int, where: str) -> str:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise ValueError(
            f"golden manifest {where}: groups[{index}] must be an object with a 'name' "
            f"(str), got {describe(entry)}"
        )
    if not _NAME.fullmatch(entry["name"]):
        raise _fail(where, entry["name"], "name", "1 to 100 of [a-z0-9_]", entry["name"])
    return entry["name"]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_group_config(entry: dict, where: str) -> None:
    group, config = entry["name"], entry.get("config")
    if not isinstance(config, dict):
        raise _fail(where, group, "config", "an object (d, rotary_dim, base, layout, ...)", config)
    for key in _CONFIG_INTS:
        if not _is_int(config.get(key)) or config[key] < 1:
            raise _fail(where, group, f"config.{key}", "an integer >= 1", config.get(key))
    d, r = config["d"], config.get("rotary_dim")
    if not _is_int(r) or r < 2 or r % 2 or r > d:
        raise _fail(where, group, "config.rotary_dim", f"an even integer in [2, d = {d}]", r)
    try:
        check_base(config.get("base"))
    except (TypeError, ValueError):
        raise _fail(where, group, "config.base", "a real > 0, != 1", config.get("base")) from None
    if config.get("layout") not in LAYOUTS:
        raise _fail(where, group, "config.layout", f"one of {LAYOUTS}", config.get("layout"))
    if not isinstance(config.get("rope_scaling"), (dict, type(None))):
        raise _fail(
            where, group, "config.rope_scaling", "an object or null", config["rope_scaling"]
        )
    seq_len = config.get("seq_len")
    if seq_len is not None and (not _is_int(seq_len) or seq_len < 1):
        raise _fail(where, group, "config.seq_len", "an integer >= 1 or null", seq_len)
    if not isinstance(config.get("hf_compat", False), bool):
        raise _fail(where, group, "config.hf_compat", "true or false", config["hf_compat"])


def _check_attention_factor(entry: dict, where: str) -> None:
    group, text = entry["name"], entry.get("attention_factor_hex")
    try:
        factor = float.fromhex(text) if isinstance(text, str) else None
    except (ValueError, OverflowError):
        factor = None
    if factor is None or not (math.isfinite(factor) and factor > 0):
        raise _fail(
            where, group, "attention_factor_hex", "a finite float > 0 in hex ('0x1.8p+0')", text
        )
    if entry.get("attention_factor", factor) != factor:
        raise _fail(
            where, group, "attention_factor", f"{factor!r} (its attention_factor_hex)",
            entry["attention_factor"],
        )  # fmt: skip


def _check_files(entry: dict, where: str) -> None:
    """Every array of GOLDEN_FILES, each {path, dtype, shape, sha256}: the path a plain
    relative one inside the set's folder, shapes that agree with the config."""
    group, files = entry["name"], entry.get("files")
    if not isinstance(files, dict) or any(key not in files for key in GOLDEN_FILES):
        raise _fail(where, group, "files", f"an object with entries {GOLDEN_FILES}", files)
    for key, spec in files.items():
        _check_file_spec(where, group, key, spec)
    c = entry["config"]
    x, table = [c["batch"], c["heads"], c["seq"], c["d"]], [c["seq"], c["rotary_dim"] // 2]
    expected = {"x": x, "expected_float64": x, "expected_float32": x, "positions": [c["seq"]]}
    expected |= {"theta": [c["rotary_dim"] // 2], "angles": table, "cos": table, "sin": table}
    if "style" in c:  # a multi-axis group (v3): vector positions, and the axis of each pair
        expected |= _axis_files(entry, where)
    for key, shape in expected.items():
        if files[key]["shape"] != shape:
            got = files[key]["shape"]
            raise _fail(where, group, f"files.{key}.shape", f"{shape} (from config)", got)


def _axis_files(entry: dict, where: str) -> dict:
    """The shapes of a multi-axis group's positions (n_axes, seq) and axes (rotary_dim/2,),
    its config's style a name and n_axes an integer >= 1."""
    group, c, files = entry["name"], entry["config"], entry["files"]
    if not isinstance(c["style"], str) or not _is_int(c.get("n_axes")) or c["n_axes"] < 1:
        raise _fail(
            where, group, "config.style", "a style name with config.n_axes an integer >= 1",
            c["style"],
        )  # fmt: skip
    if "axes" not in files:
        raise _fail(where, group, "files", "an entry 'axes' (a multi-axis group)", files)
    return {"positions": [c["n_axes"], c["seq"]], "axes": [c["rotary_dim"] // 2]}


def _check_file_spec(where: str, group: str, key: str, spec: object) -> None:
    field = f"files.{key}"
    if not isinstance(spec, dict) or any(f not in spec for f in FILE_FIELDS):
        raise _fail(where, group, field, f"an object with fields {FILE_FIELDS}", spec)
    path, shape = spec["path"], spec["shape"]
    parts = path.split("/") if isinstance(path, str) else []
    if not parts or any(p in ("", ".", "..") or "\\" in p or "\x00" in p for p in parts):
        raise _fail(where, group, f"{field}.path", "a relative path inside the set", path)
    if spec["dtype"] not in GOLDEN_DTYPES:
        raise _fail(where, group, f"{field}.dtype", f"one of {GOLDEN_DTYPES}", spec["dtype"])
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_NDIM
        or not all(_is_int(n) and n >= 0 for n in shape)
        or math.prod(shape) > MAX_ELEMENTS
    ):
        raise _fail(
            where, group, f"{field}.shape",
            f"a list of at most {MAX_NDIM} integers >= 0, at most {MAX_ELEMENTS} values", shape,
        )  # fmt: skip
    if not isinstance(spec["sha256"], str) or not _SHA256.fullmatch(spec["sha256"]):
        raise _fail(where, group, f"{field}.sha256", "64 lowercase hex digits", spec["sha256"])


def check_golden_group(group: object) -> object:
    """A golden group's name (str), or a group as ``rope_ref.golden.load_group`` returns
    it: ``arrays`` with a finite float ``x`` (batch, heads, seq, d) and finite
    ``positions`` (seq,), and a ``config`` whose d is x's last axis, with a layout, a base
    and, where given, an integer rotary_dim and seq_len and a rope_scaling dict."""
    if isinstance(group, str):
        return group
    if not (hasattr(group, "arrays") and hasattr(group, "config")):
        raise TypeError(
            "group must be a golden group's name (str) or a GoldenGroup from "
            f"rope_ref.golden.load_group, got {describe(group)}"
        )
    arrays, config = group.arrays, group.config
    for name, value in (("group.arrays", arrays), ("group.config", config)):
        if not isinstance(value, Mapping):
            raise TypeError(f"{name} must be a mapping (as load_group's), got {describe(value)}")
    x = check_float_array("group.arrays['x']", arrays.get("x"))
    if x.ndim != 4:
        raise ValueError(f"group.arrays['x'] must have shape (batch, heads, seq, d), got {x.shape}")
    m = check_positions(arrays.get("positions"), "group.arrays['positions']")
    if "style" in config:  # a multi-axis group (v3): vector positions (n_axes, seq)
        if m.ndim != 2 or m.shape[1] != x.shape[2]:
            raise ValueError(
                f"group.arrays['positions'] must have shape (n_axes, seq) = (n_axes, "
                f"{x.shape[2]},) for a multi-axis group, got {m.shape}"
            )
    elif m.shape != (x.shape[2],):
        raise ValueError(
            f"group.arrays['positions'] must have shape (seq,) = ({x.shape[2]},), got {m.shape}"
        )
    _check_group_object_config(config, x.shape[-1])
    return group


def _check_group_object_config(config: Mapping, d: int) -> None:
    if not _is_int(config.get("d")) or config["d"] != d:
        raise ValueError(
            f"group.config['d'] must be x's last axis, {d}, got {describe(config.get('d'))}"
        )
    for key in ("rotary_dim", "seq_len"):
        if config.get(key) is not None and not _is_int(config[key]):
            raise TypeError(
                f"group.config[{key!r}] must be an integer or None, got {describe(config[key])}"
            )
    if config.get("layout") not in LAYOUTS:
        raise ValueError(
            f"group.config['layout'] must be one of {LAYOUTS}, got {describe(config.get('layout'))}"
        )
    check_base(config.get("base"), "group.config['base']")
    if not isinstance(config.get("rope_scaling"), (dict, type(None))):
        raise TypeError(
            "group.config['rope_scaling'] must be a dict or None, got "
            f"{describe(config['rope_scaling'])}"
        )
    if not isinstance(config.get("hf_compat", False), (bool, np.bool_)):
        got = describe(config["hf_compat"])
        raise TypeError(f"group.config['hf_compat'] must be a bool, got {got}")
