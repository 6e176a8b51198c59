"""The paper's claims at model level, on the NumPy encoder.

- eq 16: scores depend on m - n only, so shifting every position by a constant leaves
  the encoder's output unchanged;
- section 3.3 / the seed's "flexible sequence lengths": no position table, so the
  encoder runs far beyond ``max_position_embeddings`` (HF's RoFormerModel cannot);
- section 3.4.3, eqs 35-37: the long-term decay bound holds for the encoder's own
  scores, and on average its scores and attention fall with distance as the bound does.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rope_ref
from model._roformer_hf import build_hf, run_hf, state_dict_numpy
from rope_ref.model.attention import attention_scores
from rope_ref.model.encoder import _embed, _project_qkv, encode, weights_from_hf_state_dict
from rope_ref.paper.decay import pair_products, relative_upper_bound
from rope_ref.validation import check_roformer_config

SMALL = {
    "vocab_size": 50,
    "hidden_size": 32,
    "num_attention_heads": 2,
    "num_hidden_layers": 2,
    "intermediate_size": 64,
    "max_position_embeddings": 64,
}


def small_encoder(dtype, **fields):
    model, config = build_hf(4, dtype=dtype, **SMALL | fields)
    return weights_from_hf_state_dict(state_dict_numpy(model)), config, model


@pytest.mark.parametrize(
    ("dtype", "tolerance"),
    [(torch.float64, 1e-10), (torch.float32, 1e-5)],
    ids=["float64", "float32"],
)
@pytest.mark.parametrize("shift", [1, 1000, 123456, -77.5])
def test_shifting_every_position_leaves_the_output_unchanged(dtype, tolerance, shift):
    weights, config, _ = small_encoder(dtype, rotary_value=False)
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 50, (2, 24))
    mask = np.ones_like(ids)
    mask[1, 15:] = 0
    m = np.arange(24.0)
    base = encode(weights, ids, config=config, attention_mask=mask, positions=m)
    shifted = encode(weights, ids, config=config, attention_mask=mask, positions=m + shift)
    error = np.abs(shifted - base).max()
    assert error <= tolerance, f"shift {shift}: max change {error:.3g}"


def test_each_sequence_may_have_its_own_offset():
    weights, config, _ = small_encoder(torch.float64)
    ids = np.random.default_rng(6).integers(0, 50, (3, 20))
    m = np.arange(20.0) + np.array([[0.0], [5000.0], [-3.25]])  # (batch, seq)
    error = np.abs(
        encode(weights, ids, config=config, positions=m) - encode(weights, ids, config=config)
    ).max()
    assert error <= 1e-9


def test_rotary_value_breaks_shift_invariance():
    """With rotary_value (HF's option, not the paper's) the output carries R_n v_n,
    which depends on absolute n: the claim is about eq 16's scores, not v."""
    weights, config, _ = small_encoder(torch.float64, rotary_value=True)
    ids = np.random.default_rng(7).integers(0, 50, (1, 16))
    m = np.arange(16.0)
    error = np.abs(
        encode(weights, ids, config=config, positions=m + 1000)
        - encode(weights, ids, config=config, positions=m)
    ).max()
    assert error > 0.01


def test_runs_far_beyond_max_position_embeddings():
    """32x HF's table length: HF fails, rope_ref runs, and stays shift-invariant."""
    weights, config, model = small_encoder(torch.float64)
    seq = 32 * config["max_position_embeddings"]
    ids = np.random.default_rng(8).integers(0, 50, (1, seq))
    with pytest.raises(IndexError):
        run_hf(model, ids)
    out = encode(weights, ids, config=config)
    assert out.shape == (1, seq, 32) and np.all(np.isfinite(out))
    m = np.arange(seq, dtype=np.float64)
    assert np.abs(encode(weights, ids, config=config, positions=m + 10**5) - out).max() < 1e-8


def test_causal_long_run_agrees_with_hf_on_the_prefix_hf_can_see():
    """Causal (is_decoder): the first 64 outputs of a 2048-token run depend on those 64
    tokens only, and equal HF's outputs on them."""
    model, config = build_hf(9, dtype=torch.float64, exact_table=True, is_decoder=True, **SMALL)
    weights = weights_from_hf_state_dict(state_dict_numpy(model))
    ids = np.random.default_rng(9).integers(0, 50, (1, 2048))
    prefix = run_hf(model, ids[:, :64])
    out = encode(weights, ids, config=config)
    assert np.abs(out[:, :64] - prefix).max() <= 1e-10


