"""The golden set is authenticated from the code: each shipped manifest's sha256 (and the
digest of every field, to name what changed) is pinned in rope_ref.golden.pinned_digests,
which is what the generator writes; an edit of the installed manifest, however
consistent with the files, is refused naming the group and field; a set in another
folder is checked against its own manifest and said not to be the shipped set."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import rope_ref.golden.store as store
from rope_ref.cli import main
from rope_ref.golden import (
    GoldenIntegrityError,
    compare_with_shipped,
    list_groups,
    load_group,
    pinned,
    pinned_digests,
    verify,
)
from rope_ref.golden.generate import generate

VERSIONS = ("v1", "v2", "v3")
SHIPPED = {v: (store.VECTORS / v / "manifest.json").read_bytes() for v in VERSIONS}
MANIFESTS = {v: json.loads(data) for v, data in SHIPPED.items()}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """Both versions as the generator writes them now (mpmath, 60 digits)."""
    root = tmp_path_factory.mktemp("regenerated")
    for version in VERSIONS:
        generate(root / version, version)
    return root


def test_the_pinned_table_is_what_the_generator_writes(regenerated):
    fresh = {v: (regenerated / v / "manifest.json").read_bytes() for v in VERSIONS}
    source = Path(pinned_digests.__file__).read_text(encoding="utf-8")
    assert pinned.render(fresh) == source, "run python -m rope_ref.golden.pinned"
    for version in VERSIONS:
        want = pinned.PINNED[version]["sha256"]
        assert hashlib.sha256(fresh[version]).hexdigest() == want
        assert hashlib.sha256(SHIPPED[version]).hexdigest() == want
        assert pinned.differences(MANIFESTS[version], version) == []


def _edits(manifest: dict) -> list[tuple[str, object]]:
    """(label, edit) for every top-level field, every note, and each group field (every
    field kind, and every group, at least once): the label differences() must give."""
    out = []
    for key in pinned.TOP_FIELDS:
        out.append((f"field {key!r}", lambda m, k=key: m.__setitem__(k, [m[k]])))
    for name in manifest.get("notes", {}):
        out.append((f"notes[{name!r}]", lambda m, n=name: m["notes"][n].update(effect="x")))
    groups = manifest["groups"]
    for i, field in enumerate(pinned.GROUP_FIELDS + pinned.GROUP_FIELDS[:8]):
        index = (7 * i) % len(groups)
        out.append((f"group {groups[index]['name']!r} field {field}", _edit_field(index, field)))
    return out


def _edit_field(index: int, field: str):
    def edit(m):
        entry = m["groups"][index]
        if "." in field:
            table, key = field.split(".")
            value = entry[table][key]
            entry[table][key] = (
                dict(value, sha256="0" * 64) if table == "files" else _changed(value)
            )
        else:
            entry[field] = _changed(entry[field])

    return edit


def _changed(value):
    """Another value of a JSON field: a layout flipped, a number moved, ..."""
    if isinstance(value, bool) or value is None:
        return 1 if value is None else not value
    if isinstance(value, (int, float)):
        return value * 2 + 1
    if value in ("interleaved", "half"):
        return "half" if value == "interleaved" else "interleaved"
    if isinstance(value, str):
        return value + " (edited)"
    return {"edited": value}


@pytest.mark.parametrize("version", VERSIONS)
def test_every_field_edited_is_named_and_nothing_else(version):
    for label, edit in _edits(MANIFESTS[version]):
        manifest = copy.deepcopy(MANIFESTS[version])
        edit(manifest)
        assert pinned.differences(manifest, version) == [f"{label} changed"], label


def _files(m):
    return m["groups"][0]["files"]


#: (id, edit, what differences() says, each a prefix)
SHAPE_EDITS = [
    ("group dropped", lambda m: m["groups"].pop(4), ["group 'd64_base10000_half' removed"]),
    (
        "file entry dropped",
        lambda m: _files(m).pop("sin"),
        ["group 'd2_base10000' field files.sin removed"],
    ),
    (
        "group field added",
        lambda m: m["groups"][2].update(extra=1),
        ["group 'd8_base10000_half' field extra added"],
    ),
    ("reordered", lambda m: m["groups"].reverse(), ["the order of the groups changed"]),
    ("groups []", lambda m: m.__setitem__("groups", []), ["30 of the 30 groups removed ("]),
    ("field added", lambda m: m.update(signature="trust me"), ["field 'signature' added"]),
]


def _rows(table):
    return {"argvalues": [r[1:] for r in table], "ids": [r[0] for r in table]}


@pytest.mark.parametrize(("edit", "said"), **_rows(SHAPE_EDITS))
def test_removed_added_and_reordered_fields_are_named(edit, said):
    manifest = copy.deepcopy(MANIFESTS["v2"])
    edit(manifest)
    got = pinned.differences(manifest, "v2")
    assert len(got) == len(said) and all(g.startswith(s) for g, s in zip(got, said, strict=True))


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A copy of the packaged vectors that the loaders take for the installed ones, so a
    test can edit "the installed set" without touching the package others are reading:
    each version's manifest and its first group's files (all that these tests read)."""
    for version in VERSIONS:
        folder = tmp_path / "vectors" / version
        first = MANIFESTS[version]["groups"][0]["name"]
        shutil.copytree(store.VECTORS / version / first, folder / first)
        shutil.copy(store.VECTORS / version / "manifest.json", folder / "manifest.json")
    monkeypatch.setattr(store, "VECTORS", tmp_path / "vectors")
    return tmp_path / "vectors"


