"""The checker for a whole model, layer by layer: ``check_model(fn, config)``.

``fn(x, positions, layer) -> y`` is a port of the model's attention input: x (batch,
heads, seq, head_dim) is q (or k) of layer ``layer`` after W_q, y what the port's attention
receives; positions are (seq,) int64 token positions, or, for an M-RoPE layer (Qwen2-VL,
Qwen2.5-VL, Qwen3-VL), also (3, seq) int64 (t, h, w) as HF's ``position_ids`` of shape
(3, batch, seq) hold them for one sequence. Each layer is checked against
``rope_ref.model_rope(config).layers[layer]`` at the model's own positions
(``run_positions``): the positions ``rope_ref.check`` probes (``rope_ref.checker.probe``:
its ladder, every 16-bit boundary up to the model's context length - 1, and positions
drawn from ``seed``, which the ModelReport gives), for LongRoPE and dynamic NTK the two
sequences on either side of the length where the RoPE switches (their last positions
L - 1 and L), and for M-RoPE the vector positions of a text, image and text sequence, a
video, the image late in a full context (``rope_ref.golden.model_sets.
vector_position_sets``, under the model's ``get_rope_index`` rule), the image after a
prompt whose length is drawn from ``seed``, and the multi-axis checker's probe
(``rope_ref.checker.axis_case.check_positions_for``) up to the context. Vector runs are
judged by the multi-axis checker (``rope_ref.checker.axes``), which names sections in
another order or size (``mrope_section_mismatch``), h and w swapped (``hw_swapped``),
chunked for interleaved (``mrope_style_swapped``) and 1D positions used
(``scalar_positions``). A NoPE layer must give x back. When a layer fails, the bug
classes of ``rope_ref.checker.hypotheses`` are tried, with the per-layer ones
(``vocabulary.LAYER_CLASSES``) that only a check knowing the model's other layers can fit:

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
from rope_ref.checker.axis_case import check_positions_for
from rope_ref.checker.layer_models import layer_case, layer_models, nope_verdict, switch_length
from rope_ref.checker.precision import PRECISIONS, round_to
from rope_ref.checker.probe import ladder, new_seed, probe_positions
from rope_ref.checker.report import Finding, Report, check_outputs, verdict
from rope_ref.configs.build import model_rope
from rope_ref.golden.model_sets import (
    late_prefix,
    mrope_rule,
    mrope_sequence,
    mrope_statement,
    vector_position_sets,
)
from rope_ref.golden.store import GoldenGroup
from rope_ref.validation.checker import check_seed

BATCH, HEADS, SEED = 2, 3, 7


@dataclass(frozen=True)
class LayerReport:
    """One layer's verdict: its index, HF's layer type, its RoPE in words, the Report of
    its worst run (every run must pass), and the positions of that run ((seq,) as a
    tuple, or for a vector run (t, h, w) as three tuples)."""

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
    """The verdict on every layer checked; ``str()`` groups layers with the same verdict.
    seed: the seed of the drawn positions (``check_model(..., seed=seed)`` runs fn at the
    same positions again)."""

    name: str
    layers: list = field(default_factory=list)
    seed: int | None = None

    @property
    def ok(self) -> bool:
        return all(layer.ok for layer in self.layers)

    def __str__(self) -> str:
        passed = sum(layer.ok for layer in self.layers)
        lines = [f"rope_ref check of {self.name}: {passed} of {len(self.layers)} layers pass"]
        for text, indices in _grouped(self.layers):
            lines.append(f"  layers {layer_ranges(indices)}: {text}")
        if self.seed is not None:
            lines.append(
                f"  positions drawn with seed {self.seed} (check_model(..., seed={self.seed}) "
                "reproduces this run)"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "model": self.name,
            "ok": self.ok,
            "seed": self.seed,
            "layers": [
                {"layer": r.layer, "layer_type": r.layer_type, "rope": r.rope, **r.report.to_dict()}
                for r in self.layers
            ],
        }


def check_model(
    fn, config, *, layers=None, precision: str | None = None, form=None, seed: int | None = None
):
    """Check ``fn(x, positions, layer) -> y`` against every layer of a model.

    Args:
        fn: x (batch, heads, seq, head_dim) of the layer's dtype for ``precision``,
            positions (seq,) int64 or, for an M-RoPE layer, also (3, seq) int64 (t, h, w),
            layer an int -> y of x's shape. An exception fn raises propagates.
        config: what ``rope_ref.model_rope`` takes (a config.json dict or a preset name).
        layers: the layer indices to check (default: every layer).
        precision: as in ``rope_ref.check`` (default float64).
        form: as in ``model_rope``.
        seed: the seed of the drawn positions, an integer >= 0; None draws a new one
            (the ModelReport gives it).

    Returns:
        ModelReport, one LayerReport per layer checked.
    """
    validation.check_callable("fn", fn)
    precision = validation.check_precision(precision or "float64", PRECISIONS)
    seed = check_seed(seed)
    seed = new_seed() if seed is None else seed
    rope = model_rope(config, form=form)
    indices = range(len(rope.layers)) if layers is None else list(layers)
    reports, sets, memo = [], {}, {}
    for i in indices:
        spec = rope.layers[i]
        if spec not in sets:  # the positions depend on the layer's RoPE alone
            sets[spec] = run_positions(rope, i, seed)
        runs = [_run(fn, rope, i, p, precision, memo) for p in sets[spec]]
        worst = max(runs, key=lambda run: (not run[1].ok, run[1].max_error / run[1].tolerance))
        text = "no RoPE" if spec is None else spec.description
        reports.append(LayerReport(i, rope.layer_types[i], text, worst[1], _as_tuple(worst[0])))
    return ModelReport(name=rope.name, layers=reports, seed=seed)


def run_positions(rope, i: int, seed: int) -> list[np.ndarray]:
    """The position sets layer i is checked at: ``probe_positions`` up to the context
    length - 1 (max_position_embeddings, else 65536) drawn with ``seed``; for LongRoPE /
    dynamic NTK the ladder cut to end at L - 1, and at L (seq_len L and L + 1, the switch);
    for M-RoPE (``mrope_statement``) the (3, seq) sets of ``vector_position_sets``, the
    image after a prompt of a length drawn from ``seed``, and the multi-axis checker's own
    probe (``check_positions_for``: t on the ladder to the context, h and w fixed orders
    of it, tokens drawn from ``seed``)."""
    context = rope.max_position_embeddings or 65536
    runs = [probe_positions(context - 1, seed)[0]]
    switch = switch_length(rope.layers[i])
    if switch is not None and 1 < switch < context:
        below = [int(p) for p in ladder(context - 1) if p < switch - 1] + [switch - 1]
        runs += [np.array(below, dtype=np.int64), np.array(below[:-1] + [switch], np.int64)]
    vectors = vector_position_sets(rope.layers[i], context, rope.model_type)
    if vectors:
        prefix = int(np.random.default_rng(seed).integers(0, late_prefix(context), endpoint=True))
        vectors["mrope_drawn"] = mrope_sequence(mrope_rule(rope.model_type), "image", prefix)
        vectors["axis_probe"] = check_positions_for(3, context - 1, seed)[0]
    return runs + list(vectors.values())


def _run(fn, rope, i, positions, precision, memo: dict) -> tuple:
    """(positions, Report) of one run of fn on layer i. The inputs depend on the head and
    the positions alone (built once, ``memo``), so outputs equal to another layer's of the
    same RoPE and layer type get that layer's verdict without a second diagnosis."""
    spec = rope.layers[i]
    head = spec.head_dim if spec is not None else _nope_head_dim(rope)
    seq = positions.shape[-1]
    if (head, seq) not in memo:
        x = _inputs(head, seq, precision)
        memo[head, seq] = (x, x.astype(np.float64))
    x, x64 = memo[head, seq]
    y = validation.check_outputs_array(
        "the output of fn", fn(x.copy(), positions.copy(), i), x.shape, allow_nonfinite=True
    )
    y64 = y.astype(np.float64)
    seen = memo.setdefault((spec, rope.layer_types[i], positions.shape, positions.tobytes()), [])
    for earlier, report in seen:
        if np.array_equal(earlier, y64, equal_nan=True):
            return positions, report
    report = _verdict_of_run(rope, i, x64, y64, positions, precision)
    seen.append((y64, report))
    return positions, report


