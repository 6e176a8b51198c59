"""The RoPE of one layer as its attention receives it: ``LayerRope``.

What a ``LayerRope`` does, in the paper's terms: theta of eq 15 over the features its rope
dict is defined over (or a scaling variant of it, ``rope_ref.scaling``; by default in the
form of the released code that the model runs), the angles m theta_i at the positions
given (eq 13), the rotation of eq 34 on ``rotary_dim`` features starting at ``offset``,
pairs as the family's code forms them (``layout``), cos and sin times the attention
factor, the rotated pairs written back in ``output_layout``, every other feature passed
through. ``rope_ref.configs.build.model_rope`` makes one per layer type from a config.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rope_ref.paper.axes import axis_frequencies
from rope_ref.paper.layouts import to_half_layout
from rope_ref.paper.rotary import rotate as rotate_paper
from rope_ref.scaling.scaled import scaled_frequencies
from rope_ref.validation import check_float_array, check_positions

_LENGTH_TYPES = ("dynamic", "longrope")  # theta depends on seq_len = max(position_ids) + 1
#: The keys every rope dict may carry, whatever its rope_type.
COMMON_KEYS = {"rope_type", "rope_theta", "partial_rotary_factor"}


@dataclass(frozen=True)
class LayerRope:
    """The RoPE of one layer, as its attention receives it.

    head_dim: features of a q/k head as the rotary function sees the layer's head (DeepSeek:
    qk_nope_head_dim + qk_rope_head_dim); offset: the first rotated feature; rope_dim: the
    features the rope dict is defined over (HF's head_dim in its init function);
    rotary_dim: the rotated features, 2 len(theta); params: the rope dict (rope_type,
    rope_theta, the variant's keys) as sorted (key, value) pairs; layout / output_layout:
    the pairs read and written ("half" or "interleaved"); form: "code" or "paper"
    (``rope_ref.scaling``); positions: where the model takes positions from
    ("position_ids", "arange", "table"); mrope: M-RoPE's section and style, for text
    tokens (t = h = w) the same as 1D RoPE; rotates_values: RoFormer's rotary_value.
    """

    head_dim: int
    offset: int
    rope_dim: int
    rotary_dim: int
    params: tuple
    layout: str
    output_layout: str
    form: str = "code"
    positions: str = "position_ids"
    mrope: tuple = ()
    rotates_values: bool = False

    @property
    def rope_scaling(self) -> dict:
        """The rope dict (``scaled_frequencies`` reads it over ``rope_dim`` features)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.params}

    @property
    def rope_type(self) -> str:
        return self.rope_scaling["rope_type"]

    @property
    def base(self) -> float:
        """b of eq 15 (rope_theta)."""
        return float(self.rope_scaling["rope_theta"])

    def frequencies(self, seq_len: int | None = None) -> tuple[np.ndarray, float]:
        """(theta (rotary_dim/2,), attention factor) at a sequence length (HF's
        max(position_ids) + 1; it matters for dynamic NTK and LongRoPE only; None: the
        model's initial state, max_position_embeddings for dynamic, short factors)."""
        p = self.rope_scaling
        if seq_len is None and p["rope_type"] == "dynamic":
            seq_len = p["max_position_embeddings"]
        if p["rope_type"] not in _LENGTH_TYPES:
            seq_len = None
        return scaled_frequencies(self.rope_dim, None, p, seq_len, form=self.form)

    @property
    def axes(self) -> np.ndarray | None:
        """(rotary_dim/2,) M-RoPE's axis a(i) of each frequency (0: t, 1: h, 2: w), from
        its section and style (``rope_ref.paper.axes``); None for 1D RoPE."""
        if not self.mrope:
            return None
        given = dict(self.mrope)
        style = "mrope_interleaved" if given.get("mrope_interleaved") else "mrope"
        section = given.get("mrope_section")
        return axis_frequencies(self.rotary_dim, self.base, style=style, section=section)[1]

    @property
    def theta(self) -> np.ndarray:
        """(rotary_dim/2,) theta_i in the model's initial state (``frequencies()``)."""
        return self.frequencies()[0]

    @property
    def attention_factor(self) -> float:
        """The factor on cos and sin (YaRN's 0.1 ln s + 1, LongRoPE's, else 1)."""
        return self.frequencies()[1]

    def rotate(self, x, positions, *, seq_len: int | None = None) -> np.ndarray:
        """What this layer's attention receives for x (q or k after W_q / W_k).

        Args:
            x: (..., seq, head_dim) float16/32/64.
            positions: (seq,) (or broadcastable to x.shape[:-1]) finite positions m; for
                M-RoPE (``axes``) also vector positions (3, seq) of (t, h, w), pair i
                turned by p_(a(i)) theta_i (text tokens: t = h = w, the same as 1D).
            seq_len: the length dynamic NTK and LongRoPE switch on; default HF's
                max(positions) + 1.

        Returns:
            (..., seq, head_dim), x's dtype: features [offset, offset + rotary_dim)
            rotated by eq 34 in float64 (pairs per ``layout``, times the attention factor,
            written in ``output_layout``), the rest passed through.
        """
        x = check_float_array("x", x, min_ndim=2)
        if x.shape[-1] != self.head_dim:
            raise ValueError(
                f"x must have head_dim = {self.head_dim} features in its last axis (this "
                f"layer's q/k head), got shape {x.shape}"
            )
        m = check_positions(positions)
        if seq_len is None and self.rope_type in _LENGTH_TYPES and m.size:
            seq_len = int(math.floor(float(np.max(m)))) + 1  # HF: max(position_ids) + 1
        theta, factor = self.frequencies(seq_len)
        part = slice(self.offset, self.offset + self.rotary_dim)
        vector = self.mrope and m.ndim >= 2 and m.shape[0] == 3  # (t, h, w) positions
        axes = self.axes if vector else None
        y = rotate_paper(
            x[..., part].astype(np.float64), m, theta=theta, axes=axes, layout=self.layout
        )
        if factor != 1.0:
            y *= factor  # cos and sin times the attention factor (HF's attention_scaling)
        if self.output_layout != self.layout:
            y = to_half_layout(y)  # DeepSeek-V3: interleaved pairs in, half-split out
        out = x.copy()
        out[..., part] = y.astype(x.dtype)
        return out

    @property
    def description(self) -> str:
        """One line: the variant, its base, which features turn in which pairs, the factor."""
        p = self.rope_scaling
        keys = [_shown(k, v) for k, v in p.items() if k not in _NOT_SHOWN]
        kind = p["rope_type"] + (f" ({', '.join(keys)})" if keys else "")
        span = (
            f"all {self.head_dim} features"
            if self.rotary_dim == self.head_dim
            else f"features {self.offset}..{self.offset + self.rotary_dim - 1} of {self.head_dim}"
        )
        pairs = {"half": "half-split", "interleaved": "interleaved"}[self.layout]
        written = "" if self.output_layout == self.layout else ", written half-split"
        text = f"{kind} RoPE, base {self.base:g}: rotates {span} in {pairs} pairs{written}"
        text += f"; attention factor {self.attention_factor:.6g}"
        if self.mrope:
            text += f"; M-RoPE {dict(self.mrope)} (text tokens: as 1D)"
        if self.rotates_values:
            text += "; v rotated too (rotary_value)"
        return text


_NOT_SHOWN = COMMON_KEYS | {"max_position_embeddings"}
_SHORT = {
    "low_freq_factor": "low",
    "high_freq_factor": "high",
    "original_max_position_embeddings": "original",
}


def _shown(key: str, value) -> str:
    """A rope dict entry as the description shows it: "factor 8", "original 8192"."""
    name = _SHORT.get(key, key)
    if isinstance(value, bool):
        return f"{name} {str(value).lower()}"
    if isinstance(value, (list, tuple)):
        return f"{len(value)} {name}s"
    return f"{name} {value:g}"
