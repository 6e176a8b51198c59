"""Tests of rope_ref.golden."""
