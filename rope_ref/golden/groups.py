"""The test groups of the golden set (v1 and v2): configurations, positions and flags.

Each group is one configuration of RoPE (d, rotary_dim, base, layout, rope_scaling,
seq_len, form) on seeded inputs x of shape (1, 2, seq, d). ``flags`` lists the names
of the notes (``rope_ref.golden.notes``) for the bug classes the group is built to expose,
as Project Wycheproof's test groups do.

Every group states its form explicitly: "paper" for all but the three YaRN groups that
take the released code's (HF's) ramp. The two forms differ only for YaRN, so for every
other group "paper" and "code" give the same numbers. The manifest records the form as v1
did, ``"hf_compat": form == "code"``, so v1 and v2 regenerate byte-identically.
"""

from __future__ import annotations

import zlib

import numpy as np

from rope_ref.golden.notes import NOTES

BATCH, HEADS = 1, 2


def _flags(*names: str) -> list[str]:
    """The note names a group lists (each a name of NOTES), in the order given."""
    unknown = [n for n in names if n not in NOTES]
    if unknown:
        raise KeyError(f"flags must be names of rope_ref.golden.notes.NOTES, got {unknown}")
    return list(names)


_BASIC = ("rotation_reversed", "cos_sin_swapped", "position_offset")


def _g(
    name,
    d,
    base,
    layout,
    positions,
    flags,
    rotary_dim=None,
    rope_scaling=None,
    seq_len=None,
    form="paper",
    description="",
):
    return {
        "name": name,
        "d": d,
        "rotary_dim": rotary_dim,
        "base": float(base),
        "layout": layout,
        "rope_scaling": rope_scaling,
        "seq_len": seq_len,
        "form": form,
        "positions": positions,
        "flags": flags,
        "description": description,
    }