def _verdict_of_run(rope, i, x64, y64, positions, precision) -> Report:
    spec = rope.layers[i]
    start = 0 if spec is None else spec.offset
    if start and not np.array_equal(y64[..., :start], x64[..., :start]):
        return _report_unexplained(
            f"features 0..{start - 1}, which this layer does not rotate, changed", precision
        )
    return layer_verdict(rope, i, x64[..., start:], y64[..., start:], positions, precision)


def _as_tuple(positions: np.ndarray) -> tuple:
    """(seq,) -> a tuple of ints; (3, seq) -> three such tuples."""
    if positions.ndim == 1:
        return tuple(positions.tolist())
    return tuple(tuple(row) for row in positions.tolist())


def check_layer_outputs(rope, i: int, x, y, positions, precision: str | None = None) -> Report:
    """The verdict on outputs y computed elsewhere for layer i of ``rope`` (a
    ``model_rope``) on inputs x at positions: x, y (batch, heads, seq, head_dim - offset),
    the head from the layer's first rotated feature on, as a model's golden set exports it
    (``rope_ref.golden.model_sets``); positions (seq,), or (3, seq) for an M-RoPE layer.
    precision: default the outputs' dtype."""
    x = np.asarray(x, dtype=np.float64)
    y = validation.check_outputs_array("outputs", y, x.shape, allow_nonfinite=False)
    precision = validation.check_precision(precision or y.dtype.name, PRECISIONS)
    return layer_verdict(rope, i, x, y.astype(np.float64), np.asarray(positions), precision)


