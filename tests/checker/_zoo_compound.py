"""Implementations with two mistakes at once (issue 16), named both."""

from __future__ import annotations

from checker._zoo import Mutant

COMPOUND: list[Mutant] = []
