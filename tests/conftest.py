"""Shared test settings: hypothesis runs a fixed, bounded search so `make test` is
reproducible and stays inside its time budget. Tests import helpers (``_strategies``)
from this folder."""

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
