"""``rotate`` works on cache-sized blocks with a remembered cos + i sin table (see its
docstring and bench/). These tests pin that the blocking and the table change nothing:
every block edge, layout, dtype and memory order stays within ``rotation_error_bound``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rope_ref import rotate, rotate_matrix_form, rotation_error_bound
from rope_ref.paper import blockwise


def _cases():
    shapes = [(5, 8), (2, 3, 7, 16), (3, 1, 33, 12)]
    return itertools.product(
        shapes, [np.float16, np.float32, np.float64], ["interleaved", "half"], [False, True]
    )


@pytest.mark.parametrize("block", [1, 7, 64, blockwise.BLOCK])
def test_rotate_is_within_the_error_bound_across_block_edges(monkeypatch, block):
    monkeypatch.setattr(blockwise, "BLOCK", block)
    rng = np.random.default_rng(block)
    for shape, dtype, layout, fortran in _cases():
        x = rng.standard_normal(shape).astype(dtype)
        x = np.asfortranarray(x) if fortran else x
        rotary_dim = shape[-1] - 4 if shape[-1] > 8 else None
        # positions per leading index where x has them, else one (seq,) row for all
        positions = rng.uniform(-1e5, 1e5, shape[:1] + (1,) * (len(shape) - 3) + shape[-2:-1])
        positions = positions if len(shape) > 2 else positions[0]
        kw = dict(layout=layout, rotary_dim=rotary_dim)
        y = rotate(x, positions, **kw)
        exact_ish = rotate_matrix_form(x.astype(np.float64), positions, **kw)
        allowed = rotation_error_bound(x, positions, **kw) + rotation_error_bound(
            x.astype(np.float64), positions, **kw
        )
        err = np.abs(y.astype(np.float64) - exact_ish)
        assert y.dtype == x.dtype and y.shape == x.shape
        assert np.all(err <= allowed), (
            f"{dtype.__name__} {layout} {shape} block={block}: error exceeds the bound "
            f"by {np.max(err - allowed):.3g}"
        )


def test_rotate_leaves_its_input_alone_and_passes_the_rest_through():
    x = np.random.default_rng(0).standard_normal((4, 10)).astype(np.float32)
    before = x.copy()
    y = rotate(x, np.arange(4), rotary_dim=6)
    assert np.array_equal(x, before)
    assert np.array_equal(y[:, 6:], x[:, 6:])


def test_the_remembered_table_follows_the_positions_and_theta():
    x = np.random.default_rng(1).standard_normal((3, 8))
    first = rotate(x, [0, 1, 2])
    other = rotate(x, [5, 6, 7])  # same shape, other positions: a new table
    assert not np.allclose(first, other)
    assert not np.allclose(first, rotate(x, [0, 1, 2], base=500.0))
    blockwise.cached_table.cache_clear()
    assert np.array_equal(first, rotate(x, [0, 1, 2]))
    table = blockwise.cos_sin_table(np.arange(3.0), np.ones(4))
    with pytest.raises(ValueError):
        table[0, 0] = 0  # read-only: a caller cannot corrupt later results


def test_threads_rotating_at_once_get_the_results_of_serial_calls():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(2)
    inputs = [rng.standard_normal((4, 3000, 16)).astype(np.float32) for _ in range(8)]
    positions = [rng.uniform(0, 1e4, 3000) for _ in range(8)]
    serial = [rotate(x, p, layout="half") for x, p in zip(inputs, positions, strict=True)]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda x, p: rotate(x, p, layout="half"), inputs, positions))
    for want, got in zip(serial, parallel, strict=True):
        assert np.array_equal(want, got)
