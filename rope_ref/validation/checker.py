"""Checks for ``rope_ref.check`` and ``rope_ref.golden``: the implementation under test,
its outputs and precisions, and golden groups, versions and folders."""

from __future__ import annotations

import numbers

import numpy as np

from rope_ref.validation.core import (
    check_even_dim,
    check_int,
    check_ndim,
    check_plain_array,
    describe,
)

#: The largest d ``check`` runs an implementation at: its inputs are about 200 d values (2
#: batches, 3 heads, 32 positions at the default max_position) and naming a mistake fits
#: about 60 models to them (a few seconds at d = 8192 on one core), 16 times the widest
#: head in use (512).
MAX_CHECK_DIM = 8192


def check_check_dim(d: object) -> int:
    """``check``'s d: an even integer in [2, MAX_CHECK_DIM], checked before its inputs
    (132 d values) are built."""
    d = check_even_dim("d", d)
    if d > MAX_CHECK_DIM:
        raise ValueError(
            f"d must be <= {MAX_CHECK_DIM} for check (its inputs hold about 200 d values and "
            f"a failing check fits about 60 models to them), got {d}"
        )
    return d


def check_seed(seed: object) -> int | None:
    """``check``'s seed of the random positions: None (a new one each run) or an integer
    >= 0 (a Report's ``seed``, to reproduce that run)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            "seed must be an integer >= 0 (a Report's seed reproduces its run) or None (a "
            f"new one each run), got {describe(seed)}"
        )
    return check_int("seed", seed, minimum=0)


def check_max_position(max_position: object, limit: int) -> int | None:
    """``check``'s max_position: None (the stated config's context) or an integer in
    [1, limit], the last position the implementation is run at."""
    if max_position is None:
        return None
    if isinstance(max_position, bool) or not isinstance(max_position, numbers.Integral):
        raise TypeError(
            "max_position must be an integer, the last position the implementation claims "
            f"(context length - 1), or None; got {describe(max_position)}"
        )
    value = int(max_position)
    if not 1 <= value <= limit:
        raise ValueError(
            f"max_position must be an integer in [1, {limit}] (the last position the "
            f"implementation claims, context length - 1), got {value}"
        )
    return value


def check_callable(name: str, value: object, call: str = "(x, positions)") -> object:
    """A callable, such as the implementation ``check`` runs (as ``name + call``)."""
    if not callable(value):
        raise TypeError(f"{name} must be callable as {name}{call}, got {describe(value)}")
    return value


def check_timeout(timeout: object) -> float:
    """``rope-ref check --run``'s time limit: a finite number of seconds > 0."""
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise TypeError(f"timeout must be a number of seconds > 0, got {describe(timeout)}")
    if not (np.isfinite(float(timeout)) and timeout > 0):
        raise ValueError(f"timeout must be a number of seconds > 0, got {describe(timeout)}")
    return float(timeout)


def check_call_shape(qk, input_layout, position_ids, tensors, layouts, kinds, libraries):
    """The call shape ``rope_ref.testing.assert_rope`` adapts fn from: qk a bool,
    input_layout one of ``layouts``, position_ids one of ``kinds``, tensors one of
    ``libraries``. Returns them as a dict."""
    if not isinstance(qk, bool):
        raise TypeError(
            f"qk must be a bool (True: fn(q, k, positions) -> (q_out, k_out)), got {describe(qk)}"
        )
    for name, value, allowed in (
        ("input_layout", input_layout, layouts),
        ("position_ids", position_ids, kinds),
        ("tensors", tensors, libraries),
    ):
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {describe(value)}")
    return {"qk": qk, "input_layout": input_layout, "position_ids": position_ids,
            "tensors": tensors}  # fmt: skip


def check_precision(precision: object, allowed: tuple[str, ...], *, allow_none: bool = False):
    """One of ``allowed`` (working precisions such as "float32"), or None if allowed."""
    if precision is None and allow_none:
        return None
    if not isinstance(precision, str) or precision not in allowed:
        raise ValueError(f"precision must be one of {allowed}, got {describe(precision)}")
    return precision


def check_outputs_array(
    name: str, y: object, shape: tuple[int, ...], *, allow_nonfinite: bool
) -> np.ndarray:
    """Outputs of an implementation: a real float array of ``shape``, as a NumPy array
    of its own dtype (float16/32/64 or ml_dtypes' bfloat16).

    ``y`` may be anything ``np.asarray`` accepts (a CPU torch tensor, a list, an
    ml_dtypes bfloat16 array). NaN or inf is an error unless ``allow_nonfinite``.
    """
    check_plain_array(name, y)
    try:
        arr = check_ndim(name, np.asarray(y))
    except (TypeError, ValueError, RuntimeError, OverflowError, RecursionError) as err:
        raise TypeError(
            f"{name} must be convertible by np.asarray, got {describe(y)}: {err}"
        ) from None
    if arr.dtype.kind != "f" and arr.dtype.name != "bfloat16":
        raise TypeError(f"{name} must be a float array, got dtype {arr.dtype}")
    if arr.shape != tuple(shape):
        raise ValueError(
            f"{name} must have the inputs' shape {tuple(shape)}, got shape {arr.shape}"
        )
    finite = np.isfinite(arr.astype(np.float64))
    if not allow_nonfinite and not np.all(finite):
        bad = int(arr.size - np.count_nonzero(finite))
        raise ValueError(f"{name} must be finite, got {bad} NaN or inf value(s)")
    return arr


def check_golden_version(version: object) -> str:
    """A golden set version: a plain folder name such as 'v1' (no separator, no NUL, at
    most 255 characters: a name no file system refuses)."""
    if not isinstance(version, str) or not version or "/" in version or "\\" in version:
        raise ValueError(f"version must be a folder name such as 'v1', got {describe(version)}")
    if version in (".", "..") or "\x00" in version or len(version) > 255:
        raise ValueError(f"version must be a folder name such as 'v1', got {describe(version)}")
    return version


