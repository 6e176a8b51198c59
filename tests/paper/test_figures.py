"""The numbers behind the figures (rope_ref.figures) say what their docstrings claim."""

from __future__ import annotations

import numpy as np
import pytest

from rope_ref import (
    clock_hands,
    error_by_position,
    frequencies,
    rotate,
    scaled_frequencies,
    score_grid,
    unseen_angle_ratio,
    wavelengths,
)


def test_clock_hands_sit_on_the_unit_circle_at_angle_m_theta():
    theta = frequencies(8)
    m = np.array([0.0, 1.0, 7.0, 1000.0])
    hands = clock_hands(m, theta)
    assert hands.shape == (4, 4, 2)
    phi = m[:, None] * theta
    assert np.allclose(hands[..., 0], np.cos(phi), atol=1e-12)
    assert np.allclose(hands[..., 1], np.sin(phi), atol=1e-12)
    assert np.array_equal(hands[0], np.tile([1.0, 0.0], (4, 1)))


def test_the_fastest_pair_turns_once_every_two_pi_positions():
    lam = wavelengths(frequencies(128))
    assert lam[0] == pytest.approx(2 * np.pi)
    assert np.all(np.diff(lam) > 0)
    assert lam[-1] == pytest.approx(2 * np.pi * 10000 ** (126 / 128))


def test_score_grid_is_constant_along_every_diagonal():
    rng = np.random.default_rng(0)
    q, k = rng.standard_normal(16), rng.standard_normal(16)
    S = score_grid(q, k, np.arange(12))
    for offset in range(-11, 12):
        diagonal = np.diagonal(S, offset)
        assert np.ptp(diagonal) < 1e-12 * np.abs(S).max(), f"m - n = {-offset} varies"
    direct = rotate(q[None], [3])[0] @ rotate(k[None], [8])[0]
    assert S[3, 8] == pytest.approx(direct, abs=1e-13)


def test_error_by_position_takes_the_worst_feature_at_each_position():
    ref = np.zeros((2, 3, 5, 4))
    y = ref.copy()
    y[1, 2, 3, 0] = -0.5
    y[0, 0, 1, 3] = 0.25
    assert np.array_equal(error_by_position(y, ref), [0, 0.25, 0, 0.5, 0])
    with pytest.raises(ValueError, match="y and reference must have one shape"):
        error_by_position(y, ref[..., :2])


def test_position_interpolation_sees_no_new_angle_and_plain_rope_does():
    theta = frequencies(64)
    pi_theta, _ = scaled_frequencies(64, 10000.0, {"rope_type": "linear", "factor": 4.0})
    assert np.all(unseen_angle_ratio(pi_theta, theta, 4096, 4 * 4096) <= 1 + 1e-12)
    plain = unseen_angle_ratio(theta, theta, 4096, 4 * 4096)
    assert plain.max() == pytest.approx(4.0)  # the slowest pairs go 4x further than trained
    assert np.all(plain[wavelengths(theta) < 4096] == 1.0)  # fast pairs saw every angle


def test_unseen_angle_ratio_names_a_bad_length():
    theta = frequencies(8)
    with pytest.raises(ValueError, match="length must be > 0"):
        unseen_angle_ratio(theta, theta, 4096, 0)
