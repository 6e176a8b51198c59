"""rope_ref.rotate against HF's apply_rotary_pos_emb (torch CPU) and against the
memory-bandwidth floor, for float32 q and k of shape (batch, heads, seq, head_dim).

Both sides rotate q and k. HF's cos and sin come from LlamaRotaryEmbedding; a model computes
them once per forward and every layer reuses them, and rope_ref.rotate likewise remembers
its cos + i sin table per (positions, theta). So the "warm" rows compare rotation with the
tables ready on both sides, and the "cold" rows include building them on both sides.
NumPy's element-wise ufuncs use one thread, so torch runs with one thread too (its default
thread count is shown in a separate row).
"""

from __future__ import annotations

import numpy as np
import torch
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb

from bench._timing import (
    allocating_floor_function,
    floor_function,
    medians,
    peak_bytes,
    print_table,
)
from rope_ref import rotate
from rope_ref.paper import blockwise

SHAPE = (1, 32, 4096, 128)
SWEEP = (128, 256, 512, 1024, 2048, 4096, 8192, 16384)


class _Case:
    """Random float32 q, k of one shape, with HF's rotary embedding for it."""

    def __init__(self, shape: tuple[int, int, int, int], seed: int = 0):
        batch, heads, seq, d = shape
        rng = np.random.default_rng(seed)
        self.q = rng.standard_normal(shape, dtype=np.float32)
        self.k = rng.standard_normal(shape, dtype=np.float32)
        self.positions = np.arange(seq)
        self.tq, self.tk = torch.from_numpy(self.q), torch.from_numpy(self.k)
        self.position_ids = torch.arange(seq)[None].expand(batch, seq)
        config = LlamaConfig(
            hidden_size=heads * d,
            num_attention_heads=heads,
            head_dim=d,
            max_position_embeddings=seq,
        )
        self.embedding = LlamaRotaryEmbedding(config)
        self.cos, self.sin = self.embedding(self.tq, self.position_ids)

    def hf_warm(self):
        return apply_rotary_pos_emb(self.tq, self.tk, self.cos, self.sin)

    def hf_cold(self):
        cos, sin = self.embedding(self.tq, self.position_ids)
        return apply_rotary_pos_emb(self.tq, self.tk, cos, sin)

    def ours_warm(self, layout: str = "half"):
        return rotate(self.q, self.positions, layout=layout), rotate(
            self.k, self.positions, layout=layout
        )

    def ours_cold(self, layout: str = "half"):
        blockwise.cached_table.cache_clear()
        return self.ours_warm(layout)

    def max_difference_from_hf(self) -> float:
        """max |rotate - HF| on q (half layout): both sides compute the same thing."""
        ours = rotate(self.q, self.positions, layout="half")
        return float(np.max(np.abs(ours - self.hf_warm()[0].numpy())))


def _timings(case: _Case, repeats: int) -> dict[str, float]:
    """Medians (seconds, q and k together) of every contender, in interleaved rounds."""
    floor, alloc = floor_function(case.q), allocating_floor_function(case.q)
    times = medians(
        {
            "floor": lambda: (floor(), floor()),
            "alloc_floor": lambda: (alloc(), alloc()),
            "hf": case.hf_warm,
            "hf_cold": case.hf_cold,
            "half": case.ours_warm,
            "interleaved": lambda: case.ours_warm("interleaved"),
            "half_cold": case.ours_cold,
            "interleaved_cold": lambda: case.ours_cold("interleaved"),
        },
        repeats,
    )
    return times


