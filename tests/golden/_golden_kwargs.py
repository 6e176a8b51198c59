"""The keyword arguments of ``rotate`` that a golden group's config states."""

from __future__ import annotations


def rotate_kwargs(config: dict) -> dict:
    """base, layout, rotary_dim, rope_scaling, seq_len, hf_compat from a group's config."""
    keys = ("base", "layout", "rotary_dim", "rope_scaling", "seq_len", "hf_compat")
    return {key: config[key] for key in keys}
