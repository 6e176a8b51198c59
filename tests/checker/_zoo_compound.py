"""Implementations with two mistakes at once (issue 16), named both: each mutant is
``numpy_rope`` (HF's style) with two real-world mistakes from different stages of the
computation (``rope_ref.checker.compound.STAGES``), in float32, bfloat16 and float16,
both layouts, d = 64 and 128; ``expected`` lists the two classes in the order of
``CLASSES``, the order the checker names them."""

from __future__ import annotations

from checker._zoo import LINEAR, YARN, Mutant, _m, _scaled
from rope_ref.scaling.scaled import scaled_frequencies

F32 = {"d": 64, "precision": "float32"}
BF16 = {"d": 64, "precision": "bfloat16"}
HALF = {"d": 64, "layout": "half", "precision": "float32"}


def _angles_and_pairs() -> list[Mutant]:
    return [
        _m(
            "Meta weights in HF (half) claimed interleaved, inv_freq cast to bf16",
            ("layout_swapped", "low_precision_angles"),
            BF16,
            layout="half",
            theta_dtype="bfloat16",
        ),
        _m(
            "interleaved claimed half, phase in bf16 autocast, d=128",
            ("layout_swapped", "low_precision_angles"),
            {"d": 128, "layout": "half", "precision": "bfloat16"},
            layout="interleaved",
            phase_dtype="bfloat16",
        ),
        _m(
            "left padding -3 and rope_theta 500000 where 10000 is stated",
            ("position_offset", "wrong_base"),
            F32,
            offset=-3,
            base=500000.0,
        ),
        _m(
            "positions + 1 and base 10000 where 1e6 is stated, half, d=128",
            ("position_offset", "wrong_base"),
            {"d": 128, "layout": "half", "base": 1e6, "precision": "float32"},
            offset=1,
            base=10000.0,
        ),
        _m(
            "partial rotary ignored (all 64 turned) with base 1e6, rotary_dim=32 stated",
            ("rotary_dim_mismatch", "wrong_base"),
            {**HALF, "rotary_dim": 32},
            rotary_dim=64,
            base=1e6,
        ),
        _m(
            "half layout claimed interleaved, exponent i/d (factor 2 missing)",
            ("layout_swapped", "frequency_formula"),
            F32,
            layout="half",
            exponent="i/d",
        ),
    ]


def _rotation_and_positions() -> list[Mutant]:
    return [
        _m(
            "inverse rotation and positions + 2, bf16",
            ("rotation_reversed", "position_offset"),
            BF16,
            sign=-1.0,
            offset=2,
        ),
        _m(
            "cos and sin swapped and positions - 1, half",
            ("cos_sin_swapped", "position_offset"),
            HALF,
            swap_cos_sin=True,
            offset=-1,
        ),
        _m(
            "cos and sin swapped with inv_freq cast to bf16, bf16 half",
            ("cos_sin_swapped", "low_precision_angles"),
            {**BF16, "layout": "half"},
            swap_cos_sin=True,
            theta_dtype="bfloat16",
        ),
        _m(
            "sin's sign flipped (inverse rotation) and rope_theta 1e6 where 10000 is stated, fp16",
            ("rotation_reversed", "wrong_base"),
            {"d": 64, "layout": "half", "precision": "float16"},
            sign=-1.0,
            base=1e6,
        ),
        _m(
            "cos and sin swapped and base 500000 where 10000 is stated, d=128",
            ("cos_sin_swapped", "wrong_base"),
            {"d": 128, "precision": "float32"},
            swap_cos_sin=True,
            base=500000.0,
        ),
        _m(
            "GPT-NeoX partial rotary (half, 32 of 64) checked as interleaved over all 64",
            ("layout_swapped", "rotary_dim_mismatch"),
            F32,
            layout="half",
            rotary_dim=32,
        ),
        _m(
            "half layout claimed interleaved, position_ids ignored (arange), fp16",
            ("layout_swapped", "position_offset"),
            {"d": 64, "precision": "float16"},
            layout="half",
            ignore_positions=True,
        ),
    ]


def _scaling_and_factor() -> list[Mutant]:
    yarn = {"d": 64, "rope_scaling": YARN, "precision": "float32"}
    _, yarn_factor = scaled_frequencies(64, 10000.0, YARN)
    return [
        _scaled(
            "YaRN dropped (plain RoPE, factor 1) and half layout where interleaved is stated",
            ("layout_swapped", "scaling_ignored"),
            yarn,
            use={"rope_type": "default"},
            layout="half",
        ),
        _scaled(
            "YaRN attention factor dropped and interleaved where half is stated, bf16",
            ("layout_swapped", "attention_factor_missing"),
            {**yarn, "layout": "half", "precision": "bfloat16"},
            scale=1.0,
            layout="interleaved",
        ),
        _scaled(
            "YaRN attention factor applied twice and positions + 1",
            ("position_offset", "attention_factor_missing"),
            yarn,
            scale=yarn_factor**2,
            offset=1,
        ),
        _scaled(
            "linear x4 ignored and the inverse rotation",
            ("rotation_reversed", "scaling_ignored"),
            {"d": 64, "layout": "half", "rope_scaling": LINEAR, "precision": "float32"},
            use={"rope_type": "default"},
            sign=-1.0,
        ),
    ]


def _tracker_pairs() -> list[Mutant]:
    """Pairs with the classes of public issue trackers (rope_ref.checker.tracker_bugs)."""
    return [
        _m(
            "rotation applied twice and positions + 1",
            ("position_offset", "rotated_twice"),
            F32,
            sign=2.0,
            offset=1,
        ),
        _m(
            "cos/sin scaled by 1.3 and half layout where interleaved is stated",
            ("layout_swapped", "attention_factor_wrong"),
            F32,
            scale=1.3,
            layout="half",
        ),
        _m(
            "phase in fp16 (overflows past 65504) and the inverse rotation, fp16 half",
            ("rotation_reversed", "low_precision_angles"),
            {"d": 64, "layout": "half", "precision": "float16"},
            phase_dtype="float16",
            sign=-1.0,
        ),
    ]


COMPOUND: list[Mutant] = (
    _angles_and_pairs() + _rotation_and_positions() + _scaling_and_factor() + _tracker_pairs()
)
