"""Tests of rope_ref.paper."""
