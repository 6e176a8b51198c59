"""rope_ref.configs.families: every model type model_rope reads is checked against HF's own
model (tests/configs/test_hf_families.py), and every multimodal wrapper maps to a family."""

from __future__ import annotations

from configs._families import CASES
from rope_ref.configs.families import FAMILIES, TEXT_MODEL_TYPES


def test_every_family_has_a_case_run_against_hf():
    tested = {config["model_type"] for _, config, _ in CASES.values()}
    assert set(FAMILIES) == tested, set(FAMILIES) ^ tested
    assert {family for family, _, _ in CASES.values()} == {f.name for f in FAMILIES.values()}


def test_every_multimodal_wrapper_names_a_family():
    assert set(TEXT_MODEL_TYPES.values()) <= set(FAMILIES)
    assert all(f.layout in ("half", "interleaved") for f in FAMILIES.values())
