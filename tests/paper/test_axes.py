"""rope_ref.paper.axes: every multi-axis style is a (theta, axes) pair as its model's code
builds it, and rotate, the three forms and unrotate take vector positions p of shape
(k, ...) with pair i turned by p_(a(i)) theta_i. (Against HF's own modules:
tests/interop/test_hf_multi_axis.py.)"""

from __future__ import annotations

import numpy as np
import pytest

import rope_ref as rr
from rope_ref.paper.axes import STYLES, axis_angles, mrope_axes
from rope_ref.paper.forms import rotate_complex_form, rotate_elementwise_form, rotate_matrix_form

RNG = np.random.default_rng(12)
FORMS = (rotate_matrix_form, rotate_complex_form, rotate_elementwise_form)


def _positions(k: int, seq: int, top: int = 5000) -> np.ndarray:
    return RNG.integers(-top, top, size=(k, seq))


@pytest.mark.parametrize("section", [(16, 24, 24), (8, 12, 12), (24, 20, 20), (0, 32, 32)])
def test_mrope_puts_chunk_j_of_the_section_on_axis_j(section):
    theta, axes = rr.axis_frequencies(2 * sum(section), 1e6, style="mrope", section=section)
    assert np.array_equal(theta, rr.frequencies(2 * sum(section), 1e6))
    cuts = np.cumsum((0,) + section)
    for j in range(3):
        assert np.all(axes[cuts[j] : cuts[j + 1]] == j), f"chunk {j} is not on axis {j}"


def test_mrope_interleaved_is_t_h_w_repeating_then_t():
    theta, axes = rr.axis_frequencies(128, 5e6, style="mrope_interleaved")
    assert np.array_equal(theta, rr.frequencies(128, 5e6))
    i = np.arange(64)
    h = (i % 3 == 1) & (i < 3 * 20)
    w = (i % 3 == 2) & (i < 3 * 20)
    assert np.array_equal(axes, np.where(h, 1, np.where(w, 2, 0)))
    assert np.bincount(axes).tolist() == list(STYLES["mrope_interleaved"][1])


def test_mrope_ernie_alternates_h_and_w_then_t():
    theta, axes = rr.axis_frequencies(128, 5e5, style="mrope_ernie")
    assert np.array_equal(theta, rr.frequencies(128, 5e5))
    assert np.all(axes[:44:2] == 1) and np.all(axes[1:44:2] == 2) and np.all(axes[44:] == 0)


@pytest.mark.parametrize("style", ["axial", "llama4_vision", "gemma4_vision"])
def test_axial_styles_use_eq_15_over_half_the_head_on_each_axis(style):
    theta, axes = rr.axis_frequencies(80, 1e4, style=style)
    f = rr.frequencies(40, 1e4)  # f_k = base^(-2k/(d/2)), k < d/4
    assert np.array_equal(theta, np.concatenate([f, f]))
    first = 0 if style == "axial" else 1  # Llama 4, Gemma 4 turn x (the column, w) first
    assert np.all(axes[:20] == first) and np.all(axes[20:] == 1 - first)


def test_pixtral_puts_eq_15s_even_entries_on_h_and_odd_on_w():
    theta, axes = rr.axis_frequencies(64, 1e4, style="pixtral")
    full = rr.frequencies(64, 1e4)
    assert np.array_equal(theta[axes == 0], full[0::2])
    assert np.array_equal(theta[axes == 1], full[1::2])


def test_axis_angles_take_each_pairs_own_coordinate():
    theta, axes = rr.axis_frequencies(128, 1e6, style="mrope")
    p = _positions(3, 7)
    phi = axis_angles(p, theta, axes)
    assert phi.shape == (7, 64)
    for i in range(64):
        assert np.array_equal(phi[:, i], p[axes[i]] * theta[i])


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize("layout", ["interleaved", "half", "half_in_halves"])
def test_rotate_equals_each_form_as_printed_and_unrotate_inverts_it(style, layout):
    d = 64 if style.startswith("mrope") else 32
    section = {"mrope": (8, 12, 12), "mrope_interleaved": (12, 10, 10)}.get(style)
    if style == "mrope_ernie":
        section = (11, 11, 10)
    theta, axes = rr.axis_frequencies(d, 1e4, style=style, section=section)
    x = RNG.standard_normal((2, 3, 9, d))
    p = _positions(STYLES[style][0], 9)
    y = rr.rotate(x, p, theta=theta, axes=axes, layout=layout)
    for form in FORMS:
        other = form(x, p, theta=theta, axes=axes, layout=layout)
        assert np.max(np.abs(other - y)) <= 1e-12, f"{form.__name__} differs from rotate"
    back = rr.unrotate(y, p, theta=theta, axes=axes, layout=layout)
    assert np.max(np.abs(back - x)) <= 1e-12
    assert np.allclose(np.linalg.norm(y, axis=-1), np.linalg.norm(x, axis=-1), rtol=1e-13)


