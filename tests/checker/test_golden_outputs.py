"""check_outputs on the golden groups: the exact outputs of v2 (the default) and v1 pass in
float64 and float32, and for every bug class a group's flags say it catches, outputs with
that mistake, computed from the group's own cos/sin-style tables, are failed and named by
that class."""

from __future__ import annotations

import numpy as np
import pytest

from rope_ref import frequencies
from rope_ref.checker.report import check_outputs
from rope_ref.golden import list_groups, load_group
from rope_ref.paper.layouts import pair_indices

GROUPS = list_groups()


def table_rope(x, phi, layout, rotary_dim, factor=1.0, *, swap=False):
    """y = x cos(phi) + rot(x) sin(phi) on the pairs of ``layout`` (eq 34), the way an
    implementation with cos/sin caches writes it. phi: (seq, rotary_dim/2)."""
    a, b = pair_indices(rotary_dim, layout)
    cos, sin = factor * np.cos(phi), factor * np.sin(phi)
    if swap:
        cos, sin = sin, cos
    y = x.copy()
    y[..., a] = x[..., a] * cos - x[..., b] * sin
    y[..., b] = x[..., b] * cos + x[..., a] * sin
    return y


def _mutant(group, flag):
    """Outputs of ``group``'s inputs with the mistake ``flag``, or None if the group's
    configuration cannot have it."""
    c, arr = group.config, group.arrays
    x, m, theta = arr["x"], arr["positions"].astype(np.float64), arr["theta"]
    r, layout, f = c["rotary_dim"], c["layout"], group.attention_factor
    phi = m[:, None] * theta[None, :]
    if flag == "rotation_reversed":
        return table_rope(x, -phi, layout, r, f)
    if flag == "cos_sin_swapped":
        return table_rope(x, phi, layout, r, f, swap=True)
    if flag == "position_offset":
        return table_rope(x, (m + 1)[:, None] * theta[None, :], layout, r, f)
    if flag == "layout_swapped":
        other = "half" if layout == "interleaved" else "interleaved"
        return table_rope(x, phi, other, r, f)
    if flag == "frequency_formula":  # theta_i = base^(-i/d): the factor 2 missing
        return table_rope(x, m[:, None] * frequencies(2 * r, c["base"])[None, : r // 2], layout, r)
    if flag == "wrong_base":  # 10000 where another base is stated, or 500000 where 10000 is
        other = 500000.0 if c["base"] == 10000.0 else 10000.0
        return table_rope(x, m[:, None] * frequencies(r, other)[None, :], layout, r, f)
    if flag == "rotary_dim_mismatch":
        d = c["d"]
        return table_rope(x, m[:, None] * frequencies(d, c["base"])[None, :], layout, d, f)
    if flag == "low_precision_angles":  # the phase m theta computed in float32
        phase = m.astype(np.float32)[:, None] * theta.astype(np.float32)[None, :]
        return table_rope(x, phase.astype(np.float64), layout, r, f)
    if flag == "scaling_ignored":  # None where the variant leaves theta as it is
        unscaled = frequencies(r, c["base"])
        if f == 1.0 and np.allclose(unscaled, theta, rtol=1e-12, atol=0):
            return None
        return table_rope(x, m[:, None] * unscaled[None, :], layout, r)
    if flag == "attention_factor_missing":
        return None if f == 1.0 else table_rope(x, phi, layout, r, 1.0)
    raise AssertionError(f"no mutant for flag {flag}")


@pytest.mark.parametrize("version", ["v2", "v1"])
@pytest.mark.parametrize("name", GROUPS)
def test_exact_outputs_pass_in_float64_and_float32(name, version):
    group = load_group(name, version)
    for key in ("expected_float64", "expected_float32"):
        report = check_outputs(group.arrays[key], group)
        assert report.ok and not report.findings, f"{name} {version} {key}: {report}"


def test_a_group_given_by_name_is_loaded_and_checked_like_the_group():
    name = GROUPS[0]
    shifted = _mutant(load_group(name, "v1"), "position_offset")
    assert check_outputs(load_group(name, "v1").arrays["expected_float64"], name).ok
    report = check_outputs(shifted, name)
    assert [f.name for f in report.findings] == ["position_offset"]
    assert report.to_dict() == check_outputs(shifted, load_group(name, "v2")).to_dict()


@pytest.mark.parametrize("name", GROUPS)
def test_each_flagged_mistake_is_named(name):
    group = load_group(name)
    assert group.flags, f"{name} has no flags"
    wrong = []
    for flag in group.flags:
        y = _mutant(group, flag)
        if y is None:
            continue
        report = check_outputs(y, group)
        if report.ok or [f.name for f in report.findings] != [flag]:
            wrong.append(f"{flag}: {report}")
    assert not wrong, f"{name}:\n" + "\n".join(wrong)
