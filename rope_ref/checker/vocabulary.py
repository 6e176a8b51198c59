"""The checker's vocabulary: the names of the bug classes it can name (DESIGN.md's fixed
vocabulary, which only grows). Golden groups flag the same names (``rope_ref.golden``),
so this module imports nothing: both read it."""

#: Bug classes in the order a tie is broken: the simplest explanation first. Two classes
#: can describe the same outputs (theta_i = 10000^(-i/d) IS base 100), and then the
#: earlier, more specific, name is kept.
#: The classes of public issue trackers (``rope_ref.checker.tracker_bugs``, docs/bug-classes.md)
#: sit just before the generic class that would also fit: a 65536-row wrap is a 16-bit
#: position field before it is a short cache; a misread scaling variant is named by its
#: misreading before frequency_formula; the NTK base fitted from a dynamic NTK run at
#: another length is dynamic_ntk_wrong_length before wrong_base. rotated_twice comes after
#: scaling_ignored: linear x2 stated and plain RoPE run turn by 2 m theta_i too, and
#: ignoring the dict is the simpler mistake.
CLASSES = (
    "layout_swapped",
    "rotation_reversed",
    "cos_sin_swapped",
    "position_offset",
    "positions_wrapped",
    "cache_too_short",
    "partial_rotary_ignored",
    "last_features_rotated",
    "rotary_dim_mismatch",
    "scaling_ignored",
    "attention_factor_missing",
    "attention_factor_wrong",
    "rotated_twice",
    "longrope_threshold_off_by_one",
    "longrope_wrong_factors",
    "yarn_truncate_ignored",
    "yarn_beta_swapped",
    "llama3_bands_swapped",
    "dynamic_ntk_wrong_length",
    "frequency_formula",
    "wrong_layer_base",
    "wrong_base",
    "low_precision_angles",
    # multi-axis RoPE (rope_ref.checker.axes): M-RoPE's sections, its chunked/interleaved
    # styles, h and w, 1D positions for vector ones, one cos/sin table for both halves
    # (a 1D port is the simpler, commoner mistake: it wins a tie, as on axial styles,
    # where both halves share one frequency table and the two read the same)
    "mrope_section_mismatch",
    "mrope_style_swapped",
    "hw_swapped",
    "scalar_positions",
    "half_duplication",
    "nope_layer_rotated",
    # pairs that never turn (a position row held at 0: ggml's IMROPE puts the pairs past
    # Qwen3-VL's [24, 20, 20] strides on a 4th row that llama.cpp sets to 0)
    "pairs_unrotated",
)

#: The per-layer classes: named by ``rope_ref.checker.layers`` (a model's every layer,
#: ``check_model`` and ``rope-ref check`` of a model export), which knows the model's other
#: layers: a layer given the RoPE of another layer type (Gemma 3's sliding layers given the
#: global base, vLLM #29111, llama.cpp #14367), a NoPE layer rotated, partial_rotary_factor
#: ignored (MaxText #4616, mlx-lm #1698), LongRoPE's switch off by one at
#: original_max_position_embeddings (unsloth #10681). Each sits in ``CLASSES`` just before
#: the generic class that would also fit (rotary_dim_mismatch, frequency_formula,
#: wrong_base), so the specific name wins a tie.
LAYER_CLASSES = (
    "wrong_layer_base",
    "nope_layer_rotated",
    "partial_rotary_ignored",
    "longrope_threshold_off_by_one",
)

#: Every name a Finding can carry: a bug class, or ``unexplained`` when none fits.
FINDING_NAMES = CLASSES + ("unexplained",)
