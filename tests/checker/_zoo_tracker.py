"""Implementations with the bug classes of public issue trackers (issue 16), each named by its class."""

from __future__ import annotations

from checker._zoo import Mutant

TRACKER: list[Mutant] = []