def layer_verdict(rope, i: int, x, y, positions, precision: str) -> Report:
    """Layer i's verdict on float64 x, y (from the layer's first rotated feature on) at
    positions (seq,), or (3, seq) for an M-RoPE layer (``axis_layer_verdict``)."""
    if np.ndim(positions) == 2:
        return axis_layer_verdict(rope.layers[i], x, y, positions, precision)
    if rope.layers[i] is None:
        return nope_verdict(rope, x, y, positions, precision)
    case = layer_case(rope.layers[i], x, y, positions, precision)
    return verdict(case, layer_models(case, rope, i))


def axis_layer_verdict(spec, x, y, positions, precision: str) -> Report:
    """An M-RoPE layer's verdict at vector positions (3, seq), judged as ``check_outputs``
    judges golden v3's multi-axis groups (``rope_ref.checker.axes.run_axis_outputs``) with
    the layer's style and section (``mrope_statement``); the Report's position is the index
    of the worst token, its finding gives (t, h, w)."""
    stated = mrope_statement(spec)
    if stated is None or np.shape(positions) != (3, np.shape(x)[-2]):
        raise ValueError(
            "vector positions (3, seq) are for an M-RoPE layer with seq = x.shape[-2] "
            f"(got positions of shape {np.shape(positions)} for x of shape {np.shape(x)}, "
            f"layer: {'no RoPE' if spec is None else spec.description})"
        )
    arrays = {"x": np.asarray(x, dtype=np.float64), "positions": np.asarray(positions)}
    group = GoldenGroup("layer", stated, {}, arrays, attention_factor=1.0)
    return check_outputs(y, group, precision=precision)


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


def layer_ranges(indices) -> str:
    """[0, 1, 2, 5] -> "0-2, 5"."""
    parts, start = [], None
    for k, i in enumerate(indices):
        if start is None:
            start = i
        if k + 1 == len(indices) or indices[k + 1] != i + 1:
            parts.append(f"{start}" if start == i else f"{start}-{i}")
            start = None
    return ", ".join(parts)
