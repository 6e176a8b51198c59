"""Step 2 for vector positions: multi-axis RoPE, phi[p, i] = p_(a(i)) theta_i.

The paper rotates pair i by m theta_i (eq 13), m a scalar. Multimodal models rotate by a
vector position p in R^k: M-RoPE (Qwen2-VL, Wang et al., arXiv 2409.12191, sec 2.1) gives
every token (t, h, w), vision towers give every patch (h, w) (Heo et al., arXiv
2403.13298, "RoPE-Axial"). Each frequency theta_i has an axis a(i), and

    phi[p, i] = p_(a(i)) theta_i                                   (eq 13, per axis)

so each 2x2 block of eq 15 still turns by a multiple of its own theta_i, only the
multiple is one coordinate of p. Every style is a pair (theta, axes) for
``rope_ref.rotate(x, positions, theta=theta, axes=axes, layout=...)``, with positions of
shape (k, ...): positions[j] the coordinate on axis j. 1D RoPE is k = 1; M-RoPE with
t = h = w = m is eq 15 itself (tests/proofs/test_multi_axis.py, derivations/
10-multi-axis.md).

The styles, in the pair order each model's code runs them (transformers 5.24):

- ``"mrope"``: theta of eq 15 over d; ``section`` (default [16, 24, 24]) cuts the d/2
  frequencies into chunks, chunk j on axis j (t, h, w); Qwen2-VL and Qwen2.5-VL
  (``Qwen2VLRotaryEmbedding.recomposition_frequencies``, half layout); GLM-4V the same
  with [8, 12, 12] over half the head, interleaved layout (``Glm4vTextRotaryEmbedding``).
- ``"mrope_interleaved"``: theta of eq 15 over d; T H W T H W ...: h at i = 1, 4, 7, ...
  below 3 section[1], w at i = 2, 5, ... below 3 section[2], t elsewhere (default
  [24, 20, 20]); Qwen3-VL (``Qwen3VLTextRotaryEmbedding``), half layout.
- ``"mrope_ernie"``: theta of eq 15 over d; section (h, w, t) (default [22, 22, 20]): h and
  w alternate on the first h + w pairs (h on even i), t on the last; Ernie-4.5-VL
  (``Ernie4_5_VLMoeTextRotaryEmbedding``), interleaved layout.
- ``"axial"``: f_k = base^(-2k/(d/2)), k < d/4 (eq 15 over d/2); theta = (f, f), the first
  d/4 on h, the last d/4 on w; the vision towers of Qwen2-VL, Qwen2.5-VL, Qwen3-VL, GLM-4V
  and Ernie-4.5-VL (``Qwen2VLVisionRotaryEmbedding``), half layout.
- ``"pixtral"``: theta of eq 15 over d, its even-indexed entries on h, then its odd-indexed
  entries on w: theta = (theta_0, theta_2, ..., theta_1, theta_3, ...); Pixtral (Agrawal
  et al., arXiv 2410.07073; ``PixtralVisionRotaryEmbedding``), half layout in HF,
  interleaved pairs in mistral-inference.
- ``"llama4_vision"``: f as in axial; theta = (f, f), the first d/4 on w (x, the column),
  the last d/4 on h (y, the row); Llama 4's vision encoder (``Llama4VisionRotaryEmbedding``),
  interleaved (complex) pairs; its positions are 1-based and the CLS token sits at (0, 0)
  (``rope_ref.multimodal.llama4_vision_position_ids``).
- ``"gemma4_vision"``: f as in axial (``compute_axial_rope_parameters``: base^(-arange(0,
  d/2, 2)/(d/2))); theta = (f, f), the first d/4 on w (x, the column: HF's
  ``pixel_position_ids[..., 0]``), the last d/4 on h (y, the row); Gemma 4's vision tower
  (``Gemma4VisionRotaryEmbedding``: cos = cat(f_x, f_x, f_y, f_y); then
  ``apply_multidimensional_rope`` splits x into halves and ``rotate_half``s each), so its
  layout is ``"half_in_halves"``: pairs (i, i + d/4) in the first half, (d/2 + i,
  3d/4 + i) in the second (``rope_ref.paper.layouts``). No single half or interleaved
  layout gives these pairs.

Axis numbers: M-RoPE 0 = t, 1 = h, 2 = w; 2D styles 0 = h (row), 1 = w (column).
"""

from __future__ import annotations

import functools

import numpy as np

