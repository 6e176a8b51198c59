"""Step 4 of RoPE as it runs: ``rotate`` and ``unrotate``, eq 34 computed fast.

``rotate`` is the element-wise form of eq 34 (``rope_ref.paper.forms.
rotate_elementwise_form`` writes it line by line) computed block by block in float64 by
``rope_ref.paper.blockwise``; tests/paper/test_forms.py shows the two equal, and
tests/proofs that the forms are the paper's. It also takes the HF rope dicts of
``rope_ref.scaling``.

Shapes: x is (..., seq, d); positions (seq,) or broadcastable to x.shape[:-1], or with
``axes`` vector positions (k, ...) (``rope_ref.paper.axes``); theta (rotary_dim/2,).
The first ``rotary_dim`` features are rotated, the rest pass through.
All trigonometry is float64; the output has x's dtype.
"""

from __future__ import annotations

import numpy as np

from rope_ref.paper import blockwise
from rope_ref.paper.arguments import checked, scaled_head
from rope_ref.paper.axes import axis_table, checked_axes, split_scaling
from rope_ref.validation import check_positions


def rotate(
    x: np.ndarray,
    positions,
    *,
    theta=None,
    axes=None,
    base: float | None = None,
    layout: str = "interleaved",
    rotary_dim: int | None = None,
    rope_scaling: dict | None = None,
    seq_len: int | None = None,
    form: str | None = None,
    hf_compat: bool | None = None,
) -> np.ndarray:
    """f_{q,k}(x, m) = R^d_(Theta,m) x in the element-wise form of eq 34.

    Args:
        x: (..., seq, d) float16/32/64 (queries or keys after W_q / W_k).
        positions: (seq,) or broadcastable to x.shape[:-1]; finite reals.
        theta: (rotary_dim/2,) frequencies; default ``frequencies(rotary_dim, base)``.
        axes: (rotary_dim/2,) the axis a(i) of each frequency, for vector positions p of
            shape (k, ...): pair i turns by p_(a(i)) theta_i (``rope_ref.paper.axes``;
            ``axis_frequencies`` gives (theta, axes) per style). A rope_scaling dict with
            ``mrope_section`` (Qwen2-VL, Qwen3-VL configs) gives the axes itself.
        base: the base of eq 15 when theta is not given; None means 10000 (or
            rope_scaling's rope_theta).
        layout: ``"interleaved"`` (the paper), ``"half"`` (GPT-NeoX / HF Llama) or
            ``"half_in_halves"`` (Gemma 4 vision; rotary_dim a multiple of 4).
        rotary_dim: rotate the first rotary_dim features (even, <= d; default d).
        rope_scaling: an HF-style dict (``rope_ref.scaling.scaled_frequencies``); theta
            then comes from it, and cos and sin are multiplied by its attention_factor, as
            HF does (``cos = emb.cos() * attention_scaling``). With partial_rotary_factor
            (or rope_type proportional) it is defined over d and fixes rotary_dim.
        seq_len, form, hf_compat: passed to ``scaled_frequencies`` (only with
            rope_scaling): by default (form "code") the released code's form of the
            variant, which is what models run; form="paper" for the paper's (YaRN's
            ramp); hf_compat is form's older name (True: "code", False: "paper").

    Returns:
        (..., seq, d) array of x's dtype. No (seq, d, d) array is ever built: per pair
        (a, b) and position m, in float64,

            y_a = x_a cos(m theta_i) - x_b sin(m theta_i)
            y_b = x_b cos(m theta_i) + x_a sin(m theta_i)              (eq 34)

        (cos and sin each times the attention factor when rope_scaling gives one),
        rounded once to x's dtype. How it runs fast (bench/: ``python -m bench``):
        the pair is held as the complex number x_a + i x_b, so the four products and
        two sums above are one NumPy complex multiply by cos + i sin; x is
        processed in blocks of about ``blockwise.BLOCK`` pairs, so the float64 copy of each block
        stays in cache; cos + i sin is computed once per (positions, theta, factor) and
        reused by the next calls (q and k of every layer share it).
    """
    rope_scaling, style, section = split_scaling(rope_scaling, axes)  # M-RoPE's keys
    theta, r, factor = scaled_head(
        x, theta, base, rotary_dim, rope_scaling, seq_len, form, hf_compat
    )
    if axes is None and style is None:
        x, m, theta, layout, r = checked(x, positions, theta, base, layout, r)
        table = blockwise.cos_sin_table(m, theta, factor)  # cos + i sin of m theta_i
    else:  # vector positions p: cos + i sin of p_(a(i)) theta_i
        x, phi, layout, r = checked_axes(x, positions, theta, axes, base, layout, r, style, section)
        table = axis_table(phi, factor)
    table = np.broadcast_to(table, x.shape[:-1] + (r // 2,))
    out = np.empty_like(x)
    out[..., r:] = x[..., r:]
    try:
        with np.errstate(over="raise", invalid="raise"):  # costs nothing when none occurs
            blockwise.rotate_pairs(x[..., :r], table, out[..., :r], layout)  # eq 34
    except FloatingPointError:
        raise ValueError(
            f"x is too large to rotate in {x.dtype}: a rotated pair (times the attention "
            f"factor {factor}) overflows {x.dtype}'s largest value {np.finfo(x.dtype).max}"
        ) from None
    return out


def unrotate(x: np.ndarray, positions, **kwargs) -> np.ndarray:
    """The inverse rotation R^d_(Theta,-m) = (R^d_(Theta,m))^T: unrotate(rotate(x, m), m) = x.

    Takes the same arguments as ``rotate``.
    """
    return rotate(x, -check_positions(positions), **kwargs)
