"""The notes of the golden set: each flag a group can carry, stated once.

As in Project Wycheproof, a note is named once with what it means, and test groups list
note names. Each note has

- ``bug_class``: the checker's name for the mistake (``rope_ref.FINDING_NAMES``);
- ``description``: why a group with this flag exposes that mistake. It is, word for word,
  the sentence golden set v1 stores under ``flags[bug_class]``;
- ``effect``: what the mistake does to the outputs.

Most notes are named after their bug class. A group that exposes a class for a reason of
its own gets a note of its own, with the same ``bug_class`` (``dynamic_unscaled_base``,
``attention_factor_unity``): v1 wrote those as a group's own sentence for the class.
"""

from __future__ import annotations


def _note(bug_class: str, description: str, effect: str) -> dict:
    return {"bug_class": bug_class, "description": description, "effect": effect}


#: {note name: {"bug_class", "description", "effect"}}, in DESIGN.md's order of classes.
NOTES = {
    "rotation_reversed": _note(
        "rotation_reversed",
        "Non-zero positions: turning by -m theta instead of +m theta (R^T for R) changes "
        "every rotated output.",
        "Each pair turns by -m theta_i: the output is R_m^T x = R_(-m) x, so q_m^T k_n "
        "meets R_(m-n) instead of R_(n-m) (eq 16). Norms are kept; position 0 is unchanged.",
    ),
    "cos_sin_swapped": _note(
        "cos_sin_swapped",
        "Angles away from multiples of pi/4: exchanging cos and sin gives other outputs.",
        "Each pair turns by pi/2 - m theta_i instead of m theta_i: even position 0 is "
        "turned by a quarter turn instead of left as it is.",
    ),
    "position_offset": _note(
        "position_offset",
        "The stated positions, not 0..seq-1 from another start: ignoring the given "
        "positions, or shifting them by one, gives other outputs.",
        "Row j is rotated by the angles of another position (m_j + k, or j instead of "
        "m_j): each output is a correct rotation of x, by the wrong angle.",
    ),
    "layout_swapped": _note(
        "layout_swapped",
        "d >= 4: pairing (i, i + d/2) instead of (2i, 2i+1), or the reverse, rotates the "
        "wrong features together.",
        "Features are rotated with the wrong partner and by the wrong theta_i: almost "
        "every rotated output is wrong, at every non-zero position.",
    ),
    "frequency_formula": _note(
        "frequency_formula",
        "Several frequencies: theta_i = base^(-2i/d) must use 2i/d, not i/d, (2i+1)/d or "
        "a denominator of d-2.",
        "Pairs turn at the wrong speeds theta_i: the error of pair i grows with the position m.",
    ),
    "wrong_base": _note(
        "wrong_base",
        "A base other than 10000: hard-coding 10000 (or confusing 500000 and 1e6) changes "
        "every theta_i but the first.",
        "Every pair but the first (theta_0 = 1) turns at the wrong speed: the error grows "
        "with the position m and with the pair index i.",
    ),
    "low_precision_angles": _note(
        "low_precision_angles",
        "Large |m theta|: angles formed in float32/bf16, or theta rounded to float32 "
        "before multiplying by m, are off by much more than an ulp.",
        "The angle m theta_i is off by about |m theta_i| times the unit roundoff of the "
        "low precision (2^-24 for float32, 2^-8 for bf16): outputs at large m are wrong "
        "by far more than their own rounding.",
    ),
    "rotary_dim_mismatch": _note(
        "rotary_dim_mismatch",
        "Only the first rotary_dim features rotate; rotating all d, or computing theta "
        "over d instead of rotary_dim, is wrong.",
        "Features from rotary_dim on, which must pass through unchanged, are rotated, or "
        "every pair but the first turns at the speed of a d-dimensional head.",
    ),
    "scaling_ignored": _note(
        "scaling_ignored",
        "A rope_scaling variant changes theta: plain eq 15 frequencies do not match.",
        "Pairs turn at eq 15's speeds instead of the variant's: the outputs drift from "
        "the expected ones as the position m grows.",
    ),
    "attention_factor_missing": _note(
        "attention_factor_missing",
        "attention_factor != 1 multiplies cos and sin: leaving it out (or applying it "
        "twice) scales outputs wrongly.",
        "Every rotated output is off by the factor A (or 1/A): its direction is right, "
        "its norm is not. Pass-through features are unchanged.",
    ),
    "dynamic_unscaled_base": _note(
        "wrong_base",
        "seq_len below max_position_embeddings: dynamic NTK must use the plain base "
        "10000; rescaling anyway, or keeping the base of a longer earlier sequence (HF PR "
        "#27227), is a wrong base.",
        "theta comes from a rescaled base b s^(r/(r-2)) with s > 1: every pair but the "
        "first turns too slowly, and the error grows with the position m.",
    ),
    "attention_factor_unity": _note(
        "attention_factor_missing",
        "attention_factor is exactly 1 here (mscale = mscale_all_dim): applying 0.1 ln s "
        "+ 1 anyway scales every output by 1.37.",
        "Every rotated output is multiplied by 0.1 ln 40 + 1 = 1.37: its direction is "
        "right, its norm 37% too large.",
    ),
    # multi-axis RoPE (golden v3): vector positions p, pair i turned by p_(a(i)) theta_i
    "mrope_section_mismatch": _note(
        "mrope_section_mismatch",
        "Tokens whose t, h and w differ: M-RoPE's sections in another order or of other "
        "sizes (or its chunks given to the axes in another order) turn pairs by the wrong "
        "coordinate.",
        "The pairs at a section's border turn with another axis' coordinate: vision tokens "
        "are wrong, text tokens (t = h = w) are not.",
    ),
    "mrope_style_swapped": _note(
        "mrope_style_swapped",
        "Tokens whose t, h and w differ: chunked M-RoPE (Qwen2-VL) where interleaved "
        "(Qwen3-VL) is stated, or the reverse, assigns most pairs to another axis.",
        "Most pairs of a vision token turn with another axis' coordinate; text tokens "
        "(t = h = w) are unchanged, so a text-only test never sees it.",
    ),
    "hw_swapped": _note(
        "hw_swapped",
        "Tokens with h != w (a non-square grid, or any token off the diagonal): exchanging "
        "the h and w coordinates changes the outputs.",
        "The pairs of h turn by w's coordinate and back: the image is read transposed, and "
        "for a non-square image its positions leave the grid.",
    ),
    "half_duplication": _note(
        "half_duplication",
        "Pairs of the second half with their own axes and frequencies: giving them the first "
        "half's angles (one cos/sin table for both halves, as a fused kernel may assume) "
        "is wrong.",
        "The second half of the pairs turns by the first half's angles: their axes and "
        "frequencies are lost.",
    ),
    "scalar_positions": _note(
        "scalar_positions",
        "Vector positions with differing coordinates: one coordinate (or the token index) "
        "for every pair, as a 1D port does, gives other outputs.",
        "Every pair turns by the same scalar position: 1D RoPE, right for text tokens and "
        "wrong for every vision token.",
    ),
    "one_based_coordinates": _note(
        "position_offset",
        "Llama 4's coordinates are 1-based, with the CLS token at (0, 0): 0-based "
        "coordinates shift every patch by one on each axis.",
        "Every patch turns by its neighbour's angles (row - 1, column - 1), and the CLS "
        "token, which must not turn, does.",
    ),
}


def v1_flags(names: list[str]) -> dict:
    """The ``flags`` of a group in golden set v1: {bug_class: sentence}, in the order of
    ``names`` (note names)."""
    return {NOTES[n]["bug_class"]: NOTES[n]["description"] for n in names}


def used_notes(names: list[str]) -> dict:
    """The entries of NOTES whose names are in ``names``, in NOTES's order: v2's table."""
    wanted = set(names)
    return {name: dict(note) for name, note in NOTES.items() if name in wanted}
