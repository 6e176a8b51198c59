"""The per-layer bug classes as fitted models (``vocabulary.LAYER_CLASSES``), for
``rope_ref.checker.layers``: what a check that knows a model's other layers can propose.

- ``wrong_layer_base``: another layer type's RoPE (its theta and attention factor) in this
  layer: Gemma 3's sliding layers given the global base (vLLM #29111, llama.cpp #14367);
- ``partial_rotary_ignored``: the whole head turned, theta over the whole head, where
  partial_rotary_factor turns a share (MaxText #4616, mlx-lm #1698);
- ``longrope_threshold_off_by_one``: LongRoPE's other factor list at a sequence of exactly
  L = original_max_position_embeddings or L + 1 (unsloth #10681);
- ``nope_layer_rotated``: a NoPE layer turned by one of the model's RoPEs.

``layer_case`` states one layer's RoPE to the single-RoPE checker (``Case``).
"""

from __future__ import annotations

import numpy as np

from rope_ref.checker.case import Case, make_case
from rope_ref.checker.models import Model, compare, fit
from rope_ref.checker.precision import tolerance
from rope_ref.checker.report import Finding, Report
from rope_ref.paper.layouts import to_interleaved_layout
from rope_ref.scaling.scaled import scaled_frequencies


def layer_case(spec, x, y, positions, precision: str) -> Case:
    """The Case of one layer's run, on the head from its first rotated feature on (x, y:
    (batch, heads, seq, head_dim - offset), as ``rope_ref.checker.layers`` slices them and
    a model's golden set exports them): the layer's RoPE as the single-RoPE checker states
    it (base, rotary_dim, layout, the variant's dict without rope_theta and without a
    partial_rotary_factor that rotary_dim already holds), seq_len = max(positions) + 1 as
    HF's; pairs written half-split (DeepSeek-V3) are read back as they went in."""
    ys = np.array(y, dtype=np.float64)
    r = spec.rotary_dim
    if spec.output_layout != spec.layout:
        ys[..., :r] = to_interleaved_layout(ys[..., :r])
    params = spec.rope_scaling
    params.pop("rope_theta")
    if params["rope_type"] != "proportional":
        params.pop("partial_rotary_factor", None)
    return make_case(
        np.asarray(x, dtype=np.float64),
        ys,
        np.asarray(positions, dtype=np.float64),
        d=x.shape[-1],
        base=spec.base,
        layout=spec.layout,
        rotary_dim=r,
        rope_scaling=None if params["rope_type"] == "default" else params,
        seq_len=int(np.max(positions)) + 1,
        precision=precision,
        form=spec.form,
    )


def layer_models(case: Case, rope, i: int) -> list:
    """The fitted models of the per-layer classes for layer i's case."""
    spec, out = rope.layers[i], []
    phi = case.positions[:, None]
    for other, indices in rope.groups():
        if other is None or other == spec or other.rotary_dim != spec.rotary_dim:
            continue
        theta, factor = other.frequencies(case.seq_len)
        if np.array_equal(theta, case.theta) and factor == case.factor:
            continue
        what = (
            f"uses the RoPE of the {rope.layer_types[indices[0]]} layers ({other.rope_type}, "
            f"base {other.base:g}) in this {rope.layer_types[i]} layer"
        )
        out.append(case.model("wrong_layer_base", what, phi * theta, scale=factor))
    out += _partial_ignored(case, spec)
    out += _threshold_off_by_one(case, spec)
    return out


def _partial_ignored(case: Case, spec) -> list:
    params = spec.rope_scaling
    partial = params.pop("partial_rotary_factor", 1.0)
    if partial >= 1.0:
        return []
    try:
        theta, factor = scaled_frequencies(spec.rope_dim, None, params, case.seq_len)
    except ValueError:  # LongRoPE's lists have rotary_dim/2 entries: no whole-head form
        return []
    if spec.offset + 2 * theta.size > spec.head_dim:
        return []
    what = (
        f"ignores partial_rotary_factor {partial:g}: turns all {2 * theta.size} features "
        f"with theta over {spec.rope_dim}, where {spec.rotary_dim} turn"
    )
    model = case.model(
        "partial_rotary_ignored",
        what,
        case.positions[:, None] * theta,
        rotary_dim=2 * theta.size,
        scale=factor,
    )
    return [model]


def _threshold_off_by_one(case: Case, spec) -> list:
    length = switch_length(spec)
    if spec.rope_type != "longrope" or case.seq_len not in (length, length + 1):
        return []
    other = length + 1 if case.seq_len == length else length
    theta, factor = spec.frequencies(other)
    what = (
        f"takes LongRoPE's long factors at seq_len = {length}, the original length itself "
        "(seq_len >= L where HF switches at seq_len > L)"
        if case.seq_len == length
        else f"keeps LongRoPE's short factors at seq_len = {length + 1} (compares the last "
        f"position {length}, not the length, with L = {length})"
    )
    model = case.model(
        "longrope_threshold_off_by_one", what, case.positions[:, None] * theta, scale=factor
    )
    return [model]


def switch_length(spec) -> int | None:
    """The length L where the layer's RoPE switches (LongRoPE: original_max_position_
    embeddings; dynamic NTK: max_position_embeddings), else None."""
    if spec is None:
        return None
    params = spec.rope_scaling
    key = {"longrope": "original_max_position_embeddings", "dynamic": "max_position_embeddings"}
    return params.get(key.get(spec.rope_type, ""))


def nope_verdict(rope, x, y, positions, precision) -> Report:
    """A NoPE layer gives x back (to the precision's rounding); if not, is it one of the
    model's RoPEs?"""
    d = x.shape[-1]
    m = positions.astype(np.float64)
    phi = np.zeros((len(m), d // 2))
    tol = tolerance(x, phi, layout="half", rotary_dim=d, scale=1.0, precision=precision)
    before = compare(y, x, tol, m)
    config = f"no RoPE (NoPE layer), head_dim {d}"
    if before.ratio <= 1.0:
        return Report(
            ok=True,
            max_error=before.error,
            tolerance=before.tol,
            precision=precision,
            config=config,
        )
    found = (
        "unexplained",
        f"the NoPE layer's outputs differ from its inputs (max error/tolerance "
        f"{before.ratio:.3g}) and no RoPE of the model explains them",
    )
    for spec, indices in rope.groups():
        if spec is None or spec.offset or spec.head_dim != d:
            continue
        theta, factor = spec.frequencies(int(np.max(positions)) + 1)
        model = _nope_model(spec, theta, factor, m, precision, rope.layer_types[indices[0]])
        result = fit(model, x, m, y)
        if result.ratio <= 1.0:
            found = (
                "nope_layer_rotated",
                f"the implementation {model.what}; max error/tolerance {before.ratio:.3g} "
                f"before, {result.ratio:.3g} after",
            )
            break
    return Report(
        ok=False,
        findings=[Finding(*found)],
        max_error=before.error,
        tolerance=before.tol,
        position=before.position,
        feature=before.feature,
        precision=precision,
        config=config,
    )


def _nope_model(spec, theta, factor, m, precision, kind) -> Model:
    return Model(
        name="nope_layer_rotated",
        what=f"rotates this NoPE layer by the RoPE of the {kind} layers ({spec.description})",
        phi=m[:, None] * theta[None, :],
        layout=spec.layout,
        rotary_dim=spec.rotary_dim,
        scale=factor,
        precision=precision,
        theta=theta,
    )
