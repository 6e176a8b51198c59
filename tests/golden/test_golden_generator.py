"""The generator: regenerating v2 (the default) or v1 gives byte-identical files, v2's
arrays are v1's, and a sample of its values, recomputed with SymPy at 100 digits and
rounded independently, is exactly what it stored."""

import json
import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from rope_ref.cli import main
from rope_ref.golden import list_groups, load_group, load_manifest
from rope_ref.golden.generate import generate
from rope_ref.golden.generate import main as generate_main
from rope_ref.golden.store import VECTORS


def _assert_same_files(shipped, fresh):
    ours = sorted(p.relative_to(shipped) for p in shipped.rglob("*.*"))
    theirs = sorted(p.relative_to(fresh) for p in fresh.rglob("*.*"))
    assert ours == theirs
    for rel in ours:
        assert (shipped / rel).read_bytes() == (fresh / rel).read_bytes(), rel


def test_regenerating_gives_byte_identical_files(tmp_path, capsys):
    assert main(["golden", "regenerate", str(tmp_path / "v1"), "--version", "v1"]) == 0
    assert f"wrote {len(list_groups('v1'))} groups of golden v1" in capsys.readouterr().out
    _assert_same_files(VECTORS / "v1", tmp_path / "v1")


def test_regenerating_writes_v2_by_default_byte_identically(tmp_path, capsys):
    assert main(["golden", "regenerate", str(tmp_path / "v2")]) == 0
    assert f"wrote {len(list_groups('v2'))} groups of golden v2" in capsys.readouterr().out
    _assert_same_files(VECTORS / "v2", tmp_path / "v2")


def test_v2_holds_v1s_arrays_and_only_its_manifest_differs():
    v1, v2 = (VECTORS / v / "manifest.json" for v in ("v1", "v2"))
    old, new = (json.loads(p.read_text(encoding="utf-8")) for p in (v1, v2))
    arrays = sorted(p.relative_to(VECTORS / "v1") for p in (VECTORS / "v1").rglob("*.npy"))
    assert arrays == sorted(p.relative_to(VECTORS / "v2") for p in (VECTORS / "v2").rglob("*.npy"))
    for rel in arrays:
        assert (VECTORS / "v1" / rel).read_bytes() == (VECTORS / "v2" / rel).read_bytes(), rel
    assert (old["schema_version"], new["schema_version"]) == (1, 2)
    assert "notes" in new and "notes" not in old
    for key in set(old) - {"schema_version", "generator_version", "groups"}:
        assert old[key] == new[key], key
    for a, b in zip(old["groups"], new["groups"], strict=True):
        assert {k: v for k, v in a.items() if k != "flags"} == {
            k: v for k, v in b.items() if k != "flags"
        }
        assert isinstance(a["flags"], dict) and isinstance(b["flags"], list)


def test_the_generator_refuses_a_version_it_cannot_write(tmp_path):
    with pytest.raises(ValueError, match=r"version must be one of \['v1', 'v2', 'v3'\].*got 'v4'"):
        generate(tmp_path / "v4", "v4")
    assert not (tmp_path / "v4").exists()
    with pytest.raises(SystemExit):
        generate_main([str(tmp_path / "v4"), "--version", "v4"])


@pytest.mark.parametrize(("args", "version"), [([], "v2"), (["--version", "v1"], "v1")])
def test_cli_verify_reports_every_group(capsys, args, version):
    assert main(["golden", "verify", *args]) == 0
    files = sum(len(g["files"]) for g in load_manifest(version)["groups"])
    groups = len(list_groups(version))
    expected = f"golden {version}: {groups} groups, {files} files, every sha256 matches"
    assert expected in capsys.readouterr().out


def _nearest(q: Fraction, dtype) -> float:
    """The float of ``dtype`` nearest to the rational q (ties to even), found exactly."""
    guess = dtype(float(q))
    candidates = [guess, np.nextafter(guess, dtype(np.inf)), np.nextafter(guess, dtype(-np.inf))]
    best = min(
        candidates,
        key=lambda c: (
            abs(Fraction(float(c)) - q),
            int(c.view(np.int32 if dtype is np.float32 else np.int64)) & 1,
        ),
    )
    return float(best)


