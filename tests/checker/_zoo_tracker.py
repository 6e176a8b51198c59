"""Implementations with the bug classes of public issue trackers (issue 16), each named by
its class (docs/bug-classes.md).

Each is written the way the library the issue comes from writes it, in NumPy float32 (or
the model dtype through ml_dtypes): HF transformers' ``_compute_yarn_parameters`` and
``_compute_llama3_parameters`` transcribed with the misread rule, a cos/sin cache of L rows
gathered as ``jnp.take`` (clip) or a ring buffer (wrap) gathers it, position_ids held in a
16-bit field, ``apply_rotary_pos_emb`` called twice, ChatGLM's partial rotary on
``x[..., -rotary_dim:]``, vLLM's dynamic NTK base fixed for max_position_embeddings x
factor, DeepSeek's YaRN mscale applied without its mscale_all_dim ratio.
"""

from __future__ import annotations

import math

import numpy as np

from checker._zoo import LLAMA3, YARN, Mutant, _m, _scaled, cast, numpy_rope
from rope_ref.scaling.scaled import scaled_frequencies

F32 = np.float32


def _inv_freq(r: int, base: float) -> np.ndarray:
    """HF: 1 / base ** (arange(0, r, 2) / r) in float32."""
    return (F32(1.0) / (F32(base) ** (np.arange(0, r, 2, dtype=F32) / F32(r)))).astype(F32)


def cached_rope(
    x, positions, *, rows: int, mode: str, base=10000.0, layout="half", dtype="float32"
):
    """HF-style cos/sin cache of ``rows`` rows (row k: cos, sin of k x inv_freq, float32),
    gathered at the positions with ``np.take(mode=...)``: "clip" as jnp.take / XLA's
    gather clamps an out-of-range index, "wrap" as a ring-buffer cache reads row m mod
    rows. Row k of the cache is numpy_rope's float32 phase at m = k, so the rows read are
    turned by numpy_rope."""
    read = np.take(np.arange(rows), positions, mode=mode)  # the cache row each m gets
    return numpy_rope(x, read, base=base, layout=layout, dtype=dtype)


def field_positions_rope(x, positions, *, field=np.int16):
    """A kernel whose position field is 16-bit (``int16_t pos``, ``uint16_t pos``):
    position_ids cast to it wrap (int16: 65535 -> -1; uint16: 65536 -> 0), then the usual
    float32 RoPE (interleaved)."""
    m = np.asarray(positions).astype(field)
    return numpy_rope(x, m.astype(np.int64))


def twice_rope(x, positions, *, dtype="float32", layout="interleaved"):
    """apply_rotary_pos_emb called twice: once in the attention block, once again by a
    wrapper that was meant to replace it."""
    once = numpy_rope(x, positions, dtype=dtype, layout=layout)
    return numpy_rope(once, positions, dtype=dtype, layout=layout)


def last_features_rope(x, positions, *, rotary_dim: int, layout: str, dtype="float32", **impl):
    """Partial rotary on x[..., -rotary_dim:] (the pass-through features first), as
    ChatGLM and a NeoX port slicing the wrong end write it; impl: numpy_rope's (inv_freq
    and scale for a scaling variant)."""
    d = x.shape[-1]
    turned = numpy_rope(x[..., d - rotary_dim :], positions, layout=layout, dtype=dtype, **impl)
    return np.concatenate([cast(x[..., : d - rotary_dim], dtype).astype(turned.dtype), turned], -1)


