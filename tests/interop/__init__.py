"""Tests of rope_ref.interop."""
