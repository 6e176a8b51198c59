"""rope_ref's encoder equals HF's RoFormerModel on the same random weights.

Findings recorded here (transformers 5.24, models/roformer/modeling_roformer.py):
- HF RoFormer pairs features (2i, 2i + 1): ``apply_rotary_position_embeddings`` builds
  (-q1, q0, -q3, q2, ...) and repeats each sin/cos twice; that is the paper's eq 34,
  rope_ref's ``layout="interleaved"``, with theta_i = 10000^(-2(i-1)/d) (eq 15).
- HF's sin/cos table is built in float64 and stored through ``torch.FloatTensor``, so it
  is rounded to float32 even in a float64 model (errors ~3e-8). For the float64 parity
  the table is replaced by its float64 values (``exact_table=True``).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers.models.roformer.modeling_roformer import RoFormerSelfAttention

import rope_ref
import rope_ref.model.attention
from model._roformer_hf import build_hf, run_hf, state_dict_numpy
from rope_ref.model.encoder import encode, weights_from_hf_state_dict

BASE = {"vocab_size": 97, "max_position_embeddings": 32, "type_vocab_size": 2}
CONFIGS = {
    "h2-d16-L1": {"hidden_size": 32, "num_attention_heads": 2, "num_hidden_layers": 1,
                  "intermediate_size": 64},
    "h3-d16-L2-rotary_value": {"hidden_size": 48, "num_attention_heads": 3,
                               "num_hidden_layers": 2, "intermediate_size": 96,
                               "rotary_value": True},
    "h8-d8-L3-embedding24": {"hidden_size": 64, "num_attention_heads": 8,
                             "num_hidden_layers": 3, "intermediate_size": 128,
                             "embedding_size": 24},
    "h4-d16-L2-embedding96-rotary_value-3types": {
        "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 2,
        "intermediate_size": 160, "embedding_size": 96, "rotary_value": True,
        "type_vocab_size": 3},
    "h2-d32-L2-decoder(causal)": {"hidden_size": 64, "num_attention_heads": 2,
                                  "num_hidden_layers": 2, "intermediate_size": 128,
                                  "is_decoder": True},
}  # fmt: skip
TOLERANCE = {torch.float32: 1e-5, torch.float64: 1e-10}


def batch_inputs(config: dict, seed: int = 0, batch: int = 3, seq: int = 17):
    """Ids, a padding mask (row 1 padded from 9 on, row 2 from 4 on) and token types."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, config["vocab_size"], (batch, seq))
    mask = np.ones((batch, seq), dtype=np.int64)
    mask[1, 9:] = 0
    mask[2, 4:] = 0
    types = rng.integers(0, config["type_vocab_size"], (batch, seq))
    return ids, mask, types


def max_difference(name: str, dtype) -> float:
    """max |rope_ref - HF| of the last hidden states for CONFIGS[name] in ``dtype``."""
    model, config = build_hf(
        1, dtype=dtype, exact_table=dtype == torch.float64, **BASE | CONFIGS[name]
    )
    ids, mask, types = batch_inputs(config)
    expected = run_hf(model, ids, mask, types)
    weights = weights_from_hf_state_dict(state_dict_numpy(model))
    ours = encode(weights, ids, config=config, attention_mask=mask, token_type_ids=types)
    assert ours.dtype == expected.dtype and ours.shape == expected.shape
    return float(np.abs(ours - expected).max())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_last_hidden_states_equal_hf(name, dtype):
    error = max_difference(name, dtype)
    assert error <= TOLERANCE[dtype], f"{name} {dtype}: max |rope_ref - HF| = {error:.3g}"


def test_hf_roformer_pairs_features_interleaved():
    """HF's rotation is rope_ref.rotate(layout="interleaved"), not the half-split one."""
    d, seq = 16, 40
    model, _ = build_hf(
        0,
        dtype=torch.float64,
        exact_table=True,
        hidden_size=32,
        num_attention_heads=2,
        max_position_embeddings=seq,
    )
    sinusoidal_pos = model.encoder.embed_positions(torch.Size([1, seq]))[None, None]
    q = np.random.default_rng(0).standard_normal((1, 2, seq, d))
    hf_q, _ = RoFormerSelfAttention.apply_rotary_position_embeddings(
        sinusoidal_pos, torch.from_numpy(q), torch.from_numpy(q)
    )
    m = np.arange(seq)
    interleaved = rope_ref.rotate(q, m, layout="interleaved")
    half = rope_ref.rotate(q, m, layout="half")
    assert np.abs(hf_q.numpy() - interleaved).max() < 1e-13
    assert np.abs(hf_q.numpy() - half).max() > 0.1


def test_hf_position_table_is_float32_even_in_float64():
    model, _ = build_hf(
        0, dtype=torch.float64, hidden_size=32, num_attention_heads=2, max_position_embeddings=64
    )
    table = model.encoder.embed_positions.weight.detach().numpy()
    phi = np.arange(64)[:, None] * rope_ref.frequencies(16)
    error = np.abs(table[:, :8] - np.sin(phi)).max()
    assert table.dtype == np.float64 and 1e-9 < error < 1e-7
    assert np.array_equal(table, table.astype(np.float32).astype(np.float64))


@pytest.mark.parametrize("rotary_value", [False, True])
def test_encoder_rotates_with_rope_ref_rotate(monkeypatch, rotary_value):
    """Every rotation the encoder makes is a call of rope_ref.rotate: 2 per layer (q, k),
    3 with rotary_value; and replacing that function's layout breaks HF parity."""
    model, config = build_hf(
        2,
        hidden_size=32,
        num_attention_heads=2,
        num_hidden_layers=2,
        intermediate_size=64,
        rotary_value=rotary_value,
        **BASE,
    )
    ids, mask, types = batch_inputs(config)
    weights = weights_from_hf_state_dict(state_dict_numpy(model))
    expected = run_hf(model, ids, mask, types)
    calls = []

    def spy(x, positions, **kwargs):
        calls.append(x.shape)
        return rope_ref.rotate(x, positions, **kwargs)

    monkeypatch.setattr(rope_ref.model.attention, "rotate", spy)
    ours = encode(weights, ids, config=config, attention_mask=mask, token_type_ids=types)
    assert len(calls) == 2 * (3 if rotary_value else 2)
    assert all(shape == (3, 2, 17, 16) for shape in calls)  # (batch, heads, seq, d)
    assert np.abs(ours - expected).max() <= 1e-5

    def half(x, positions, **kwargs):
        return rope_ref.rotate(x, positions, **kwargs | {"layout": "half"})

    monkeypatch.setattr(rope_ref.model.attention, "rotate", half)
    ours = encode(weights, ids, config=config, attention_mask=mask, token_type_ids=types)
    assert np.abs(ours - expected).max() > 0.1


def test_defaults_match_hf_defaults():
    """No attention_mask, no token_type_ids, default positions: HF's defaults too."""
    model, config = build_hf(5, dtype=torch.float64, exact_table=True, hidden_size=32,
                             num_attention_heads=2, num_hidden_layers=2, intermediate_size=64,
                             **BASE)  # fmt: skip
    ids, _, _ = batch_inputs(config, seed=5)
    weights = weights_from_hf_state_dict(state_dict_numpy(model))
    assert np.abs(encode(weights, ids, config=config) - run_hf(model, ids)).max() <= 1e-10
