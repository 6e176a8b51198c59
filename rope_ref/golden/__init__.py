"""Golden vectors: a versioned, language-neutral RoPE test set (docs/golden-format.md).

    load_manifest(version="v2") -> dict
    list_groups(version="v2") -> list[str]
    load_group(name, version="v2") -> GoldenGroup
    verify(version="v2") -> list[str]          every file of every group
    compare_with_shipped(version="v2", root=None) -> list[str]   [] for the shipped set

The packaged set is authenticated against the sha256 of each manifest pinned in the code
(``rope_ref.golden.pinned``); docs/threat-model.md says against what.

v2 (``LATEST_VERSION``) is the default; v1, the same groups and byte-identical arrays with
each flag's sentence repeated in every group, stays readable with ``version="v1"``.
``rope_ref.golden.generate`` writes either (mpmath, 60 significant digits).
"""

from rope_ref.golden.store import (
    LATEST_VERSION,
    GoldenGroup,
    GoldenIntegrityError,
    compare_with_shipped,
    list_groups,
    load_group,
    load_manifest,
    verify,
)

__all__ = [
    "LATEST_VERSION",
    "GoldenGroup",
    "GoldenIntegrityError",
    "compare_with_shipped",
    "list_groups",
    "load_group",
    "load_manifest",
    "verify",
]
