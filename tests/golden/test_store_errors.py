"""rope_ref.golden.store: a bad version or root raises an error that names it."""

from __future__ import annotations

import pytest
from validation.error_table import assert_raises_named, error_params

from rope_ref.golden import load_group

STORE_ERRORS = [
    # escapes the API audit found: the id says what got out before the fix
    (
        "a 5000-character version: OSError",
        lambda: load_group("d2_base10000", "v" * 5000),
        ValueError,
        "version must be a folder name",
    ),
    (
        "root=3: Path's message",
        lambda: load_group("d2_base10000", root=3),
        TypeError,
        "root must be a folder path",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(STORE_ERRORS))
def test_store_error(call, error, words):
    assert_raises_named(call, error, words)