def rng_for(name: str) -> np.random.Generator:
    """The seeded generator of one group (crc32 of its name: stable across platforms)."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def _fractional(name: str) -> np.ndarray:
    """Seeded multiples of 1/8 in [-64, 64) and near 2^16: exact in float32 too."""
    rng = rng_for(name + "/positions")
    small = rng.integers(-512, 512, size=12) / 8.0
    big = 65536.0 + rng.integers(-32, 32, size=4) / 8.0
    return np.sort(np.concatenate([small, big]))


def _spread(name: str, top: int, n: int = 8) -> np.ndarray:
    """0..n-1 followed by n seeded integers up to ``top`` (scaled contexts are long)."""
    rng = rng_for(name + "/positions")
    return np.concatenate([np.arange(n), np.sort(rng.integers(n, top, size=n))])


def _longrope_lists(name: str, n: int) -> tuple[list, list]:
    """Phi-3-like factor lists: short near 1, long rising to ~40; 4 decimals, seeded."""
    rng = rng_for(name + "/factors")
    short = np.round(1.0 + np.sort(rng.uniform(0.0, 0.3, n)), 4)
    long_ = np.round(np.sort(np.geomspace(1.0, 40.0, n) * rng.uniform(0.97, 1.03, n)), 4)
    return short.tolist(), long_.tolist()


def _basic_groups() -> list[dict]:
    ar32, ar16 = np.arange(32), np.arange(16)
    f = _flags(*_BASIC, "layout_swapped", "frequency_formula")
    fb = _flags(*_BASIC, "layout_swapped", "frequency_formula", "wrong_base")
    return [
        _g(
            "d2_base10000",
            2,
            1e4,
            "interleaved",
            ar32,
            _flags(*_BASIC),
            description="One pair, theta = 1: the 2D case of eqs 12-13.",
        ),
        _g("d8_base10000_interleaved", 8, 1e4, "interleaved", ar32, f),
        _g("d8_base10000_half", 8, 1e4, "half", ar32, f),
        _g("d64_base10000_interleaved", 64, 1e4, "interleaved", ar32, f),
        _g("d64_base10000_half", 64, 1e4, "half", ar32, f),
        _g("d128_base10000_interleaved", 128, 1e4, "interleaved", ar16, f),
        _g("d128_base500000_half", 128, 5e5, "half", ar16, fb, description="Llama 3's base."),
        _g(
            "d128_base1e6_interleaved",
            128,
            1e6,
            "interleaved",
            ar16,
            fb,
            description="Qwen's and Gemma's base.",
        ),
        _g("d256_base10000_half", 256, 1e4, "half", ar16, f),
        _g("d256_base1e6_interleaved", 256, 1e6, "interleaved", ar16, fb),
    ]


def _partial_groups() -> list[dict]:
    ar = np.arange(16)
    rd = _flags(*_BASIC, "layout_swapped", "rotary_dim_mismatch")
    return [
        _g(
            "d64_rotary32_interleaved",
            64,
            1e4,
            "interleaved",
            ar,
            rd,
            rotary_dim=32,
            description="rotary_dim = d/2: features 32..63 pass through.",
        ),
        _g(
            "d80_prf04_half",
            80,
            1e4,
            "half",
            ar,
            rd,
            rotary_dim=32,
            rope_scaling={"rope_type": "default", "rope_theta": 1e4, "partial_rotary_factor": 0.4},
            description="Phi-2's head: 80 features, partial_rotary_factor 0.4 rotates 32.",
        ),
    ]


def _position_groups() -> list[dict]:
    lp = _flags(*_BASIC, "layout_swapped", "low_precision_angles")
    return [
        _g(
            "positions_near_2p16",
            128,
            1e4,
            "half",
            np.arange(65528, 65544),
            lp,
            description="Positions 2^16 - 8 .. 2^16 + 7: past float16's range (65504).",
        ),
        _g(
            "positions_near_2p20",
            128,
            5e5,
            "interleaved",
            np.arange(2**20 - 8, 2**20 + 8),
            lp,
            description="Positions 2^20 +- 8: bf16 and float32 angles lose them.",
        ),
        _g(
            "positions_near_1e6",
            128,
            1e6,
            "half",
            np.arange(999992, 1000008),
            lp,
            description="Positions 1e6 - 8 .. 1e6 + 7, base 1e6.",
        ),
        _g(
            "positions_negative",
            64,
            1e4,
            "interleaved",
            np.arange(-16, 16),
            _flags(*_BASIC, "layout_swapped"),
            description="Negative positions: R_(-m) = R_m^T.",
        ),
        _g(
            "positions_fractional",
            64,
            1e4,
            "half",
            _fractional("positions_fractional"),
            _flags(*_BASIC, "layout_swapped", "low_precision_angles"),
            description="Fractional positions (multiples of 1/8), as position interpolation "
            "makes, some near 2^16.",
        ),
    ]


def _scaling_groups() -> list[dict]:
    sc = _flags(*_BASIC, "layout_swapped", "scaling_ignored")
    af = _flags(*_BASIC, "layout_swapped", "scaling_ignored", "attention_factor_missing")
    llama = {
        "rope_type": "llama3",
        "rope_theta": 5e5,
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
    }
    qwen = {
        "rope_type": "yarn",
        "rope_theta": 1e6,
        "factor": 4.0,
        "original_max_position_embeddings": 32768,
    }
    deepseek = {
        "type": "yarn",
        "factor": 40.0,
        "original_max_position_embeddings": 4096,
        "beta_fast": 32,
        "beta_slow": 1,
        "mscale": 1.0,
        "mscale_all_dim": 1.0,
    }
    gpt_oss = {
        "rope_type": "yarn",
        "rope_theta": 150000.0,
        "factor": 32.0,
        "beta_fast": 32.0,
        "beta_slow": 1.0,
        "original_max_position_embeddings": 4096,
        "truncate": False,
    }
    short, long_ = _longrope_lists("longrope_phi3", 48)
    phi3 = {
        "rope_type": "longrope",
        "short_factor": short,
        "long_factor": long_,
        "original_max_position_embeddings": 4096,
        "max_position_embeddings": 131072,
    }
    dyn = {"rope_type": "dynamic", "factor": 2.0, "max_position_embeddings": 4096}
    out = [
        _g(
            "linear_factor4",
            128,
            1e4,
            "half",
            _spread("linear_factor4", 16384),
            sc,
            rope_scaling={"type": "linear", "factor": 4.0},
            description="Position interpolation, s = 4 (an older rope_scaling dict).",
        ),
        _g(
            "ntk_factor8",
            128,
            1e4,
            "interleaved",
            _spread("ntk_factor8", 32768),
            sc,
            rope_scaling={"rope_type": "ntk", "factor": 8.0},
            description="NTK-aware base b s^(d/(d-2)), s = 8.",
        ),
    ]
    restored = _flags(*_BASIC, "layout_swapped", "dynamic_unscaled_base")
    for n in (2048, 8192, 32768):
        out.append(
            _g(
                f"dynamic_seq{n}",
                128,
                1e4,
                "half",
                _spread(f"dynamic_seq{n}", n),
                restored if n <= 4096 else sc,
                rope_scaling=dyn,
                seq_len=n,
                description=f"Dynamic NTK, factor 2, max_position_embeddings 4096, seq_len {n}"
                + (" (no scaling below 4096)." if n <= 4096 else "."),
            )
        )
    out += [
        _g(
            "yarn_qwen_hf",
            128,
            1e6,
            "half",
            _spread("yarn_qwen_hf", 131072),
            af,
            rope_scaling=qwen,
            form="code",
            description="Qwen2.5-style YaRN (s = 4 over 32768), HF's index ramp.",
        ),
        _g(
            "yarn_qwen_paper",
            128,
            1e6,
            "half",
            _spread("yarn_qwen_paper", 131072),
            af,
            rope_scaling=qwen,
            form="paper",
            description="The same YaRN config with the paper's ramp gamma(r) (sec 3.2).",
        ),
        _g(
            "yarn_deepseek_v3_hf",
            64,
            1e4,
            "interleaved",
            _spread("yarn_deepseek", 163840),
            _flags(*_BASIC, "layout_swapped", "scaling_ignored", "attention_factor_unity"),
            rope_scaling=deepseek,
            form="code",
            description="DeepSeek-V3's YaRN on its 64 rope features: s = 40, mscale = "
            "mscale_all_dim = 1, so attention_factor = 1.",
        ),
        _g(
            "yarn_gpt_oss_hf",
            64,
            150000.0,
            "half",
            _spread("yarn_gpt_oss", 131072),
            af,
            rope_scaling=gpt_oss,
            form="code",
            description="gpt-oss-style YaRN: s = 32, truncate false, base 150000.",
        ),
        _g(
            "llama3_1_8b",
            128,
            5e5,
            "half",
            _spread("llama3_1_8b", 131072),
            sc,
            rope_scaling=llama,
            description="Llama 3.1 8B's rope_scaling: s = 8, low 1, high 4, 8192.",
        ),
        _g(
            "longrope_phi3_short",
            96,
            1e4,
            "half",
            _spread("longrope_short", 4096),
            af,
            rope_scaling=phi3,
            seq_len=4096,
            description="Phi-3-mini-128k-like LongRoPE (seeded factor lists), seq_len 4096: "
            "short factors.",
        ),
        _g(
            "longrope_phi3_long",
            96,
            1e4,
            "half",
            _spread("longrope_long", 131072),
            af,
            rope_scaling=phi3,
            seq_len=131072,
            description="The same, seq_len 131072: long factors.",
        ),
        _g(
            "proportional_p025",
            256,
            1e6,
            "half",
            _spread("proportional", 32768),
            sc,
            rope_scaling={
                "rope_type": "proportional",
                "rope_theta": 1e6,
                "partial_rotary_factor": 0.25,
            },
            description="Proportional RoPE over 256 features, 32 of 128 frequencies kept.",
        ),
    ]
    return out


def groups() -> list[dict]:
    """Every group of the set, in manifest order (the same in v1 and v2)."""
    return _basic_groups() + _partial_groups() + _position_groups() + _scaling_groups()
