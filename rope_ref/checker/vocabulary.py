"""The checker's vocabulary: the names of the bug classes it can name (DESIGN.md's fixed
vocabulary, which only grows). Golden groups flag the same names (``rope_ref.golden``),
so this module imports nothing: both read it."""

#: Bug classes in the order a tie is broken: the simplest explanation first. Two classes
#: can describe the same outputs (theta_i = 10000^(-i/d) IS base 100), and then the
#: earlier, more specific, name is kept.
CLASSES = (
    "layout_swapped",
    "rotation_reversed",
    "cos_sin_swapped",
    "position_offset",
    "rotary_dim_mismatch",
    "scaling_ignored",
    "attention_factor_missing",
    "frequency_formula",
    "wrong_base",
    "low_precision_angles",
    # multi-axis RoPE (rope_ref.checker.axes): M-RoPE's sections, its chunked/interleaved
    # styles, h and w, one cos/sin table for both halves, 1D positions for vector ones
    "mrope_section_mismatch",
    "mrope_style_swapped",
    "hw_swapped",
    "half_duplication",
    "scalar_positions",
)

#: Every name a Finding can carry: a bug class, or ``unexplained`` when none fits.
FINDING_NAMES = CLASSES + ("unexplained",)
