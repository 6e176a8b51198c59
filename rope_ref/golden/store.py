"""Reading the golden set: the manifest, each group's .npy files, and their sha256.

The packaged set is authenticated from the code down: manifest.json's sha256 must be the
one ``rope_ref.golden.pinned`` pins for its version (else ``GoldenIntegrityError`` naming
each group and field that changed), and every file a group lists is read whole, hashed
and compared with the manifest before it is parsed; an edited, truncated or missing file
raises ``GoldenIntegrityError`` naming it. A set in another folder (``root=``) is checked
against its own manifest, which ``compare_with_shipped`` compares with the pinned one.
Every manifest's layout is checked (``rope_ref.validation.golden``): a malformed one is a
``GoldenIntegrityError`` naming the group and field.

Two manifest layouts are read (docs/golden-format.md): schema_version 1 (set v1), where
each group's ``flags`` is ``{bug_class: sentence}``, and schema_version 2 (set v2), where
a top-level ``notes`` table states each flag once and groups list note names. Both give
the same ``GoldenGroup.flags``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rope_ref.checker.vocabulary import FINDING_NAMES
from rope_ref.golden import pinned
from rope_ref.validation import check_golden_root, check_golden_version
from rope_ref.validation.files import npy_from_bytes, parse_json
from rope_ref.validation.golden import check_golden_manifest

#: The manifest layout (docs/golden-format.md) of each version of the set.
SCHEMA_VERSIONS = {"v1": 1, "v2": 2, "v3": 3}
#: The default version: what the public functions read, what regenerate writes. v3 (v2's
#: groups, byte for byte, and the multi-axis ones, whose positions are vectors) is read
#: with version="v3": an implementation of 1D RoPE is checked against v2 by default.
LATEST_VERSION = "v2"
VECTORS = Path(__file__).parent / "vectors"
#: The largest manifest.json read (the shipped ones are about 100 KB).
MAX_MANIFEST_BYTES = 16 * 2**20
#: An .npy file's header takes at most this many bytes before its data (format 1.0).
_NPY_HEADER_MAX = 10 + 65535


class GoldenIntegrityError(ValueError):
    """A golden file is missing, truncated or edited (its sha256 does not match)."""


@dataclass(frozen=True)
class GoldenGroup:
    """One test group: the configuration, its flags, and its arrays.

    ``flags`` is ``{bug_class: sentence}`` in both versions (in v2 the sentence is the
    ``description`` of the note the group lists). ``notes`` is ``{note name: {"bug_class",
    "description", "effect"}}`` for the group's flags in v2, and empty for v1, which has
    no notes table.

    ``arrays`` holds at least ``x`` (batch, heads, seq, d) float64 input, ``positions``
    (seq,) int64 or float64, ``theta`` (rotary_dim/2,), ``angles``, ``cos``, ``sin``
    (seq, rotary_dim/2) float64, ``expected_float64`` (batch, heads, seq, d) float64 and
    ``expected_float32`` (same shape) float32: the exact outputs rounded once.
    """

    name: str
    config: dict
    flags: dict
    arrays: dict
    attention_factor: float
    notes: dict = field(default_factory=dict)


def vectors_dir(version: str = LATEST_VERSION, root: Path | None = None) -> Path:
    """The folder of one version of the set (``root`` replaces the packaged vectors/)."""
    root = check_golden_root(root)
    return Path(VECTORS if root is None else root) / check_golden_version(version)


def load_manifest(version: str = LATEST_VERSION, *, root: Path | None = None) -> dict:
    """manifest.json of a version, parsed and checked: for the packaged set (root None)
    its sha256 against the one pinned in the code; for any set its layout (every group's
    name, config, attention factor, file table and flags: v2's every flag in ``notes``,
    every note's bug_class a name of FINDING_NAMES)."""
    path = vectors_dir(version, root) / "manifest.json"
    if root is None and version not in pinned.PINNED:
        raise ValueError(
            f"version must be one of the golden sets rope_ref ships, {list(pinned.PINNED)}, "
            f"got {version!r} (a set of your own: pass root=its folder)"
        )
    data = _manifest_bytes(path)
    if root is None:
        _check_shipped(version, data, path)
    try:
        manifest = parse_json(f"golden manifest {path}", data)
    except ValueError as err:
        raise GoldenIntegrityError(str(err)) from None
    schemas = sorted(set(SCHEMA_VERSIONS.values()))
    if not isinstance(manifest, dict) or manifest.get("schema_version") not in schemas:
        raise GoldenIntegrityError(
            f"golden manifest {path} must have schema_version one of {schemas}, got "
            f"{manifest.get('schema_version') if isinstance(manifest, dict) else manifest!r}"
        )
    try:
        return check_golden_manifest(manifest, FINDING_NAMES, str(path))
    except ValueError as err:
        raise GoldenIntegrityError(str(err)) from None


def compare_with_shipped(version: str = LATEST_VERSION, *, root: Path | None = None) -> list[str]:
    """How a set's manifest differs from the shipped set ``version``: [] when its bytes
    are the pinned ones, else each group and field that differs ("group 'd8' field
    config.layout changed"), or why it cannot be the shipped set."""
    path = vectors_dir(version, root) / "manifest.json"
    data = _manifest_bytes(path)
    if version not in pinned.PINNED:
        return [f"rope_ref ships no golden set {version!r} (it ships {list(pinned.PINNED)})"]
    if pinned.manifest_sha256(data) == pinned.PINNED[version]["sha256"]:
        return []
    try:
        diffs = pinned.differences(parse_json(str(path), data), version)
    except ValueError as err:
        return [str(err)]
    return diffs or ["its bytes differ but no field does (whitespace or the order of keys)"]


def _manifest_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise GoldenIntegrityError(f"golden manifest {path} is missing")
    size = path.stat().st_size
    if size > MAX_MANIFEST_BYTES:
        raise GoldenIntegrityError(
            f"golden manifest {path} is {size} bytes, more than the {MAX_MANIFEST_BYTES} "
            "a manifest may have"
        )
    return path.read_bytes()


def _check_shipped(version: str, data: bytes, path: Path) -> None:
    """The packaged manifest must be the pinned one, byte for byte."""
    got, want = pinned.manifest_sha256(data), pinned.PINNED[version]["sha256"]
    if got == want:
        return
    try:
        diffs = pinned.differences(parse_json(str(path), data), version)
    except ValueError as err:
        diffs = [str(err)]
    what = pinned.summary(diffs) if diffs else "whitespace or the order of keys (no field)"
    raise GoldenIntegrityError(
        f"golden manifest {path} is not the one rope_ref shipped as set {version} (sha256 "
        f"{got[:16]}..., pinned in rope_ref.golden.pinned_digests: {want[:16]}...): {what}; "
        "reinstall rope_ref"
    )


def list_groups(version: str = LATEST_VERSION, *, root: Path | None = None) -> list[str]:
    """The names of a version's groups, in manifest order."""
    return [g["name"] for g in load_manifest(version, root=root)["groups"]]


def load_group(
    name: str, version: str = LATEST_VERSION, *, root: Path | None = None
) -> GoldenGroup:
    """One group, every file's sha256 verified before it is parsed."""
    manifest = load_manifest(version, root=root)
    entry = _entry(manifest, name, version)
    folder = vectors_dir(version, root)
    arrays = {key: _read_array(folder, spec) for key, spec in entry["files"].items()}
    return GoldenGroup(
        name=entry["name"],
        config=entry["config"],
        flags=group_flags(manifest, entry),
        arrays=arrays,
        attention_factor=float.fromhex(entry["attention_factor_hex"]),
        notes={} if manifest["schema_version"] == 1 else group_notes(manifest, entry),
    )


def verify(version: str = LATEST_VERSION, *, root: Path | None = None) -> list[str]:
    """Check the manifest (the packaged one against its pinned sha256) and every file of
    every group; return the names of the groups checked. A set under ``root`` is checked
    against its own manifest: whether that is the shipped one is ``compare_with_shipped``'s."""
    names = list_groups(version, root=root)
    for name in names:
        load_group(name, version, root=root)
    return names


def group_flags(manifest: dict, entry: dict) -> dict:
    """{bug_class: sentence} of one group of a checked manifest, whatever its schema:
    v1 stores it; v2 resolves each note name to its bug_class and description."""
    if manifest["schema_version"] == 1:
        return dict(entry["flags"])
    notes = manifest["notes"]
    return {notes[n]["bug_class"]: notes[n]["description"] for n in entry["flags"]}


def group_notes(manifest: dict, entry: dict) -> dict:
    """{note name: note} for the flags of one group of a checked v2 manifest."""
    return {n: dict(manifest["notes"][n]) for n in entry["flags"]}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(manifest: dict, name: str, version: str) -> dict:
    for entry in manifest["groups"]:
        if entry["name"] == name:
            return entry
    names = [g["name"] for g in manifest["groups"]]
    raise ValueError(f"name must be a group of golden set {version}, got {name!r}; groups: {names}")


def _read_array(folder: Path, spec: dict) -> np.ndarray:
    """One file of a checked manifest's entry: its size bounded by its shape before it is
    read, its sha256 compared, then its .npy header's claim checked against its bytes."""
    path = folder / spec["path"]
    if not path.is_file():
        raise GoldenIntegrityError(f"golden file {path} is missing")
    room = int(np.prod(spec["shape"], dtype=object)) * np.dtype(spec["dtype"]).itemsize
    size = path.stat().st_size
    if size > room + _NPY_HEADER_MAX:
        raise GoldenIntegrityError(
            f"golden file {path} is {size} bytes, more than an .npy of shape {spec['shape']} "
            f"and dtype {spec['dtype']} can be (edited or replaced)"
        )
    data = path.read_bytes()
    if sha256_of(data) != spec["sha256"]:
        raise GoldenIntegrityError(
            f"golden file {path} does not match its sha256 in manifest.json "
            f"(edited or truncated: {len(data)} bytes, sha256 {sha256_of(data)[:16]}..., "
            f"expected {spec['sha256'][:16]}...)"
        )
    try:
        arr = npy_from_bytes(f"golden file {path}", data)
    except ValueError as err:
        raise GoldenIntegrityError(str(err)) from None
    if arr.dtype.str != spec["dtype"] or list(arr.shape) != spec["shape"]:
        raise GoldenIntegrityError(
            f"golden file {path} holds dtype {arr.dtype.str} shape {list(arr.shape)}, "
            f"manifest says {spec['dtype']} {spec['shape']}"
        )
    return arr
