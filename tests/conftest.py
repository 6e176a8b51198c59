"""Shared test settings: hypothesis runs a fixed, bounded search so `make test` is
reproducible and stays inside its time budget. This folder is on sys.path, so tests import
helpers one way: ``from <subfolder>._helper import ...`` (``from proofs._sym import ...``)."""

import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile(
    "rope_ref",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("rope_ref")