def check_golden_root(root: object) -> object:
    """``root``: None (the packaged vectors) or a folder path (str or os.PathLike)."""
    import os

    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder path (str or os.PathLike), got {describe(root)}")
    return root


#: The fields of a note in a golden manifest's ``notes`` table (schema_version 2).
NOTE_FIELDS = ("bug_class", "description", "effect")


def check_golden_flags(manifest: dict, bug_classes: tuple[str, ...], where: str) -> dict:
    """The flags of a parsed golden manifest (``where`` names it in messages).

    schema_version 1: every group's ``flags`` is ``{bug_class: sentence}``.
    schema_version 2: a top-level ``notes`` table ``{name: {"bug_class", "description",
    "effect"}}``, every group's ``flags`` a list of its names, at most one per bug class.
    schema_version 3 (set v3, which adds multi-axis groups): as 2.
    Every ``bug_class`` is one of ``bug_classes``. Returns the manifest.
    """
    groups = manifest.get("groups")
    if not isinstance(groups, list):
        raise ValueError(
            f"golden manifest {where}: field 'groups' must be a list of test groups, got "
            f"{describe(groups)}"
        )
    schema = manifest.get("schema_version")
    notes = check_golden_notes(manifest, bug_classes, where) if schema in (2, 3) else None
    for index, entry in enumerate(groups):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError(
                f"golden manifest {where}: groups[{index}] must be an object with a 'name' "
                f"(str), got {describe(entry)}"
            )
        if notes is None:
            _check_v1_flags(entry, bug_classes, where)
        else:
            check_golden_flag_names(entry, notes, where)
    return manifest


def check_golden_notes(manifest: dict, bug_classes: tuple[str, ...], where: str) -> dict:
    """The top-level ``notes`` table of a schema_version 2 manifest: ``{name: {"bug_class":
    one of bug_classes, "description": str, "effect": str}}``; a note named after a bug
    class is of that class."""
    notes = manifest.get("notes")
    if not isinstance(notes, dict) or not notes:
        got = "it is missing" if "notes" not in manifest else f"got {describe(notes)}"
        raise ValueError(
            f"golden manifest {where}: field 'notes' must be a non-empty object "
            f"{{flag name: {{'bug_class', 'description', 'effect'}}}} (schema_version 2); "
            f"{got}"
        )
    for name, note in notes.items():
        if not isinstance(note, dict):
            raise ValueError(
                f"golden manifest {where}: notes[{name!r}] must be an object with fields "
                f"{NOTE_FIELDS}, got {describe(note)}"
            )
        if note.get("bug_class") not in bug_classes:
            raise ValueError(
                f"golden manifest {where}: notes[{name!r}] field 'bug_class' must be one of "
                f"{bug_classes}, got {describe(note.get('bug_class'))}"
            )
        if name in bug_classes and note["bug_class"] != name:
            raise ValueError(
                f"golden manifest {where}: notes[{name!r}] field 'bug_class' must be "
                f"{name!r}, the class the note is named after, got {note['bug_class']!r}"
            )
        for key in NOTE_FIELDS[1:]:
            if not isinstance(note.get(key), str) or not note[key]:
                raise ValueError(
                    f"golden manifest {where}: notes[{name!r}] field {key!r} must be a "
                    f"non-empty string, got {describe(note.get(key))}"
                )
    return notes


def check_golden_flag_names(entry: dict, notes: dict, where: str) -> list[str]:
    """A schema_version 2 group's ``flags``: a non-empty list of distinct names of
    ``notes``, no two of the same bug class (so each resolves to one sentence)."""
    group, flags = entry["name"], entry.get("flags")
    if not isinstance(flags, list) or not flags or not all(isinstance(f, str) for f in flags):
        raise ValueError(
            f"golden manifest {where}: group {group!r} field 'flags' must be a non-empty "
            f"list of names from the top-level 'notes' table, got {describe(flags)}"
        )
    seen = {}
    for flag in flags:
        if flag not in notes:
            raise ValueError(
                f"golden manifest {where}: group {group!r} field 'flags' names {flag!r}, "
                f"which is not in the top-level 'notes' table; expected one of {list(notes)}"
            )
        if flag in seen.values():
            raise ValueError(
                f"golden manifest {where}: group {group!r} field 'flags' lists {flag!r} "
                "twice; expected each note once"
            )
        bug_class = notes[flag]["bug_class"]
        if bug_class in seen:
            raise ValueError(
                f"golden manifest {where}: group {group!r} field 'flags' lists "
                f"{seen[bug_class]!r} and {flag!r}, both of bug_class {bug_class!r}; "
                "expected each bug class once"
            )
        seen[bug_class] = flag
    return flags


def _check_v1_flags(entry: dict, bug_classes: tuple[str, ...], where: str) -> dict:
    """A schema_version 1 group's ``flags``: a non-empty ``{bug_class: sentence}``."""
    group, flags = entry["name"], entry.get("flags")
    if (
        not isinstance(flags, dict)
        or not flags
        or not all(isinstance(s, str) and s for s in flags.values())
    ):
        raise ValueError(
            f"golden manifest {where}: group {group!r} field 'flags' must be a non-empty "
            f"object {{bug_class: sentence}} (schema_version 1), got {describe(flags)}"
        )
    unknown = [name for name in flags if name not in bug_classes]
    if unknown:
        raise ValueError(
            f"golden manifest {where}: group {group!r} field 'flags' has key(s) {unknown}; "
            f"expected bug classes from {bug_classes}"
        )
    return flags
