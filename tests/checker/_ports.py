"""Ports of whole models' RoPE, written from HF transformers' own rotary modules (tiny
random models of ``configs._families``): correct, and broken the way real ports break.

Each port is ``fn(x, positions, layer) -> y`` for ``rope_ref.checker.layers.check_model``:
x (batch, heads, seq, head_dim) float32, computed with the HF model's ``rotary_emb`` (its
float32 cos and sin) and its modeling module's ``apply_rotary_pos_emb``. ``PORTS`` lists
(label, case, port, the class each failing layer must be named by, or None).
"""

from __future__ import annotations

import numpy as np
import torch
import transformers
from configs._families import CASES
from configs._hf import build

_MODELS: dict = {}


def _model(case: str):
    if case not in _MODELS:
        _MODELS[case] = build(CASES[case][1])
    return _MODELS[case]


def _modeling(case: str):
    kind = CASES[case][1]["model_type"]
    name = {"gemma3_text": "gemma3", "llama4_text": "llama4"}.get(kind, kind)
    return getattr(getattr(transformers.models, name), f"modeling_{name}")


def _t(x, positions):
    return torch.as_tensor(x), torch.as_tensor(positions)[None]


def per_type(case: str, swap=None):
    """Gemma 3 / ModernBERT: cos, sin of the layer's own type; ``swap`` maps a layer type
    to the one a broken port takes instead (its base, its scaling)."""
    model, module = _model(case), _modeling(case)
    types = model.config.layer_types

    def fn(x, positions, layer):
        kind = types[layer]
        kind = (swap or {}).get(kind, kind)
        q, p = _t(x, positions)
        cos, sin = model.rotary_emb(q, p, kind)
        return module.apply_rotary_pos_emb(q, q, cos, sin)[0].numpy()

    return fn


def llama4(case: str, rotate_nope: bool = False):
    """Llama 4: complex interleaved pairs, no RoPE in its NoPE layers (``rotate_nope``:
    a port that rotates every layer)."""
    model, module = _model(case), _modeling(case)
    flags = model.config.no_rope_layers

    def fn(x, positions, layer):
        if not (flags[layer] or rotate_nope):
            return x
        q, p = _t(x, positions)
        q = q.transpose(1, 2)  # HF rotates (batch, seq, heads, d)
        freqs = model.rotary_emb(q, p)
        return module.apply_rotary_emb(q, q, freqs)[0].transpose(1, 2).numpy()

    return fn


def llama_like(case: str, ignore_partial: bool = False, nope: str = "skip"):
    """A Llama-style rotary (GPT-NeoX, GLM-4, SmolLM3): ``ignore_partial`` computes cos and
    sin over the whole head and rotates all of it (partial_rotary_factor ignored);
    ``nope="rotate"`` rotates the NoPE layers too."""
    model, module = _model(case), _modeling(case)
    rope = __import__("rope_ref").model_rope(CASES[case][1])

    def fn(x, positions, layer):
        if rope.layers[layer] is None and nope == "skip":
            return x
        q, p = _t(x, positions)
        if ignore_partial:
            d = q.shape[-1]
            base = rope.layers[0].base
            inv = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
            emb = torch.cat([p[..., None].float() * inv] * 2, dim=-1)
            cos, sin = emb.cos(), emb.sin()
        else:
            cos, sin = model.rotary_emb(q, p)
        return module.apply_rotary_pos_emb(q, q, cos, sin)[0].numpy()

    return fn


def longrope(case: str, switch: str = "hf"):
    """Phi-3's LongRoPE with the long factors chosen by ``switch``: "hf" (seq_len =
    max(position_ids) + 1 > original), ">=" (seq_len >= original), "last" (the last
    position > original)."""
    model, module = _model(case), _modeling(case)
    original = model.config.rope_parameters["original_max_position_embeddings"]
    init = transformers.modeling_rope_utils.ROPE_INIT_FUNCTIONS["longrope"]

    def fn(x, positions, layer):
        q, p = _t(x, positions)
        last = int(np.max(positions))
        long = {"hf": last + 1 > original, ">=": last + 1 >= original, "last": last > original}
        inv, factor = init(model.config, None, seq_len=original + 1 if long[switch] else None)
        emb = torch.cat([p[..., None].float() * inv] * 2, dim=-1)
        cos, sin = emb.cos() * factor, emb.sin() * factor
        return module.apply_rotary_pos_emb(q, q, cos, sin)[0].numpy()

    return fn


_LOCAL, _GLOBAL = "sliding_attention", "full_attention"
G3, MB, PHI = "gemma-3 (legacy keys)", "modernbert", "phi-3 (short factors)"
L4 = "llama-4 (NoPE layers)"
PORTS = [
    ("Gemma 3, HF's rotary", G3, lambda: per_type(G3), None),
    (
        "Gemma 3, sliding layers given the global base (vLLM #29111)",
        G3,
        lambda: per_type(G3, {_LOCAL: _GLOBAL}),
        "wrong_layer_base",
    ),
    (
        "Gemma 3, global layers given the local base",
        G3,
        lambda: per_type(G3, {_GLOBAL: _LOCAL}),
        "wrong_layer_base",
    ),
    ("ModernBERT, HF's rotary", MB, lambda: per_type(MB), None),
    (
        "ModernBERT, global layers given the local base",
        MB,
        lambda: per_type(MB, {_GLOBAL: _LOCAL}),
        "wrong_layer_base",
    ),
    (
        "Llama 4, HF's rotary",
        "llama-4 (NoPE layers)",
        lambda: llama4("llama-4 (NoPE layers)"),
        None,
    ),
    (
        "Llama 4, NoPE layers rotated",
        L4,
        lambda: llama4(L4, rotate_nope=True),
        "nope_layer_rotated",
    ),
    (
        "SmolLM3, NoPE layers rotated",
        "smollm3 (NoPE layers)",
        lambda: llama_like("smollm3 (NoPE layers)", nope="rotate"),
        "nope_layer_rotated",
    ),
    ("GPT-NeoX, HF's rotary", "gpt-neox (pythia)", lambda: llama_like("gpt-neox (pythia)"), None),
    (
        "GPT-NeoX, rotary_pct ignored (MaxText #4616)",
        "gpt-neox (pythia)",
        lambda: llama_like("gpt-neox (pythia)", ignore_partial=True),
        "partial_rotary_ignored",
    ),
    (
        "GLM-4, partial_rotary_factor ignored (mlx-lm #1698)",
        "glm-4",
        lambda: llama_like("glm-4", ignore_partial=True),
        "partial_rotary_ignored",
    ),
    ("Phi-3, HF's LongRoPE switch", PHI, lambda: longrope(PHI), None),
    (
        "Phi-3, long factors at seq_len >= original (unsloth #10681)",
        PHI,
        lambda: longrope(PHI, ">="),
        "longrope_threshold_off_by_one",
    ),
    (
        "Phi-3, the last position compared with original",
        PHI,
        lambda: longrope(PHI, "last"),
        "longrope_threshold_off_by_one",
    ),
]
