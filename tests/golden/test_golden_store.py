"""The golden set's storage: every group of v2 (the default) and of v1 loads with its
sha256 verified, a damaged file is named in the error, the manifest says what each group
catches, and each set is small."""

import json
import shutil

import numpy as np
import pytest

from rope_ref.golden import (
    LATEST_VERSION,
    GoldenGroup,
    GoldenIntegrityError,
    list_groups,
    load_group,
    load_manifest,
    verify,
)
from rope_ref.golden.store import SCHEMA_VERSIONS, VECTORS, group_flags

BUG_CLASSES = {
    "layout_swapped",
    "rotation_reversed",
    "position_offset",
    "low_precision_angles",
    "wrong_base",
    "frequency_formula",
    "cos_sin_swapped",
    "rotary_dim_mismatch",
    "scaling_ignored",
    "attention_factor_missing",
    "mrope_section_mismatch",
    "mrope_style_swapped",
    "hw_swapped",
    "scalar_positions",
    "half_duplication",
    "unexplained",
}
ROPE_TYPES = {"default", "linear", "ntk", "dynamic", "yarn", "llama3", "longrope", "proportional"}
VERSIONS = list(SCHEMA_VERSIONS)


@pytest.fixture(params=VERSIONS)
def copy_root(tmp_path, request):
    """(root, version): a copy of one packaged version that a test may damage."""
    shutil.copytree(VECTORS / request.param, tmp_path / request.param)
    return tmp_path, request.param


def test_the_default_version_is_v2_and_v3_extends_it_with_multi_axis_groups():
    """v2 stays the default: v3's newest layout (schema 3) holds v2's groups and the
    multi-axis ones, whose vector positions a 1D implementation cannot take."""
    assert LATEST_VERSION == "v2"
    assert max(SCHEMA_VERSIONS, key=SCHEMA_VERSIONS.get) == "v3"
    assert load_manifest()["schema_version"] == 2
    assert load_manifest("v1")["schema_version"] == 1
    assert load_manifest("v3")["schema_version"] == 3
    assert list_groups() == list_groups("v2") == list_groups("v1")
    v3 = list_groups("v3")
    assert v3[: len(list_groups())] == list_groups() and len(v3) > len(list_groups())


@pytest.mark.parametrize("version", VERSIONS)
def test_every_group_loads_with_consistent_shapes(version):
    names = list_groups(version)
    assert len(names) == len(set(names)) >= 30
    for name in names:
        g = load_group(name, version)
        assert isinstance(g, GoldenGroup) and g.name == name
        c, a = g.config, g.arrays
        shape = (c["batch"], c["heads"], c["seq"], c["d"])
        assert a["x"].shape == a["expected_float64"].shape == a["expected_float32"].shape == shape
        assert a["x"].dtype == np.float64 and a["expected_float32"].dtype == np.float32
        assert np.array_equal(a["x"].astype(np.float32).astype(np.float64), a["x"]), name
        k = (c["n_axes"],) if "style" in c else ()  # multi-axis groups: (n_axes, seq)
        assert a["positions"].shape == k + (c["seq"],) and a["positions"].dtype.kind in "if"
        half = c["rotary_dim"] // 2
        assert a["theta"].shape == (half,)
        for key in ("angles", "cos", "sin"):
            assert a[key].shape == (c["seq"], half), (name, key)
        np.testing.assert_array_equal(  # pass-through features are x itself
            a["expected_float64"][..., c["rotary_dim"] :], a["x"][..., c["rotary_dim"] :]
        )


@pytest.mark.parametrize("version", VERSIONS)
def test_manifest_records_precision_configs_and_flags(version):
    manifest = load_manifest(version)
    assert manifest["mpmath_precision_digits"] == 60
    assert manifest["schema_version"] == SCHEMA_VERSIONS[version]
    kinds, ds, bases, layouts = set(), set(), set(), set()
    for entry in manifest["groups"]:
        flags = group_flags(manifest, entry)
        assert flags and set(flags) <= BUG_CLASSES, entry["name"]
        assert all(isinstance(s, str) and len(s) > 20 for s in flags.values())
        c = entry["config"]
        ds.add(c["d"]), bases.add(c["base"]), layouts.add(c["layout"])
        scaling = c["rope_scaling"] or {}
        kinds.add(scaling.get("rope_type", scaling.get("type", "default")))
        assert float.fromhex(entry["attention_factor_hex"]) == entry["attention_factor"]
        if entry["attention_factor"] != 1.0:
            assert "attention_factor_missing" in flags, entry["name"]
    assert kinds == ROPE_TYPES
    assert {2, 8, 64, 128, 256} <= ds and {1e4, 5e5, 1e6} <= bases
    gemma4 = {"half_in_halves"} if version == "v3" else set()  # Gemma 4 vision's group
    assert layouts == {"interleaved", "half"} | gemma4


@pytest.mark.parametrize("version", VERSIONS)
def test_set_is_under_20_mb(version):
    size = sum(p.stat().st_size for p in (VECTORS / version).rglob("*") if p.is_file())
    assert size < 20 * 2**20, f"golden {version} is {size / 2**20:.1f} MiB"


def test_edited_file_is_named(copy_root):
    root, version = copy_root
    path = root / version / "d8_base10000_half" / "expected_float64.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(GoldenIntegrityError, match="d8_base10000_half/expected_float64.npy"):
        load_group("d8_base10000_half", version, root=root)
    load_group("d8_base10000_interleaved", version, root=root)  # the others still load
    with pytest.raises(GoldenIntegrityError, match="sha256"):
        verify(version, root=root)


def test_truncated_file_is_named(copy_root):
    root, version = copy_root
    path = root / version / "llama3_1_8b" / "theta.npy"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(GoldenIntegrityError, match=r"llama3_1_8b/theta.npy.*100 bytes"):
        load_group("llama3_1_8b", version, root=root)


def test_missing_file_is_named(copy_root):
    root, version = copy_root
    (root / version / "yarn_qwen_hf" / "cos.npy").unlink()
    with pytest.raises(GoldenIntegrityError, match="yarn_qwen_hf/cos.npy is missing"):
        load_group("yarn_qwen_hf", version, root=root)


def test_missing_or_broken_manifest_is_named(copy_root):
    root, version = copy_root
    with pytest.raises(GoldenIntegrityError, match="manifest.json is missing"):
        load_manifest("v9", root=root)
    (root / version / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(GoldenIntegrityError, match="not valid JSON"):
        list_groups(version, root=root)


def test_unknown_schema_version_is_named(copy_root):
    root, version = copy_root
    path = root / version / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["schema_version"] = 4
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(GoldenIntegrityError, match=r"schema_version one of \[1, 2, 3\], got 4"):
        load_manifest(version, root=root)


def test_manifest_with_a_changed_hash_is_caught(copy_root):
    root, version = copy_root
    path = root / version / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["groups"][0]["files"]["x"]["sha256"] = "0" * 64
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(GoldenIntegrityError, match="x.npy does not match its sha256"):
        load_group(manifest["groups"][0]["name"], version, root=root)


@pytest.mark.parametrize("version", VERSIONS)
def test_unknown_group_and_bad_version_are_errors(version):
    message = f"name must be a group of golden set {version}, got 'nope'"
    with pytest.raises(ValueError, match=message):
        load_group("nope", version)
    with pytest.raises(ValueError, match="version must be a folder name"):
        load_manifest(f"../{version}")


def test_unknown_group_names_the_default_version():
    with pytest.raises(ValueError, match=f"golden set {LATEST_VERSION}, got 'nope'"):
        load_group("nope")
