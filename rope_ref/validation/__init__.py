"""One place for argument checks and their error messages.

Every message names the argument, what was expected and what came, in the manner of
NumPy's own errors. Functions here return the checked (and converted) value so callers
write ``d = check_even_dim("d", d)`` and go on. The checks live in submodules by subject,
and every name is imported from here (``from rope_ref.validation import check_base``):

- ``_core``: integers, reals, dimensions, the base, layouts, float arrays, positions, theta;
- ``_scaling``: rope_scaling dicts; ``_scaling_args``: what goes with one;
- ``_checker``: rope_ref.check and rope_ref.golden; ``golden``: manifests and groups;
- ``files``: JSON and .npy read from files (their claims checked before allocating);
- ``_model``: rope_ref.attention and rope_ref.encoder;
- ``_decay_figures``: rope_ref.decay and rope_ref.figures.
"""

from rope_ref.validation.checker import (
    check_callable,
    check_golden_root,
    check_golden_version,
    check_outputs_array,
    check_precision,
)
from rope_ref.validation.configs import (
    check_config,
    check_config_bool,
    check_config_dict,
    check_config_int,
    check_config_real,
    check_head_split,
    check_layer_list,
    check_model_type,
    check_preset,
)
from rope_ref.validation.core import (
    LAYOUTS,
    as_array,
    check_angles_finite,
    check_base,
    check_bool,
    check_even_dim,
    check_feature_axis,
    check_float_array,
    check_head_rows,
    check_int,
    check_layout,
    check_layout_dim,
    check_positions,
    check_positions_fit,
    check_positive_real,
    check_rotary_dim,
    check_theta,
)
from rope_ref.validation.decay_figures import (
    check_difference,
    check_qk,
    check_same_shape,
)
from rope_ref.validation.golden import check_golden_group
from rope_ref.validation.model import (
    check_attention_inputs,
    check_denominator,
    check_encoder_finite,
    check_encoder_positions,
    check_eps_fits,
    check_layer_count,
    check_layer_indices,
    check_padding_mask,
    check_query_key,
    check_roformer_config,
    check_scores,
    check_token_ids,
    check_weight_table,
)
from rope_ref.validation.scaling import (
    ROPE_SCALING_KEYS,
    TYPE_KEYS,
    check_partial_rotary_dim,
    check_partial_rotary_factor,
    check_rope_scaling_keys,
    check_scaling_relations,
    check_seq_len,
)
from rope_ref.validation.scaling_args import (
    FORMS,
    check_base_agrees,
    check_form,
    check_llama3_band,
    check_ntk_base,
    check_scaled_rotary_dim,
    check_scaled_theta,
    check_scaling_args,
    check_yarn_truncate,
)

__all__ = [
    "FORMS",
    "LAYOUTS",
    "ROPE_SCALING_KEYS",
    "as_array",
    "check_angles_finite",
    "check_attention_inputs",
    "check_base",
    "check_base_agrees",
    "check_bool",
    "check_callable",
    "check_config",
    "check_config_bool",
    "check_config_dict",
    "check_config_int",
    "check_config_real",
    "check_denominator",
    "check_difference",
    "check_encoder_finite",
    "check_encoder_positions",
    "check_eps_fits",
    "check_even_dim",
    "check_feature_axis",
    "check_float_array",
    "check_head_rows",
    "check_form",
    "check_golden_group",
    "check_golden_root",
    "check_golden_version",
    "check_head_split",
    "check_int",
    "check_layer_count",
    "check_layer_indices",
    "check_layer_list",
    "check_llama3_band",
    "check_layout",
    "check_layout_dim",
    "check_model_type",
    "check_ntk_base",
    "check_outputs_array",
    "check_padding_mask",
    "check_partial_rotary_factor",
    "check_positions",
    "check_positions_fit",
    "check_positive_real",
    "check_precision",
    "check_preset",
    "check_qk",
    "check_query_key",
    "check_roformer_config",
    "check_rope_scaling_keys",
    "check_scaling_relations",
    "check_partial_rotary_dim",
    "TYPE_KEYS",
    "check_rotary_dim",
    "check_same_shape",
    "check_scaled_rotary_dim",
    "check_scaled_theta",
    "check_scaling_args",
    "check_scores",
    "check_seq_len",
    "check_theta",
    "check_token_ids",
    "check_weight_table",
    "check_yarn_truncate",
]
