"""rope_ref.golden.store: a bad version or root raises an error that names it, and a
corrupt or malformed manifest (v2: a flag not in ``notes``, a note's bug_class outside the
checker's vocabulary, ``notes`` missing, ...; v1: flags that are not {bug_class: sentence})
is a ValueError naming the manifest, the group or note, the field and what was expected."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil

import pytest
from validation.error_table import assert_raises_named, error_params

from rope_ref import FINDING_NAMES
from rope_ref.golden import list_groups, load_group, load_manifest, verify
from rope_ref.golden.store import VECTORS

V2 = json.loads((VECTORS / "v2" / "manifest.json").read_text(encoding="utf-8"))
V1 = json.loads((VECTORS / "v1" / "manifest.json").read_text(encoding="utf-8"))
GROUP = V2["groups"][3]["name"]


def _group(m: dict) -> dict:
    return m["groups"][3]


def _set(path: tuple, value):
    """A damage: set m[path[0]][path[1]]... to value (the last key may be new)."""

    def damage(m):
        target = m
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return damage


def _drop(*path):
    def damage(m):
        target = m
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return damage


def _flags(value):
    return lambda m: _group(m).__setitem__("flags", value)


#: (id, version, damage, words after "golden manifest <path>", in this order)
MANIFEST_DAMAGES = [
    (
        "v2 flag not in notes",
        "v2",
        _flags(["rotation_reversed", "rotation_reversd"]),
        (f"group '{GROUP}'", "field 'flags'", "'rotation_reversd'", "not in", "'notes'"),
    ),
    (
        "v2 notes missing",
        "v2",
        _drop("notes"),
        ("field 'notes'", "{flag name: {'bug_class', 'description', 'effect'}}", "missing"),
    ),
    (
        "v2 notes empty",
        "v2",
        _set(("notes",), {}),
        ("field 'notes' must be a non-empty object", "got {}"),
    ),
    (
        "v2 notes a list",
        "v2",
        _set(("notes",), ["rotation_reversed"]),
        ("field 'notes' must be a non-empty object", "list"),
    ),
    (
        "v2 note bug_class outside the vocabulary",
        "v2",
        _set(("notes", "wrong_base", "bug_class"), "bad_base"),
        ("notes['wrong_base']", "field 'bug_class'", f"one of {FINDING_NAMES}", "'bad_base'"),
    ),
    (
        "v2 note named after another class",
        "v2",
        _set(("notes", "wrong_base", "bug_class"), "frequency_formula"),
        ("notes['wrong_base']", "field 'bug_class'", "must be 'wrong_base'", "'frequency_formula'"),
    ),
    (
        "v2 note without bug_class",
        "v2",
        _drop("notes", "layout_swapped", "bug_class"),
        ("notes['layout_swapped']", "field 'bug_class'", "one of", "None"),
    ),
    (
        "v2 note without effect",
        "v2",
        _drop("notes", "cos_sin_swapped", "effect"),
        ("notes['cos_sin_swapped']", "field 'effect'", "non-empty string"),
    ),
    (
        "v2 note with an empty description",
        "v2",
        _set(("notes", "cos_sin_swapped", "description"), ""),
        ("notes['cos_sin_swapped']", "field 'description'", "non-empty string"),
    ),
    (
        "v2 note a string",
        "v2",
        _set(("notes", "cos_sin_swapped"), "a sentence"),
        ("notes['cos_sin_swapped']", "must be an object with fields", "'a sentence'"),
    ),
    (
        "v2 flags still v1's dict",
        "v2",
        lambda m: _group(m).__setitem__("flags", _group(V1)["flags"]),
        (f"group '{GROUP}'", "field 'flags'", "list of names from the top-level 'notes'"),
    ),
    (
        "v2 flags empty",
        "v2",
        _flags([]),
        (f"group '{GROUP}'", "field 'flags'", "non-empty list", "[]"),
    ),
    (
        "v2 flags missing",
        "v2",
        lambda m: _group(m).pop("flags"),
        (f"group '{GROUP}'", "field 'flags'", "non-empty list", "None"),
    ),
    (
        "v2 flag listed twice",
        "v2",
        _flags(["rotation_reversed", "position_offset", "rotation_reversed"]),
        (f"group '{GROUP}'", "field 'flags'", "'rotation_reversed' twice", "each note once"),
    ),
    (
        "v2 two notes of one class",
        "v2",
        _flags(["wrong_base", "dynamic_unscaled_base"]),
        (f"group '{GROUP}'", "'wrong_base' and 'dynamic_unscaled_base'", "bug_class 'wrong_base'"),
    ),
    (
        "group without a name",
        "v2",
        lambda m: _group(m).pop("name"),
        ("groups[3]", "must be an object with a 'name'"),
    ),
    (
        "groups not a list",
        "v2",
        _set(("groups",), {}),
        ("field 'groups' must be a list",),
    ),
    # the malformed manifests: each raised KeyError, AttributeError or TypeError
    ("no groups", "v2", _drop("groups"), ("field 'groups' must be a list", "None")),
    ("groups null", "v2", _set(("groups",), None), ("field 'groups' must be a list", "None")),
    ("groups empty", "v2", _set(("groups",), []), ("field 'groups'", "(at least one)", "[]")),
    (
        "a group without files",
        "v2",
        lambda m: _group(m).pop("files"),
        (f"group '{GROUP}'", "field 'files' must be an object with entries", "None"),
    ),
    (
        "files as a list",
        "v2",
        lambda m: _group(m).__setitem__("files", list(_group(m)["files"].values())),
        (f"group '{GROUP}'", "field 'files' must be an object", "list"),
    ),
    (
        "a file entry without sha256",
        "v2",
        lambda m: _group(m)["files"]["x"].pop("sha256"),
        (f"group '{GROUP}'", "field 'files.x' must be an object with fields", "'sha256'"),
    ),
    (
        "a sha256 that is not hex",
        "v1",
        _set(("groups", 3, "files", "cos", "sha256"), "z" * 64),
        (f"group '{GROUP}'", "field 'files.cos.sha256'", "64 lowercase hex digits"),
    ),
    (
        "a file outside the set",
        "v2",
        _set(("groups", 3, "files", "x", "path"), "../../../etc/passwd"),
        (f"group '{GROUP}'", "field 'files.x.path'", "relative path inside the set"),
    ),
    (
        "a shape that disagrees with the config",
        "v2",
        _set(("groups", 3, "files", "positions", "shape"), [3]),
        (f"group '{GROUP}'", "field 'files.positions.shape'", "(from config)", "[3]"),
    ),
    (
        "a shape of 10**12 values",
        "v2",
        _set(("groups", 3, "files", "x", "shape"), [10**6, 10**6]),
        (f"group '{GROUP}'", "field 'files.x.shape'", "at most 33554432 values"),
    ),
    (
        "a group without attention_factor_hex",
        "v2",
        lambda m: _group(m).pop("attention_factor_hex"),
        (f"group '{GROUP}'", "field 'attention_factor_hex'", "finite float > 0 in hex", "None"),
    ),
    (
        "attention_factor_hex inf",
        "v2",
        _set(("groups", 3, "attention_factor_hex"), "inf"),
        (f"group '{GROUP}'", "field 'attention_factor_hex'", "'inf'"),
    ),
    (
        "attention_factor and its hex disagree",
        "v2",
        _set(("groups", 3, "attention_factor"), 2.0),
        (f"group '{GROUP}'", "field 'attention_factor'", "(its attention_factor_hex)", "2.0"),
    ),
    (
        "a group without config",
        "v2",
        lambda m: _group(m).pop("config"),
        (f"group '{GROUP}'", "field 'config' must be an object", "None"),
    ),
    (
        "config.d a string",
        "v2",
        _set(("groups", 3, "config", "d"), "64"),
        (f"group '{GROUP}'", "field 'config.d' must be an integer >= 1", "'64'"),
    ),
    (
        "config.layout unknown",
        "v1",
        _set(("groups", 3, "config", "layout"), "sideways"),
        (
            f"group '{GROUP}'",
            "field 'config.layout'",
            "('interleaved', 'half', 'half_in_halves')",
            "'sideways'",
        ),
    ),
    (
        "config.base 0",
        "v2",
        _set(("groups", 3, "config", "base"), 0),
        (f"group '{GROUP}'", "field 'config.base'", "0 (int)"),
    ),
    (
        "config.rotary_dim odd",
        "v2",
        _set(("groups", 3, "config", "rotary_dim"), 3),
        (f"group '{GROUP}'", "field 'config.rotary_dim'", "an even integer in [2, d = 64]"),
    ),
    (
        "two groups of one name",
        "v2",
        lambda m: m["groups"].append(copy.deepcopy(_group(m))),
        (f"group '{GROUP}' appears twice",),
    ),
    (
        "a group name with a slash",
        "v2",
        _set(("groups", 3, "name"), "../x"),
        ("group '../x' field 'name'", "[a-z0-9_]"),
    ),
    (
        "v1 flags as v2's list",
        "v1",
        lambda m: _group(m).__setitem__("flags", _group(V2)["flags"]),
        (f"group '{GROUP}'", "field 'flags'", "{bug_class: sentence}", "schema_version 1"),
    ),
    (
        "v1 flag outside the vocabulary",
        "v1",
        lambda m: _group(m)["flags"].__setitem__("bad_base", "A sentence of its own."),
        (f"group '{GROUP}'", "field 'flags'", "['bad_base']", "bug classes from"),
    ),
]


def _damaged(tmp_path, version: str, damage):
    """Write the shipped manifest of ``version``, damaged, to tmp_path/version/; return
    tmp_path (a root for the loaders)."""
    manifest = copy.deepcopy(V2 if version == "v2" else V1)
    damage(manifest)
    folder = tmp_path / version
    folder.mkdir(exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return tmp_path


def _deep_manifest(tmp_path):
    """A manifest of 100000 nested lists: json raised RecursionError."""
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "manifest.json").write_text("[" * 100000 + "]" * 100000)
    return load_manifest("v2", root=tmp_path)


def _lying_npy(tmp_path):
    """x.npy whose header claims 10**12 float64 values, its sha256 updated in the
    manifest: np.load raised MemoryError."""
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }"
    header += " " * (63 - len(header) % 64) + "\n"
    data = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + bytes(64)
    root = _damaged(tmp_path, "v2", lambda m: None)
    shutil.copytree(VECTORS / "v2" / GROUP, root / "v2" / GROUP)
    (root / "v2" / GROUP / "x.npy").write_bytes(data)
    manifest = copy.deepcopy(V2)
    _group(manifest)["files"]["x"]["sha256"] = hashlib.sha256(data).hexdigest()
    (root / "v2" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return load_group(GROUP, root=root)


def _oversized_npy(tmp_path):
    """A golden file far larger than its manifest's shape: refused before it is read."""
    root = _damaged(tmp_path, "v2", lambda m: None)
    shutil.copytree(VECTORS / "v2" / GROUP, root / "v2" / GROUP)
    with open(root / "v2" / GROUP / "theta.npy", "ab") as f:
        f.write(bytes(2**17))
    return load_group(GROUP, root=root)


