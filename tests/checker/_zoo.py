"""The mutant zoo: RoPE written the way implementations write it, right and wrong.

``numpy_rope`` is an independent NumPy implementation in the style of HF transformers
(inv_freq = 1 / base^(arange(0, d, 2) / d) in float32, cos/sin cast to the working dtype,
x cos + rot(x) sin), emulating bfloat16 with ml_dtypes. Its keyword arguments inject one
real-world mistake each; ``MUTANTS`` lists the implementations with the bug class each
must be named by (None: correct, must pass).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import ml_dtypes
import numpy as np

from rope_ref.scaling.scaled import scaled_frequencies


def cast(a, dtype: str) -> np.ndarray:
    """a rounded to ``dtype``; bfloat16 values are held in float32 (via ml_dtypes)."""
    if dtype == "bfloat16":
        return np.asarray(a, np.float32).astype(ml_dtypes.bfloat16).astype(np.float32)
    return np.asarray(a).astype(dtype)


def numpy_rope(
    x,
    positions,
    *,
    base: float = 10000.0,
    layout: str = "interleaved",
    rotary_dim: int | None = None,
    dtype: str = "float32",
    theta_dtype: str | None = None,
    position_dtype: str | None = None,
    phase_dtype: str | None = None,
    offset: int = 0,
    ignore_positions: bool = False,
    sign: float = 1.0,
    swap_cos_sin: bool = False,
    exponent: str = "2i/d",
    inv_freq: np.ndarray | None = None,
    freq_dim: int | None = None,
    scale: float = 1.0,
) -> np.ndarray:
    """y = x cos(m theta) + rot(x) sin(m theta) on the first rotary_dim features (eq 34).

    x: (batch, heads, seq, d); positions: (seq,) ints. Phases are computed in float64
    for dtype float64 and float32 otherwise, unless a mistake says else.
    """
    d = x.shape[-1]
    r = rotary_dim or d
    ad = "float64" if dtype == "float64" else "float32"
    if inv_freq is None:
        k = freq_dim or r
        idx = np.arange(0, k, 2).astype(ad)[: r // 2]
        expo = {
            "2i/d": idx / k,
            "i/d": idx / 2 / k,
            "linspace": np.linspace(0, 1, r // 2).astype(ad),
        }[exponent]
        inv_freq = (1.0 / (np.asarray(base, ad) ** expo)).astype(ad)
    inv_freq = np.asarray(inv_freq, ad)
    if theta_dtype:
        inv_freq = cast(inv_freq, theta_dtype).astype(ad)
    m = np.arange(len(positions)) if ignore_positions else np.asarray(positions) + offset
    m = cast(m, position_dtype).astype(ad) if position_dtype else m.astype(ad)
    phase = (m[:, None] * inv_freq[None, :]).astype(ad)
    if phase_dtype:
        phase = cast(
            cast(m, phase_dtype)[:, None] * cast(inv_freq, phase_dtype)[None, :], phase_dtype
        ).astype(ad)
    phase = sign * phase
    cos, sin = np.cos(phase) * scale, np.sin(phase) * scale
    if swap_cos_sin:
        cos, sin = sin, cos
    xd = cast(x, dtype)
    xr = xd[..., :r]
    if layout == "half":
        cos, sin = np.concatenate([cos, cos], -1), np.concatenate([sin, sin], -1)
        rot = np.concatenate([-xr[..., r // 2 :], xr[..., : r // 2]], -1)
    else:
        cos, sin = np.repeat(cos, 2, -1), np.repeat(sin, 2, -1)
        rot = np.stack([-xr[..., 1::2], xr[..., 0::2]], -1).reshape(xr.shape)
    cos, sin = cast(cos, dtype), cast(sin, dtype)
    y = cast(cast(xr * cos, dtype) + cast(rot * sin, dtype), dtype)
    return np.concatenate([y, xd[..., r:]], -1)


@dataclass(frozen=True)
class Mutant:
    """An implementation, the configuration it is checked with, and the class it must get
    (None: correct, must pass; a tuple: two mistakes at once, named both in that order)."""

    label: str
    expected: str | tuple | None
    fn: Callable
    config: dict = field(default_factory=dict)


def _m(label, expected, config, **impl) -> Mutant:
    impl.setdefault("layout", config.get("layout", "interleaved"))
    impl.setdefault("rotary_dim", config.get("rotary_dim"))
    impl.setdefault("base", config.get("base", 10000.0))
    if "precision" in config:
        impl.setdefault("dtype", config["precision"])
    return Mutant(label, expected, _quiet(impl), config)


def _quiet(impl: dict) -> Callable:
    def fn(x, positions):
        with np.errstate(over="ignore", invalid="ignore"):  # float16 phases overflow: the bug
            return numpy_rope(x, positions, **impl)

    return fn


def _correct() -> list[Mutant]:
    out = []
    for precision in ("float64", "float32", "float16", "bfloat16"):
        for layout in ("interleaved", "half"):
            out.append(
                _m(
                    f"correct {precision} {layout} d=64",
                    None,
                    {"d": 64, "layout": layout, "precision": precision},
                )
            )
        out.append(
            _m(
                f"correct {precision} half d=128 rotary_dim=32 base 500000",
                None,
                {
                    "d": 128,
                    "rotary_dim": 32,
                    "layout": "half",
                    "base": 500000.0,
                    "precision": precision,
                },
            )
        )
    out.append(_m("correct float32 interleaved d=8", None, {"d": 8}, dtype="float32"))
    return out


def _wrong() -> list[Mutant]:
    f32 = {"d": 64, "precision": "float32"}
    bf16 = {"d": 64, "precision": "bfloat16"}
    half = {"d": 64, "layout": "half", "precision": "float32"}
    return [
        _m("half layout claimed interleaved", "layout_swapped", f32, layout="half"),
        _m(
            "interleaved claimed half, bf16",
            "layout_swapped",
            {**bf16, "layout": "half"},
            layout="interleaved",
        ),
        _m("inverse rotation", "rotation_reversed", f32, sign=-1.0),
        _m(
            "inverse rotation, half, fp16",
            "rotation_reversed",
            {"d": 32, "layout": "half", "precision": "float16"},
            sign=-1.0,
        ),
        _m("positions shifted by +1", "position_offset", f32, offset=1),
        _m("left padding: positions shifted by -3", "position_offset", half, offset=-3),
        _m("position_ids ignored (arange)", "position_offset", f32, ignore_positions=True),
        _m(
            "inv_freq cast to bf16 before the phase",
            "low_precision_angles",
            bf16,
            theta_dtype="bfloat16",
        ),
        _m("positions held in bf16", "low_precision_angles", bf16, position_dtype="bfloat16"),
        _m(
            "phase computed in bf16 (autocast)",
            "low_precision_angles",
            half,
            phase_dtype="bfloat16",
        ),
        _m(
            "phase computed in fp16",
            "low_precision_angles",
            {"d": 64, "precision": "float16"},
            phase_dtype="float16",
        ),
        _m(
            "float32 phase claimed float64",
            "low_precision_angles",
            {"d": 64, "precision": "float64"},
            dtype="float64",
            phase_dtype="float32",
        ),
        _m("rope_theta 500000 where 10000 is stated", "wrong_base", f32, base=500000.0),
        _m("base 10000 where 1e6 is stated", "wrong_base", {**half, "base": 1e6}, base=10000.0),
        _m("exponent i/d (factor 2 missing)", "frequency_formula", f32, exponent="i/d"),
        _m("exponent linspace(0, 1, d/2)", "frequency_formula", half, exponent="linspace"),
        _m("cos and sin swapped", "cos_sin_swapped", f32, swap_cos_sin=True),
        _m(
            "cos and sin swapped, half, bf16",
            "cos_sin_swapped",
            {**bf16, "layout": "half"},
            swap_cos_sin=True,
        ),
        _m(
            "rotates all of d where rotary_dim=32",
            "rotary_dim_mismatch",
            {**half, "rotary_dim": 32},
            rotary_dim=64,
        ),
        _m(
            "theta from d on rotary_dim features",
            "rotary_dim_mismatch",
            {**f32, "rotary_dim": 16},
            freq_dim=64,
        ),
    ]


YARN = {"rope_type": "yarn", "factor": 8.0, "original_max_position_embeddings": 4096}
LINEAR = {"rope_type": "linear", "factor": 4.0}
LLAMA3 = {
    "rope_type": "llama3",
    "rope_theta": 500000.0,
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}


def _scaled(label, expected, config, *, use=None, scale=None, **impl) -> Mutant:
    """A mutant whose inv_freq comes from ``use`` (default: the stated rope_scaling) via
    rope_ref.scaled_frequencies, and whose cos/sin are multiplied by ``scale`` (default:
    the variant's attention factor); None for ``use`` means unscaled frequencies."""
    r = config.get("rotary_dim") or config["d"]
    base = config.get("rope_scaling", {}).get("rope_theta", 10000.0)
    theta, factor = scaled_frequencies(
        r, base, config["rope_scaling"] if use is None else use, seq_len=65536
    )
    impl.update(inv_freq=theta, scale=factor if scale is None else scale)
    return _m(label, expected, config, **impl)


def _scaling() -> list[Mutant]:
    yarn = {"d": 64, "layout": "half", "rope_scaling": YARN, "precision": "float32"}
    _, yarn_factor = scaled_frequencies(64, 10000.0, YARN)
    return [
        _scaled("correct YaRN float32", None, yarn),
        _scaled("correct YaRN bfloat16", None, {**yarn, "precision": "bfloat16"}),
        _scaled(
            "correct llama3 float32",
            None,
            {"d": 64, "layout": "half", "rope_scaling": LLAMA3, "precision": "float32"},
        ),
        _scaled(
            "correct linear x4 float16",
            None,
            {"d": 64, "rope_scaling": LINEAR, "precision": "float16"},
        ),
        _scaled(
            "linear x4 stated, plain RoPE run",
            "scaling_ignored",
            {"d": 64, "rope_scaling": LINEAR, "precision": "float32"},
            use={"rope_type": "default"},
        ),
        _scaled(
            "llama3 stated, plain RoPE run",
            "scaling_ignored",
            {"d": 64, "layout": "half", "rope_scaling": LLAMA3, "precision": "float32"},
            use={"rope_type": "default"},
        ),
        _scaled("YaRN attention factor dropped", "attention_factor_missing", yarn, scale=1.0),
        _scaled(
            "YaRN attention factor applied twice",
            "attention_factor_missing",
            yarn,
            scale=yarn_factor**2,
        ),
    ]


def mrope_rope(
    x,
    positions,
    *,
    section=(16, 24, 24),
    base=1e6,
    interleaved=False,
    rows=(0, 1, 2),
    duplicate_half=False,
    one_d=False,
    unrotated=(),
) -> np.ndarray:
    """M-RoPE as HF's Qwen2-VL / Qwen3-VL rotary writes it, in float32: freqs (3, seq, d/2)
    of every axis, recomposed chunk by chunk (or T H W interleaved), cat(f, f), half layout.
    Keyword arguments inject the multi-axis mistakes of real ports."""
    d = x.shape[-1]
    inv_freq = 1.0 / (np.float32(base) ** (np.arange(0, d, 2, dtype=np.float32) / d))
    p = np.asarray(positions)[list(rows)]
    if one_d:
        p = np.broadcast_to(p[0], p.shape)
    freqs = p.astype(np.float32)[..., None] * inv_freq.astype(np.float32)  # (3, seq, d/2)
    if interleaved:
        f = freqs[0].copy()
        f[:, 1 : 3 * section[1] : 3] = freqs[1][:, 1 : 3 * section[1] : 3]
        f[:, 2 : 3 * section[2] : 3] = freqs[2][:, 2 : 3 * section[2] : 3]
    else:
        cuts = np.cumsum((0,) + tuple(section))
        f = np.concatenate([freqs[j][:, cuts[j] : cuts[j + 1]] for j in range(3)], -1)
    if duplicate_half:
        f = np.concatenate([f[:, : d // 4], f[:, : d // 4]], -1)
    f[:, list(unrotated)] = 0.0  # pairs a position row held at 0 never turns (ggml IMROPE)
    cos, sin = np.cos(np.concatenate([f, f], -1)), np.sin(np.concatenate([f, f], -1))
    xd = x.astype(np.float32)
    rot = np.concatenate([-xd[..., d // 2 :], xd[..., : d // 2]], -1)
    return xd * cos + rot * sin


def _mrope(label, expected, config, **impl) -> Mutant:
    def fn(x, positions):
        return mrope_rope(x, positions, **impl)

    return Mutant(label, expected, fn, {"d": 128, "layout": "half", **config})


def _multi_axis() -> list[Mutant]:
    qwen2 = {
        "rope_scaling": {"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]}
    }
    qwen3 = {
        "rope_scaling": {
            "rope_type": "default",
            "rope_theta": 1e6,
            "mrope_section": [24, 20, 20],
            "mrope_interleaved": True,
        }
    }
    three = {"section": (24, 20, 20), "interleaved": True}
    return [
        _mrope("correct Qwen2-VL M-RoPE", None, qwen2),
        _mrope("correct Qwen3-VL M-RoPE", None, qwen3, **three),
        _mrope("mrope_section reversed", "mrope_section_mismatch", qwen2, section=(24, 24, 16)),
        _mrope("Qwen3-VL run chunked", "mrope_style_swapped", qwen3, section=(24, 20, 20)),
        _mrope("Qwen2-VL run interleaved", "mrope_style_swapped", qwen2, interleaved=True),
        _mrope("h and w rows swapped", "hw_swapped", qwen2, rows=(0, 2, 1)),
        _mrope(
            "first half's angles on both halves", "half_duplication", qwen2, duplicate_half=True
        ),
        _mrope("text positions (t) on every axis", "scalar_positions", qwen3, one_d=True, **three),
        _mrope("pairs 61, 62 never turned", "pairs_unrotated", qwen3, unrotated=(61, 62), **three),
    ]


def _grown() -> list[Mutant]:
    """The zoo's later rooms (issue 16): correct idioms of real code, the bug classes of
    public issue trackers, and two mistakes at once (imported here, so each file is small)."""
    from checker._zoo_compound import COMPOUND
    from checker._zoo_idioms import IDIOMS
    from checker._zoo_tracker import TRACKER

    return IDIOMS + TRACKER + COMPOUND


MUTANTS: list[Mutant] = _correct() + _wrong() + _scaling() + _multi_axis() + _grown()
