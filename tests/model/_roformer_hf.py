"""Tiny random HF RoFormerModels built from RoFormerConfig (no hub), shared by the
encoder tests (tests/encoder is a package: ``from ._roformer_hf import ...``).
torch and transformers are imported here and in the tests, never by rope_ref."""

from __future__ import annotations

import math

import numpy as np
import torch
from transformers import RoFormerConfig, RoFormerModel

torch.set_num_threads(1)  # 2 cores are shared by `pytest -n 2`


def build_hf(seed: int = 0, *, dtype=torch.float32, exact_table: bool = False, **fields):
    """A RoFormerModel in eval mode with every parameter drawn at random (seeded).

    Linear weights ~ N(0, 1/fan_in) so that scores q.k/sqrt(d) are O(1) and RoPE
    visibly matters; embeddings ~ N(0, 1); LayerNorm gamma ~ 1 + N(0, 0.01); biases
    ~ N(0, 0.01). ``exact_table`` replaces HF's sin/cos table, which HF rounds to float32
    even in a float64 model, by the float64 values of eq 15.
    Returns (model, config dict).
    """
    config = RoFormerConfig(**fields)
    torch.manual_seed(seed)
    model = RoFormerModel(config).eval()
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g)
            if "embed_positions" in name:
                continue
            if "LayerNorm.weight" in name:
                p.copy_(1.0 + 0.1 * noise)
            elif p.ndim == 1:
                p.copy_(0.1 * noise)
            elif "embeddings." in name:
                p.copy_(noise)
            else:
                p.copy_(noise / math.sqrt(p.shape[1]))
    model = model.to(dtype)
    if exact_table:
        table = model.encoder.embed_positions.weight
        n, d = table.shape
        phi = np.arange(n)[:, None] * 10000.0 ** (-np.arange(0, d, 2) / d)
        with torch.no_grad():
            table.copy_(torch.from_numpy(np.concatenate([np.sin(phi), np.cos(phi)], axis=1)))
    return model, config.to_dict()


def run_hf(model, input_ids, attention_mask=None, token_type_ids=None) -> np.ndarray:
    """HF's last hidden states as a NumPy array (batch, seq, hidden)."""
    kwargs = {"input_ids": torch.from_numpy(np.asarray(input_ids, dtype=np.int64))}
    if attention_mask is not None:
        kwargs["attention_mask"] = torch.from_numpy(np.asarray(attention_mask, np.int64))
    if token_type_ids is not None:
        kwargs["token_type_ids"] = torch.from_numpy(np.asarray(token_type_ids, np.int64))
    with torch.no_grad():
        return model(**kwargs, use_cache=False).last_hidden_state.numpy()


def state_dict_numpy(model) -> dict[str, np.ndarray]:
    return {k: v.detach().numpy() for k, v in model.state_dict().items()}
