"""rope_ref.testing.adapters: each call shape gets what it declares. (batch, seq, heads, d)
tensors, (batch, seq) position_ids with one row per batch ((k, batch, seq) for vector
positions), torch tensors in and out (a bfloat16 one judged as bfloat16), and a q, k pair
whose k differs from q on every head and stays exact in bfloat16."""

from __future__ import annotations

import numpy as np
import torch

import rope_ref as rr
from rope_ref.checker.precision import round_to
from rope_ref.testing import assert_rope
from rope_ref.testing.adapters import partner
from testing._shapes import hf_qk


def test_bshd_tensors_and_batch_seq_position_ids_are_what_fn_gets():
    seen = {}

    def spy(x, position_ids):
        seen["x"], seen["p"] = x.copy(), position_ids.copy()
        return np.swapaxes(rr.rotate(np.swapaxes(x, 1, 2), position_ids[0]), 1, 2)

    report = assert_rope(spy, input_layout="bshd", position_ids="batch_seq", d=8, seed=4)
    x, p = seen["x"], seen["p"]
    assert report.ok and x.shape[1:] == (p.shape[1], 3, 8) and x.flags.c_contiguous
    assert p.shape == (2, p.shape[1]) and p.dtype == np.int64 and np.all(p == p[0])
    assert np.array_equal(np.sort(p[0]), np.sort(np.unique(p[0])))


def test_vector_position_ids_get_a_batch_axis_after_the_axes():
    d, base, section = 16, 1e4, (2, 3, 3)
    theta, axes = rr.axis_frequencies(d, base, style="mrope", section=section)
    seen = {}

    def spy(x, position_ids):  # HF's M-RoPE: position_ids (3, batch, seq)
        seen["p"] = position_ids
        return rr.rotate(x, position_ids[:, 0], theta=theta, axes=axes)

    assert_rope(spy, position_ids="batch_seq", d=d, base=base, style="mrope", section=section)
    p = seen["p"]
    assert p.shape[:2] == (3, 2) and np.array_equal(p[:, 0], p[:, 1])


def test_torch_tensors_in_and_out():
    seen = []

    def torch_qk(q, k, position_ids):
        seen.append(all(isinstance(t, torch.Tensor) for t in (q, k, position_ids)))
        out = hf_qk(q.numpy(), k.numpy(), position_ids.numpy())
        return tuple(torch.from_numpy(o) for o in out)

    report = assert_rope(torch_qk, qk=True, input_layout="bshd", position_ids="batch_seq",
                         tensors="torch", d=32, layout="half")  # fmt: skip
    assert report.ok and seen == [True, True] and report.precision == "float32"


def test_a_bfloat16_tensor_is_judged_as_bfloat16():
    def bf16(x, positions):
        return torch.from_numpy(rr.rotate(x.numpy(), positions.numpy())).to(torch.bfloat16)

    assert assert_rope(bf16, tensors="torch", d=16).precision == "bfloat16"
    stated = assert_rope(bf16, tensors="torch", d=16, precision="bfloat16")
    assert stated.ok and stated.precision == "bfloat16"


def test_the_partner_of_x_is_exact_in_bfloat16_and_unlike_x_on_every_head():
    x = round_to(np.random.default_rng(0).uniform(0.5, 2.0, (2, 3, 5, 8)), "bfloat16")
    k = partner(x)
    assert np.array_equal(round_to(k, "bfloat16"), k)
    assert all(not np.allclose(x[:, h], k[:, h]) for h in range(3))