def _manifest_row(name, version, damage, words):
    return (
        name,
        lambda tmp_path: load_manifest(version, root=_damaged(tmp_path, version, damage)),
        ValueError,
        (f"golden manifest {{tmp_path}}/{version}/manifest.json: ", *words),
    )


STORE_ERRORS = [
    # escapes the API audit found: the id says what got out before the fix
    (
        "a 5000-character version: OSError",
        lambda: load_group("d2_base10000", "v" * 5000),
        ValueError,
        "version must be a folder name",
    ),
    (
        "a 100000-deep manifest: RecursionError",
        _deep_manifest,
        ValueError,
        ("golden manifest {tmp_path}/v2/manifest.json is JSON nested too deeply",),
    ),
    (
        "an .npy header claiming 10**12 values: MemoryError",
        _lying_npy,
        ValueError,
        (f"golden file {{tmp_path}}/v2/{GROUP}/x.npy", "claims shape (1000000, 1000000)"),
    ),
    (
        "a golden file larger than its shape allows",
        _oversized_npy,
        ValueError,
        (f"golden file {{tmp_path}}/v2/{GROUP}/theta.npy is", "more than an .npy of shape"),
    ),
    (
        "the packaged set under a version it does not ship",
        lambda: load_group("d2_base10000", "v4"),
        ValueError,
        ("version must be one of the golden sets rope_ref ships", "'v4'", "root="),
    ),
    (
        "root=3: Path's message",
        lambda: load_group("d2_base10000", root=3),
        TypeError,
        "root must be a folder path",
    ),
] + [_manifest_row(*row) for row in MANIFEST_DAMAGES]


@pytest.mark.parametrize(("call", "error", "words"), error_params(STORE_ERRORS))
def test_store_error(call, error, words, tmp_path):
    assert_raises_named(call, error, words, tmp_path)


@pytest.mark.parametrize(
    ("version", "damage"),
    [row[1:3] for row in MANIFEST_DAMAGES],
    ids=[r[0] for r in MANIFEST_DAMAGES],
)
def test_every_reader_refuses_a_malformed_manifest_alike(tmp_path, version, damage):
    """list_groups, verify and load_group give load_manifest's message."""
    root = _damaged(tmp_path, version, damage)
    with pytest.raises(ValueError) as info:
        load_manifest(version, root=root)
    for call in (
        lambda: list_groups(version, root=root),
        lambda: verify(version, root=root),
        lambda: load_group(V2["groups"][0]["name"], version, root=root),
    ):
        with pytest.raises(ValueError) as other:
            call()
        assert str(other.value) == str(info.value)


def test_the_undamaged_manifests_load(tmp_path):
    """The rows' damage, not the copying, is what each error is about."""
    for version in ("v1", "v2"):
        root = _damaged(tmp_path, version, lambda m: None)
        assert list_groups(version, root=root) == [g["name"] for g in V2["groups"]]
