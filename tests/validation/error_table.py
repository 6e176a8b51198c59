"""The runner of the error tables, one table per module of rope_ref, in the mirrored
folder: ``tests/<subpackage>/test_<module>_errors.py`` holds ``<MODULE>_ERRORS``. (No
leading underscore: every error table imports it, ``from validation.error_table import``.)

A row is ``(id, call, error, words)``: ``call()`` must raise ``error`` (that class or a
subclass) whose message contains ``words``, a string, or a tuple of strings that appear
in that order. NumPy's RuntimeWarnings count as failures: an overflow that only warns
hands the caller inf or NaN before the error comes. A call that takes one (required) argument
gets the test's ``tmp_path`` (for bad files), and ``{tmp_path}`` in its words stands for it.
"""

from __future__ import annotations

import inspect
import warnings

import pytest


def error_params(table: list[tuple]) -> list:
    """The rows of ``table`` as pytest params ``(call, error, words)``, each with its id."""
    ids = [row[0] for row in table]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert not repeated, f"ids used twice in one table: {repeated}"
    return [pytest.param(call, error, words, id=name) for name, call, error, words in table]


def assert_raises_named(call, error: type[BaseException], words, tmp_path=None) -> None:
    """``call()`` raises ``error`` with ``words`` in its message, and warns nothing."""
    fragments = (words,) if isinstance(words, str) else tuple(words)
    if tmp_path is not None:
        fragments = tuple(w.replace("{tmp_path}", str(tmp_path)) for w in fragments)
    params = inspect.signature(call).parameters.values()
    takes_folder = any(p.default is inspect.Parameter.empty for p in params)
    assert tmp_path is not None or not takes_folder, "this row's call needs tmp_path"
    args = (tmp_path,) if takes_folder else ()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(error) as info:
            call(*args)
    message = str(info.value)
    position = 0
    for fragment in fragments:
        found = message.find(fragment, position)
        assert found >= 0, f"{type(info.value).__name__}: {message!r} lacks {fragment!r}" + (
            f" after {message[:position]!r}" if position else ""
        )
        position = found + len(fragment)
