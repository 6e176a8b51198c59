"""The package's shape, as README's "Layout of the package" draws it: subpackages by
subsystem, at most six top-level modules, no module hidden by a function of its name, the
data path one way (each module imports only modules before it in ``DATA_PATH``), no
private name imported across modules, v0.1's public names kept, and ``import rope_ref``
loading NumPy and nothing heavier."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import rope_ref

PACKAGE = Path(rope_ref.__file__).parent

#: Every module of rope_ref in the order data flows (DESIGN.md's data path): checks first,
#: then step 1 and its scaling variants, steps 2-4, what is built on them (bounds, decay,
#: the model), the golden set and the checker, the CLI, and the public API last.
DATA_PATH = (
    # one place for argument checks, by subject
    "rope_ref.validation.core",
    "rope_ref.validation.configs",
    "rope_ref.validation.axes",
    "rope_ref.validation.checker",
    "rope_ref.validation.files",
    "rope_ref.validation.golden",
    "rope_ref.validation.decay_figures",
    "rope_ref.validation.model",
    "rope_ref.validation.scaling",
    "rope_ref.validation.scaling_args",
    "rope_ref.validation",
    # step 1 (eq 15) and its variants
    "rope_ref.paper",
    "rope_ref.paper.frequencies",
    "rope_ref.scaling",
    "rope_ref.scaling.config",
    "rope_ref.scaling.linear",
    "rope_ref.scaling.ntk",
    "rope_ref.scaling.yarn",
    "rope_ref.scaling.llama3",
    "rope_ref.scaling.longrope",
    "rope_ref.scaling.proportional",
    "rope_ref.scaling.scaled",
    # step 2 (eq 13), pairs, steps 3-4 as the paper writes them, then as they run
    "rope_ref.paper.angles",
    "rope_ref.paper.layouts",
    "rope_ref.paper.arguments",
    "rope_ref.paper.axes",
    "rope_ref.paper.forms",
    "rope_ref.paper.blockwise",
    "rope_ref.paper.rotary",
    # built on the steps: error bounds, long-term decay (eqs 35-37), figures
    "rope_ref.paper.bounds",
    "rope_ref.paper.decay",
    "rope_ref.paper.figures",
    # a model's config.json to the RoPE of each of its layers
    "rope_ref.configs",
    "rope_ref.configs.families",
    "rope_ref.configs.presets",
    "rope_ref.configs.read",
    "rope_ref.configs.layers",
    "rope_ref.configs.build",
    # multimodal position ids: the vector positions of multi-axis RoPE
    "rope_ref.multimodal.positions",
    "rope_ref.multimodal",
    # the model: eqs 2, 16, 19 and the RoFormer encoder
    "rope_ref.model",
    "rope_ref.model.gelu",
    "rope_ref.model.safetensors",
    "rope_ref.model.attention",
    "rope_ref.model.weights",
    "rope_ref.model.encoder",
    # the golden set, and the checker that reads it
    "rope_ref.checker",
    "rope_ref.checker.vocabulary",
    "rope_ref.golden.notes",
    "rope_ref.golden.groups",
    "rope_ref.golden.exact",
    "rope_ref.golden.multi_axis",
    "rope_ref.golden.pinned_digests",
    "rope_ref.golden.pinned",
    "rope_ref.golden.store",
    "rope_ref.golden",
    "rope_ref.golden.generate",
    "rope_ref.golden.model_sets",
    "rope_ref.checker.probe",
    "rope_ref.checker.precision",
    "rope_ref.checker.models",
    "rope_ref.checker.case",
    "rope_ref.checker.precision_models",
    "rope_ref.checker.tracker_bugs",
    "rope_ref.checker.misreadings",
    "rope_ref.checker.hypotheses",
    "rope_ref.checker.compound",
    "rope_ref.checker.diagnose",
    "rope_ref.checker.axis_case",
    "rope_ref.checker.axis_models",
    "rope_ref.checker.axes",
    "rope_ref.checker.report",
    "rope_ref.checker.layer_models",
    "rope_ref.checker.layers",
    # for test suites: one assertion, and the call shapes of real code
    "rope_ref.testing.adapters",
    "rope_ref.testing",
    # the command line and the demo
    "rope_ref.cli.check_demo",
    "rope_ref.cli.encoder_demo",
    "rope_ref.cli.demo_figures",
    "rope_ref.cli.demo",
    "rope_ref.cli.golden",
    "rope_ref.cli.run_check",
    "rope_ref.cli.check",
    "rope_ref.cli.model",
    "rope_ref.cli.model_golden",
    "rope_ref.cli",
    "rope_ref.cli.__main__",
    # the public API
    "rope_ref",
)

#: ``rope_ref.__all__`` of v0.1: other people's scripts call these, so each stays.
V01_PUBLIC_NAMES = (
    "FINDING_NAMES Finding Report check check_outputs UNIT_ROUNDOFF angle_error_bound angles "
    "decay_bound attention_scores encode frequencies half_permutation linear_attention "
    "pair_indices pair_products partial_sums permute_qk_weights relative_score "
    "relative_upper_bound rope_attention rotary_matrix rotate rotate_complex_form "
    "rotate_matrix_form rotation_error_bound scaled_frequencies scaled_theta_error_bound "
    "theta_error_bound to_half_layout to_interleaved_layout unrotate "
    "weights_from_hf_state_dict clock_hands error_by_position score_grid unseen_angle_ratio "
    "wavelengths"
).split()


def _modules() -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ("rope_ref",) + path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str) -> list[tuple[str, str]]:
    """(module imported, name imported or "") for each import of rope_ref in a module,
    at any depth (imports inside functions count: they are the same dependency)."""
    out = []
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rope_ref"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.append((full, "") if full in MODULES else (node.module, alias.name))
        elif isinstance(node, ast.Import):
            out += [(a.name, "") for a in node.names if a.name.startswith("rope_ref")]
    return out


def test_every_module_has_its_place_on_the_data_path():
    assert sorted(DATA_PATH) == sorted(MODULES), (
        f"modules not on DATA_PATH: {sorted(set(MODULES) - set(DATA_PATH))}; "
        f"on DATA_PATH but gone: {sorted(set(DATA_PATH) - set(MODULES))}"
    )


@pytest.mark.parametrize("name", DATA_PATH)
def test_a_module_imports_only_modules_before_it(name):
    place = DATA_PATH.index(name)
    later = [m for m, _ in _imports(name) if m != name and DATA_PATH.index(m) > place]
    assert not later, f"{name} imports {later}, which come after it on the data path"


@pytest.mark.parametrize("name", DATA_PATH)
def test_no_private_name_is_imported_from_another_module(name):
    private = [f"{m}.{n}" for m, n in _imports(name) if n.startswith("_")]
    assert not private, f"{name} imports private names {private}"


def test_the_top_level_keeps_at_most_six_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 6, f"rope_ref/ has {len(top)} top-level modules: {top}"
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert {"paper", "scaling", "checker", "model", "golden", "cli", "validation"} <= subpackages


@pytest.mark.parametrize("name", sorted(n for n in MODULES if MODULES[n].name == "__init__.py"))
def test_no_submodule_is_hidden_by_a_name_of_its_package(name):
    """``rope_ref.paper.angles`` is the module even though ``rope_ref.angles`` is the
    function: a package's attribute of a submodule's name is that submodule."""
    package = importlib.import_module(name)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name == "__main__":
            continue
        module = importlib.import_module(f"{name}.{info.name}")
        assert getattr(package, info.name) is module, (
            f"{name}.{info.name} is {getattr(package, info.name)!r}, not the module"
        )


def test_every_v01_public_name_still_works_from_rope_ref():
    missing = [n for n in V01_PUBLIC_NAMES if n not in rope_ref.__all__ or not hasattr(rope_ref, n)]
    assert not missing, f"v0.1 names gone from rope_ref: {missing}"
    assert all(hasattr(rope_ref, n) for n in rope_ref.__all__)


def test_import_rope_ref_loads_numpy_and_nothing_heavier():
    code = (
        "import sys, rope_ref; "
        "print(' '.join(m for m in ('torch', 'sympy', 'mpmath', 'matplotlib', 'transformers', "
        "'scipy', 'onnx', 'onnxruntime') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import rope_ref loads {out.stdout.strip()}"


def _readme_tree() -> set[str]:
    """The paths README's package tree names: "paper/", "paper/forms.py", ... A line
    indented by two spaces opens a subpackage; one indented by four names its modules
    (several may share a line, separated by commas)."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout of the package", 1)[1].split("\n## ", 1)[0]
    tree = section.split("rope_ref/\n", 1)[1].split("```", 1)[0]
    named, package = set(), ""
    for line in tree.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            first = line.split()[0]
            if first.endswith("/"):
                package = first
                named.add(package)
            else:
                named.add(first)
        elif line.startswith("    ") and line.strip() and not line.startswith("     "):
            column = line.strip().split("  ")[0]
            named.update(package + name.strip() for name in column.split(","))
    return named


def test_the_readme_tree_names_every_module():
    """README's "Layout of the package" lists each module under its own subpackage."""
    named = _readme_tree()
    missing = []
    for name, path in MODULES.items():
        if name == "rope_ref" or path.name == "__main__.py":
            continue
        relative = path.relative_to(PACKAGE)
        entry = f"{relative.parent}/" if path.name == "__init__.py" else relative.as_posix()
        if entry not in named:
            missing.append(relative.as_posix())
    assert not missing, f"README's package tree lacks {missing}"
