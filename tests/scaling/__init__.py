"""Tests of rope_ref.scaling."""
