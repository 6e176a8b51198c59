"""Benchmarks, run by hand: ``python -m bench`` (``make bench``). Never part of the tests.

Every figure is a ratio of two medians measured in the same run, so a busy machine slows
both sides alike; absolute times are printed too, for context only.
"""