def _theta(kind, i, r, base, cfg):
    """theta_i as an exact SymPy expression (default, linear, ntk, proportional, llama3)."""
    b = sp.Rational(Fraction(base))
    plain = b ** sp.Rational(-2 * i, r)
    if kind == "default":
        return plain
    if kind == "linear":
        return plain / sp.Rational(Fraction(cfg["factor"]))
    if kind == "ntk":
        s = sp.Rational(Fraction(cfg["factor"]))
        return (b * s ** sp.Rational(r, r - 2)) ** sp.Rational(-2 * i, r)
    if kind == "llama3":
        s, L = sp.Rational(Fraction(cfg["factor"])), cfg["original_max_position_embeddings"]
        low, high = (sp.Rational(Fraction(cfg[k])) for k in ("low_freq_factor", "high_freq_factor"))
        wavelen = 2 * sp.pi / plain
        if (wavelen < sp.Rational(L, 1) / high) == sp.true:
            return plain
        if (wavelen > sp.Rational(L, 1) / low) == sp.true:
            return plain / s
        g = (L / wavelen - low) / (high - low)
        return (1 - g) * plain / s + g * plain
    raise AssertionError(kind)


SAMPLED = [
    "d8_base10000_interleaved",
    "d256_base1e6_interleaved",
    "d80_prf04_half",
    "positions_near_2p20",
    "positions_fractional",
    "linear_factor4",
    "ntk_factor8",
    "llama3_1_8b",
    "proportional_p025",
]


@pytest.mark.parametrize("name", SAMPLED)
def test_sample_matches_sympy_at_100_digits(name):
    g = load_group(name)
    c, a = g.config, g.arrays
    scaling = c["rope_scaling"] or {"rope_type": "default"}
    kind = scaling.get("rope_type", scaling.get("type"))
    r = c["d"] if kind == "proportional" else c["rotary_dim"]
    keep = int(scaling.get("partial_rotary_factor", 1.0) * c["d"] // 2)
    rng = random.Random(name)
    for _ in range(4):
        j, i = rng.randrange(c["seq"]), rng.randrange(c["rotary_dim"] // 2)
        h = rng.randrange(c["heads"])
        if kind == "proportional" and i >= keep:
            theta = sp.Integer(0)
        else:
            theta = _theta("default" if kind == "proportional" else kind, i, r, c["base"], scaling)
        m = sp.Rational(Fraction(float(a["positions"][j])))
        phi = m * theta
        if c["layout"] == "interleaved":
            ia, ib = 2 * i, 2 * i + 1
        else:
            ia, ib = i, i + c["rotary_dim"] // 2
        xa, xb = (sp.Rational(Fraction(float(a["x"][0, h, j, k]))) for k in (ia, ib))
        exact = {
            "theta": (theta, a["theta"][i]),
            "angles": (phi, a["angles"][j, i]),
            "cos": (sp.cos(phi), a["cos"][j, i]),
            "sin": (sp.sin(phi), a["sin"][j, i]),
            "y_a": (xa * sp.cos(phi) - xb * sp.sin(phi), a["expected_float64"][0, h, j, ia]),
            "y_b": (xb * sp.cos(phi) + xa * sp.sin(phi), a["expected_float64"][0, h, j, ib]),
        }
        for key, (expr, stored) in exact.items():
            q = Fraction(str(sp.N(expr, 100)))
            assert _nearest(q, np.float64) == stored, (name, key, j, i, str(sp.N(expr, 30)))
        for key, k in (("y_a", ia), ("y_b", ib)):
            q = Fraction(str(sp.N(exact[key][0], 100)))
            assert _nearest(q, np.float32) == a["expected_float32"][0, h, j, k], (name, key)


def test_attention_factors_match_closed_forms():
    """YaRN: 0.1 ln s + 1 (Qwen, s = 4; gpt-oss, s = 32); DeepSeek-V3's mscale ratio is 1;
    LongRoPE: sqrt(1 + ln s / ln L) with s = 131072 / 4096."""
    cases = {
        "yarn_qwen_hf": sp.log(4) / 10 + 1,
        "yarn_qwen_paper": sp.log(4) / 10 + 1,
        "yarn_gpt_oss_hf": sp.log(32) / 10 + 1,
        "yarn_deepseek_v3_hf": sp.Integer(1),
        "longrope_phi3_short": sp.sqrt(1 + sp.log(32) / sp.log(4096)),
    }
    for name, expr in cases.items():
        q = Fraction(str(sp.N(expr, 100)))
        assert _nearest(q, np.float64) == load_group(name).attention_factor, name
