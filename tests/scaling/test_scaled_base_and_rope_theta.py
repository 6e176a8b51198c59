"""rope_ref.scaling.scaled takes base and rope_scaling['rope_theta'] together when they
agree. (When they disagree it is the row "base against rope_theta" of
tests/scaling/test_scaled_errors.py.)"""

from __future__ import annotations

from rope_ref import scaled_frequencies


def test_base_equal_to_rope_theta_is_accepted():
    theta, attention_factor = scaled_frequencies(
        64, 5e5, {"rope_type": "default", "rope_theta": 5e5}
    )
    assert attention_factor == 1.0
