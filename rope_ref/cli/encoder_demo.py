"""``rope-ref demo``, encoder section: the NumPy RoFormer encoder against HF's
RoFormerModel on the same random weights, and its shift invariance (eq 16).

torch and transformers are imported inside ``run`` only: rope_ref itself never needs them,
and ``rope-ref demo`` runs this section only where both are installed
(``demo.OPTIONAL_SECTIONS``).
"""

from __future__ import annotations

import numpy as np

from rope_ref.model.encoder import encode, weights_from_hf_state_dict

FIELDS = {"vocab_size": 100, "hidden_size": 64, "num_attention_heads": 4,
          "num_hidden_layers": 2, "intermediate_size": 128, "max_position_embeddings": 32,
          "initializer_range": 0.2}  # fmt: skip


def run(seed: int = 0) -> None:
    import torch
    from transformers import RoFormerConfig, RoFormerModel

    torch.manual_seed(seed)
    config = RoFormerConfig(**FIELDS)
    model = RoFormerModel(config).eval()
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, FIELDS["vocab_size"], (2, 12))
    mask = np.ones_like(ids)
    mask[1, 8:] = 0
    cfg = config.to_dict()
    print("\n4. The NumPy RoFormer encoder (rope_ref.encode) vs HF RoFormerModel, same random")
    print(
        f"   weights: {FIELDS['num_hidden_layers']} layers, hidden {FIELDS['hidden_size']}, "
        f"{FIELDS['num_attention_heads']} heads; batch 2 x 12 tokens, row 2 padded from 8"
    )
    for dtype in (torch.float32, torch.float64):
        model = model.to(dtype)
        if dtype == torch.float64:  # HF rounds its sin/cos table to float32; use eq 15's
            _exact_table(model)
        with torch.no_grad():
            theirs = model(torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
        weights = weights_from_hf_state_dict(model.state_dict())
        ours = encode(weights, ids, config=cfg, attention_mask=mask)
        error = np.abs(ours - theirs.last_hidden_state.numpy()).max()
        print(f"   {str(dtype):>14}: max |rope_ref - HF| = {error:.2e}")

    print("\n5. Shifting every position by a constant leaves the output unchanged (eq 16):")
    m = np.arange(ids.shape[1], dtype=np.float64)
    base = encode(weights, ids, config=cfg, attention_mask=mask, positions=m)
    for shift in (1, 1000, 10**6):
        moved = encode(weights, ids, config=cfg, attention_mask=mask, positions=m + shift)
        print(f"   positions + {shift:>7}: max change {np.abs(moved - base).max():.2e} (float64)")
    long_ids = rng.integers(1, FIELDS["vocab_size"], (1, 1024))
    out = encode(weights, long_ids, config=cfg)
    print(f"   1024 tokens (HF's table stops at {FIELDS['max_position_embeddings']}): "
          f"output {out.shape}, all finite: {bool(np.isfinite(out).all())}")  # fmt: skip


def _exact_table(model) -> None:
    """Overwrite HF's float32-rounded sin/cos table with float64 values of eq 15."""
    import torch

    from rope_ref.paper.angles import angles
    from rope_ref.paper.frequencies import frequencies

    table = model.encoder.embed_positions.weight
    phi = angles(np.arange(table.shape[0]), frequencies(table.shape[1]))
    with torch.no_grad():
        table.copy_(torch.from_numpy(np.concatenate([np.sin(phi), np.cos(phi)], axis=1)))
