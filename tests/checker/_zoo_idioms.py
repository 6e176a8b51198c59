"""Correct implementations written in the idioms of real code (issue 16): each must pass.

Each idiom computes theta, the phase and the rotation the way a real library's source does,
in NumPy with that library's dtypes (ml_dtypes for bfloat16), independently of rope_ref:

- ``pow`` (``real_rope``'s default): HF transformers' Llama rotary: inv_freq =
  1 / base ** (arange(0, r, 2) / r) in
  float32, positions as float32, cos/sin of cat(freqs, freqs) in float32 cast to the model
  dtype, q cos + rotate_half(q) sin in the model dtype (NeoX's rotate_half, partial rotary
  as GPT-NeoX's rotary_pct).
- ``div_term``: the sinusoidal div_term exp(arange(0, r, 2) * -(ln base / r)) (the
  Annotated Transformer, fairseq), the scalar from Python's float64 log; ``div_term32``
  with every step in float32 (log, division and product).
- ``mlx``: mlx's Metal fast.rope kernel: inv_freq = exp2(-(i / (r/2)) log2 base), float32
  (mlx's CPU fallback, exp(-i * (ln base / (r/2))), is ``div_term``'s numbers exactly).
- ``ggml``: llama.cpp's ggml_rope_cache_init: theta = p, then theta *= base^(-2/r) from
  pair to pair (the phase by repeated multiplication), float32.
- ``meta_rope``: Meta's llama freqs_cis = polar(1, outer(t, freqs)) in complex64, x as complex
  pairs times freqs_cis, then type_as(x).
- ``gptj_rope``: GPT-J's create_sinusoidal_positions table [sin | cos] in float32 and
  rotate_every_two, interleaved.
- ``gemma_jax``: Gemma's JAX rope: phase = m / base ** (2 i / r), a division.
- ``fused``: flash-attn's / vLLM's fused kernels: every product in float32, the output
  rounded once to the model dtype.
- ``scaled_rope`` with ``hf_llama3_inv_freq`` / ``hf_yarn_inv_freq``: HF's
  _compute_llama3_parameters and _compute_yarn_parameters in float32 (wavelen = 2 pi /
  inv_freq, the smooth blend; the correction range in Python floats, floor/ceil, the
  float32 ramp and blend, the attention factor 0.1 ln s + 1 on cos and sin).
"""

from __future__ import annotations

import math

import numpy as np

from checker._zoo import LLAMA3, YARN, Mutant, cast

F32 = np.float32


def _angle_dtype(dtype: str) -> type:
    return np.float64 if dtype == "float64" else F32


def _pow_inv_freq(r: int, base: float, ad) -> np.ndarray:
    """HF, NeoX, torchtune: 1 / base ** (arange(0, r, 2) / r)."""
    return (ad(1.0) / (ad(base) ** (np.arange(0, r, 2, dtype=ad) / ad(r)))).astype(ad)


def _div_term(r: int, base: float, ad, all_in_dtype: bool = False) -> np.ndarray:
    """exp(arange(0, r, 2) * -(ln base / r)): the scalar rounded to the angle dtype once
    (Python's float64 log), or log and division each in it."""
    if all_in_dtype:
        c = -(np.log(ad(base)) / ad(r))
    else:
        c = ad(-(math.log(base) / r))
    return np.exp(np.arange(0, r, 2, dtype=ad) * c).astype(ad)


