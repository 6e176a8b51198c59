"""The real torch implementations the interop tests check, each as ``fn(x, positions)``.

Every function runs the library's own code (no copies, no mocks) on tiny configurations
built from configs, nothing downloaded: HF transformers' Llama rotary embedding and
GPT-J's interleaved functions, and rotary-embedding-torch's RotaryEmbedding. Keyword
arguments break them the way real bugs happen.
"""

from __future__ import annotations

import numpy as np
import torch
from rotary_embedding_torch import RotaryEmbedding
from transformers import GPTJConfig, LlamaConfig
from transformers.models.gptj.modeling_gptj import GPTJRotaryEmbedding
from transformers.models.gptj.modeling_gptj import apply_rotary_pos_emb as gptj_apply
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb

torch.set_num_threads(1)


def _numpy(y: torch.Tensor) -> np.ndarray:
    """float16/32/64 tensors as they are; bfloat16 as float32 holding bf16 values."""
    return (y.float() if y.dtype == torch.bfloat16 else y).numpy()


def hf_llama(
    head_dim: int = 64,
    rope_parameters: dict | None = None,
    *,
    dtype=torch.float32,
    max_position_embeddings: int = 4096,
    position_shift: int = 0,
    buffers_to_bf16: bool = False,
    drop_attention_scaling: bool = False,
):
    """HF Llama: LlamaRotaryEmbedding(config)(x, position_ids) + apply_rotary_pos_emb.

    x (batch, heads, seq, head_dim) is q as HF's attention holds it. Mistakes:
    position_shift (position_ids off by one), buffers_to_bf16 (``module.to(bfloat16)``
    casts inv_freq to bfloat16 before the phase), drop_attention_scaling (cos and sin not
    multiplied by YaRN's / LongRoPE's attention factor).
    """
    config = LlamaConfig(
        hidden_size=2 * head_dim,
        num_attention_heads=2,
        num_key_value_heads=2,
        head_dim=head_dim,
        intermediate_size=8,
        num_hidden_layers=1,
        vocab_size=16,
        max_position_embeddings=max_position_embeddings,
        rope_parameters=dict(rope_parameters or {"rope_type": "default", "rope_theta": 10000.0}),
    )
    rotary = LlamaRotaryEmbedding(config)
    if buffers_to_bf16:
        rotary = rotary.to(torch.bfloat16)
    if drop_attention_scaling:
        rotary.attention_scaling = 1.0

    def fn(x, positions):
        q = torch.from_numpy(x).to(dtype)
        position_ids = torch.from_numpy(positions)[None, :] + position_shift
        with torch.no_grad():
            cos, sin = rotary(q, position_ids)
            q_embed, _ = apply_rotary_pos_emb(q, q, cos, sin)
        return _numpy(q_embed)

    return fn


def hf_gptj(head_dim: int = 64, rotary_dim: int = 32, *, dtype=torch.float32, position_shift=0):
    """GPT-J: GPTJRotaryEmbedding's sin/cos table and ``apply_rotary_pos_emb`` (which uses
    ``rotate_every_two``: interleaved pairs) on the first rotary_dim features, as
    GPTJAttention does. GPT-J's base is fixed at 10000."""
    config = GPTJConfig(
        n_embd=2 * head_dim,
        n_head=2,
        rotary_dim=rotary_dim,
        n_positions=65536 + 8,  # room for a shifted position 65535
        n_layer=1,
        vocab_size=16,
        bos_token_id=0,
        eos_token_id=0,
    )
    rotary = GPTJRotaryEmbedding(config)

    def fn(x, positions):
        q = torch.from_numpy(x).to(dtype).transpose(1, 2)  # GPT-J: (batch, seq, heads, d)
        position_ids = torch.from_numpy(positions)[None, :].expand(q.shape[0], -1)
        with torch.no_grad():
            sin, cos = rotary(q, position_ids + position_shift)
            q_rot = gptj_apply(q[..., :rotary_dim], sin, cos)
        return _numpy(torch.cat([q_rot, q[..., rotary_dim:]], -1).transpose(1, 2))

    return fn


def rotary_embedding_torch(dim: int = 64, *, dtype=torch.float32, **kwargs):
    """rotary-embedding-torch: ``RotaryEmbedding(dim, **kwargs).rotate_queries_or_keys``.

    The library numbers positions 0..seq-1 plus ``offset``, so position m is rotated as a
    sequence of one at offset m. kwargs: theta, theta_rescale_factor, interpolate_factor.
    """
    rotary = RotaryEmbedding(dim, **kwargs)

    def fn(x, positions):
        t = torch.from_numpy(x).to(dtype)
        with torch.no_grad():
            rotated = [
                rotary.rotate_queries_or_keys(t[:, :, j : j + 1], offset=int(m))
                for j, m in enumerate(positions)
            ]
        return _numpy(torch.cat(rotated, dim=2))

    return fn
