"""A grid of configurations (both layouts, every precision, full and partial rotary_dim,
two bases) times one mutant per bug class: every mutant is failed and named, and the
correct implementation passes. Where two classes give the very same outputs (with
rotary_dim = d/2, theta_i = base^(-i/rotary_dim) is the theta of d), the named class
must say that the expected one fits as well."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from checker._zoo import numpy_rope
from rope_ref.checker.report import check

MISTAKES = {
    "layout_swapped": lambda c: {
        "layout": "half" if c["layout"] == "interleaved" else "interleaved"
    },
    "rotation_reversed": lambda c: {"sign": -1.0},
    "cos_sin_swapped": lambda c: {"swap_cos_sin": True},
    "position_offset": lambda c: {"offset": 1},
    "wrong_base": lambda c: {"base": 500000.0 if c["base"] == 10000.0 else 10000.0},
    "frequency_formula": lambda c: {"exponent": "i/d"},
    "rotary_dim_mismatch": lambda c: {"rotary_dim": c["d"] if "rotary_dim" in c else 16},
    "low_precision_angles": lambda c: {"theta_dtype": "bfloat16"},
}
CONFIGS = [
    {"d": 32, "layout": layout, "precision": precision, "base": base, **partial}
    for layout, precision, base, partial in itertools.product(
        ["interleaved", "half"],
        ["float64", "float32", "float16", "bfloat16"],
        [10000.0, 1e6],
        [{}, {"rotary_dim": 16}],
    )
]


def _run(config, **mistake):
    impl = {
        "layout": config["layout"],
        "rotary_dim": config.get("rotary_dim"),
        "base": config["base"],
        "dtype": config["precision"],
        **mistake,
    }

    def fn(x, positions):
        with np.errstate(over="ignore", invalid="ignore"):
            return numpy_rope(x, positions, **impl)

    return check(fn, **config)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(map(str, c.values())))
def test_every_mistake_is_named_on_the_grid(config):
    assert _run(config).ok
    wrong = []
    for name, mistake in MISTAKES.items():
        report = _run(config, **mistake(config))
        named = [f.name for f in report.findings]
        aliased = bool(report.findings) and f"also fit: {name}" in report.findings[0].detail
        if report.ok or (named != [name] and not aliased):
            wrong.append(f"{name}: {report}")
    assert not wrong, "\n".join(wrong)
