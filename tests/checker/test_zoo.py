"""Every mutant of the zoo gets the right verdict: the correct ones pass in every
precision, each wrong one fails and is named by its bug class."""

from __future__ import annotations

import pytest

from checker._zoo import MUTANTS
from rope_ref.checker.report import check
from rope_ref.checker.vocabulary import FINDING_NAMES, LAYER_CLASSES

_RESULTS: dict[str, object] = {}


def _names(expected) -> list[str]:
    """The finding names a mutant must get: [] for a correct one, both for a compound."""
    if expected is None:
        return []
    return list(expected) if isinstance(expected, tuple) else [expected]


def _report(mutant):
    if mutant.label not in _RESULTS:
        _RESULTS[mutant.label] = check(mutant.fn, **mutant.config)
    return _RESULTS[mutant.label]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.label for m in MUTANTS])
def test_checker_names_the_mutant(mutant):
    report = _report(mutant)
    if mutant.expected is None:
        assert report.ok and report.findings == [], str(report)
        # The error model is tight: a correct implementation uses a real share of it.
        assert report.max_error > 0.02 * report.tolerance, str(report)
    else:
        assert not report.ok, str(report)
        assert [f.name for f in report.findings] == _names(mutant.expected), str(report)
        assert report.max_error > report.tolerance


def test_zoo_covers_every_bug_class_and_prints_the_detection_table():
    # the per-layer classes need a model's other layers, which check() has not: the
    # broken whole-model ports of tests/checker/test_layers.py name each of them
    classes = set(FINDING_NAMES) - {"unexplained"} - set(LAYER_CLASSES)
    covered = {n for m in MUTANTS if m.expected for n in _names(m.expected)}
    missing = classes - covered
    assert not missing, f"no mutant for {sorted(missing)}"
    rows = []
    for m in MUTANTS:
        report = _report(m)
        named = [f.name for f in report.findings]
        detected = (not report.ok) == (m.expected is not None)
        right = named == (_names(m.expected) if m.expected else [])
        rows.append((" + ".join(_names(m.expected)) or "(correct)", m.label, detected, right))
    print(f"\n{'class':25} {'mutant':52} det  named")
    for cls, label, det, right in rows:
        print(f"{cls:25} {label:52} {'yes' if det else 'NO':4} {'yes' if right else 'NO'}")
    assert all(det and right for _, _, det, right in rows)