def layer0_qk(weights, config, ids):
    """The encoder's own layer-0 queries and keys: two (batch, heads, seq, d) float64."""
    cfg = check_roformer_config(config)
    x = _embed(weights, ids, np.zeros_like(ids), cfg)
    q, k, _ = _project_qkv(weights, "layer.0.", x, cfg["num_attention_heads"])
    return q, k


DECAY = {
    "vocab_size": 50,
    "hidden_size": 128,
    "num_attention_heads": 2,
    "num_hidden_layers": 1,
    "intermediate_size": 128,
    "max_position_embeddings": 64,
}


def test_every_score_obeys_the_decay_bound_of_eq_37():
    """|q_m^T R_(n-m) k_n| <= max_i |h_(i+1) - h_i| * sum_j |S_j(m - n)| (eq 37) for the
    encoder's layer-0 heads, 32 queries against all 2048 keys (32x max positions)."""
    model, config = build_hf(3, dtype=torch.float64, **DECAY)
    weights = weights_from_hf_state_dict(state_dict_numpy(model))
    seq, d = 2048, 64
    q, k = layer0_qk(weights, config, np.random.default_rng(0).integers(0, 50, (1, seq)))
    n = np.arange(seq)
    scores = attention_scores(q, k, n) * np.sqrt(d)  # (1, heads, seq, seq)
    worst = 0.0
    for m in range(0, seq, 64):
        q_m = np.broadcast_to(q[0, :, m, None, :], k[0].shape)  # (heads, n, d)
        h = pair_products(q_m, k[0])  # (heads, n, d/2 + 1): h_i of eq 35, h_(d/2) = 0
        max_dh = np.abs(np.diff(h, axis=-1)).max(axis=-1)
        bound = max_dh * (d / 2) * relative_upper_bound(m - n, d)
        worst = max(worst, float((np.abs(scores[0, :, m, :]) / bound).max()))
    assert worst <= 1.0 + 1e-12, f"eq 37 violated: |score| / bound reaches {worst}"


def test_on_average_scores_and_attention_decay_with_distance_as_the_bound_does():
    """The premise of section 3.4.3 is a query that matches its key (h_i real and smooth);
    take W_k = W_q in layer 0 and a repeated token, for 50 tokens x 2 heads. The mean
    score of query 0 against key r, normalised by r = 0, falls bucket by bucket as the
    normalised bound does, tracks it, and attention to far tokens is tiny."""
    model, config = build_hf(3, dtype=torch.float64, **DECAY)
    weights = weights_from_hf_state_dict(state_dict_numpy(model))
    weights["layer.0.W_k"], weights["layer.0.b_k"] = weights["layer.0.W_q"], weights["layer.0.b_q"]
    seq, d = 2048, 64
    ids = np.arange(50)[:, None] * np.ones((1, seq), dtype=np.int64)
    q, k = layer0_qk(weights, config, ids)
    r = np.arange(seq)
    q_0 = rope_ref.rotate(q[:, :, :1], np.zeros(1))  # the query at m = 0
    scores = (q_0 @ np.swapaxes(rope_ref.rotate(k, r), -1, -2))[:, :, 0, :] / np.sqrt(d)
    mean_score = (scores / scores[..., :1]).mean(axis=(0, 1))  # (seq,): distance r
    bound = relative_upper_bound(r, d) / relative_upper_bound(0, d)
    buckets = [(1, 4), (4, 16), (16, 64), (64, 256), (256, 1024), (1024, 2048)]
    ours = np.array([mean_score[a:b].mean() for a, b in buckets])
    theirs = np.array([bound[a:b].mean() for a, b in buckets])
    assert np.all(np.diff(theirs) < 0) and np.all(np.diff(ours) < 0), (ours, theirs)
    assert np.corrcoef(ours, theirs)[0, 1] > 0.9, (ours, theirs)
    a = np.exp(scores - scores.max(axis=-1, keepdims=True))
    a /= a.sum(axis=-1, keepdims=True)
    near, far = a[..., 1:9].mean(), a[..., 1024:].mean()
    assert near > 1 / seq > far and near > 100 * far, (near, far)
