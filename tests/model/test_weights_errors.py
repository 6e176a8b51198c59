"""rope_ref.model.weights: a bad state_dict, or a .safetensors or .npz file it cannot
read, raises a ValueError or TypeError that names the key or the file."""

from __future__ import annotations

import numpy as np
import pytest
from validation.error_table import assert_raises_named, error_params

import rope_ref as rr


def safetensors_file(header: bytes):
    """A call that writes w.safetensors (this JSON header, 8 bytes of data) to a test's
    folder and loads it."""

    def call(tmp_path):
        path = tmp_path / "w.safetensors"
        path.write_bytes(len(header).to_bytes(8, "little") + header + b"\0" * 8)
        return rr.weights_from_hf_state_dict(path)

    return call


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
]


@pytest.mark.parametrize(("call", "error", "words"), error_params(WEIGHTS_ERRORS))
def test_weights_error(call, error, words, tmp_path):
    assert_raises_named(call, error, words, tmp_path)
