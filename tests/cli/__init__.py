"""Tests of rope_ref.cli."""