def main_shape(repeats: int = 9) -> list[dict]:
    """Every comparison at SHAPE; returns rows {name, seconds, vs_hf, vs_floor}."""
    torch.set_num_threads(1)
    case = _Case(SHAPE)
    t = _timings(case, repeats)
    threads = torch.get_num_interop_threads()
    torch.set_num_threads(max(1, threads))
    hf_threads = medians({"hf": case.hf_warm, "half": case.ours_warm}, repeats)
    torch.set_num_threads(1)
    measured = [
        ("floor: np.multiply(x, c, out=buf)", t["floor"], None),
        ("floor returning new arrays: np.multiply(x, c)", t["alloc_floor"], None),
        ("HF apply_rotary_pos_emb, cos/sin ready", t["hf"], t["hf"]),
        ("rope_ref.rotate half, table ready", t["half"], t["hf"]),
        ("rope_ref.rotate interleaved, table ready", t["interleaved"], t["hf"]),
        ("HF rotary embedding + apply (cold)", t["hf_cold"], t["hf_cold"]),
        ("rope_ref.rotate half, cold (trig each call)", t["half_cold"], t["hf_cold"]),
        ("rope_ref.rotate interleaved, cold", t["interleaved_cold"], t["hf_cold"]),
        (
            f"rope_ref.rotate half vs HF with {threads} torch threads",
            hf_threads["half"],
            hf_threads["hf"],
        ),
    ]
    rows = [
        {
            "name": name,
            "seconds": s,
            "vs_hf": None if ref is None else s / ref,
            "vs_floor": s / t["floor"],
        }
        for name, s, ref in measured
    ]
    print_table(
        f"rotate q and k, float32 {SHAPE}, torch threads = 1 unless said "
        f"(max |rope_ref - HF| on q: {case.max_difference_from_hf():.1e})",
        ["what", "ms", "/ same-kind HF", "/ floor"],
        [[r["name"], 1e3 * r["seconds"], _ratio(r["vs_hf"]), r["vs_floor"]] for r in rows],
        note="q and k together. 'table ready' rows / HF with cos, sin ready; 'cold' rows / HF\n"
        "computing cos, sin too (LlamaRotaryEmbedding). Targets: rotate <= 1.0x HF, <= 3x floor.",
    )
    return rows


def sweep(repeats: int = 7) -> list[dict]:
    """rotate (half layout) vs HF and the floor for seq = 128..16384 at SHAPE's batch,
    heads and head_dim, with the tables ready and cold."""
    torch.set_num_threads(1)
    rows = []
    for seq in SWEEP:
        t = _timings(_Case(SHAPE[:2] + (seq,) + SHAPE[3:]), repeats)
        rows.append(
            {
                "seq": seq,
                "ours_s": t["half"],
                "hf_s": t["hf"],
                "vs_hf": t["half"] / t["hf"],
                "vs_floor": t["half"] / t["floor"],
                "interleaved_vs_hf": t["interleaved"] / t["hf"],
                "interleaved_vs_floor": t["interleaved"] / t["floor"],
                "cold_vs_hf_cold": t["half_cold"] / t["hf_cold"],
                "cold_vs_floor": t["half_cold"] / t["floor"],
            }
        )
    print_table(
        f"sweep: q and k of shape {SHAPE[:2]} + (seq, {SHAPE[3]}), float32, half layout "
        "unless said; torch threads = 1",
        [
            "seq",
            "rotate ms",
            "HF ms",
            "/ HF",
            "/ floor",
            "interleaved / HF",
            "interleaved / floor",
            "cold / HF cold",
            "cold / floor",
        ],
        [
            [
                r["seq"],
                1e3 * r["ours_s"],
                1e3 * r["hf_s"],
                r["vs_hf"],
                r["vs_floor"],
                r["interleaved_vs_hf"],
                r["interleaved_vs_floor"],
                r["cold_vs_hf_cold"],
                r["cold_vs_floor"],
            ]
            for r in rows
        ],
    )
    return rows


def peak_memory() -> list[dict]:
    """Peak traced memory of one rotate call as a multiple of the input's size."""
    case = _Case(SHAPE)
    rows = []
    for layout in ("interleaved", "half"):
        blockwise.cached_table.cache_clear()
        cold = peak_bytes(lambda layout=layout: rotate(case.q, case.positions, layout=layout))
        warm = peak_bytes(lambda layout=layout: rotate(case.q, case.positions, layout=layout))
        rows.append(
            {"layout": layout, "cold_x": cold / case.q.nbytes, "warm_x": warm / case.q.nbytes}
        )
    print_table(
        f"peak memory of rotate(x) / x.nbytes, float32 {SHAPE} "
        f"({case.q.nbytes / 2**20:.0f} MiB); the result itself is 1.0",
        ["layout", "cold (builds the table)", "table ready"],
        [[r["layout"], r["cold_x"], r["warm_x"]] for r in rows],
    )
    return rows


def _ratio(value):
    return "" if value is None else value
