"""Reading the golden set: the manifest, each group's .npy files, and their sha256.

Every file a group lists is read whole, hashed and compared with the manifest before it
is parsed; an edited, truncated or missing file raises ``GoldenIntegrityError`` naming it.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rope_ref.validation import check_golden_root, check_golden_version

#: Version of the manifest's layout (docs/golden-format.md).
SCHEMA_VERSION = 1
VECTORS = Path(__file__).parent / "vectors"


class GoldenIntegrityError(ValueError):
    """A golden file is missing, truncated or edited (its sha256 does not match)."""


@dataclass(frozen=True)
class GoldenGroup:
    """One test group: the configuration, its flags, and its arrays.

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


def vectors_dir(version: str = "v1", root: Path | None = None) -> Path:
    """The folder of one version of the set (``root`` replaces the packaged vectors/)."""
    root = check_golden_root(root)
    return Path(VECTORS if root is None else root) / check_golden_version(version)


def load_manifest(version: str = "v1", *, root: Path | None = None) -> dict:
    """manifest.json of a version, parsed; its schema version checked."""
    path = vectors_dir(version, root) / "manifest.json"
    if not path.is_file():
        raise GoldenIntegrityError(f"golden manifest {path} is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise GoldenIntegrityError(f"golden manifest {path} is not valid JSON: {err}") from None
    if not isinstance(manifest, dict) or manifest.get("schema_version") != SCHEMA_VERSION:
        raise GoldenIntegrityError(
            f"golden manifest {path} must have schema_version {SCHEMA_VERSION}, got "
            f"{manifest.get('schema_version') if isinstance(manifest, dict) else manifest!r}"
        )
    return manifest


def list_groups(version: str = "v1", *, root: Path | None = None) -> list[str]:
    """The names of a version's groups, in manifest order."""
    return [g["name"] for g in load_manifest(version, root=root)["groups"]]


def load_group(name: str, version: str = "v1", *, root: Path | None = None) -> GoldenGroup:
    """One group, every file's sha256 verified before it is parsed."""
    manifest = load_manifest(version, root=root)
    entry = _entry(manifest, name, version)
    folder = vectors_dir(version, root)
    arrays = {key: _read_array(folder, spec) for key, spec in entry["files"].items()}
    return GoldenGroup(
        name=entry["name"],
        config=entry["config"],
        flags=entry["flags"],
        arrays=arrays,
        attention_factor=float.fromhex(entry["attention_factor_hex"]),
    )


def verify(version: str = "v1", *, root: Path | None = None) -> list[str]:
    """Check every file of every group; return the names of the groups checked."""
    names = list_groups(version, root=root)
    for name in names:
        load_group(name, version, root=root)
    return names


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
