"""The checker for a whole model, layer by layer: ``check_model(fn, config)``.

``fn(x, positions, layer) -> y`` is a port of the model's attention input: x (batch,
heads, seq, head_dim) is q (or k) of layer ``layer`` after W_q, y what the port's attention
receives. Each layer is checked against ``rope_ref.model_rope(config).layers[layer]`` at
the model's own positions (``run_positions``: the checker's ladder up to the model's
context length, and for LongRoPE and dynamic NTK the two sequences on either side of the
length where the RoPE switches, whose last positions are L - 1 and L). A NoPE layer must
give x back. When a layer fails, the bug classes of ``rope_ref.checker.hypotheses`` are
tried, with the per-layer ones (``vocabulary.LAYER_CLASSES``) that only a check knowing
the model's other layers can fit:

- ``wrong_layer_base``: the layer turns by another layer type's RoPE (Gemma 3's sliding
  layers given the global base 1e6, its global layers the local 1e4, ModernBERT's);
- ``nope_layer_rotated``: a NoPE layer (Llama 4, SmolLM3, Cohere2) turned by the RoPE of
  the model's RoPE layers;
- ``partial_rotary_ignored``: the whole head turned with theta over the whole head where
  partial_rotary_factor rotates a share of it (GPT-NeoX, Phi-4-mini, GLM-4; Gemma 4's
  proportional RoPE with every frequency kept);
- ``longrope_threshold_off_by_one``: LongRoPE's long factors at a sequence of exactly
  original_max_position_embeddings (>= where HF has >), or its short factors one past it
  (the last position compared with L, not the length).

The layer's head from its first rotated feature on is what the single-RoPE checker sees
(DeepSeek: the qk_rope_head_dim slice); a layout written half-split from interleaved
pairs (DeepSeek-V3) is read back interleaved first; features before it must come through
unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rope_ref import validation
from rope_ref.checker.layer_models import layer_case, layer_models, nope_verdict, switch_length
from rope_ref.checker.precision import PRECISIONS, round_to
from rope_ref.checker.report import CHECK_POSITIONS, Finding, Report, verdict
from rope_ref.configs.build import model_rope

BATCH, HEADS, SEED = 2, 3, 7


@dataclass(frozen=True)
class LayerReport:
    """One layer's verdict: its index, HF's layer type, its RoPE in words, the Report of
    its worst run (every run must pass), and the positions of that run."""

    layer: int
    layer_type: str
    rope: str
    report: Report
    positions: tuple = ()

    @property
    def ok(self) -> bool:
        return self.report.ok


@dataclass(frozen=True)
class ModelReport:
    """The verdict on every layer checked; ``str()`` groups layers with the same verdict."""

    name: str
    layers: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(layer.ok for layer in self.layers)

    def __str__(self) -> str:
        passed = sum(layer.ok for layer in self.layers)
        lines = [f"rope_ref check of {self.name}: {passed} of {len(self.layers)} layers pass"]
        for text, indices in _grouped(self.layers):
            lines.append(f"  layers {_ranges(indices)}: {text}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "model": self.name,
            "ok": self.ok,
            "layers": [
                {"layer": r.layer, "layer_type": r.layer_type, "rope": r.rope, **r.report.to_dict()}
                for r in self.layers
            ],
        }


def check_model(fn, config, *, layers=None, precision: str | None = None, form=None):
    """Check ``fn(x, positions, layer) -> y`` against every layer of a model.

    Args:
        fn: x (batch, heads, seq, head_dim) of the layer's dtype for ``precision``,
            positions (seq,) int64, layer an int -> y of x's shape.
        config: what ``rope_ref.model_rope`` takes (a config.json dict or a preset name).
        layers: the layer indices to check (default: every layer).
        precision: as in ``rope_ref.check`` (default float64).
        form: as in ``model_rope``.

    Returns:
        ModelReport, one LayerReport per layer checked.
    """
    validation.check_callable("fn", fn)
    precision = validation.check_precision(precision or "float64", PRECISIONS)
    rope = model_rope(config, form=form)
    indices = range(len(rope.layers)) if layers is None else list(layers)
    reports = []
    for i in indices:
        runs = [_run(fn, rope, i, p, precision) for p in run_positions(rope, i)]
        worst = max(runs, key=lambda run: (not run[1].ok, run[1].max_error / run[1].tolerance))
        spec = rope.layers[i]
        text = "no RoPE" if spec is None else spec.description
        reports.append(LayerReport(i, rope.layer_types[i], text, worst[1], tuple(worst[0])))
    return ModelReport(name=rope.name, layers=reports)


def run_positions(rope, i: int) -> list[np.ndarray]:
    """The position sets layer i is checked at: the ladder of ``rope_ref.check`` doubled on
    up to the context length (max_position_embeddings), and for LongRoPE / dynamic NTK the
    ladder cut to end at L - 1, and at L (seq_len L and L + 1, the switch)."""
    context = rope.max_position_embeddings or 65536
    ladder = [int(p) for p in CHECK_POSITIONS if p < context]
    while 2 * ladder[-1] + 1 < context:
        ladder.append(2 * ladder[-1] + 1)
    if ladder[-1] != context - 1:
        ladder.append(context - 1)
    runs = [np.array(ladder, dtype=np.int64)]
    switch = switch_length(rope.layers[i])
    if switch is not None and 1 < switch < context:
        below = [p for p in ladder if p < switch - 1] + [switch - 1]
        runs += [np.array(below, dtype=np.int64), np.array(below[:-1] + [switch], np.int64)]
    return runs


def _run(fn, rope, i, positions, precision) -> tuple:
    """(positions, Report) of one run of fn on layer i."""
    spec = rope.layers[i]
    head = spec.head_dim if spec is not None else _nope_head_dim(rope)
    x = _inputs(head, len(positions), precision)
    y = validation.check_outputs_array(
        "the output of fn", fn(x.copy(), positions.copy(), i), x.shape, allow_nonfinite=True
    )
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    start = 0 if spec is None else spec.offset
    if start and not np.array_equal(y64[..., :start], x64[..., :start]):
        return positions, _report_unexplained(
            f"features 0..{start - 1}, which this layer does not rotate, changed", precision
        )
    return positions, layer_verdict(
        rope, i, x64[..., start:], y64[..., start:], positions, precision
    )


def check_layer_outputs(rope, i: int, x, y, positions, precision: str | None = None) -> Report:
    """The verdict on outputs y computed elsewhere for layer i of ``rope`` (a
    ``model_rope``) on inputs x at positions: x, y (batch, heads, seq, head_dim - offset),
    the head from the layer's first rotated feature on, as a model's golden set exports it
    (``rope_ref.golden.model_sets``). precision: default the outputs' dtype."""
    x = np.asarray(x, dtype=np.float64)
    y = validation.check_outputs_array("outputs", y, x.shape, allow_nonfinite=False)
    precision = validation.check_precision(precision or y.dtype.name, PRECISIONS)
    return layer_verdict(rope, i, x, y.astype(np.float64), np.asarray(positions), precision)


