"""Variants of step 1: the scaled frequencies that long-context models use."""
