"""Tests of rope_ref.testing."""
