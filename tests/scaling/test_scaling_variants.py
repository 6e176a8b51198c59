"""What each scaling variant claims, checked on rope_ref alone (HF: tests/interop)."""

import math
import warnings

import numpy as np
import pytest

from rope_ref import (
    frequencies,
    rotate,
    rotation_error_bound,
    scaled_frequencies,
    scaled_theta_error_bound,
)

LLAMA31 = {
    "rope_type": "llama3",
    "rope_theta": 5e5,
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}
YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}


def test_no_scaling_and_default_are_eq_15():
    np.testing.assert_array_equal(scaled_frequencies(64, 1e4, None)[0], frequencies(64, 1e4))
    theta, factor = scaled_frequencies(64, None, {"rope_type": "default", "rope_theta": 5e5})
    np.testing.assert_array_equal(theta, frequencies(64, 5e5))
    assert factor == 1.0


def test_rotate_without_rope_scaling_is_unchanged():
    x = np.random.default_rng(1).standard_normal((2, 7, 16))
    m = np.arange(7) * 3.5
    np.testing.assert_array_equal(rotate(x, m), rotate(x, m, base=10000.0))
    np.testing.assert_array_equal(rotate(x, m), rotate(x, m, theta=frequencies(16)))


def test_linear_is_position_interpolation():
    """PI: f'(x, m) = f(x, m / s); rope_ref writes it as theta / s."""
    x = np.random.default_rng(2).standard_normal((3, 9, 32))
    m = np.arange(9) * 1000
    scaled = rotate(x, m, rope_scaling={"rope_type": "linear", "factor": 4.0})
    np.testing.assert_allclose(scaled, rotate(x, m / 4.0), atol=1e-12)


def test_ntk_keeps_theta_0_and_divides_the_last_by_s():
    """b' = b s^(d/(d-2)) leaves theta_0 = 1 and makes theta_(d/2-1) = theta/s (bloc97)."""
    theta, _ = scaled_frequencies(64, 1e4, {"rope_type": "ntk", "factor": 8.0})
    plain = frequencies(64, 1e4)
    assert theta[0] == 1.0
    assert theta[-1] == pytest.approx(plain[-1] / 8.0, rel=1e-13)


def test_dynamic_is_plain_up_to_max_position_embeddings_then_grows():
    rs = {"rope_type": "dynamic", "factor": 2.0, "max_position_embeddings": 4096}
    for n in (1, 4096):
        np.testing.assert_array_equal(scaled_frequencies(64, 1e4, rs, n)[0], frequencies(64))
    last = [scaled_frequencies(64, 1e4, rs, n)[0][-1] for n in (8192, 16384, 65536)]
    assert last[0] > last[1] > last[2]
    ntk = scaled_frequencies(64, 1e4, {"rope_type": "ntk", "factor": 3.0})[0]  # 2*8192/4096-1
    np.testing.assert_allclose(scaled_frequencies(64, 1e4, rs, 8192)[0], ntk, rtol=1e-14)


def test_yarn_keeps_high_frequencies_and_interpolates_low_ones():
    for hf_compat in (False, True):
        theta, factor = scaled_frequencies(128, 1e4, YARN, hf_compat=hf_compat)
        plain = frequencies(128, 1e4)
        assert np.array_equal(theta[:5], plain[:5])
        np.testing.assert_allclose(theta[-10:], plain[-10:] / 4.0, rtol=1e-15)
        assert factor == pytest.approx(0.1 * math.log(4.0) + 1)
        assert np.all(np.diff(theta) < 0)


def test_yarn_attention_factor_scales_outputs():
    x = np.random.default_rng(3).standard_normal((1, 5, 64))
    y = rotate(x, np.arange(5), rope_scaling=YARN)
    np.testing.assert_allclose(
        np.linalg.norm(y, axis=-1), (0.1 * math.log(4) + 1) * np.linalg.norm(x, axis=-1)
    )
    deepseek = dict(YARN, mscale=0.707, mscale_all_dim=0.707)
    assert scaled_frequencies(64, 1e4, deepseek)[1] == 1.0
    assert scaled_frequencies(64, 1e4, dict(YARN, attention_factor=1.5))[1] == 1.5


