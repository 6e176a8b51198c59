"""Fuzzing what rope_ref reads from files (issue 15): a golden manifest with any field
edited, dropped or added (installed: refused naming the group and field; in a folder of
its own: loaded or a named error); .npy files whose header lies about their size; .npz
and .safetensors files with lying or deeply nested headers; deeply nested JSON anywhere;
and every file of an exported folder edited (rope-ref check: exit 0, 1 or 2, one line on
stderr, and 0 only if the inputs still hold the golden ones)."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rope_ref as rr
import rope_ref.golden.store as store
from rope_ref.cli import main
from rope_ref.golden import GoldenIntegrityError, list_groups, load_group, verify
from rope_ref.model.weights import _HF_NAMES

MANIFEST = json.loads((store.VECTORS / "v2" / "manifest.json").read_text(encoding="utf-8"))
GROUP = "d2_base10000"  # the smallest group: its arrays load fast
#: JSON values to put anywhere in a manifest or config.json
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.sampled_from(["half", "interleaved", "0x1.8p+0", "inf", "../x.npy", "0" * 64, [], {}]),
    st.lists(st.integers(0, 10**6), max_size=3),
)


def _paths(value, prefix=()):
    """Every path (tuple of keys/indices) into a JSON value."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


#: Paths into the manifest's top level, its notes, and three whole groups (the first, a
#: scaled one, the last): every field kind, every file entry.
SAMPLED = (0, 17, len(MANIFEST["groups"]) - 1)
PATHS = [
    p
    for p in _paths(MANIFEST)
    if len(p) >= 1 and (p[0] != "groups" or len(p) == 1 or p[1] in SAMPLED)
]


@st.composite
def manifest_edits(draw):
    """(edited manifest, path, what was done): a field set to another JSON value, dropped,
    or a key added beside it."""
    manifest = copy.deepcopy(MANIFEST)
    path = draw(st.sampled_from(PATHS))
    parent = manifest
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["set", "set", "drop", "add"]))
    if action == "set":
        parent[path[-1]] = draw(JSON_VALUES)
    elif action == "drop":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.sampled_from(["extra", "sha256", "name", "flags"]))] = draw(JSON_VALUES)
    else:
        parent.insert(path[-1], draw(JSON_VALUES))
    return manifest, path, action


