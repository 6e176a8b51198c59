"""Reading the golden set: the manifest, each group's .npy files, and their sha256.

Every file a group lists is read whole, hashed and compared with the manifest before it
is parsed; an edited, truncated or missing file raises ``GoldenIntegrityError`` naming it.
Two manifest layouts are read (docs/golden-format.md): schema_version 1 (set v1), where
each group's ``flags`` is ``{bug_class: sentence}``, and schema_version 2 (set v2), where
a top-level ``notes`` table states each flag once and groups list note names. Both give
the same ``GoldenGroup.flags``.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rope_ref.checker.vocabulary import FINDING_NAMES
from rope_ref.validation import check_golden_root, check_golden_version
from rope_ref.validation.checker import check_golden_flags

#: The manifest layout (docs/golden-format.md) of each version of the set.
SCHEMA_VERSIONS = {"v1": 1, "v2": 2}
#: The newest version: what the public functions read by default, what regenerate writes.
LATEST_VERSION = "v2"
VECTORS = Path(__file__).parent / "vectors"


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
    """manifest.json of a version, parsed; its schema version and flags checked (v2: every
    flag a group lists is in ``notes``, every note's bug_class a name of FINDING_NAMES)."""
    path = vectors_dir(version, root) / "manifest.json"
    if not path.is_file():
        raise GoldenIntegrityError(f"golden manifest {path} is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise GoldenIntegrityError(f"golden manifest {path} is not valid JSON: {err}") from None
    schemas = sorted(set(SCHEMA_VERSIONS.values()))
    if not isinstance(manifest, dict) or manifest.get("schema_version") not in schemas:
        raise GoldenIntegrityError(
            f"golden manifest {path} must have schema_version one of {schemas}, got "
            f"{manifest.get('schema_version') if isinstance(manifest, dict) else manifest!r}"
        )
    return check_golden_flags(manifest, FINDING_NAMES, str(path))


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
    """Check every file of every group; return the names of the groups checked."""
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
    path = folder / spec["path"]
    if not path.is_file():
        raise GoldenIntegrityError(f"golden file {path} is missing")
    data = path.read_bytes()
    if sha256_of(data) != spec["sha256"]:
        raise GoldenIntegrityError(
            f"golden file {path} does not match its sha256 in manifest.json "
            f"(edited or truncated: {len(data)} bytes, sha256 {sha256_of(data)[:16]}..., "
            f"expected {spec['sha256'][:16]}...)"
        )
    arr = np.load(io.BytesIO(data), allow_pickle=False)
    if arr.dtype.str != spec["dtype"] or list(arr.shape) != spec["shape"]:
        raise GoldenIntegrityError(
            f"golden file {path} holds dtype {arr.dtype.str} shape {list(arr.shape)}, "
            f"manifest says {spec['dtype']} {spec['shape']}"
        )
    return arr
