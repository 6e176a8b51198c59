"""Loading one module of an installed library from its file, without its package import.

Some libraries' package ``__init__`` pulls what this machine must not install (timm's
torchvision, torchtune's torchao and datasets, torchtitan's triton), while the RoPE module
itself imports torch alone. ``load_module("timm", "timm.layers.pos_embed_sincos")`` runs
that installed file (the library's own code, unchanged) as a module named
``_interop_timm.layers.pos_embed_sincos``, with empty parent packages under that private
name so its relative imports (``from .grid import ndgrid``) load their sibling files the
same way; the real package name is never shadowed.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from importlib.metadata import distribution
from pathlib import Path


def load_module(dist: str, dotted: str) -> types.ModuleType:
    """The module ``dotted`` of the installed distribution ``dist``, run from its file."""
    parts = dotted.split(".")
    root = Path(str(distribution(dist).locate_file("")))
    alias = [f"_interop_{parts[0]}", *parts[1:]]
    folder = root
    for depth, part in enumerate(parts[:-1]):
        folder = folder / part
        name = ".".join(alias[: depth + 1])
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(folder)]
            sys.modules[name] = package
    name = ".".join(alias)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, folder / f"{parts[-1]}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