@contextlib.contextmanager
def _installed(manifest: dict):
    """A copy of the packaged v2 set (manifest and GROUP's files) with this manifest,
    which the loaders take for the installed set while the block runs."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "vectors" / "v2"
        folder.mkdir(parents=True)
        shutil.copytree(store.VECTORS / "v2" / GROUP, folder / GROUP)
        text = json.dumps(manifest, indent=1, ensure_ascii=True) + "\n"
        (folder / "manifest.json").write_text(text, encoding="utf-8")
        saved, store.VECTORS = store.VECTORS, folder.parent
        try:
            yield folder.parent
        finally:
            store.VECTORS = saved


@settings(max_examples=40)
@given(edit=manifest_edits())
def test_an_edited_installed_manifest_is_refused_naming_what_changed(edit):
    manifest, path, action = edit
    if manifest == MANIFEST:
        return  # set to the value it had: not an edit
    with _installed(manifest):
        for call in (lambda: verify(), lambda: load_group(GROUP)):
            with pytest.raises(GoldenIntegrityError) as info:
                call()
            text = str(info.value)
            assert "is not the one rope_ref shipped as set v2" in text
            if path[0] == "groups" and len(path) >= 2 and action != "add":
                name = MANIFEST["groups"][path[1]]["name"]
                assert f"group {name!r}" in text or "order of the groups" in text, text
            elif path[0] == "notes" and len(path) >= 2:
                assert f"notes[{path[1]!r}]" in text or "field 'notes'" in text, text


@settings(max_examples=40)
@given(edit=manifest_edits())
def test_an_edited_manifest_in_a_folder_loads_or_is_a_named_error(edit, tmp_path_factory):
    manifest, _, _ = edit
    root = tmp_path_factory.mktemp("root")
    (root / "v2").mkdir()
    shutil.copytree(store.VECTORS / "v2" / GROUP, root / "v2" / GROUP)
    (root / "v2" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    try:
        names = list_groups(root=root)
    except ValueError as err:
        assert str(err).startswith(("golden manifest", "golden file")), err
        return
    if GROUP in names:
        try:
            group = load_group(GROUP, root=root)
        except ValueError as err:
            assert str(err).startswith(("golden manifest", "golden file")), err
        else:
            assert np.all(np.isfinite(group.arrays["x"])) and group.name == GROUP


def _npy(shape_text: str, descr: str, data: bytes, version=(1, 0)) -> bytes:
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}"
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    size = len(header).to_bytes(2 if version == (1, 0) else 4, "little")
    return b"\x93NUMPY" + bytes(version) + size + header.encode("latin1") + data


NPY_FILES = st.builds(
    _npy,
    st.one_of(
        st.lists(st.integers(0, 10**7), max_size=4).map(lambda s: repr(tuple(s))),
        st.sampled_from(["(10**12,)", "(-1,)", "(1.5,)", "'x'", "(1000000, 1000000)", "()"]),
    ),
    st.sampled_from(["<f8", "<f4", ">f8", "<i8", "|O", "<c16", "V8", "<U3"]),
    st.binary(max_size=200),
    st.sampled_from([(1, 0), (2, 0), (9, 9)]),
)


@settings(max_examples=60)
@given(data=st.one_of(NPY_FILES, st.binary(max_size=300)))
def test_a_lying_npy_in_a_golden_folder_is_a_named_error(data, tmp_path_factory):
    """x.npy replaced by any bytes and its sha256 updated in the manifest (a consistent
    edit of a folder of one's own): a named error, or an array that really is there."""
    root = tmp_path_factory.mktemp("npy")
    shutil.copytree(store.VECTORS / "v2" / GROUP, root / "v2" / GROUP)
    manifest = copy.deepcopy(MANIFEST)
    (root / "v2" / GROUP / "x.npy").write_bytes(data)
    manifest["groups"][0]["files"]["x"]["sha256"] = hashlib.sha256(data).hexdigest()
    (root / "v2" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(GoldenIntegrityError, match=f"golden file .*{GROUP}/x.npy"):
        load_group(GROUP, root=root)  # a valid array of x's exact shape is not among them


@settings(max_examples=60)
@given(data=NPY_FILES)
def test_a_lying_npz_member_is_a_named_error(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("npz") / "w.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(_HF_NAMES["word_embeddings"] + ".npy", data)
    try:
        rr.weights_from_hf_state_dict(path)
    except (ValueError, TypeError) as err:
        assert "state_dict" in str(err) or "w.npz" in str(err), err


SAFETENSORS_HEADERS = st.one_of(
    st.integers(0, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(0, 3000).map(lambda n: '{"t": ' + "{" * n + "}" * n + "}"),
    st.builds(
        lambda dtype, shape, offsets: json.dumps(
            {"t": {"dtype": dtype, "shape": shape, "data_offsets": offsets}}
        ),
        st.sampled_from(["F64", "F32", "BF16", "I8", "X"]),
        st.lists(st.integers(-1, 10**7), max_size=3),
        st.lists(st.integers(-1, 10**12), min_size=2, max_size=2),
    ),
)


@settings(max_examples=60)
@given(header=SAFETENSORS_HEADERS, body=st.binary(max_size=64), length=st.integers(-4, 4))
def test_a_lying_or_deep_safetensors_header_is_a_named_error(
    header, body, length, tmp_path_factory
):
    path = tmp_path_factory.mktemp("st") / "w.safetensors"
    raw = header.encode()
    path.write_bytes((len(raw) + length).to_bytes(8, "little", signed=True) + raw + body)
    try:
        rr.weights_from_hf_state_dict(path)
    except (ValueError, TypeError) as err:
        assert "w.safetensors" in str(err) or "state_dict" in str(err), err


@settings(max_examples=20)
@given(depth=st.sampled_from([10, 990, 1100, 5000, 100000]), where=st.sampled_from(["[", '{"a":']))
def test_deeply_nested_json_is_a_named_error_everywhere(depth, where, tmp_path_factory):
    closing = "]" if where == "[" else "}"
    text = where * depth + "1" + closing * depth
    root = tmp_path_factory.mktemp("deep")
    (root / "v2").mkdir()
    (root / "v2" / "manifest.json").write_text(text)
    with pytest.raises(ValueError, match="golden manifest"):
        list_groups(root=root)
    out = io.StringIO()
    with contextlib.redirect_stderr(out), contextlib.redirect_stdout(io.StringIO()):
        assert main(["golden", "verify", "--root", str(root)]) == 2
    assert out.getvalue().count("\n") == 1 and "Traceback" not in out.getvalue()


# --- every file of an exported folder, edited --------------------------------------------

EXPORT_FILES = ["x.npy", "positions.npy", "config.json", "output.npy"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """An export of GROUP with correct outputs: `rope-ref check` exits 0 on it."""
    root = tmp_path_factory.mktemp("export")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["golden", "export", str(root), "--group", GROUP]) == 0
    np.save(root / GROUP / "output.npy", load_group(GROUP).arrays["expected_float64"])
    return root


@st.composite
def file_edits(draw):
    """(file name, a function of its bytes): a byte flipped, cut, added or replaced; the
    file emptied or replaced by random bytes; for config.json, a field set or dropped."""
    name = draw(st.sampled_from(EXPORT_FILES))
    kind = draw(st.sampled_from(["flip", "cut", "append", "empty", "random", "field", "deep"]))
    at, value = draw(st.integers(0, 10**6)), draw(st.integers(1, 255))
    junk, key, new = draw(st.binary(max_size=40)), draw(st.text(max_size=12)), draw(JSON_VALUES)

    def edit(data: bytes) -> bytes:
        if kind == "flip" and data:
            i = at % len(data)
            return data[:i] + bytes([data[i] ^ value]) + data[i + 1 :]
        if kind == "cut":
            return data[: at % (len(data) + 1)]
        if kind == "append":
            return data + junk
        if kind == "empty":
            return b""
        if kind == "deep":
            return b"[" * 100000 + b"]" * 100000
        if kind == "field" and name == "config.json":
            config = json.loads(data)
            field = sorted(config)[at % len(config)] if key == "" else key
            config.pop(field, None) if value % 3 == 0 else config.__setitem__(field, new)
            return json.dumps(config).encode()
        return junk

    return name, edit


def _same(folder: Path, name: str, original: Path) -> bool:
    """Whether an edited input file still holds what export wrote (as data, not bytes): a
    config.json may also name set v1 (the same groups and arrays) or no set (the newest)."""
    try:
        if name == "config.json":
            got, want = json.loads((folder / name).read_bytes()), json.loads(original.read_bytes())
            if isinstance(got, dict) and got.get("version", "v2") in ("v1", "v2"):
                got, want = dict(got), dict(want)
                got.pop("version", None), want.pop("version", None)
            return got == want
        a, b = np.load(folder / name, allow_pickle=False), np.load(original, allow_pickle=False)
        with open(folder / name, "rb") as f:  # no bytes after the data the header claims
            version = np.lib.format.read_magic(f)
            fmt = np.lib.format
            (fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0)(f)
            exact = (folder / name).stat().st_size == f.tell() + a.nbytes
        return exact and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    except Exception:
        return False


@settings(max_examples=50)
@given(edit=file_edits(), as_json=st.booleans())
def test_every_export_file_edited_exits_0_1_or_2_in_one_line(edit, as_json, exported):
    name, change = edit
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "export"
        shutil.copytree(exported, root)
        path = root / GROUP / name
        path.write_bytes(change(path.read_bytes()))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["check", str(root)] + (["--json"] if as_json else []))
        same = _same(root / GROUP, name, exported / GROUP / name)
        passed_outputs = np.load(path) if status == 0 and name == "output.npy" else None
    assert status in (0, 1, 2)
    assert "Traceback" not in err.getvalue() and err.getvalue().count("\n") <= 1
    if status == 2:
        assert err.getvalue().startswith("rope-ref check: unusable input: ")
        if as_json:
            assert json.loads(out.getvalue())["ok"] is False
    if name != "output.npy":
        assert (status == 0) == same, (name, status, err.getvalue())  # inputs are compared
    elif status == 0:  # an edited output that still passes is an array of x's shape
        assert passed_outputs.shape == load_group(GROUP).arrays["x"].shape
