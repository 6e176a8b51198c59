"""rope_ref.model.weights: a bad state_dict, or a .safetensors or .npz file it cannot
read, raises a ValueError or TypeError that names the key or the file."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr
from rope_ref.model.weights import _HF_LAYER_NAMES, _HF_NAMES, _expected_shapes


def safetensors_file(header: bytes):
    """A call that writes w.safetensors (this JSON header, 8 bytes of data) to a test's
    folder and loads it."""

    def call(tmp_path):
        path = tmp_path / "w.safetensors"
        path.write_bytes(len(header).to_bytes(8, "little") + header + b"\0" * 8)
        return rr.weights_from_hf_state_dict(path)

    return call


def _hf_state_dict() -> dict:
    """A complete HF RoFormer state dict (1 layer, hidden 8) of random float64 weights."""
    rng = np.random.default_rng(0)
    out = {}
    for key, shape in _expected_shapes(10, 2, 8, 8, 6, 1).items():
        if key.startswith("layer."):
            _, i, rest = key.split(".", 2)
            name = f"encoder.layer.{i}.{_HF_LAYER_NAMES[rest]}"
        else:
            name = _HF_NAMES[key]
        out[name] = rng.standard_normal(shape)
    return out


SD = _hf_state_dict()


def _npy_claiming(count: int) -> bytes:
    header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': ({count},), }}"
    header += " " * (63 - len(header) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + bytes(8)


def npz_bomb(tmp_path):
    """A 200-byte .npz whose one member claims 10**10 float64 values."""
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("embeddings.word_embeddings.weight.npy", _npy_claiming(10**10))
    return rr.weights_from_hf_state_dict(path)


def npz_ratio_bomb(tmp_path):
    """An .npz whose member's size field claims 2000 times its compressed bytes."""
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("embeddings.word_embeddings.weight.npy", _npy_claiming(1))
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).infolist()[0]
    fake = (2000 * info.compress_size).to_bytes(4, "little")
    for at in (info.header_offset + 22, data.rfind(b"PK\x01\x02") + 24):  # local, central
        data[at : at + 4] = fake
    path.write_bytes(bytes(data))
    return rr.weights_from_hf_state_dict(path)


def npz_file(content: bytes):
    """A call that writes w.npz with these bytes to a test's folder and loads it."""

    def call(tmp_path):
        path = tmp_path / "w.npz"
        path.write_bytes(content)
        return rr.weights_from_hf_state_dict(path)

    return call


WEIGHTS_ERRORS = [
    # escapes the API audit found: the id says what got out before the fix
    (
        "layer 99999999 alone: ran out of memory",
        lambda: rr.weights_from_hf_state_dict(
            {"encoder.layer.99999999.attention.self.query.weight": np.ones((2, 2))}
        ),
        ValueError,
        "state_dict must number its layers 0..L-1 without gaps",
    ),
    (
        "ragged state_dict value: NumPy's message",
        lambda: rr.weights_from_hf_state_dict({"a": [[1.0], [1.0, 2.0]]}),
        TypeError,
        "state_dict['a'] must be an array",
    ),
    # malformed safetensors headers raised NumPy's own errors (or reshaped 2^64 elements
    # to size 0)
    *[
        (
            f"safetensors {name}",
            safetensors_file(header),
            ValueError,
            "{tmp_path}/w.safetensors: tensor 'a'",
        )
        for name, header in [
            ("dtype list", b'{"a": {"dtype": [1], "shape": [2], "data_offsets": [0, 8]}}'),
            (
                "negative shape",
                b'{"a": {"dtype": "F32", "shape": [-2, -1], "data_offsets": [0, 8]}}',
            ),
            ("shape str", b'{"a": {"dtype": "F32", "shape": "ab", "data_offsets": [0, 8]}}'),
            ("shape float", b'{"a": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}'),
            (
                "offsets str",
                b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": ["0", "8"]}}',
            ),
            (
                "shape 2^64",
                b'{"a": {"dtype": "F32", "shape": [4294967296, 4294967296], '
                b'"data_offsets": [0, 0]}}',
            ),
        ]
    ],
    # a corrupt .npz raised zipfile.BadZipFile, or NumPy's message about pickles
    *[
        (
            f"npz {name}",
            npz_file(content),
            ValueError,
            ("state_dict file ", "{tmp_path}/w.npz", " is not a readable .npz"),
        )
        for name, content in [("zip", b"PK\x03\x04 not a zip"), ("text", b"hello")]
    ],
    # issue 15: named errors for a bad dtype, an empty table, masked values, lying files
    (
        "dtype=True: Cannot interpret 'True' as a data type",
        lambda: rr.weights_from_hf_state_dict(SD, dtype=True),
        TypeError,
        ("dtype must be float32 or float64", "True (bool)"),
    ),
    (
        "dtype='x'",
        lambda: rr.weights_from_hf_state_dict(SD, dtype="x"),
        TypeError,
        "dtype must be float32 or float64",
    ),
    (
        "dtype int8",
        lambda: rr.weights_from_hf_state_dict(SD, dtype=np.int8),
        TypeError,
        "dtype must be float32 or float64, got int8",
    ),
    (
        "an empty position table: zero-size array to reduction",
        lambda: rr.weights_from_hf_state_dict(
            {**SD, "encoder.embed_positions.weight": np.ones((0, 8))}
        ),
        ValueError,
        ("encoder.embed_positions.weight", "at least one position", "(0, 8)"),
    ),
    (
        "a masked weight: its mask dropped",
        lambda: rr.weights_from_hf_state_dict({**SD, "embeddings.LayerNorm.weight": np.ma.ones(8)}),
        TypeError,
        ("state_dict['embeddings.LayerNorm.weight']", "plain NumPy array, got a masked array"),
    ),
    (
        "a 200-byte .npz claiming 10**10 floats: MemoryError",
        npz_bomb,
        ValueError,
        ("not a readable .npz", "claims shape (10000000000,)"),
    ),
    (
        "an .npz member claiming 2000 times its size",
        npz_ratio_bomb,
        ValueError,
        ("not a readable .npz", "more than deflate's ratio allows"),
    ),
    (
        "a safetensors header 100000 deep: RecursionError",
        safetensors_file(b"[" * 100000 + b"]" * 100000),
        ValueError,
        "the safetensors header is JSON nested too deeply",
    ),
    (
        "a safetensors entry 100000 deep: RecursionError",
        safetensors_file(b'{"a": ' + b"[" * 100000 + b"]" * 100000 + b"}"),
        ValueError,
        "the safetensors header is JSON nested too deeply",
    ),
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(WEIGHTS_ERRORS))
def test_weights_error(call, error, words, tmp_path):
    assert_raises_named(call, error, words, tmp_path)
