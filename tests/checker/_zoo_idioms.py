"""Correct implementations written in the idioms of real code (issue 16): each must pass."""

from __future__ import annotations

from checker._zoo import Mutant

IDIOMS: list[Mutant] = []
