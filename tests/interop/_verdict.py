"""One interop verdict: run ``check``, print the interop-table line, assert the verdict.

``expected`` None: the implementation passes with no findings. Else the list of finding
names the checker must give (and ``words``: text each finding's detail must contain in
order, the fitted value or the named misreading)."""

from __future__ import annotations

import numpy as np

from rope_ref.checker.report import check


def to_numpy(y) -> np.ndarray:
    """A torch tensor (bfloat16 as float32 holding bf16 values) or an array, as NumPy."""
    if hasattr(y, "detach"):
        y = y.detach()
        return (y.float() if str(y.dtype) == "torch.bfloat16" else y).numpy()
    return np.asarray(y)


def verdict(library: str, case: str, fn, expected=None, words=(), **config):
    report = check(fn, **config)
    got = "pass" if report.ok else ", ".join(f.name for f in report.findings)
    print(f"\n{library} | {case} | {got} | error {report.max_error:.3g} tol {report.tolerance:.3g}")
    if expected is None:
        assert report.ok and not report.findings, str(report)
    else:
        assert not report.ok, str(report)
        assert [f.name for f in report.findings] == list(expected), str(report)
        for word, finding in zip(words, report.findings, strict=False):
            assert word in finding.detail, str(report)
    return report
