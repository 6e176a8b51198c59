"""Tests of rope_ref.notebooks."""