from rope_ref.paper.arguments import prepare
from rope_ref.paper.frequencies import frequencies
from rope_ref.scaling.config import TYPE_KEYS, base_or_default
from rope_ref.validation import (
    check_angles_finite,
    check_base,
    check_bool,
    check_even_dim,
    check_float_array,
    check_layout,
    check_layout_dim,
    check_rotary_dim,
    check_theta,
)
from rope_ref.validation.axes import (
    check_axes,
    check_axis_positions_fit,
    check_no_section,
    check_one_statement,
    check_quarter_dim,
    check_section,
    check_style,
    check_vector_positions,
)

#: style -> (number of axes k, the default section or None, the layout HF runs it in,
#: the models): the multi-axis styles of transformers 5.24 (module docstring).
STYLES = {
    "mrope": (3, (16, 24, 24), "half", "Qwen2-VL, Qwen2.5-VL (GLM-4V: [8, 12, 12], interleaved)"),
    "mrope_interleaved": (3, (24, 20, 20), "half", "Qwen3-VL"),
    "mrope_ernie": (3, (22, 22, 20), "interleaved", "Ernie-4.5-VL"),
    "axial": (2, None, "half", "Qwen2-VL / Qwen2.5-VL / Qwen3-VL / GLM-4V vision towers"),
    "pixtral": (2, None, "half", "Pixtral"),
    "llama4_vision": (2, None, "interleaved", "Llama 4 vision"),
    "gemma4_vision": (2, None, "half_in_halves", "Gemma 4 vision"),
}
#: The keys of an HF rope dict that state M-RoPE (Qwen2-VL's, Qwen3-VL's configs).
MROPE_KEYS = ("mrope_section", "mrope_interleaved")


