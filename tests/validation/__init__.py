"""Tests of rope_ref.validation."""
