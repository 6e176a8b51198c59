"""rope_ref for test suites: one line in a pytest test checks an implementation of RoPE.

    from rope_ref.testing import assert_rope

    def test_my_rope():
        assert_rope(my_rope, d=128, base=500000.0, layout="half")

``assert_rope`` runs ``rope_ref.check`` and raises AssertionError carrying the readable
report (the verdict, the named mistake with its evidence, the seed that reproduces the
run) when the implementation fails; it returns the Report when it passes. The common call
shapes need no adapter (``rope_ref.testing.adapters``): q and k together, (batch, seq,
heads, d) tensors, position_ids of shape (batch, seq), torch tensors. ``import rope_ref``
does not import this module (nor torch): import it as ``rope_ref.testing``.
"""

from __future__ import annotations

from dataclasses import replace

from rope_ref.checker import probe
from rope_ref.checker.report import Report, check
from rope_ref.testing.adapters import adapted
from rope_ref.validation.checker import check_callable, check_seed

__all__ = ["assert_rope"]


def assert_rope(fn, *, qk: bool = False, input_layout: str = "bhsd", position_ids: str = "seq",
                tensors: str = "numpy", seed: int | None = None, **config) -> Report:  # fmt: skip
    """Check ``fn`` as ``rope_ref.check`` does; raise AssertionError(str(report)) if it fails.

    Args:
        fn: the implementation, called as the keywords below declare; by default
            ``fn(x, positions) -> y`` with x (batch, heads, seq, d), positions (seq,) int64.
        qk: True for ``fn(q, k, positions) -> (q_out, k_out)``: q and k get different
            inputs, both outputs are judged and the worse verdict is the one reported (its
            config says "q output" or "k output").
        input_layout: "bhsd" (batch, heads, seq, d) or "bshd" (batch, seq, heads, d), for
            the inputs and the outputs.
        position_ids: "seq", shape (seq,), or "batch_seq", shape (batch, seq) int64, the
            same row for every batch ((k, batch, seq) for multi-axis styles).
        tensors: "numpy", or "torch": fn gets CPU torch tensors (``torch.from_numpy``) and
            may return tensors.
        seed: as in ``check`` (one seed for both runs of qk; a new one when None).
        **config: every other keyword of ``rope_ref.check``: d, base, layout, rotary_dim,
            rope_scaling, precision, form, style, section, max_position, ...

    Returns:
        The Report (the worse of q's and k's for qk) when fn passes.

    Raises:
        AssertionError: fn fails; the message is ``str(report)``.
        ValueError, TypeError: a bad argument, or an output of the wrong type or shape
            for the declared call shape.
    """
    __tracebackhide__ = True  # pytest shows the report, not this frame
    check_callable("fn", fn, "(q, k, positions)" if qk is True else "(x, positions)")
    seed = check_seed(seed)
    runs = adapted(fn, qk=qk, input_layout=input_layout, position_ids=position_ids,
                   tensors=tensors, precision=config.get("precision"))  # fmt: skip
    seed = probe.new_seed() if seed is None else seed
    reports = [_labelled(check(g, seed=seed, **config), label) for label, g in runs]
    worst = max(reports, key=lambda r: (not r.ok, r.max_error / r.tolerance))
    if not worst.ok:
        raise AssertionError(str(worst))
    return worst


def _labelled(report: Report, label: str) -> Report:
    """The report of one output of a q, k pair says which it is."""
    return replace(report, config=f"{report.config}, {label} output") if label else report
