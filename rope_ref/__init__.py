"""rope_ref: the reference implementation of RoPE (Su et al., arXiv 2104.09864 v5).

The four steps, one function each:

1. ``frequencies(d, base)``            theta_i = base^(-2(i-1)/d)            (eq 15)
2. ``angles(positions, theta)``        phi[m, i] = m theta_i                 (eq 13)
3. ``rotary_matrix(m, theta)``         R^d_(Theta,m), block-diagonal         (eqs 13, 15)
4. ``rotate(x, positions)``            R^d_(Theta,m) x, element-wise form    (eqs 14, 34)

Multi-axis RoPE (M-RoPE, 2D vision RoPE): ``axis_frequencies(d, base, style=...)`` gives
(theta, axes), and ``rotate(x, positions, theta=theta, axes=axes)`` turns pair i by
p_(a(i)) theta_i for vector positions p of shape (k, ...).
"""

from rope_ref.checker.report import Finding, Report, check, check_outputs
from rope_ref.checker.vocabulary import FINDING_NAMES
from rope_ref.configs.build import model_rope
from rope_ref.model.attention import attention_scores, linear_attention, rope_attention
from rope_ref.model.encoder import encode, weights_from_hf_state_dict
from rope_ref.multimodal.positions import (
    decode_position_ids,
    llama4_vision_position_ids,
    mrope_position_ids,
    vision_position_ids,
)
from rope_ref.paper.angles import angles
from rope_ref.paper.axes import axis_angles, axis_frequencies
from rope_ref.paper.bounds import (
    UNIT_ROUNDOFF,
    angle_error_bound,
    rotation_error_bound,
    scaled_theta_error_bound,
    theta_error_bound,
)
from rope_ref.paper.decay import (
    decay_bound,
    pair_products,
    partial_sums,
    relative_score,
    relative_upper_bound,
)
from rope_ref.paper.figures import (
    clock_hands,
    error_by_position,
    score_grid,
    unseen_angle_ratio,
    wavelengths,
)
from rope_ref.paper.forms import (
    rotary_matrix,
    rotate_complex_form,
    rotate_elementwise_form,
    rotate_matrix_form,
)
from rope_ref.paper.frequencies import frequencies
from rope_ref.paper.layouts import (
    half_permutation,
    pair_indices,
    permute_qk_weights,
    to_half_layout,
    to_interleaved_layout,
)
from rope_ref.paper.rotary import rotate, unrotate
from rope_ref.scaling.scaled import scaled_frequencies

__version__ = "0.1.0"

__all__ = [
    "FINDING_NAMES",
    "Finding",
    "Report",
    "check",
    "check_outputs",
    "UNIT_ROUNDOFF",
    "angle_error_bound",
    "angles",
    "axis_angles",
    "axis_frequencies",
    "decay_bound",
    "decode_position_ids",
    "attention_scores",
    "encode",
    "frequencies",
    "half_permutation",
    "linear_attention",
    "model_rope",
    "llama4_vision_position_ids",
    "mrope_position_ids",
    "pair_indices",
    "pair_products",
    "partial_sums",
    "permute_qk_weights",
    "relative_score",
    "relative_upper_bound",
    "rope_attention",
    "rotary_matrix",
    "rotate",
    "rotate_complex_form",
    "rotate_elementwise_form",
    "rotate_matrix_form",
    "rotation_error_bound",
    "scaled_frequencies",
    "scaled_theta_error_bound",
    "theta_error_bound",
    "to_half_layout",
    "to_interleaved_layout",
    "unrotate",
    "vision_position_ids",
    "weights_from_hf_state_dict",
    # figures (notebooks, rope-ref demo)
    "clock_hands",
    "error_by_position",
    "score_grid",
    "unseen_angle_ratio",
    "wavelengths",
]
