"""rope_type "ntk" (not an HF type) and "linear" against rotary-embedding-torch:
``theta_rescale_factor`` is bloc97's NTK-aware base b s^(d/(d-2)), and
``interpolate_factor`` divides positions (PI). Its frequencies are float32, so the
comparison uses the float32 reading of ``scaled_theta_error_bound`` (as in
test_hf_rope_init.py)."""

import numpy as np
import pytest
import torch
from rotary_embedding_torch import RotaryEmbedding

from rope_ref import rotate, scaled_frequencies, scaled_theta_error_bound


@pytest.mark.parametrize("dim, base, factor", [(64, 1e4, 8.0), (128, 5e5, 4.0), (32, 1e4, 2.5)])
def test_ntk_is_theta_rescale_factor(dim, base, factor):
    rs = {"rope_type": "ntk", "factor": factor}
    emb = RotaryEmbedding(dim, theta=base, theta_rescale_factor=factor)
    theirs = emb.freqs.detach().double().numpy()
    ours, attention_factor = scaled_frequencies(dim, base, rs)
    tol = scaled_theta_error_bound(dim, base, rs) * 2.0**29 + 8 * 2.0**-24
    assert attention_factor == 1.0
    assert np.all(np.abs(ours - theirs) <= tol * ours)


def test_linear_is_interpolate_factor():
    emb = RotaryEmbedding(32, interpolate_factor=4.0)
    rng = np.random.default_rng(0)
    q = rng.standard_normal((1, 2, 10, 32)).astype(np.float32)
    theirs = emb.rotate_queries_or_keys(torch.from_numpy(q)).double().numpy()
    ours = rotate(
        q.astype(np.float64), np.arange(10), rope_scaling={"rope_type": "linear", "factor": 4.0}
    )
    np.testing.assert_allclose(theirs, ours, atol=1e-5)
