"""Run a tiny random HF transformers model and capture what each layer's rotary function
does: q and k before and after the call, per layer.

``capture(config, positions)`` builds ``AutoModel.from_config`` from the same dict that
``rope_ref.model_rope`` reads (reduced widths and layers, the RoPE fields of the real
model), wraps the modeling module's rotary function (``FUNCTIONS``), runs one forward at
``positions`` and returns {layer: [(x_before, x_after, seq_axis), ...]}: every tensor the
function rotated in that layer, q and k alike, as float64 NumPy arrays. The rotary
function is called only in layers that apply RoPE, so the keys are HF's RoPE layers.
"""

from __future__ import annotations

import copy
import re
from contextlib import contextmanager

import numpy as np
import torch
import transformers
from transformers import AutoConfig, AutoModel

from rope_ref.checker.precision import tolerance
from rope_ref.paper.layouts import to_half_layout

# model_type -> (modeling module, [(attribute, kind)]): kind says how the rotary function
# takes its tensors ("qk": (q, k, ...) -> (q, k); "one": (x, ...) -> x; "gptj": (x, sin,
# cos) -> x; "roformer": (sinusoidal_pos, q, k[, v]) -> (q, k[, v])).
FUNCTIONS = {
    "qwen2_vl_text": ("qwen2_vl", [("apply_rotary_pos_emb", "qk")]),
    "qwen2_5_vl_text": ("qwen2_5_vl", [("apply_rotary_pos_emb", "qk")]),
    "qwen3_vl_text": ("qwen3_vl", [("apply_rotary_pos_emb", "qk")]),
    "gemma4_text": ("gemma4", [("apply_rotary_pos_emb", "one")]),
    "gptj": ("gptj", [("apply_rotary_pos_emb", "gptj")]),
    "deepseek_v2": ("deepseek_v2", [("apply_rotary_emb", "qk")]),
    "deepseek_v3": (
        "deepseek_v3",
        [("apply_rotary_pos_emb", "qk"), ("apply_rotary_pos_emb_interleave", "qk")],
    ),
    "llama4_text": ("llama4", [("apply_rotary_emb", "qk")]),
    "roformer": (
        "roformer",
        [("RoFormerSelfAttention.apply_rotary_position_embeddings", "roformer")],
    ),
    "gemma3_text": ("gemma3", [("apply_rotary_pos_emb", "qk")]),
}
#: The sequence axis of the tensors each family's rotary function takes.
SEQ_AXIS = {"gemma4_text": 1, "gptj": 1, "llama4_text": 1}
_LAYER = re.compile(r"(?:^|\.)(?:layers|h|layer)\.(\d+)\.(?:self_attn|attention|attn)(?:\.self)?$")
_TINY = {
    "vocab_size": 64,
    "intermediate_size": 64,
    "pad_token_id": 0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "attn_implementation": "eager",
}


def build(config: dict):
    """A tiny random HF model of ``config`` (float32, eval mode, seeded)."""
    torch.manual_seed(0)
    config = copy.deepcopy(config)  # HF's config classes edit the dicts they are given
    fields = {**_TINY, **{k: v for k, v in config.items() if k != "model_type"}}
    hf_config = AutoConfig.for_model(config["model_type"], **fields)
    return AutoModel.from_config(hf_config).eval()


def capture(config: dict, positions) -> tuple[dict[int, list], object]:
    """({layer: [(x_before, x_after, seq_axis), ...]}, HF's config) for one forward at
    ``positions``."""
    model = build(config)
    seen: dict[int, list] = {}
    current = {"layer": None}
    for name, module in model.named_modules():
        match = _LAYER.search(name)
        if match:
            index = int(match.group(1))
            module.register_forward_pre_hook(lambda *_, i=index: current.update(layer=i))
    kind = config["model_type"]
    axis = SEQ_AXIS.get(kind, 2)
    ids = torch.arange(np.shape(positions)[-1]).remainder(60)[None] + 2
    with _wrapped(kind, lambda pairs: seen.setdefault(current["layer"], []).extend(pairs), axis):
        with torch.no_grad():
            if kind == "roformer":
                model(input_ids=ids)
            elif kind.endswith("_vl_text"):  # M-RoPE's (t, h, w): (3, seq), or text's (seq,)
                p = torch.as_tensor(
                    np.array(np.broadcast_to(positions, (3, np.shape(positions)[-1])))
                )
                model(input_ids=ids[:, : p.shape[-1]], position_ids=p[:, None].contiguous())
            else:
                model(input_ids=ids, position_ids=torch.as_tensor(positions)[None])
    return seen, model.config