def test_half_in_halves_is_the_half_layout_inside_each_half():
    """Gemma 4 vision (transformers 5.24 ``apply_multidimensional_rope``): x split into two
    halves, each rotated by ``rotate_half`` with its own half of the table."""
    theta, axes = rr.axis_frequencies(48, 100.0, style="gemma4_vision")
    x = RNG.standard_normal((2, 3, 9, 48))
    p = _positions(2, 9, 300)
    y = rr.rotate(x, p, theta=theta, axes=axes, layout="half_in_halves")
    for j, cut in enumerate((slice(0, 24), slice(24, 48))):
        pairs = slice(12 * j, 12 * (j + 1))
        part = rr.rotate(x[..., cut], p, theta=theta[pairs], axes=axes[pairs], layout="half")
        assert np.array_equal(y[..., cut], part), f"half {j} differs from rotate_half of it"
    a, b = rr.pair_indices(48, "half_in_halves")
    assert np.array_equal(a, np.r_[0:12, 24:36]) and np.array_equal(b, a + 12)


def test_half_in_halves_is_a_permutation_of_the_interleaved_rotation():
    from rope_ref.paper.layouts import layout_permutation

    x = RNG.standard_normal((2, 5, 20))
    m = RNG.integers(0, 5000, 5)
    P = np.r_[layout_permutation(16, "half_in_halves"), 16:20]
    y = rr.rotate(x[..., P], m, layout="half_in_halves", rotary_dim=16)
    assert np.allclose(y, rr.rotate(x, m, layout="interleaved", rotary_dim=16)[..., P],
                       rtol=0, atol=1e-13)  # fmt: skip
    assert np.array_equal(y[..., 16:], x[..., P][..., 16:])


def test_equal_coordinates_give_1d_rope_bit_for_bit():
    """Text tokens of M-RoPE (t = h = w = m) are eq 34 itself: the same products."""
    theta, axes = rr.axis_frequencies(128, 1e6, style="mrope")
    x = RNG.standard_normal((1, 2, 11, 128)).astype(np.float32)
    m = RNG.integers(0, 10**5, size=11)
    vector = rr.rotate(x, np.stack([m, m, m]), theta=theta, axes=axes, layout="half")
    assert np.array_equal(vector, rr.rotate(x, m, base=1e6, layout="half"))


def test_each_pair_turns_with_its_own_axis_only():
    """Moving one coordinate moves exactly the pairs assigned to that axis."""
    theta, axes = rr.axis_frequencies(64, 1e4, style="mrope", section=(8, 12, 12))
    x = RNG.standard_normal((1, 1, 1, 64))
    p = np.array([[3], [5], [7]])
    base_y = rr.rotate(x, p, theta=theta, axes=axes)
    for j in range(3):
        q = p.copy()
        q[j] += 11
        moved = np.abs(rr.rotate(x, q, theta=theta, axes=axes) - base_y).reshape(32, 2).max(-1)
        assert np.all(moved[axes == j] > 0) and np.all(moved[axes != j] == 0)


def test_positions_broadcast_per_axis_over_batch_and_heads():
    theta, axes = rr.axis_frequencies(32, 1e4, style="axial")
    x = RNG.standard_normal((2, 3, 5, 32))
    p = _positions(2, 5).reshape(2, 1, 1, 5)
    full = np.broadcast_to(p, (2, 2, 3, 5))
    assert np.array_equal(
        rr.rotate(x, p, theta=theta, axes=axes), rr.rotate(x, full, theta=theta, axes=axes)
    )
    per_batch = _positions(2, 10).reshape(2, 2, 1, 5)  # a batch of sequences
    y = rr.rotate(x, per_batch, theta=theta, axes=axes)
    for b in range(2):
        alone = rr.rotate(x[b : b + 1], per_batch[:, b : b + 1], theta=theta, axes=axes)
        assert np.array_equal(y[b : b + 1], alone)


