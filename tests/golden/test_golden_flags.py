"""Every flag a golden group carries is earned: the bug it names, applied to rope_ref,
moves that group's outputs far outside float64 (and float32) rounding.

A flag that a group could not detect would send the checker after a bug the group cannot
see; so each flag is tried as a mutant of rope_ref's own rotation, and the mutant must
miss expected_float64 by more than MARGIN times max|x| (float32's ulp is ~1.2e-7)."""

import math

import numpy as np
import pytest

from golden._golden_kwargs import rotate_kwargs
from rope_ref import frequencies, rotate, scaled_frequencies
from rope_ref.golden import list_groups, load_group
from rope_ref.paper.layouts import pair_indices
from rope_ref.scaling.config import scaling_dim

MARGIN = 1e-5


def _theta(c):
    n = scaling_dim(c["d"], c["rotary_dim"], c["rope_scaling"])
    return scaled_frequencies(
        n, c["base"], c["rope_scaling"], c["seq_len"], hf_compat=c["hf_compat"]
    )


def _with_theta(g, theta, factor=None, layout=None, angles=None):
    """rotate with a given theta (and factor), optionally the other layout or angles."""
    c, x, m = g.config, g.arrays["x"], g.arrays["positions"]
    factor = _theta(c)[1] if factor is None else factor
    r = 2 * theta.size
    a, b = pair_indices(r, layout or c["layout"])
    phi = m[:, None] * theta if angles is None else angles
    cos, sin = factor * np.cos(phi), factor * np.sin(phi)
    y = x.copy()
    y[..., a] = x[..., a] * cos - x[..., b] * sin
    y[..., b] = x[..., b] * cos + x[..., a] * sin
    return y


def _mutant(flag, g):
    c, x, m = g.config, g.arrays["x"], g.arrays["positions"]
    kw = rotate_kwargs(c)
    theta, factor = _theta(c)
    other = "half" if c["layout"] == "interleaved" else "interleaved"
    if flag == "layout_swapped":
        return _with_theta(g, theta, layout=other)
    if flag == "rotation_reversed":
        return _with_theta(g, -theta)
    if flag == "position_offset":
        return rotate(x, m + 1, **kw)
    if flag == "cos_sin_swapped":
        return _with_theta(g, theta, angles=math.pi / 2 - m[:, None] * theta)
    if flag == "frequency_formula":
        return _with_theta(g, frequencies(theta.size * 4, c["base"])[: theta.size])
    if flag == "wrong_base":
        if c["rope_scaling"] and c["rope_scaling"].get("rope_type") == "dynamic":
            return _with_theta(
                g,
                scaled_frequencies(2 * theta.size, c["base"], {"rope_type": "ntk", "factor": 2.0})[
                    0
                ],
            )  # the base of a longer sequence
        return _with_theta(g, frequencies(2 * theta.size, 1e4 if c["base"] != 1e4 else 5e5))
    if flag == "low_precision_angles":
        phi32 = m.astype(np.float32)[:, None] * theta.astype(np.float32)
        return _with_theta(g, theta, angles=phi32.astype(np.float64))
    if flag == "rotary_dim_mismatch":
        return rotate(x, m, base=c["base"], layout=c["layout"])
    if flag == "scaling_ignored":
        return rotate(x, m, base=c["base"], layout=c["layout"], rotary_dim=c["rotary_dim"])
    if flag == "attention_factor_missing":
        if factor == 1.0:  # applying YaRN's 0.1 ln s + 1 where the config cancels it
            return _with_theta(g, theta, 0.1 * math.log(c["rope_scaling"]["factor"]) + 1)
        return _with_theta(g, theta, 1.0)
    raise AssertionError(f"no mutant for flag {flag}")


CASES = [(name, flag) for name in list_groups() for flag in load_group(name).flags]


@pytest.mark.parametrize("name, flag", CASES, ids=[f"{n}-{f}" for n, f in CASES])
def test_flag_is_detectable(name, flag):
    g = load_group(name)
    want = g.arrays["expected_float64"]
    assert (
        np.abs(rotate(g.arrays["x"], g.arrays["positions"], **rotate_kwargs(g.config)) - want).max()
        < 1e-9
    )
    miss = np.abs(_mutant(flag, g) - want).max()
    assert miss > MARGIN * np.abs(g.arrays["x"]).max(), f"{name}: {flag} misses by {miss:.2e}"
