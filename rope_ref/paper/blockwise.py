"""How ``rope_ref.rotate`` runs fast: eq 34 in float64, block by block.

``rope_ref.paper.forms.rotate_elementwise_form`` says *what* is computed (eq 34, line by
line); this module says how ``rotate`` does it in NumPy without full-size float64
temporaries (bench/: ``python -m bench``), and tests/paper/test_forms.py that the two agree:

- pair i is held as the complex number x_a + i x_b, so eq 34's four products and two sums
  are one complex multiply by cos(m theta_i) + i sin(m theta_i) (``cos_sin_table``);
- x is processed in blocks of about ``BLOCK`` pairs, so each block's float64 copy stays
  in cache, with one complex work buffer kept per thread;
- the cos + i sin table is computed once per (positions, theta, factor) and the last four
  (up to ``CACHE_LIMIT`` bytes each) are kept: q and k of every layer share them.
"""

from __future__ import annotations

import functools
import threading

import numpy as np

from rope_ref.paper.angles import angles


def rotate_pairs(x: np.ndarray, table: np.ndarray, out: np.ndarray, layout: str) -> None:
    """out = x with every pair rotated by ``table`` (eq 34), block by block, in float64.

    x, out: (..., r) of one dtype (out may be a view into a larger array); table: (..., r/2)
    complex128, broadcast to x.shape[:-1] + (r/2,). Block size: ``BLOCK`` pairs.
    """
    h = table.shape[-1]
    rows = max(1, min(BLOCK // h, x[..., 0].size))
    z = _block_buffer(rows * h)
    for block in _blocks(x.shape[:-1], rows):
        _rotate_block(x[block], table[block], out[block], layout, z)


#: Pairs per block in ``rotate``: 131072 complex128 = 2 MiB (measured: bench/; larger
#: blocks mean fewer NumPy calls, smaller ones fit L2; 2 MiB sits in L3 with room).
BLOCK = 131072


_BUFFERS = threading.local()


def _block_buffer(size: int) -> np.ndarray:
    """A complex128 work buffer of ``size`` elements for ``rotate_pairs``' blocks, kept per
    thread between calls: a fresh 2 MiB buffer per call costs more in page faults than
    rotating a small x (bench/)."""
    buffer = getattr(_BUFFERS, "z", None)
    if buffer is None or buffer.size < size:
        buffer = _BUFFERS.z = np.empty(size, dtype=np.complex128)
    return buffer[:size]


def cos_sin_table(m: np.ndarray, theta: np.ndarray, factor: float = 1.0) -> np.ndarray:
    """factor * cos(m theta_i) + i factor * sin(m theta_i): shape m.shape + (d/2,),
    complex128, read-only. factor is rope_scaling's attention factor (1 by default).

    The angles are ``angles(m, theta)`` (float64) and cos, sin are NumPy's float64 ones,
    as in every form here. The last four results are kept (keyed by the exact bytes of m
    and theta, and factor): a model rotates q and k of every layer at the same positions.
    Each takes m.size * d/2 * 16 bytes (4 MiB for 4096 positions and d = 128); a table
    larger than ``CACHE_LIMIT`` bytes is computed afresh and not kept, so the cache never
    holds more than 4 * CACHE_LIMIT.
    """
    if m.size * theta.size * 16 > CACHE_LIMIT:
        return cached_table.__wrapped__(m.tobytes(), m.shape, theta.tobytes(), float(factor))
    return cached_table(m.tobytes(), m.shape, theta.tobytes(), float(factor))


#: Largest cos + i sin table (bytes) that ``cos_sin_table`` keeps between calls.
CACHE_LIMIT = 64 * 2**20


@functools.lru_cache(maxsize=4)
def cached_table(m_bytes: bytes, m_shape: tuple, theta_bytes: bytes, factor: float):
    """``cos_sin_table`` of the positions and theta held in these bytes (the lru_cache key)."""
    phi = angles(np.frombuffer(m_bytes).reshape(m_shape), np.frombuffer(theta_bytes))  # eq 13
    table = np.empty(phi.shape, dtype=np.complex128)
    np.cos(phi, out=table.real)  # cos(m theta_i)
    np.sin(phi, out=table.imag)  # sin(m theta_i)
    if factor != 1.0:  # the attention factor on cos and sin (YaRN sec 3.4, HF)
        table.real *= factor
        table.imag *= factor
    table.flags.writeable = False
    return table


def _blocks(lead: tuple[int, ...], rows: int):
    """Index tuples that cut an array with leading axes ``lead`` (x.shape[:-1]) into blocks
    of at most ``rows`` rows (a row is one vector of d features), outermost axes first."""
    inner = 1
    for axis in range(len(lead) - 1, -1, -1):
        if inner * lead[axis] > rows:
            break
        inner *= lead[axis]
    else:
        yield ()
        return
    step = max(1, rows // inner)
    for outer in np.ndindex(*lead[:axis]):
        for start in range(0, lead[axis], step):
            yield outer + (slice(start, start + step),)


def _rotate_block(x, table, out, layout, z):
    """out = x with each pair (a, b) rotated as in eq 34, computed in float64.

    x, out: (..., r) of one dtype; table: (..., r/2) complex128 (``cos_sin_table``); z: a
    complex128 buffer of at least table.size elements, where pair i is held as
    x_a + i x_b, so that z * table is y_a + i y_b of eq 34 (four products, two sums).
    """
    z = z[: table.size].reshape(table.shape)
    h = table.shape[-1]
    q = h // 2
    if layout == "interleaved":  # x_1, x_2, x_3, ... already alternate a, b, a, ...
        z.view(np.float64)[...] = x
    elif layout == "half_in_halves":  # pairs (i, i + q), (2q + i, 3q + i): q = r/4
        z.real[..., :q], z.imag[..., :q] = x[..., :q], x[..., q : 2 * q]
        z.real[..., q:], z.imag[..., q:] = x[..., 2 * q : 3 * q], x[..., 3 * q :]
    else:
        z.real, z.imag = x[..., :h], x[..., h:]
    # (x_a + i x_b)(cos + i sin) = (x_a cos - x_b sin) + i (x_b cos + x_a sin)   (eq 34)
    np.multiply(z, table, out=z)
    if layout == "interleaved":
        out[...] = z.view(np.float64)
    elif layout == "half_in_halves":
        out[..., :q], out[..., q : 2 * q] = z.real[..., :q], z.imag[..., :q]
        out[..., 2 * q : 3 * q], out[..., 3 * q :] = z.real[..., q:], z.imag[..., q:]
    else:
        out[..., :h], out[..., h:] = z.real, z.imag