@pytest.mark.parametrize(
    ("rope_scaling", "style", "section"),
    [
        ({"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]}, "mrope", None),
        ({"type": "mrope", "mrope_section": [16, 24, 24], "rope_theta": 1e6}, "mrope", None),
        (
            {
                "rope_type": "default",
                "rope_theta": 1e6,
                "mrope_section": [24, 20, 20],
                "mrope_interleaved": True,
            },
            "mrope_interleaved",
            None,
        ),
    ],
    ids=["qwen2_vl_rope_parameters", "qwen2_vl_old_rope_scaling", "qwen3_vl"],
)
def test_rope_dicts_with_mrope_section_are_accepted_as_pasted(rope_scaling, style, section):
    theta, axes = rr.axis_frequencies(128, 1e6, style=style, section=section)
    x = RNG.standard_normal((1, 2, 6, 128))
    p = _positions(3, 6)
    want = rr.rotate(x, p, theta=theta, axes=axes, layout="half")
    assert np.array_equal(rr.rotate(x, p, rope_scaling=rope_scaling, layout="half"), want)
    back = rr.unrotate(want, p, rope_scaling=rope_scaling, layout="half")
    assert np.max(np.abs(back - x)) <= 1e-12


def test_a_scaling_variant_with_mrope_section_scales_theta_and_cos_sin():
    yarn = {
        "rope_type": "yarn",
        "factor": 4.0,
        "original_max_position_embeddings": 32768,
        "rope_theta": 1e6,
        "mrope_section": [16, 24, 24],
    }
    theta, factor = rr.scaled_frequencies(
        128, None, {k: v for k, v in yarn.items() if k != "mrope_section"}
    )
    axes = mrope_axes("mrope", (16, 24, 24))
    x = RNG.standard_normal((1, 1, 4, 128))
    p = _positions(3, 4)
    want = factor * rr.rotate(x, p, theta=theta, axes=axes, layout="half")
    got = rr.rotate(x, p, rope_scaling=yarn, layout="half")
    assert factor != 1.0 and np.max(np.abs(got - want)) <= 1e-12


def test_rotary_matrix_of_a_vector_position_rotates_as_rotate_does():
    theta, axes = rr.axis_frequencies(32, 1e4, style="pixtral")
    p = np.array([4.0, 9.0])
    R = rr.rotary_matrix(p, theta, "half", axes=axes)
    x = RNG.standard_normal(32)
    y = rr.rotate(x[None, None, :], p[:, None], theta=theta, axes=axes, layout="half")[0, 0]
    assert np.max(np.abs(R @ x - y)) <= 1e-13
    assert np.max(np.abs(R.T @ R - np.eye(32))) <= 1e-14


def test_rotary_dim_rotates_the_first_features_only():
    theta, axes = rr.axis_frequencies(64, 1e4, style="mrope", section=(8, 12, 12))
    x = RNG.standard_normal((1, 2, 5, 128))
    y = rr.rotate(x, _positions(3, 5), theta=theta, axes=axes, rotary_dim=64)
    assert np.array_equal(y[..., 64:], x[..., 64:]) and not np.allclose(y[..., :64], x[..., :64])


@pytest.mark.parametrize(
    "rope_scaling",
    [
        {"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]},
        {"type": "mrope", "mrope_section": [16, 24, 24], "rope_theta": 1e6},
        {"rope_type": "default", "rope_theta": 1e6, "mrope_section": [24, 20, 20],
         "mrope_interleaved": True},
    ],
)  # fmt: skip
def test_scaled_frequencies_reads_an_mrope_dict_as_eq_15(rope_scaling):
    """M-RoPE's keys say which axis a frequency turns with, not the frequencies."""
    theta, factor = rr.scaled_frequencies(128, None, rope_scaling)
    assert np.array_equal(theta, rr.frequencies(128, 1e6)) and factor == 1.0
