"""Golden set v3: v2's groups byte for byte, and the multi-axis groups (M-RoPE of
Qwen2.5-VL-7B, Qwen3-VL, GLM-4V and Ernie-4.5-VL; 2D RoPE of a 64 x 64 patch grid,
Pixtral and Llama 4 vision) at 60 digits. rope_ref's float64 rotation matches them, the
checker passes their expected outputs, each flag a group lists is caught when outputs
make that mistake, and the CLI exports and checks them."""

from __future__ import annotations

import json

import numpy as np
import pytest

import rope_ref as rr
from rope_ref.cli import main
from rope_ref.golden import list_groups, load_group, load_manifest
from rope_ref.paper.axes import STYLES, mrope_axes

V2 = list_groups("v2")
AXIS_GROUPS = [n for n in list_groups("v3") if n not in V2]


def test_v3_holds_v2s_groups_byte_for_byte_and_the_multi_axis_ones():
    v2, v3 = load_manifest("v2"), load_manifest("v3")
    assert [g["name"] for g in v3["groups"][: len(V2)]] == V2
    for old, new in zip(v2["groups"], v3["groups"], strict=False):
        assert old == new, f"group {old['name']} differs between v2 and v3"
    assert {n: v2["notes"][n] for n in v2["notes"]} == {n: v3["notes"][n] for n in v2["notes"]}
    styles = {load_group(n, "v3").config["style"] for n in AXIS_GROUPS}
    assert styles == set(STYLES)
    assert "axial_grid_64x64" in AXIS_GROUPS


def _axes_of(group):
    c = group.config
    return rr.axis_frequencies(c["rotary_dim"], c["base"], style=c["style"], section=c["section"])


@pytest.mark.parametrize("name", AXIS_GROUPS)
def test_rope_ref_float64_matches_the_60_digit_values(name):
    g = load_group(name, "v3")
    c, a = g.config, g.arrays
    theta, axes = _axes_of(g)
    assert np.array_equal(a["axes"], axes)
    r = c["rotary_dim"]  # eq 15 over r (M-RoPE, Pixtral) or r/2 (axial): its error budget
    budget = max(
        np.max(rr.theta_error_bound(r, c["base"])), np.max(rr.theta_error_bound(r // 2, c["base"]))
    )
    assert np.allclose(a["theta"], theta, rtol=budget, atol=0)
    phi = rr.axis_angles(a["positions"], theta, axes)
    assert np.allclose(a["angles"], phi, rtol=budget + 2.0**-53, atol=0)
    y = rr.rotate(a["x"], a["positions"], theta=theta, axes=axes, layout=c["layout"],
                  rotary_dim=c["rotary_dim"])  # fmt: skip
    report = rr.check_outputs(y, g, precision="float64")  # the float64 error model
    assert report.ok, str(report)
    assert np.max(np.abs(y - a["expected_float64"])) <= 1e-9, name
    assert a["positions"].shape == (c["n_axes"], c["seq"])


@pytest.mark.parametrize("name", AXIS_GROUPS)
def test_the_checker_passes_the_expected_outputs_in_both_precisions(name):
    g = load_group(name, "v3")
    for key, precision in (("expected_float64", "float64"), ("expected_float32", "float32")):
        report = rr.check_outputs(g.arrays[key], g)
        assert report.ok and report.precision == precision, str(report)


def _mutant(group, bug_class: str) -> np.ndarray:
    """The group's outputs made with one mistake of ``bug_class``."""
    c, a = group.config, group.arrays
    theta, axes = _axes_of(group)
    p, layout, r = a["positions"], c["layout"], c["rotary_dim"]
    k = c["n_axes"]
    if bug_class == "rotation_reversed":
        p = -p
    elif bug_class == "layout_swapped":
        layout = "half" if layout == "interleaved" else "interleaved"
    elif bug_class == "hw_swapped":
        h, w = (1, 2) if k == 3 else (0, 1)
        p = p[[*(range(h)), w, h]]
    elif bug_class == "mrope_section_mismatch":
        axes = mrope_axes(c["style"], tuple(c["section"][::-1]))
        if c["style"] == "mrope_ernie":  # h = w sections: give the chunks to t, w, h
            axes = np.array([0, 2, 1])[axes]
    elif bug_class == "mrope_style_swapped":
        other = "mrope_interleaved" if c["style"] != "mrope_interleaved" else "mrope"
        axes = mrope_axes(other, tuple(c["section"]))
    elif bug_class == "half_duplication":
        q = r // 4
        theta, axes = np.concatenate([theta[:q]] * 2), np.concatenate([axes[:q]] * 2)
    elif bug_class == "scalar_positions":
        p = np.broadcast_to(p[:1], p.shape)
    elif bug_class == "position_offset":  # Llama 4 at 0-based coordinates
        p = p - 1
    return rr.rotate(a["x"], p, theta=theta, axes=axes, layout=layout, rotary_dim=r)


@pytest.mark.parametrize(
    ("name", "bug_class"),
    [(n, b) for n in AXIS_GROUPS for b in load_group(n, "v3").flags],
)
def test_each_flag_a_group_lists_is_caught(name, bug_class):
    g = load_group(name, "v3")
    report = rr.check_outputs(_mutant(g, bug_class), g)
    assert not report.ok, f"{name}: {bug_class} passes"
    assert [f.name for f in report.findings] == [bug_class], str(report)


def test_the_cli_exports_verifies_and_checks_multi_axis_groups(tmp_path, capsys):
    assert main(["golden", "verify", "--version", "v3"]) == 0
    assert "golden v3: 38 groups" in capsys.readouterr().out
    names = ["mrope_qwen3_vl_interleaved", "pixtral_grid_12x16"]
    args = ["golden", "export", str(tmp_path), "--version", "v3"]
    assert main(args + [a for n in names for a in ("--group", n)]) == 0
    for n in names:
        folder = tmp_path / n
        config = json.loads((folder / "config.json").read_text())
        x, p = np.load(folder / "x.npy"), np.load(folder / "positions.npy")
        assert p.shape == (config["n_axes"], config["seq"])
        theta, axes = rr.axis_frequencies(
            config["rotary_dim"], config["base"], style=config["style"], section=config["section"]
        )
        y = rr.rotate(x.astype(np.float32), p, theta=theta, axes=axes, layout=config["layout"])
        np.save(folder / "output.npy", y)
    capsys.readouterr()
    assert main(["check", str(tmp_path)]) == 0, capsys.readouterr().out
    pixtral = tmp_path / "pixtral_grid_12x16"
    x, p = np.load(pixtral / "x.npy"), np.load(pixtral / "positions.npy")
    theta, axes = rr.axis_frequencies(64, 1e4, style="pixtral")
    np.save(pixtral / "output.npy", rr.rotate(x, p[::-1], theta=theta, axes=axes, layout="half"))
    assert main(["check", str(tmp_path)]) == 1
    assert "hw_swapped" in capsys.readouterr().out
