"""rope_ref.golden.store: a bad version or root raises an error that names it, and a
corrupt or malformed manifest (v2: a flag not in ``notes``, a note's bug_class outside the
checker's vocabulary, ``notes`` missing, ...; v1: flags that are not {bug_class: sentence})
is a ValueError naming the manifest, the group or note, the field and what was expected."""

from __future__ import annotations

import copy
import json

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
