"""The precision classes of the checker: models of an implementation that computes theta,
the positions or the phase m theta in a lower precision than it claims (``low_precision_angles``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from rope_ref.checker.case import Case
from rope_ref.checker.models import Model
from rope_ref.checker.precision import round_to


def low_precision_angles(c: Case) -> Iterator[Model]:
    dtypes = ["bfloat16", "float16"] + (["float32"] if c.precision == "float64" else [])
    tol_precision = "float32" if c.precision == "float64" else c.precision
    m = c.positions[:, None]
    for q in dtypes:
        theta_q, m_q = round_to(c.theta, q)[None, :], round_to(m, q)
        stages = [(f"rounds theta to {q} before the phase m theta", m * theta_q)]
        if q != "float32":
            stages.append((f"holds the positions m in {q}", m_q * c.theta[None, :]))
        with np.errstate(over="ignore", invalid="ignore"):
            stages.append((f"computes the phase m theta in {q}", round_to(m_q * theta_q, q)))
        for what, phi in stages:
            yield c.model("low_precision_angles", what, phi, precision=tol_precision)
