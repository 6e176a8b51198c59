"""Tests of rope_ref.checker."""
