"""Every test that derivations/*.md names exists, and every proof is explained somewhere.

A derivation names the tests that check it as ``tests/proofs/test_x.py::test_name``; if a
test is renamed or removed, this fails and says which link broke.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DERIVATIONS = sorted((ROOT / "derivations").glob("[0-9][0-9]-*.md"))
LINK = re.compile(r"(tests/proofs/test_\w+\.py)::(test_\w+)")


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_there_is_one_derivation_per_proof():
    assert len(DERIVATIONS) >= 8, f"expected 8 derivations, found {[p.name for p in DERIVATIONS]}"


@pytest.mark.parametrize("derivation", DERIVATIONS, ids=lambda p: p.name)
def test_derivation_links_name_existing_tests(derivation):
    links = LINK.findall(derivation.read_text())
    assert links, f"{derivation.name} names no test (tests/proofs/test_x.py::test_name)"
    for module, name in links:
        path = ROOT / module
        assert path.is_file(), f"{derivation.name} links {module}, which does not exist"
        assert name in _test_functions(path), (
            f"{derivation.name} links {module}::{name}, which is not a test in that file"
        )


def test_every_proof_module_has_a_derivation():
    linked = {module for p in DERIVATIONS for module, _ in LINK.findall(p.read_text())}
    here = Path(__file__).resolve().parent
    modules = {f"tests/proofs/{p.name}" for p in here.glob("test_*.py")} - {
        "tests/proofs/test_derivation_links.py"
    }
    missing = sorted(modules - linked)
    assert not missing, f"proof modules no derivation links: {missing}"