def _mlx_inv_freq(r: int, base: float, ad) -> np.ndarray:
    """mlx rope kernel: d = i / (r/2); inv_freq = exp2(-d * log2(base)), float32."""
    d = np.arange(r // 2, dtype=ad) / ad(r // 2)
    return np.exp2(-d * ad(math.log2(base))).astype(ad)


def _gemma_phase(m: np.ndarray, r: int, base: float, ad) -> np.ndarray:
    """Gemma (JAX): timescale = base ** (2 arange(r/2) / r); phase = m / timescale."""
    fraction = ad(2) * np.arange(r // 2, dtype=ad) / ad(r)
    timescale = (ad(base) ** fraction).astype(ad)
    return (m[:, None] / timescale[None, :]).astype(ad)


def _ggml_phase(m: np.ndarray, r: int, base: float, ad) -> np.ndarray:
    """ggml_rope_cache_init: theta = p; per pair cos/sin(theta), theta *= theta_scale,
    theta_scale = powf(base, -2.0f / n_dims): the phase by repeated multiplication."""
    scale = ad(base) ** ad(-2.0 / r)
    out = np.empty((m.size, r // 2), dtype=ad)
    theta = m.astype(ad)
    for i in range(r // 2):
        out[:, i] = theta
        theta = (theta * scale).astype(ad)
    return out


#: The ways of computing theta (and the phase) that ``real_rope`` knows.
THETA_IDIOMS = ("pow", "div_term", "div_term32", "mlx", "ggml", "gemma_jax")


def idiom_phase(kind: str, m, r: int, base: float, dtype: str) -> np.ndarray:
    """(seq, r/2) phase m theta_i as idiom ``kind`` (``THETA_IDIOMS``) computes it, in the
    angle dtype of ``dtype`` (float64 for float64, else float32); m: (seq,) positions."""
    ad = _angle_dtype(dtype)
    m = np.asarray(m).astype(ad)
    if kind == "ggml":
        return _ggml_phase(m, r, base, ad)
    if kind == "gemma_jax":
        return _gemma_phase(m, r, base, ad)
    inv_freq = {
        "pow": lambda: _pow_inv_freq(r, base, ad),
        "div_term": lambda: _div_term(r, base, ad),
        "div_term32": lambda: _div_term(r, base, ad, all_in_dtype=True),
        "mlx": lambda: _mlx_inv_freq(r, base, ad),
    }[kind]()
    return (m[:, None] * inv_freq[None, :]).astype(ad)  # outer(t, inv_freq), one rounding


def _rotate(x, cos, sin, layout: str, r: int, dtype: str, fused: bool) -> np.ndarray:
    """eq 34 on the first r features: x cos + rot(x) sin; cos, sin: (seq, r/2) in the
    angle dtype. fused: computed in the angle dtype, the output rounded once (flash-attn);
    else cos/sin cast to dtype and each product and the sum rounded to it (HF)."""
    if layout == "half":  # cat(freqs, freqs), rotate_half
        cos, sin = np.concatenate([cos, cos], -1), np.concatenate([sin, sin], -1)
    else:  # repeat_interleave(2), rotate_every_two
        cos, sin = np.repeat(cos, 2, -1), np.repeat(sin, 2, -1)
    work = cos.dtype.type if fused else None
    xr = x[..., :r].astype(work) if fused else cast(x[..., :r], dtype)
    if layout == "half":
        rot = np.concatenate([-xr[..., r // 2 :], xr[..., : r // 2]], -1)
    else:
        rot = np.stack([-xr[..., 1::2], xr[..., 0::2]], -1).reshape(xr.shape)
    if fused:
        y = cast(xr * cos + rot * sin, dtype)
    else:
        cos, sin = cast(cos, dtype), cast(sin, dtype)
        y = cast(cast(xr * cos, dtype) + cast(rot * sin, dtype), dtype)
    return np.concatenate([y, cast(x[..., r:], dtype)], -1)


def real_rope(
    x,
    positions,
    *,
    theta: str = "pow",
    base: float = 10000.0,
    layout: str = "half",
    rotary_dim: int | None = None,
    dtype: str = "float32",
    fused: bool = False,
) -> np.ndarray:
    """A correct RoPE in a real library's idiom (module docstring): ``theta`` one of pow,
    div_term, div_term32, mlx, ggml, gemma_jax; x: (batch, heads, seq, d); positions (seq,)
    int64 (held as float32 in the angle dtype, as arange(seq).float() is: exact below 2^24).
    Returns (batch, heads, seq, d) in dtype (bfloat16 values held in float32)."""
    r = rotary_dim or x.shape[-1]
    phase = idiom_phase(theta, positions, r, base, dtype)
    return _rotate(x, np.cos(phase), np.sin(phase), layout, r, dtype, fused)


def meta_rope(x, positions, *, base: float = 10000.0, dtype: str = "float32") -> np.ndarray:
    """Meta llama's apply_rotary_emb: freqs_cis = polar(1, outer(t, freqs)) complex64;
    view_as_complex(x.float() pairs) * freqs_cis; view_as_real; type_as(x). Interleaved."""
    d = x.shape[-1]
    freqs = _pow_inv_freq(d, base, F32)
    angles = (np.asarray(positions).astype(F32)[:, None] * freqs[None, :]).astype(F32)
    freqs_cis = (np.cos(angles) + 1j * np.sin(angles)).astype(np.complex64)  # torch.polar
    xf = np.asarray(x, F32).reshape(*x.shape[:-1], d // 2, 2)
    xc = (xf[..., 0] + 1j * xf[..., 1]).astype(np.complex64)
    out = (xc * freqs_cis).astype(np.complex64)
    return cast(np.stack([out.real, out.imag], -1).reshape(x.shape), dtype)


def gptj_rope(
    x, positions, *, base: float = 10000.0, rotary_dim: int | None = None, dtype="float32"
):
    """GPT-J: embed_positions = cat(sin(sinusoid_inp), cos(sinusoid_inp)) in float32 (the
    table, indexed by position_ids), sin and cos repeat_interleave(2), (x cos) +
    (rotate_every_two(x) sin) on x[..., :rotary_dim], then cat with x[..., rotary_dim:]."""
    r = rotary_dim or x.shape[-1]
    inv_freq = _pow_inv_freq(r, base, F32)
    sinusoid_inp = (np.asarray(positions).astype(F32)[:, None] * inv_freq[None, :]).astype(F32)
    table = np.concatenate([np.sin(sinusoid_inp), np.cos(sinusoid_inp)], -1)
    sin, cos = table[:, : r // 2], table[:, r // 2 :]
    return _rotate(x, cos, sin, "interleaved", r, dtype, fused=False)


def hf_llama3_inv_freq(r: int, base: float, cfg: dict) -> tuple[np.ndarray, float]:
    """HF's _compute_llama3_parameters, float32: theta / factor past the low-frequency
    wavelength, theta before the high one, the smooth blend between."""
    inv_freq = _pow_inv_freq(r, base, F32)
    factor, old = cfg["factor"], cfg["original_max_position_embeddings"]
    low, high = cfg["low_freq_factor"], cfg["high_freq_factor"]
    wavelen = (F32(2 * math.pi) / inv_freq).astype(F32)
    llama = np.where(wavelen > old / low, inv_freq / F32(factor), inv_freq).astype(F32)
    smooth = ((F32(old) / wavelen - F32(low)) / F32(high - low)).astype(F32)
    smoothed = ((1 - smooth) * llama / F32(factor) + smooth * llama).astype(F32)
    medium = ~(wavelen < old / high) & ~(wavelen > old / low)
    return np.where(medium, smoothed, llama).astype(F32), 1.0


def hf_yarn_inv_freq(r: int, base: float, cfg: dict) -> tuple[np.ndarray, float]:
    """HF's _compute_yarn_parameters, float32 (beta_fast 32, beta_slow 1, truncate)."""
    factor, old = cfg["factor"], cfg["original_max_position_embeddings"]

    def correction_dim(rotations):  # in Python floats, as HF's find_correction_dim
        return (r * math.log(old / (rotations * 2 * math.pi))) / (2 * math.log(base))

    low = max(math.floor(correction_dim(32.0)), 0)
    high = min(math.ceil(correction_dim(1.0)), r - 1)
    pos_freqs = (F32(base) ** (np.arange(0, r, 2, dtype=F32) / F32(r))).astype(F32)
    extrapolation = (F32(1.0) / pos_freqs).astype(F32)
    interpolation = (F32(1.0) / (F32(factor) * pos_freqs)).astype(F32)
    ramp = np.clip((np.arange(r // 2, dtype=F32) - F32(low)) / F32(high - low), 0, 1)
    extra = (1 - ramp).astype(F32)
    inv_freq = (interpolation * (1 - extra) + extrapolation * extra).astype(F32)
    return inv_freq, 0.1 * math.log(factor) + 1.0


def scaled_rope(x, positions, *, scaling, cfg: dict, base: float, dtype="float32"):
    """HF's rotary for a scaled variant: inv_freq from ``scaling`` (hf_llama3_inv_freq or
    hf_yarn_inv_freq), cos and sin times the attention factor in float32, cast to dtype,
    rotate_half (layout half)."""
    r = x.shape[-1]
    inv_freq, attention = scaling(r, base, cfg)
    phase = (np.asarray(positions).astype(F32)[:, None] * inv_freq[None, :]).astype(F32)
    cos, sin = np.cos(phase) * F32(attention), np.sin(phase) * F32(attention)
    return _rotate(x, cos, sin, "half", r, dtype, fused=False)


def _idiom(label: str, config: dict, fn, **impl) -> Mutant:
    impl.setdefault("base", config.get("base", 10000.0))
    impl.setdefault("dtype", config["precision"])

    def run(x, positions):
        return fn(x, positions, **impl)

    return Mutant(label, None, run, config)


def _real(label: str, config: dict, **impl) -> Mutant:
    impl.setdefault("layout", config.get("layout", "interleaved"))
    impl.setdefault("rotary_dim", config.get("rotary_dim"))
    return _idiom(label, config, real_rope, **impl)


def _cfg(d, precision, layout="half", base=10000.0, rotary_dim=None) -> dict:
    out = {"d": d, "precision": precision, "layout": layout, "base": base}
    return out if rotary_dim is None else {**out, "rotary_dim": rotary_dim}


IDIOMS: list[Mutant] = [
    _real("idiom HF Llama float32 d=128 base 500000", _cfg(128, "float32", base=5e5)),
    _real("idiom HF Llama bfloat16 d=128 base 500000", _cfg(128, "bfloat16", base=5e5)),
    _real("idiom HF Llama float16 d=96 base 1e6", _cfg(96, "float16", base=1e6)),
    _real("idiom HF float64 d=80 base 1e6", _cfg(80, "float64", base=1e6)),
    _real(
        "idiom NeoX rotary_pct 0.25 float16 d=128",
        _cfg(128, "float16", rotary_dim=32),
    ),
    _real(
        "idiom NeoX rotary_pct 0.5 bfloat16 d=80 base 1e6",
        _cfg(80, "bfloat16", base=1e6, rotary_dim=40),
    ),
    _real("idiom div_term float32 d=64 base 1e6", _cfg(64, "float32", base=1e6), theta="div_term"),
    _real(
        "idiom div_term float32 interleaved d=8 base 1e7",
        _cfg(8, "float32", "interleaved", base=1e7),
        theta="div_term",
    ),
    _real(
        "idiom div_term all-float32 d=96 base 500000",
        _cfg(96, "float32", base=5e5),
        theta="div_term32",
    ),
    _real(
        "idiom div_term float64 interleaved d=64 base 1e4",
        _cfg(64, "float64", "interleaved"),
        theta="div_term",
    ),
    _real("idiom mlx exp2 float32 d=128 base 500000", _cfg(128, "float32", base=5e5), theta="mlx"),
    _real(
        "idiom mlx exp2 bfloat16 interleaved d=16 base 1e6",
        _cfg(16, "bfloat16", "interleaved", base=1e6),
        theta="mlx",
    ),
    _real(
        "idiom ggml recurrence float32 interleaved d=128",
        _cfg(128, "float32", "interleaved"),
        theta="ggml",
    ),
    _real(
        "idiom ggml NeoX recurrence float16 d=256 base 1e6",
        _cfg(256, "float16", base=1e6),
        theta="ggml",
    ),
    _real(
        "idiom ggml recurrence float32 partial d=128 rotary_dim=64 base 1e6",
        _cfg(128, "float32", "interleaved", base=1e6, rotary_dim=64),
        theta="ggml",
    ),
    _real(
        "idiom Gemma JAX m / timescale float32 d=256",
        _cfg(256, "float32"),
        theta="gemma_jax",
    ),
    _real(
        "idiom Gemma JAX m / timescale bfloat16 d=256 base 1e6",
        _cfg(256, "bfloat16", base=1e6),
        theta="gemma_jax",
    ),
    _real(
        "idiom flash-attn fused float16 d=128 base 500000",
        _cfg(128, "float16", base=5e5),
        fused=True,
    ),
    _real(
        "idiom vLLM fused bfloat16 interleaved d=64 base 1e6",
        _cfg(64, "bfloat16", "interleaved", base=1e6),
        fused=True,
    ),
    _idiom(
        "idiom Meta freqs_cis float32 d=128 base 500000",
        _cfg(128, "float32", "interleaved", 5e5),
        meta_rope,
    ),
    _idiom("idiom Meta freqs_cis bfloat16 d=64", _cfg(64, "bfloat16", "interleaved"), meta_rope),
    _idiom(
        "idiom GPT-J rotate_every_two float32 d=256 rotary_dim=64",
        _cfg(256, "float32", "interleaved", rotary_dim=64),
        gptj_rope,
        rotary_dim=64,
    ),
    _idiom(
        "idiom HF llama3 float32 d=128 base 500000",
        {"d": 128, "precision": "float32", "layout": "half", "rope_scaling": LLAMA3},
        scaled_rope,
        scaling=hf_llama3_inv_freq,
        cfg=LLAMA3,
        base=5e5,
    ),
    _idiom(
        "idiom HF YaRN x8 bfloat16 d=64",
        {"d": 64, "precision": "bfloat16", "layout": "half", "rope_scaling": YARN},
        scaled_rope,
        scaling=hf_yarn_inv_freq,
        cfg=YARN,
    ),
    _idiom(
        "idiom GPT-J rotate_every_two float16 d=64 rotary_dim=32",
        _cfg(64, "float16", "interleaved", rotary_dim=32),
        gptj_rope,
        rotary_dim=32,
    ),
]