def _rewrite(folder: Path, version: str, edit) -> None:
    manifest = json.loads((folder / version / "manifest.json").read_text(encoding="utf-8"))
    edit(manifest, folder / version)
    text = json.dumps(manifest, indent=1, ensure_ascii=True) + "\n"
    (folder / version / "manifest.json").write_text(text, encoding="utf-8")


def _replace_x(manifest: dict, folder: Path) -> None:
    """x.npy of the first group doubled, and its sha256 in the manifest updated to match."""
    spec = manifest["groups"][0]["files"]["x"]
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.load(folder / spec["path"]) * 2, version=(1, 0))
    (folder / spec["path"]).write_bytes(buf.getvalue())
    spec["sha256"] = hashlib.sha256(buf.getvalue()).hexdigest()


def _set(group: int, table: str, key: str, value):
    return lambda m, folder: m["groups"][group][table].__setitem__(key, value)


def _group(index: int, **changes):
    return lambda m, folder: m["groups"][index].update(changes)


#: The issue's edits of the installed manifest: each passed verify() before.
G0, G1 = "group 'd2_base10000' field", "group 'd8_base10000_interleaved' field"
INSTALLED_EDITS = [
    ("layout flipped", _set(0, "config", "layout", "half"), f"{G0} config.layout changed"),
    ("base changed", _set(1, "config", "base", 500000.0), f"{G1} config.base changed"),
    ("d changed", _set(0, "config", "d", 4), f"{G0} config.d changed"),
    ("attention factor", _group(0, attention_factor_hex="0x1.8p+0"), f"{G0} attention_factor_hex"),
    ("groups []", lambda m, f: m.update(groups=[]), "groups removed ('d2_base10000', "),
    ("a group dropped", lambda m, f: m["groups"].pop(0), "group 'd2_base10000' removed"),
    (
        "a file entry dropped",
        lambda m, f: _files(m).pop("expected_float64"),
        f"{G0} files.expected_float64 removed",
    ),
    ("x.npy replaced, sha256 updated", _replace_x, f"{G0} files.x changed"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("edit", "named"), **_rows(INSTALLED_EDITS))
def test_an_edited_installed_manifest_is_refused_naming_the_group_and_field(
    installed, capsys, version, edit, named
):
    _rewrite(installed, version, edit)
    for call in (lambda: verify(version), lambda: list_groups(version)):
        with pytest.raises(GoldenIntegrityError) as info:
            call()
        assert f"is not the one rope_ref shipped as set {version}" in str(info.value)
        assert named in str(info.value) and "reinstall rope_ref" in str(info.value)
    with pytest.raises(GoldenIntegrityError, match="not the one rope_ref shipped"):
        load_group("d64_base10000_interleaved", version)
    assert main(["golden", "verify", "--version", version]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        len(err) == 1 and err[0].startswith("rope-ref: error: golden manifest") and named in err[0]
    )


def test_a_whitespace_edit_of_the_installed_manifest_is_refused_too(installed):
    path = installed / "v2" / "manifest.json"
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(GoldenIntegrityError, match=r"whitespace or the order of keys \(no field\)"):
        verify()


def test_a_copy_of_the_shipped_set_in_a_folder_is_the_shipped_set(regenerated, capsys):
    for version in VERSIONS:
        assert compare_with_shipped(version, root=regenerated) == []
        assert main(["golden", "verify", "--version", version, "--root", str(regenerated)]) == 0
        assert "the manifest is the shipped one" in capsys.readouterr().out


def test_a_consistent_set_that_is_not_the_shipped_one_exits_1_naming_the_field(tmp_path, capsys):
    shutil.copytree(store.VECTORS / "v2", tmp_path / "v2")
    _rewrite(tmp_path, "v2", _replace_x)
    assert verify(root=tmp_path) == list_groups()  # its own sha256s all match
    assert compare_with_shipped(root=tmp_path) == ["group 'd2_base10000' field files.x changed"]
    assert main(["golden", "verify", "--root", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "every sha256 matches its manifest, but it is not the shipped set v2" in out
    assert "group 'd2_base10000' field files.x changed" in out
