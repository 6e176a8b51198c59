"""Run an implementation of RoPE and say which mistake it makes, if any.

``check(fn, d=...)`` calls ``fn(x, positions)`` on inputs built to expose every bug class
(positions on a ladder 0, 1, 2, 3, 5, 8, ..., 4095, 4096, ..., 65535 so a phase can be
followed without ambiguity, on around every 16-bit boundary up to the context the
implementation claims, and at positions drawn from a seed each run, which the Report
gives: ``rope_ref.checker.probe``; inputs exactly representable in bfloat16, so every
precision receives the same numbers), compares the outputs with rope_ref's float64
rotation (eqs 13-15, 34) within the tolerance of the implementation's precision
(``rope_ref.checker.precision``), and, when they fail, tries each bug class as a model of the
implementation (``rope_ref.checker.hypotheses``) and names the one that explains the outputs.
``check_outputs(outputs, group)`` gives the same verdict for outputs computed elsewhere on
a golden group's inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from rope_ref import validation
from rope_ref.checker import axes, probe
from rope_ref.checker.case import Case, make_case
from rope_ref.checker.diagnose import diagnose
from rope_ref.checker.models import compare
from rope_ref.checker.precision import PRECISIONS, round_to, tolerance
from rope_ref.paper.rotary import rotate
from rope_ref.scaling.config import form_of, rope_type_of
from rope_ref.validation.checker import check_check_dim, check_max_position, check_seed

#: v0.1's positions, the fixed ladder of ``rope_ref.checker.probe`` (``probe.LADDER``):
#: ``check`` runs at it, the 16-bit boundaries up to max_position and a seeded draw.
CHECK_POSITIONS = probe.LADDER
CHECK_BATCH, CHECK_HEADS, CHECK_SEED = 2, 3, 6


@dataclass(frozen=True)
class Finding:
    """One named cause: ``name`` from ``rope_ref.checker.vocabulary.FINDING_NAMES``,
    ``detail`` the evidence in a sentence."""

    name: str
    detail: str


@dataclass(frozen=True)
class Report:
    """The verdict on an implementation.

    ok: every output within tolerance. findings: empty when ok, else the named cause.
    max_error, tolerance: the error and the tolerance at the worst output (the one with
    the largest error/tolerance ratio), so ok == (max_error <= tolerance).
    position, feature: where that output is. precision: the precision held to.
    seed, max_position, drawn: the seed of the random positions, the last position fn ran
    at, and how many positions were drawn (``rope_ref.checker.probe``); None, None, 0 for
    outputs judged on a golden group's positions.
    """

    ok: bool
    findings: list[Finding] = field(default_factory=list)
    max_error: float = 0.0
    tolerance: float = 0.0
    position: float = 0.0
    feature: int = 0
    precision: str = "float64"
    config: str = ""
    seed: int | None = None
    max_position: int | None = None
    drawn: int = 0

    def __str__(self) -> str:
        verdict = "PASS" if self.ok else "FAIL"
        lines = [
            f"rope_ref check: {verdict} ({self.config}, precision {self.precision})",
            f"  worst output: position {self.position:g}, feature {self.feature}: "
            f"error {self.max_error:.3g} {'<=' if self.ok else '>'} tolerance "
            f"{self.tolerance:.3g}",
        ]
        lines += [f"  {f.name}: {f.detail}" for f in self.findings]
        if self.seed is not None:
            lines.append(f"  positions: {self.positions_text()}")
        return "\n".join(lines)

    def positions_text(self) -> str:
        """Where fn ran, and how to run it there again."""
        return (
            f"ladder to {self.max_position} + {self.drawn} drawn with seed {self.seed} "
            f"(check(..., seed={self.seed}) reproduces this run)"
        )

    def to_dict(self) -> dict:
        """A JSON-ready dict of the verdict (``rope-ref check --json``)."""
        return {
            "ok": self.ok,
            "findings": [{"name": f.name, "detail": f.detail} for f in self.findings],
            "max_error": self.max_error,
            "tolerance": self.tolerance,
            "position": self.position,
            "feature": self.feature,
            "precision": self.precision,
            "config": self.config,
            "seed": self.seed,
            "max_position": self.max_position,
            "drawn": self.drawn,
            "positions": None if self.seed is None else self.positions_text(),
        }


def check(
    fn,
    *,
    d: int,
    base: float = 10000.0,
    layout: str = "interleaved",
    rotary_dim: int | None = None,
    rope_scaling: dict | None = None,
    precision: str | None = None,
    form: str | None = None,
    hf_compat: bool | None = None,
    style: str | None = None,
    section=None,
    seed: int | None = None,
    max_position: int | None = None,
) -> Report:
    """Check ``fn(x, positions) -> y`` against RoPE with this configuration.

    Args:
        fn: x (batch, heads, seq, d) and positions (seq,) int64 -> y of x's shape (any
            array ``np.asarray`` accepts). x is float64, or float32 for ``precision``
            "float32"/"bfloat16", float16 for "float16"; its values are exact in bfloat16.
        d, base, layout, rotary_dim: the RoPE fn claims to be (eq 15; layouts as in
            ``rope_ref.layouts``); d at most 8192 (``validation.checker.MAX_CHECK_DIM``).
        rope_scaling: an HF-style scaling dict (``rope_ref.scaling``), or None; its
            rope_theta is the base and its partial_rotary_factor sets rotary_dim. Positions
            go up to max_position, so seq_len is max_position + 1 (dynamic NTK,
            longrope's long factors).
        form: the form of a scaling variant fn claims: "code" (None means "code"), the
            released code that models run (HF transformers, the YaRN authors' code), or
            "paper", the variant's paper where the two differ (``rope_ref.scaling``;
            YaRN's ramp and mscale). hf_compat: form's older name (True: "code", False:
            "paper"; v0.1's default was the paper's form).
        precision: "float64", "float32", "float16" or "bfloat16", the precision fn works
            in; default y's dtype. A bfloat16 fn may return float32 holding bf16 values.
        style, section: multi-axis RoPE (``rope_ref.paper.axes.STYLES``; a rope_scaling
            dict carrying ``mrope_section`` states it too): fn then gets vector positions
            of shape (k, seq) int64 and is checked by ``rope_ref.checker.axes``, which also
            names the multi-axis mistakes (sections, chunked vs interleaved, h and w, one
            table for both halves, 1D positions).
        seed: the seed of the positions drawn at random (``rope_ref.checker.probe``): an
            integer >= 0, or None for a new one each run; the Report gives it, so
            ``check(..., seed=report.seed)`` reproduces a run.
        max_position: the last position fn is run at (its context length - 1), an integer
            in [1, 2^31 - 1]: the ladder is cut there and runs on past 65535 around every
            16-bit boundary, and the draw is in [0, max_position]. Default: the context
            the rope dict claims (its max_position_embeddings) less one, else 65535;
            dynamic NTK at least 65535 (``probe.default_max_position``). Multi-axis: the largest coordinate (default
            65535 for M-RoPE, 256 patches for a 2D style).

    Returns:
        Report; ``str(report)`` is the readable verdict.

    Raises:
        ValueError, TypeError for a bad argument or an unusable output (wrong shape, not
        a float array). An exception that fn itself raises propagates unchanged (its
        type and traceback are the implementation's), with a note saying how fn was
        called.
    """
    validation.check_callable("fn", fn)
    d = check_check_dim(d)  # <= MAX_CHECK_DIM, before its inputs are built
    precision = validation.check_precision(precision, PRECISIONS, allow_none=True)
    seed = check_seed(seed)
    max_position = check_max_position(max_position, probe.MAX_POSITION)
    if style is not None or axes.axes_stated(rope_scaling):  # vector positions
        return _axis_report(
            *axes.run_axis_check(
                fn, lambda seq: _check_inputs(d, precision, seq), _call, d=d, base=base,
                layout=layout, rotary_dim=rotary_dim, rope_scaling=rope_scaling,
                precision=precision, style=style, section=section, seed=seed,
                max_position=max_position,
            )
        )  # fmt: skip
    if max_position is None:
        max_position = probe.default_max_position(rope_scaling)
    positions, seed = probe.probe_positions(max_position, seed)
    x = _check_inputs(d, precision, positions.size)
    x64 = x.astype(np.float64)  # a copy: fn may write into x
    stated = make_case(  # checks the configuration before fn runs
        x64,
        x64,
        positions,
        d=d,
        base=base,
        layout=layout,
        rotary_dim=rotary_dim,
        rope_scaling=rope_scaling,
        seq_len=max_position + 1,  # the largest position, probe's last on the ladder
        precision=precision or "float64",
        form=form,
        hf_compat=hf_compat,
    )
    y = validation.check_outputs_array(
        "the output of fn", _call(fn, x, positions.copy()), x.shape, allow_nonfinite=True
    )
    if precision is None:
        precision = validation.check_precision(_dtype_precision(y), PRECISIONS)
    case = replace(stated, y=y.astype(np.float64), precision=precision)
    drawn = positions.size - probe.ladder(max_position).size
    return replace(verdict(case), seed=seed, max_position=max_position, drawn=drawn)


def _call(fn, x: np.ndarray, positions: np.ndarray):
    """fn(x, positions); an exception of fn's own gets a note and propagates."""
    try:
        return fn(x, positions)
    except Exception as err:
        err.add_note(
            f"raised by fn(x, positions) inside rope_ref.check: x of shape {x.shape} and "
            f"dtype {x.dtype}, positions of shape {positions.shape} and dtype {positions.dtype}"
        )
        raise


def check_outputs(outputs, group, *, precision: str | None = None) -> Report:
    """The verdict on outputs computed elsewhere on a golden group's inputs.

    Args:
        outputs: (batch, heads, seq, d) array for ``group.arrays["x"]`` at
            ``group.arrays["positions"]`` (no NaN or inf).
        group: a ``rope_ref.golden.GoldenGroup`` (``load_group(name)``), or its name.
        precision: as in ``check``; default the outputs' dtype.
    """
    if isinstance(validation.check_golden_group(group), str):
        from rope_ref.golden import load_group

        group = load_group(group)
    x = np.asarray(group.arrays["x"], dtype=np.float64)
    y = validation.check_outputs_array("outputs", outputs, x.shape, allow_nonfinite=False)
    precision = validation.check_precision(
        precision if precision is not None else _dtype_precision(y), PRECISIONS
    )
    cfg = group.config
    if "style" in cfg:  # a multi-axis group (golden v3)
        return _axis_report(
            *axes.run_axis_outputs(
                x, y.astype(np.float64), group.arrays["positions"], cfg, precision
            )
        )
    return verdict(
        make_case(
            x,
            y.astype(np.float64),
            np.asarray(group.arrays["positions"], dtype=np.float64),
            d=int(cfg["d"]),
            base=cfg["base"],
            layout=cfg["layout"],
            rotary_dim=cfg.get("rotary_dim"),
            rope_scaling=cfg.get("rope_scaling"),
            seq_len=cfg.get("seq_len"),
            precision=precision,
            form=form_of(cfg),
        )
    )


def verdict(case: Case, extra=()) -> Report:
    """Pass ``case`` if its outputs match the stated RoPE, else name the cause (trying the
    ``extra`` models too: ``rope_ref.checker.diagnose``)."""
    ref = rotate(
        case.x, case.positions, theta=case.theta, layout=case.layout, rotary_dim=case.rotary_dim
    )
    ref = _scale_rotated(ref, case)
    tol = tolerance(
        case.x,
        case.phi,
        layout=case.layout,
        rotary_dim=case.rotary_dim,
        scale=case.factor,
        precision=case.precision,
        theta_error=case.theta_error,
        theta=case.theta,
    )
    before = compare(case.y, ref, tol, case.positions)
    ok = before.ratio <= 1.0
    with np.errstate(over="ignore", invalid="ignore"):  # wild outputs (1e308) fit no model
        findings = [] if ok else [Finding(*found) for found in diagnose(case, before, extra)]
    return Report(
        ok=ok,
        findings=findings,
        max_error=before.error,
        tolerance=before.tol,
        position=before.position,
        feature=before.feature,
        precision=case.precision,
        config=_describe(case),
    )


def _axis_report(ok, findings, before, case) -> Report:
    """The Report of a multi-axis verdict (``rope_ref.checker.axes``): position is the
    index of the worst token, whose vector position the finding's detail gives; seed,
    max_position and drawn are the case's (None, None, 0 for a golden group's)."""
    return Report(
        ok=ok,
        findings=[Finding(name, detail) for name, detail in findings],
        max_error=before.error,
        tolerance=before.tol,
        position=before.position,
        feature=before.feature,
        precision=case.precision,
        config=axes.describe(case),
        seed=case.seed,
        max_position=case.max_position,
        drawn=case.drawn,
    )


def _check_inputs(d: int, precision: str | None, seq: int) -> np.ndarray:
    """x: (CHECK_BATCH, CHECK_HEADS, seq, d), entries +-[0.5, 2) exact in bfloat16 (so
    exact in every precision), in the dtype fn works in."""
    rng = np.random.default_rng(CHECK_SEED)
    shape = (CHECK_BATCH, CHECK_HEADS, seq, d)
    x = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)
    x = round_to(x, "bfloat16")
    dtype = {None: np.float64, "float64": np.float64, "float16": np.float16}.get(
        precision, np.float32
    )
    return x.astype(dtype)


def _dtype_precision(y: np.ndarray) -> str:
    return "bfloat16" if y.dtype.name == "bfloat16" else y.dtype.name


def _scale_rotated(ref: np.ndarray, case: Case) -> np.ndarray:
    """Multiply the rotated features by the attention factor (HF scales cos and sin)."""
    if case.factor != 1.0:
        ref = ref.copy()
        ref[..., : case.rotary_dim] *= case.factor
    return ref


def _describe(case: Case) -> str:
    text = f"d={case.d}, rotary_dim={case.rotary_dim}, base {case.base:g}, {case.layout}"
    if case.rope_scaling is not None:
        text += f", {rope_type_of(case.rope_scaling)} scaling"
    return text
