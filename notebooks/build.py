"""Execute the notebooks and save them with their outputs, so readers see the plots.

    python notebooks/build.py                  # every notebooks/*.ipynb, in place
    python notebooks/build.py 01-four-steps    # only the named ones

The kernel is this interpreter (``sys.executable``), not whatever ``python3`` kernelspec
Jupyter finds first, and it imports rope_ref from this checkout (the repository root goes
first on PYTHONPATH). tests/notebooks/test_notebooks.py runs the same ``execute``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parent
REPO_ROOT = NOTEBOOK_DIR.parent
KERNEL_NAME = "rope-ref-python"


def notebooks() -> list[Path]:
    """Every notebook in notebooks/, in reading order (their names start with a number)."""
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def execute(path: Path, timeout: int = 120) -> nbformat.NotebookNode:
    """Run every cell of the notebook at ``path`` in a fresh kernel; return it with outputs.

    Raises nbclient's ``CellExecutionError`` (with the cell and traceback) if a cell fails.
    The working directory is notebooks/, as when a reader opens it in Jupyter.
    """
    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    with tempfile.TemporaryDirectory() as tmp:
        write_kernel_spec(Path(tmp) / KERNEL_NAME)  # argv: [sys.executable, -m, ipykernel...]
        km = KernelManager(
            kernel_name=KERNEL_NAME, kernel_spec_manager=KernelSpecManager(kernel_dirs=[tmp])
        )
        client = NotebookClient(
            nb,
            km=km,
            timeout=timeout,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute(env=env)
    return nb


def _clean_metadata(nb: nbformat.NotebookNode) -> None:
    """Keep the saved file stable: no kernel name or run times that change per machine."""
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    paths = notebooks()
    if names:
        paths = [p for p in paths if any(p.stem.startswith(n) for n in names)]
    for path in paths:
        nb = execute(path)
        _clean_metadata(nb)
        nbformat.write(nb, path)
        print(f"executed and saved {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
