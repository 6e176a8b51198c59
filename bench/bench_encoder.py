"""Encoder forward time: rope_ref.encode (NumPy) against HF's RoFormerModel (torch), CPU.

Same random weights, same input ids, float32, one thread each (OPENBLAS/OMP/MKL
threads and torch.set_num_threads), median wall time over 11 alternating runs after
one warm-up each.
``run()`` measures in a child process so the thread settings hold for NumPy's BLAS,
which reads them at import. Rows: {name, ours_s, baseline_s, ratio = ours / baseline}.

    python -m bench.bench_encoder        # prints the rows
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

SIZES = [  # (label, config fields, batch, seq)
    ("L4 H256 h4 I1024, batch 4 x seq 128",
     {"hidden_size": 256, "num_attention_heads": 4, "num_hidden_layers": 4,
      "intermediate_size": 1024}, 4, 128),
    ("L2 H768 h12 I3072, batch 2 x seq 256",
     {"hidden_size": 768, "num_attention_heads": 12, "num_hidden_layers": 2,
      "intermediate_size": 3072}, 2, 256),
]  # fmt: skip
REPEATS = 11
THREADS = 1


def run() -> list[dict]:
    """Rows {name, ours_s, baseline_s, ratio}, measured in a single-threaded child."""
    env = os.environ | {k: str(THREADS) for k in
                        ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}  # fmt: skip
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_encoder", "--child"],
        env=env, cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure() -> list[dict]:
    import torch

    torch.set_num_threads(THREADS)
    return [_measure_size(*size) for size in SIZES]


def _measure_size(label: str, fields: dict, batch: int, seq: int) -> dict:
    import numpy as np
    import torch
    from transformers import RoFormerConfig, RoFormerModel

    from rope_ref.model.encoder import encode, weights_from_hf_state_dict

    config = RoFormerConfig(vocab_size=1000, max_position_embeddings=seq, **fields)
    torch.manual_seed(0)
    model = RoFormerModel(config).eval()
    weights = weights_from_hf_state_dict({k: v.numpy() for k, v in model.state_dict().items()})
    ids = np.random.default_rng(0).integers(0, 1000, (batch, seq))
    mask = np.ones_like(ids)
    ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)
    cfg = config.to_dict()

    def ours():
        return encode(weights, ids, config=cfg, attention_mask=mask)

    def theirs():
        with torch.no_grad():
            return model(input_ids=ids_t, attention_mask=mask_t).last_hidden_state

    difference = float(np.abs(ours() - theirs().numpy()).max())
    if difference > 1e-4:
        raise AssertionError(f"{label}: outputs differ by {difference:.3g}")
    ours_s, theirs_s = _median_times(ours, theirs)
    return {
        "name": f"encoder forward float32, {label}, {THREADS} thread",
        "ours_s": ours_s,
        "baseline_s": theirs_s,
        "ratio": ours_s / theirs_s,
    }


def _median_times(*fns) -> list[float]:
    """Median wall time of each function; the runs alternate, so that a change in the
    machine's load (it is shared) falls on all of them alike."""
    times = [[] for _ in fns]
    for fn in fns:
        fn()  # warm-up
    for _ in range(REPEATS):
        for fn, acc in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - start)
    return [statistics.median(acc) for acc in times]


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(_measure()))
    else:
        for row in run():
            print(f"{row['name']}: rope_ref {row['ours_s'] * 1e3:.1f} ms, "
                  f"HF {row['baseline_s'] * 1e3:.1f} ms, ratio {row['ratio']:.2f}")  # fmt: skip