def axis_frequencies(
    d: int, base: float = 10000.0, *, style: str, section=None
) -> tuple[np.ndarray, np.ndarray]:
    """(theta, axes) of a multi-axis style: pair i turns by p_(axes[i]) theta[i].

    Args:
        d: the rotary dimension (even; a multiple of 4 for the 2D styles).
        base: the base of eq 15 (Qwen2.5-VL: 1e6; vision towers: 10000).
        style: one of ``STYLES`` (module docstring).
        section: M-RoPE's ``mrope_section`` (3 integers adding up to d/2); default the
            style's; None for the 2D styles.

    Returns:
        theta: (d/2,) float64; axes: (d/2,) int64, the axis a(i) of each frequency.
    """
    d = check_even_dim("d", d)
    base = check_base(base)
    style = check_style(style, tuple(STYLES))
    k, default, _, _ = STYLES[style]
    if k == 3:
        section = check_section(default if section is None else section, style, d // 2)
        return frequencies(d, base), mrope_axes(style, section)
    check_no_section(section, style)
    check_quarter_dim(d, style)
    quarter = d // 4
    if style == "pixtral":
        theta = frequencies(d, base)  # eq 15 over d
        theta = np.concatenate([theta[0::2], theta[1::2]])  # even i on h, odd i on w
    else:
        f = frequencies(d // 2, base)  # f_k = base^(-2k/(d/2)), k < d/4: eq 15 over d/2
        theta = np.concatenate([f, f])
    # Llama 4 and Gemma 4: x (w, the column) first. Gemma 4's pixel_position_ids[..., 0] is
    # x: meshgrid(arange(width), arange(height), indexing="xy") (Gemma4ImageProcessor).
    x_first = style in ("llama4_vision", "gemma4_vision")
    first, second = (1, 0) if x_first else (0, 1)
    axes = np.repeat(np.array([first, second], dtype=np.int64), quarter)
    return theta, axes


def mrope_axes(style: str, section: tuple[int, int, int]) -> np.ndarray:
    """a(i) of an M-RoPE style for a checked section (sum = d/2): (d/2,) int64."""
    half = sum(section)
    if style == "mrope":  # chunk j of the section on axis j (t, h, w)
        return np.repeat(np.arange(3, dtype=np.int64), section)
    axes = np.zeros(half, dtype=np.int64)
    if style == "mrope_interleaved":  # T H W T H W ...: HF's slice(offset, 3 s_j, 3)
        axes[1 : 3 * section[1] : 3] = 1
        axes[2 : 3 * section[2] : 3] = 2
        return axes
    hw = section[0] + section[1]  # Ernie: h, w alternate on the first s_h + s_w, then t
    axes[:hw:2], axes[1:hw:2] = 1, 2
    return axes


def axis_angles(positions, theta, axes) -> np.ndarray:
    """phi[..., i] = p_(a(i)) theta_i: the angle of pair i at vector position p.

    Args:
        positions: (k, ...) finite reals: positions[j] is the coordinate on axis j.
        theta: (d/2,) frequencies; axes: (d/2,) their axes, each < k.

    Returns:
        phi: positions.shape[1:] + (d/2,) float64.
    """
    theta = check_theta(theta)
    axes = check_axes(axes, theta.size)
    p = check_vector_positions(positions, axes)
    with np.errstate(over="ignore"):  # an overflow is named just below
        phi = np.moveaxis(p[axes], 0, -1) * theta  # phi_i = p_(a(i)) theta_i  (eq 13 per axis)
    return check_angles_finite(phi, p, theta)


def split_scaling(rope_scaling, axes):
    """(rope_scaling without M-RoPE's keys, style or None, section or None) of a pasted dict.

    ``mrope_section`` states M-RoPE: chunked (Qwen2-VL), or interleaved when
    ``mrope_interleaved`` is true (Qwen3-VL). Qwen2-VL's older ``"type": "mrope"`` is the
    default frequencies (transformers reads it so). Ernie-4.5-VL's dicts look like Qwen2-VL's:
    give its (theta, axes) from ``axis_frequencies(style="mrope_ernie")`` instead.
    """
    if not isinstance(rope_scaling, dict) or not any(k in rope_scaling for k in MROPE_KEYS):
        return rope_scaling, None, None
    check_one_statement(axes)
    rest = {k: v for k, v in rope_scaling.items() if k not in MROPE_KEYS}
    for key in TYPE_KEYS:
        if rest.get(key) == "mrope":
            rest[key] = "default"
    interleaved = check_bool(
        "rope_scaling['mrope_interleaved']", rope_scaling.get("mrope_interleaved", False)
    )
    style = "mrope_interleaved" if interleaved else "mrope"
    return rest, style, rope_scaling.get("mrope_section", STYLES[style][1])


def checked_axes(x, positions, theta, axes, base, layout, rotary_dim, style=None, section=None):
    """Check a multi-axis rotation's arguments once; return (x, phi, layout, rotary_dim).

    axes: (r/2,) or None with ``style`` (from a rope dict; then section gives the axes).
    theta: (r/2,), default eq 15 over r. phi: positions.shape[1:] + (r/2,).
    """
    x = check_float_array("x", x, min_ndim=2)
    layout = check_layout(layout)
    r = check_layout_dim(layout, check_rotary_dim(rotary_dim, x.shape[-1]))
    if theta is None:
        theta = frequencies(r, base_or_default(base))
    theta = check_theta(theta, r)
    if style is not None:
        section = check_section(section, style, r // 2)
        axes = mrope_axes(style, section)
    axes = check_axes(axes, r // 2)
    p = check_vector_positions(positions, axes)
    check_axis_positions_fit(p, x.shape, int(axes.max()) + 1)
    return x, axis_angles(p, theta, axes), layout, r


def prepare_axes(x, positions, theta, base, layout, rotary_dim, axes):
    """``rope_ref.paper.arguments.prepare`` for 1D positions (axes None), else
    ``checked_axes``: (x, phi, layout, rotary_dim) for the forms of step 4."""
    if axes is None:
        return prepare(x, positions, theta, base, layout, rotary_dim)
    return checked_axes(x, positions, theta, axes, base, layout, rotary_dim)


def axis_table(phi: np.ndarray, factor: float = 1.0) -> np.ndarray:
    """factor (cos phi + i sin phi), complex128, read-only, of angles phi (..., r/2).

    The last four tables are kept (keyed by phi's bytes and factor): q and k of every layer
    rotate at the same positions, as ``rope_ref.paper.blockwise.cos_sin_table`` does for
    1D positions.
    """
    if phi.nbytes * 2 > 64 * 2**20:
        return cached_axis_table.__wrapped__(phi.tobytes(), phi.shape, float(factor))
    return cached_axis_table(phi.tobytes(), phi.shape, float(factor))


@functools.lru_cache(maxsize=4)
def cached_axis_table(phi_bytes: bytes, shape: tuple, factor: float) -> np.ndarray:
    """``axis_table`` of the angles held in these bytes (the lru_cache key)."""
    phi = np.frombuffer(phi_bytes).reshape(shape)
    table = np.empty(shape, dtype=np.complex128)
    np.cos(phi, out=table.real)  # cos(p_(a(i)) theta_i)
    np.sin(phi, out=table.imag)  # sin(p_(a(i)) theta_i)
    if factor != 1.0:  # the attention factor on cos and sin, as for 1D positions
        table.real *= factor
        table.imag *= factor
    table.flags.writeable = False
    return table
