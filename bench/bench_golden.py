"""Golden generation time, and the checker's time per implementation.

* ``rope_ref.golden.generate``: the whole v1 set from mpmath at 60 digits;
* ``rope_ref.check(fn, ...)`` on real implementations (HF Llama, GPT-J and
  rotary-embedding-torch, run through the interop tests' wrappers, and rope_ref itself)
  and on broken ones, whose verdict has to try the bug-class hypotheses;
* ``check_outputs`` over every golden group for outputs computed by rope_ref.

Each row gives the seconds and the verdict; the share of the time spent in ``fn`` itself
is in the "fn" column (one call of fn on the checker's inputs).
"""

from __future__ import annotations

import importlib.util
import tempfile
import time
from pathlib import Path

import numpy as np

from bench._timing import median_seconds, print_table
from rope_ref import check, rotate
from rope_ref.checker.report import CHECK_BATCH, CHECK_HEADS, CHECK_POSITIONS, check_outputs
from rope_ref.golden import list_groups, load_group
from rope_ref.golden.generate import generate

_IMPLS = Path(__file__).resolve().parents[1] / "tests" / "interop" / "_torch_impls.py"


def _torch_impls():
    """The interop tests' wrappers of the real torch libraries (one copy of that code)."""
    spec = importlib.util.spec_from_file_location("_bench_torch_impls", _IMPLS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generation(repeats: int = 3) -> list[dict]:
    """Seconds to write the whole golden set (median over repeats)."""
    with tempfile.TemporaryDirectory() as tmp:
        seconds = median_seconds(lambda: generate(tmp), repeats, warmup=0)
    n = len(list_groups())
    rows = [{"name": f"golden v1: {n} groups, mpmath 60 digits", "seconds": seconds,
             "per_group_s": seconds / n}]  # fmt: skip
    print_table(
        "golden generation (rope_ref.golden.generate)",
        ["what", "s", "s per group"],
        [[r["name"], r["seconds"], r["per_group_s"]] for r in rows],
    )
    return rows


def checker(repeats: int = 3) -> list[dict]:
    """Seconds per ``check`` call for each implementation, with its verdict."""
    impls = _torch_impls()
    d = 64
    cases = [
        ("rope_ref.rotate float64", lambda x, p: rotate(x, p), {}),
        ("rope_ref.rotate float32", lambda x, p: rotate(x.astype(np.float32), p),
         {"precision": "float32"}),
        ("HF Llama float32", impls.hf_llama(d), {"layout": "half"}),
        ("HF GPT-J float32, rotary_dim 32", impls.hf_gptj(d, 32), {"rotary_dim": 32}),
        ("rotary-embedding-torch float32", impls.rotary_embedding_torch(d), {}),
        ("broken: HF Llama, position_ids + 1", impls.hf_llama(d, position_shift=1),
         {"layout": "half"}),
        ("broken: HF Llama checked as interleaved", impls.hf_llama(d), {}),
        ("broken: HF Llama, inv_freq in bfloat16", impls.hf_llama(d, buffers_to_bf16=True),
         {"layout": "half", "precision": "float32"}),
    ]  # fmt: skip
    x = np.zeros((CHECK_BATCH, CHECK_HEADS, CHECK_POSITIONS.size, d))
    rows = []
    for name, fn, config in cases:
        report = check(fn, d=d, **config)
        seconds = median_seconds(lambda fn=fn, config=config: check(fn, d=d, **config), repeats)
        fn_seconds = median_seconds(lambda fn=fn: fn(x, CHECK_POSITIONS.copy()), repeats)
        verdict = "PASS" if report.ok else ", ".join(f.name for f in report.findings)
        rows.append({"name": name, "seconds": seconds, "fn_s": fn_seconds, "verdict": verdict})
    groups = [load_group(g) for g in list_groups()]
    outputs = [rotate(g.arrays["x"], g.arrays["positions"], **_rotate_kwargs(g)) for g in groups]
    start = time.perf_counter()
    verdicts = [check_outputs(y, g) for y, g in zip(outputs, groups, strict=True)]
    seconds = time.perf_counter() - start
    passed = sum(v.ok for v in verdicts)
    name = f"check_outputs, all {len(groups)} golden groups (rope_ref outputs)"
    verdict = f"{passed}/{len(groups)} PASS"
    rows.append({"name": name, "seconds": seconds, "fn_s": None, "verdict": verdict})
    print_table(
        f"checker time per implementation (rope_ref.check, d = {d}, "
        f"{CHECK_POSITIONS.size} positions up to {CHECK_POSITIONS.max()})",
        ["implementation", "check s", "fn s", "verdict"],
        [[r["name"], r["seconds"], "" if r["fn_s"] is None else r["fn_s"], r["verdict"]]
         for r in rows],
    )  # fmt: skip
    return rows


def _rotate_kwargs(group) -> dict:
    """rotate's keyword arguments for a golden group's configuration."""
    keys = ("base", "layout", "rotary_dim", "rope_scaling", "seq_len", "hf_compat")
    return {key: group.config[key] for key in keys}
