"""`pip install .` gives NumPy alone, and its `rope-ref demo` runs what NumPy can and names
the extra for the rest; every extra pins exactly what requirements/dev.txt pins."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from rope_ref.cli.demo import DEMO_EXTRA, OPTIONAL_SECTIONS

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "transformers", "matplotlib")


def dev_pins() -> dict[str, str]:
    """requirements/dev.txt as {canonical name: pinned version}."""
    pins = {}
    for line in (ROOT / "requirements" / "dev.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def extras() -> dict[str, list[Requirement]]:
    """setup.cfg's [options.extras_require] as {extra: [Requirement, ...]}."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    return {
        extra: [Requirement(line) for line in value.splitlines() if line.strip()]
        for extra, value in config["options.extras_require"].items()
    }


def test_every_extra_pins_exactly_the_version_requirements_dev_txt_pins():
    pins = dev_pins()
    assert extras(), "setup.cfg has no extras"
    for extra, requirements in extras().items():
        for req in requirements:
            name = canonicalize_name(req.name)
            assert name in pins, f"extra {extra!r}: {req.name} is not in requirements/dev.txt"
            specs = [(s.operator, s.version) for s in req.specifier]
            assert specs == [("==", pins[name])], (
                f"extra {extra!r} asks {req}, requirements/dev.txt pins {req.name}=={pins[name]}"
            )


def test_the_demo_extra_installs_every_package_the_demo_sections_need():
    demo = {canonicalize_name(req.name) for req in extras()[DEMO_EXTRA]}
    needed = {canonicalize_name(m) for _, modules, _ in OPTIONAL_SECTIONS for m in modules}
    assert needed <= demo, f"the {DEMO_EXTRA!r} extra lacks {sorted(needed - demo)}"


def test_pip_install_dot_with_numpy_alone_gives_a_demo_that_names_the_extra(tmp_path):
    """A fresh venv, NumPy and setuptools (to build) at dev.txt's pins, then `pip install
    --no-index .` from a copy of the source: nothing is written into the repository, and
    nothing but NumPy can meet rope_ref's runtime requirements. pip is this venv's pip,
    run on the fresh venv's python (``--python``), and compiles nothing, to save time."""
    before = _build_outputs(ROOT)
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "rope_ref", src / "rope_ref", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    venv = tmp_path / "venv"
    python = str(venv / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-compile"]
    pins = dev_pins()
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, env)
    _run([*pip, f"numpy=={pins['numpy']}", f"setuptools=={pins['setuptools']}"], tmp_path, env)
    _run([*pip, "--no-index", "--no-build-isolation", str(src)], tmp_path, env)
    probe = (
        "import importlib.metadata as md, importlib.util as u, rope_ref; print(rope_ref.__file__);"
        f"print([m for m in {HEAVY!r} if u.find_spec(m)]); print(md.requires('rope_ref'))"
    )
    where, found, requires = _run([python, "-c", probe], tmp_path, env).stdout.splitlines()
    assert Path(where).is_relative_to(venv), f"rope_ref imported from {where}, not the venv"
    assert found == "[]", f"the fresh venv has {found}"
    for req in extras()[DEMO_EXTRA]:
        assert f'{req}; extra == "{DEMO_EXTRA}"' in requires, f"{req} not in {requires}"

    demo = _run([str(venv / "bin" / "rope-ref"), "demo", "--out", "figs"], tmp_path, env)
    for heading in ("1. q_m . k_n", "2. rotation keeps norms", "3. long-term decay"):
        assert heading in demo.stdout
    assert demo.stdout.splitlines()[-1] == (
        "skipped: the encoder against HF and the checker on HF's Llama (need torch, "
        "transformers), the figures (needs matplotlib): pip install 'rope_ref[demo]'"
    )
    assert not (tmp_path / "figs").exists()
    assert (src / "rope_ref.egg-info").is_dir(), "the build did not happen in the copy"
    assert _build_outputs(ROOT) == before, "pip install wrote build outputs into the repository"


def _build_outputs(root: Path) -> list[tuple[str, float]]:
    return [(p.name, p.stat().st_mtime) for p in [root / "build", *root.glob("*.egg-info")]
            if p.exists()]  # fmt: skip


def _run(cmd: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr}"
    return proc