@contextmanager
def _wrapped(kind: str, record, axis: int):
    module_name, targets = FUNCTIONS.get(kind, (kind, [("apply_rotary_pos_emb", "qk")]))
    module = getattr(transformers.models, module_name)
    module = getattr(module, f"modeling_{module_name}")
    saved = []
    for target, style in targets:
        owner, attr = module, target
        if "." in target:
            owner_name, attr = target.split(".")
            owner = getattr(module, owner_name)
        original = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
        fn = original.__func__ if isinstance(original, staticmethod) else original
        wrapper = _wrapper(fn, style, record, axis)
        saved.append((owner, attr, original))
        setattr(owner, attr, staticmethod(wrapper) if isinstance(owner, type) else wrapper)
    try:
        yield
    finally:
        for owner, attr, original in saved:
            setattr(owner, attr, original)


def _wrapper(fn, style: str, record, axis: int):
    def call(*args, **kwargs):
        out = fn(*args, **kwargs)
        if style == "qk":
            inputs, outputs = args[:2], out[:2]
        elif style == "roformer":
            inputs, outputs = args[1:], out
        else:
            inputs, outputs = args[:1], (out,)
        record(
            [(_np(a), _np(b), axis) for a, b in zip(inputs, outputs, strict=False) if a is not None]
        )
        return out

    return call


def _np(t) -> np.ndarray:
    return t.detach().to(torch.float64).numpy()


def compare(spec, before: np.ndarray, after: np.ndarray, axis: int, positions) -> tuple:
    """(max |rope_ref - HF|, its largest ratio to the float32 tolerance, whether every
    feature past the rotated ones came through unchanged) for one tensor.

    before/after: HF's tensor before and after the rotary call, seq on ``axis``. A
    function that sees only the rotated slice (GPT-J, DeepSeek) gets it placed at the
    spec's offset in a zero head. The tolerance is the checker's float32 error model
    (``rope_ref.checker.precision``): HF forms the phase m theta_i in float32.
    """
    x, y = np.moveaxis(before, axis, -2), np.moveaxis(after, axis, -2)
    start = spec.offset
    if x.shape[-1] != spec.head_dim:  # the function was given the rotated slice only
        full = np.zeros(x.shape[:-1] + (spec.head_dim,))
        full[..., start : start + x.shape[-1]] = x
        ours = spec.rotate(full, positions)[..., start : start + x.shape[-1]]
        start = 0
    else:
        ours = spec.rotate(x, positions)
    rotated = slice(start, start + spec.rotary_dim)
    theta, factor = spec.frequencies(int(np.max(positions)) + 1)
    positions = np.asarray(positions)
    if positions.ndim == 2:  # M-RoPE: pair i turns by p_(a(i)) theta_i
        phi = positions[spec.axes].T * theta
    else:
        phi = np.outer(positions, theta)
    tol = tolerance(
        x[..., rotated],
        phi,
        layout=spec.layout,
        rotary_dim=spec.rotary_dim,
        scale=factor,
        precision="float32",
    )
    if spec.output_layout != spec.layout:
        tol = to_half_layout(tol)  # the rotated pairs are written half-split
    err = np.abs(ours - y)
    passed = np.delete(err, np.arange(rotated.start, rotated.stop), axis=-1)
    return float(np.max(err)), float(np.max(err[..., rotated] / tol)), not np.any(passed)
