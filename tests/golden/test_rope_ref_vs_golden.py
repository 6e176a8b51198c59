"""rope_ref's own NumPy path against every golden group.

float64: |rotate - expected_float64| <= rotation_error_bound + u |expected| (the bound is
against the exact value; the stored value is that value rounded once, within u |y|).
float32: rotate on float32 x (the same numbers: golden x is float32-exact) is within
FLOAT32_ULPS ulp of expected_float32. rope_ref computes in float64 and rounds once, so the
float32 result differs from the correctly rounded one only when the exact value lies
within the float64 error of a float32 rounding boundary: at most 1 ulp.
"""

import numpy as np
import pytest

from golden._golden_kwargs import rotate_kwargs
from rope_ref import rotate, rotation_error_bound, scaled_frequencies, scaled_theta_error_bound
from rope_ref.golden import list_groups, load_group
from rope_ref.paper.bounds import UNIT_ROUNDOFF
from rope_ref.scaling.config import scaling_dim

FLOAT32_ULPS = 1


@pytest.mark.parametrize("name", list_groups())
def test_float64_within_the_documented_bound(name):
    g = load_group(name)
    x, m, want = g.arrays["x"], g.arrays["positions"], g.arrays["expected_float64"]
    got = rotate(x, m, **rotate_kwargs(g.config))
    bound = rotation_error_bound(x, m, **rotate_kwargs(g.config)) + UNIT_ROUNDOFF * np.abs(want)
    err = np.abs(got - want)
    worst = np.unravel_index(np.argmax(err / bound), err.shape)
    assert np.all(err <= bound), (
        f"{name}: error {err[worst]:.3e} > bound {bound[worst]:.3e} at {worst}"
    )


@pytest.mark.parametrize("name", list_groups())
def test_float32_within_one_ulp(name):
    g = load_group(name)
    x32 = g.arrays["x"].astype(np.float32)
    got = rotate(x32, g.arrays["positions"], **rotate_kwargs(g.config))
    want = g.arrays["expected_float32"]
    assert got.dtype == np.float32
    ulps = np.abs(got.astype(np.float64) - want) / np.spacing(np.abs(want))
    assert ulps.max() <= FLOAT32_ULPS, f"{name}: {ulps.max()} ulp"


@pytest.mark.parametrize("name", list_groups())
def test_theta_and_attention_factor_within_bound(name):
    g = load_group(name)
    c = g.config
    scaling = c["rope_scaling"]
    args = (scaling_dim(c["d"], c["rotary_dim"], scaling), c["base"], scaling, c["seq_len"])
    theta, factor = scaled_frequencies(*args, hf_compat=c["hf_compat"])
    t = scaled_theta_error_bound(*args, hf_compat=c["hf_compat"])
    want = g.arrays["theta"]
    assert np.all(np.abs(theta - want) <= (t + UNIT_ROUNDOFF) * want), name
    assert abs(factor - g.attention_factor) <= 8 * UNIT_ROUNDOFF * g.attention_factor, name
