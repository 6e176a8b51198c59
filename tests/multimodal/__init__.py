"""Tests of rope_ref.multimodal."""