def layer_verdict(rope, i: int, x, y, positions, precision: str) -> Report:
    """Layer i's verdict on float64 x, y (from the layer's first rotated feature on)."""
    if rope.layers[i] is None:
        return nope_verdict(rope, x, y, positions, precision)
    case = layer_case(rope.layers[i], x, y, positions, precision)
    return verdict(case, layer_models(case, rope, i))


def _nope_head_dim(rope) -> int:
    return next(spec.head_dim for spec in rope.layers if spec is not None)


def _inputs(d: int, seq: int, precision: str) -> np.ndarray:
    """x: (BATCH, HEADS, seq, d), entries +-[0.5, 2) exact in bfloat16, in the dtype the
    precision works in (as ``rope_ref.check``'s inputs)."""
    rng = np.random.default_rng(SEED)
    shape = (BATCH, HEADS, seq, d)
    x = round_to(
        rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape), "bfloat16"
    )
    dtype = {"float64": np.float64, "float16": np.float16}.get(precision, np.float32)
    return x.astype(dtype)


def _report_unexplained(detail: str, precision: str) -> Report:
    return Report(
        ok=False,
        findings=[Finding("unexplained", detail)],
        precision=precision,
        tolerance=1.0,
        max_error=np.inf,
    )


def _grouped(layers) -> list:
    out: dict[str, list] = {}
    for r in layers:
        verdict_text = (
            "PASS"
            if r.ok
            else "FAIL: " + "; ".join(f"{f.name}: {f.detail}" for f in r.report.findings)
        )
        out.setdefault(f"{r.rope}\n    {verdict_text}", []).append(r.layer)
    return [(text, indices) for text, indices in out.items()]


def _ranges(indices) -> str:
    """[0, 1, 2, 5] -> "0-2, 5"."""
    parts, start = [], None
    for k, i in enumerate(indices):
        if start is None:
            start = i
        if k + 1 == len(indices) or indices[k + 1] != i + 1:
            parts.append(f"{start}" if start == i else f"{start}-{i}")
            start = None
    return ", ".join(parts)