def hf_yarn_inv_freq(r, base, factor, original, beta_fast, beta_slow, truncate=True):
    """HF's _compute_yarn_parameters (transformers 5.24) in float32: find_correction_range,
    linear_ramp_factor, the blend of interpolation and extrapolation."""

    def correction_dim(rotations):
        return (r * math.log(original / (rotations * 2 * math.pi))) / (2 * math.log(base))

    low, high = correction_dim(beta_fast), correction_dim(beta_slow)
    if truncate:
        low, high = math.floor(low), math.ceil(high)
    low, high = max(low, 0), min(high, r - 1)
    if low == high:
        high += 0.001
    pos_freqs = F32(base) ** (np.arange(0, r, 2, dtype=F32) / F32(r))
    extrapolation, interpolation = F32(1.0) / pos_freqs, F32(1.0) / (F32(factor) * pos_freqs)
    ramp = np.clip((np.arange(r // 2, dtype=F32) - F32(low)) / F32(high - low), 0, 1)
    extrapolation_factor = F32(1) - ramp.astype(F32)
    return (
        interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor
    ).astype(F32)


def hf_llama3_inv_freq(r, base, factor, low_freq_factor, high_freq_factor, original):
    """HF's _compute_llama3_parameters in float32, with the factors as given."""
    inv_freq = _inv_freq(r, base)
    low_freq_wavelen = original / low_freq_factor
    high_freq_wavelen = original / high_freq_factor
    wavelen = F32(2 * math.pi) / inv_freq
    inv_freq_llama = np.where(wavelen > low_freq_wavelen, inv_freq / F32(factor), inv_freq)
    smooth = (original / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed = (1 - smooth) * inv_freq_llama / F32(factor) + smooth * inv_freq_llama
    medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
    return np.where(medium, smoothed, inv_freq_llama).astype(F32)


def _fixed(label, expected, config, inv_freq, scale=1.0) -> Mutant:
    return _m(label, expected, config, inv_freq=inv_freq, scale=scale)


def _positions() -> list[Mutant]:
    half = {"d": 64, "layout": "half", "precision": "float32"}

    def cached(rows, mode):
        return lambda x, p: cached_rope(x, p, rows=rows, mode=mode)

    return [
        Mutant("position_ids held as int16 (wraps at 32768)", "positions_wrapped",
               field_positions_rope, {"d": 64, "precision": "float32"}),
        Mutant("uint16 position field, checked to 131071", "positions_wrapped",
               lambda x, p: field_positions_rope(x, p, field=np.uint16),
               {"d": 64, "precision": "float32", "max_position": 131071}),
        Mutant("4096-row cos/sin cache gathered with clipping (jnp.take)", "cache_too_short",
               cached(4096, "clip"), half),
        Mutant("32768-row ring-buffer cache (row m mod 32768)", "cache_too_short",
               cached(32768, "wrap"), half),
        Mutant("8192-row bf16 cache clipped, base 500000 d=128", "cache_too_short",
               lambda x, p: cached_rope(x, p, rows=8192, mode="clip", base=500000.0,
                                        dtype="bfloat16"),
               {"d": 128, "layout": "half", "base": 500000.0, "precision": "bfloat16"}),
        Mutant("rotary call skipped (q returned as it came)", "pairs_unrotated",
               lambda x, p: np.array(x), {"d": 64, "precision": "float32"}),
        Mutant("apply_rotary_pos_emb called twice", "rotated_twice", twice_rope,
               {"d": 64, "precision": "float32"}),
        Mutant("applied twice, half, bf16", "rotated_twice",
               lambda x, p: twice_rope(x, p, dtype="bfloat16", layout="half"),
               {"d": 64, "layout": "half", "precision": "bfloat16"}),
        Mutant("ChatGLM-style rotary on x[..., -32:]", "last_features_rotated",
               lambda x, p: last_features_rope(x, p, rotary_dim=32, layout="interleaved"),
               {"d": 64, "rotary_dim": 32, "precision": "float32"}),
        Mutant("NeoX rotary_pct 0.5 on the last half", "last_features_rotated",
               lambda x, p: last_features_rope(x, p, rotary_dim=32, layout="half"),
               {**half, "rotary_dim": 32}),
        Mutant("NeoX rotary_pct 0.25 on the last quarter", "last_features_rotated",
               lambda x, p: last_features_rope(x, p, rotary_dim=16, layout="half"),
               {**half, "rotary_dim": 16}),
        Mutant("NeoX rotary_pct 0.25 on the last quarter, bf16", "last_features_rotated",
               lambda x, p: last_features_rope(x, p, rotary_dim=16, layout="half",
                                               dtype="bfloat16"),
               {**half, "rotary_dim": 16, "precision": "bfloat16"}),
        Mutant("YaRN (attention factor) on the last 32 features", "last_features_rotated",
               lambda x, p: last_features_rope(x, p, rotary_dim=32, layout="half",
                                               inv_freq=_yarn_32[0], scale=_yarn_32[1]),
               {**half, "rotary_dim": 32, "rope_scaling": YARN}),
        Mutant("last quarter (half) at base 500000 where 10000 is stated",
               ("last_features_rotated", "wrong_base"),
               lambda x, p: last_features_rope(x, p, rotary_dim=16, layout="half",
                                               base=500000.0),
               {**half, "rotary_dim": 16}),
        Mutant("last quarter (half), positions m + 1", ("position_offset",
               "last_features_rotated"),
               lambda x, p: last_features_rope(x, p, rotary_dim=16, layout="half", offset=1),
               {**half, "rotary_dim": 16}),
    ]  # fmt: skip


#: YaRN's (theta, attention factor) over rotary_dim 32 at seq_len 65536 (as ``_scaled``).
_yarn_32 = scaled_frequencies(32, 10000.0, YARN, seq_len=65536)


DEEPSEEK_YARN = {
    "rope_type": "yarn",
    "factor": 40.0,
    "original_max_position_embeddings": 4096,
    "beta_fast": 32.0,
    "beta_slow": 1.0,
    "mscale": 1.0,
    "mscale_all_dim": 1.0,
}
GPT_OSS_YARN = {
    "rope_type": "yarn",
    "rope_theta": 150000.0,
    "factor": 32.0,
    "original_max_position_embeddings": 4096,
    "beta_fast": 32.0,
    "beta_slow": 1.0,
    "truncate": False,
}
DYNAMIC = {"rope_type": "dynamic", "factor": 4.0, "max_position_embeddings": 4096}


def _longrope(original: int, **length) -> dict:
    """A Phi-3-style LongRoPE dict over d = 64, distinct short and long factor lists."""
    return {
        "rope_type": "longrope",
        "short_factor": list(np.round(1.0 + np.linspace(0, 0.3, 32), 4)),
        "long_factor": list(np.round(np.geomspace(1.0, 40.0, 32), 4)),
        "original_max_position_embeddings": original,
        **length,
    }


def _variants() -> list[Mutant]:
    yarn = {"d": 64, "layout": "half", "precision": "float32"}
    deepseek = {**yarn, "rope_scaling": DEEPSEEK_YARN}
    _, yarn_factor = scaled_frequencies(64, 10000.0, YARN)
    oss = {**yarn, "rope_scaling": GPT_OSS_YARN}
    llama = {**yarn, "rope_scaling": LLAMA3}
    swapped = hf_llama3_inv_freq(64, 500000.0, 8.0, 4.0, 1.0, 8192)  # low and high swapped
    # checked to 131071 (4096 x 32) and to 65535 (max_position_embeddings 65536): seq_len is
    # past the original length, then the original length itself (short factors due)
    long_due, short_due = (
        _longrope(4096, factor=32.0),
        _longrope(65536, max_position_embeddings=65536),
    )
    vllm_dynamic = 10000.0 * ((4.0 * 16384 / 4096) - 3.0) ** (64 / 62)  # max_len = L x 4
    return [
        _scaled("DeepSeek YaRN: mscale without the mscale_all_dim ratio",
                "attention_factor_wrong", deepseek, scale=0.1 * math.log(40.0) + 1),
        _scaled("YaRN mscale on the softmax scale: sqrt on cos/sin", "attention_factor_wrong",
                {**yarn, "rope_scaling": YARN}, scale=math.sqrt(yarn_factor)),
        _fixed("gpt-oss YaRN, truncate=False ignored", "yarn_truncate_ignored", oss,
               hf_yarn_inv_freq(64, 150000.0, 32.0, 4096, 32.0, 1.0, truncate=True),
               scale=0.1 * math.log(32.0) + 1),
        _fixed("YaRN with beta_fast and beta_slow swapped", "yarn_beta_swapped",
               {**yarn, "rope_scaling": YARN},
               hf_yarn_inv_freq(64, 10000.0, 8.0, 4096, 1.0, 32.0), scale=yarn_factor),
        _fixed("llama3 low_freq_factor and high_freq_factor swapped", "llama3_bands_swapped",
               llama, swapped),
        _scaled("Phi-3 LongRoPE: short factors past 4096", "longrope_wrong_factors",
                {**yarn, "rope_scaling": long_due}, use={**long_due, "long_factor":
                long_due["short_factor"]}),
        _scaled("LongRoPE long factors at seq_len = original (>=)",
                "longrope_threshold_off_by_one", {**yarn, "rope_scaling": short_due},
                use={**short_due, "short_factor": short_due["long_factor"]}),
        _fixed("vLLM-style dynamic NTK: base fixed for max_position x factor",
               "dynamic_ntk_wrong_length", {**yarn, "rope_scaling": DYNAMIC},
               _inv_freq(64, vllm_dynamic)),
        _fixed("NTK-scaled base 10000 * 8^(64/62) where plain 10000 is stated", "wrong_base",
               yarn, _inv_freq(64, 10000.0 * 8.0 ** (64 / 62))),
    ]  # fmt: skip


TRACKER: list[Mutant] = _positions() + _variants()