def test_llama3_bands():
    theta, _ = scaled_frequencies(128, None, LLAMA31)
    plain = frequencies(128, 5e5)
    wavelen = 2 * np.pi / plain
    high, low = wavelen < 8192 / 4, wavelen > 8192 / 1
    np.testing.assert_array_equal(theta[high], plain[high])
    np.testing.assert_array_equal(theta[low], plain[low] / 8)
    mid = ~high & ~low
    assert mid.any() and np.all((theta[mid] < plain[mid]) & (theta[mid] > plain[mid] / 8))


def test_longrope_switches_factor_lists_after_the_original_length():
    short, long_ = [1.0] * 8 + [2.0] * 8, [float(k) for k in range(1, 17)]
    rs = {
        "rope_type": "longrope",
        "short_factor": short,
        "long_factor": long_,
        "original_max_position_embeddings": 4096,
        "factor": 16.0,
    }
    plain = frequencies(32)
    for n, lam in ((None, short), (4096, short), (4097, long_)):
        theta, factor = scaled_frequencies(32, 1e4, rs, n)
        np.testing.assert_allclose(theta, plain / np.array(lam), rtol=1e-15)
        assert factor == pytest.approx(math.sqrt(1 + math.log(16) / math.log(4096)))


def test_proportional_leaves_the_low_frequencies_unrotated():
    rs = {"rope_type": "proportional", "rope_theta": 1e6, "partial_rotary_factor": 0.25}
    theta, _ = scaled_frequencies(256, None, rs)
    assert theta.shape == (128,) and np.all(theta[:32] > 0) and np.all(theta[32:] == 0)
    x = np.random.default_rng(4).standard_normal((3, 256))
    y = rotate(x, np.array([5, 50, 500]), layout="half", rope_scaling=rs)
    keep = np.r_[32:128, 160:256]
    np.testing.assert_array_equal(y[:, keep], x[:, keep])


def test_partial_rotary_factor_fixes_rotary_dim():
    rs = {"rope_type": "linear", "factor": 2.0, "partial_rotary_factor": 0.5}
    theta, _ = scaled_frequencies(64, None, rs)
    assert theta.shape == (16,)
    x = np.random.default_rng(5).standard_normal((4, 64))
    y = rotate(x, np.arange(4), rope_scaling=rs)
    np.testing.assert_array_equal(y[:, 32:], x[:, 32:])
    np.testing.assert_allclose(y, rotate(x, np.arange(4) / 2.0, rotary_dim=32), atol=1e-14)


def test_error_bound_with_scaling_grows_with_position():
    """The bound with rope_scaling grows with |m theta| like eq 15's and stays tiny."""
    x = np.ones((4, 128))
    m = np.array([0, 1, 2**16, 2**20])
    b = rotation_error_bound(x, m, rope_scaling=LLAMA31)
    assert np.all(b[0] < 1e-14) and b[3].max() > b[2].max() > b[1].max()
    assert b.max() < 1e-8


def test_llama3_with_equal_band_factors_keeps_or_divides_each_theta():
    """Llama 4 Scout's rope_scaling has high_freq_factor = low_freq_factor = 1: no smooth
    band, theta_i kept where its wavelength is < L and divided by s where it is > L."""
    rs = {
        "rope_type": "llama3",
        "factor": 16.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 1.0,
        "original_max_position_embeddings": 8192,
    }
    theta, factor = scaled_frequencies(128, 5e5, rs)
    plain = frequencies(128, 5e5)
    short = 2 * math.pi / plain < 8192
    np.testing.assert_array_equal(theta[short], plain[short])
    np.testing.assert_allclose(theta[~short], plain[~short] / 16.0, rtol=1e-15)
    assert factor == 1.0 and 0 < short.sum() < 64


def test_llama3_with_equal_band_factors_has_a_finite_error_bound_without_warnings():
    rs = {
        "rope_type": "llama3",
        "factor": 16.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 1.0,
        "original_max_position_embeddings": 8192,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = scaled_theta_error_bound(128, 5e5, rs)
    assert np.all(np.isfinite(t)) and np.all(t < 1e-13)
