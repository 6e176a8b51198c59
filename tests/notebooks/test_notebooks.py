"""Every notebook in notebooks/ runs top to bottom without an error, in a fresh kernel of
this interpreter, and the committed copy carries its outputs (so it renders for readers).

The runner is notebooks/build.py's ``execute``, the same one that saves the outputs.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

_BUILD = Path(__file__).resolve().parents[2] / "notebooks" / "build.py"
_spec = importlib.util.spec_from_file_location("_notebook_build", _BUILD)
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

NOTEBOOKS = build.notebooks()
EXPECTED = {
    "01-four-steps.ipynb",
    "02-relative-position-and-decay.ipynb",
    "03-checking-an-implementation.ipynb",
    "04-scaling-variants.ipynb",
    "05-multi-axis.ipynb",
}


def test_the_notebooks_are_found():
    names = {p.name for p in NOTEBOOKS}
    assert EXPECTED <= names, f"missing notebooks: {sorted(EXPECTED - names)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_without_error(path):
    nb = build.execute(path)  # raises CellExecutionError naming the failing cell
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: {errors[0].ename}: {errors[0].evalue}"
    assert all(c.execution_count is not None for c in code), f"{path.name}: a cell did not run"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_carries_its_outputs_and_plots(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    unrun = [i for i, c in enumerate(code) if c.execution_count is None]
    assert not unrun, f"{path.name}: code cells {unrun} were saved without running"
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name} was saved without any plot; run python notebooks/build.py"
