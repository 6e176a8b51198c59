"""Golden vectors: a versioned, language-neutral RoPE test set (docs/golden-format.md).

    load_manifest(version="v1") -> dict
    list_groups(version="v1") -> list[str]
    load_group(name, version="v1") -> GoldenGroup
    verify(version="v1") -> list[str]          every file of every group

``rope_ref.golden.generate`` writes the set (mpmath, 60 significant digits).
"""

from rope_ref.golden.store import (
    GoldenGroup,
    GoldenIntegrityError,
    list_groups,
    load_group,
    load_manifest,
    verify,
)

__all__ = [
    "GoldenGroup",
    "GoldenIntegrityError",
    "list_groups",
    "load_group",
    "load_manifest",
    "verify",
]
