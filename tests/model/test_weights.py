"""Loading HF RoFormer weights (dict, .npz, .safetensors) and the encoder's input checks."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file, save_file
from safetensors.torch import save_file as save_torch_file

from model._roformer_hf import build_hf, state_dict_numpy
from rope_ref.model.encoder import encode, weights_from_hf_state_dict
from rope_ref.model.safetensors import read_safetensors

FIELDS = {"vocab_size": 30, "hidden_size": 16, "num_attention_heads": 2,
          "num_hidden_layers": 2, "intermediate_size": 24, "embedding_size": 12,
          "max_position_embeddings": 20}  # fmt: skip


@pytest.fixture(scope="module")
def hf():
    model, config = build_hf(11, **FIELDS)
    return model, config, state_dict_numpy(model)


def test_a_weights_dict_in_our_names(hf):
    _, _, sd = hf
    w = weights_from_hf_state_dict(sd)
    assert w["layer.1.W_1"].shape == (24, 16) and w["embeddings_project.W"].shape == (16, 12)
    assert np.array_equal(w["layer.0.b_q"], sd["encoder.layer.0.attention.self.query.bias"])
    assert len(w) == 6 + 2 * 16 and all(v.dtype == np.float32 for v in w.values())
    w64 = weights_from_hf_state_dict(sd, dtype=np.float64)
    assert all(v.dtype == np.float64 for v in w64.values())


def test_npz_and_safetensors_files_give_the_same_weights(hf, tmp_path):
    model, config, sd = hf
    np.savez(tmp_path / "w.npz", **sd)
    save_file(sd, str(tmp_path / "w.safetensors"))
    save_torch_file(model.state_dict(), str(tmp_path / "t.safetensors"))
    reference = weights_from_hf_state_dict(sd)
    for name in ("w.npz", "w.safetensors", "t.safetensors"):
        w = weights_from_hf_state_dict(tmp_path / name)
        assert w.keys() == reference.keys(), name
        assert all(np.array_equal(w[k], reference[k]) for k in w), name
    ids = np.array([[1, 2, 3]])
    assert np.array_equal(encode(w, ids, config=config), encode(reference, ids, config=config))


def test_safetensors_reader_matches_the_safetensors_package(tmp_path):
    rng = np.random.default_rng(0)
    tensors = {
        "f64": rng.standard_normal((3, 4)),
        "f32": rng.standard_normal(5).astype(np.float32),
        "f16": rng.standard_normal((2, 2)).astype(np.float16),
        "i64": rng.integers(-9, 9, (2, 3)),
        "i8": rng.integers(-9, 9, 4).astype(np.int8),
        "u8": rng.integers(0, 255, 4).astype(np.uint8),
        "bool": rng.random(5) > 0.5,
        "scalar": np.array(2.5),
        "empty": np.zeros((0, 3), np.float32),
    }
    save_file(tensors, str(tmp_path / "a.safetensors"), metadata={"format": "np"})
    ours, theirs = (
        read_safetensors(tmp_path / "a.safetensors"),
        load_file(tmp_path / "a.safetensors"),
    )
    assert ours.keys() == theirs.keys() == tensors.keys()
    for k in tensors:
        assert ours[k].dtype == theirs[k].dtype and ours[k].shape == theirs[k].shape, k
        assert np.array_equal(ours[k], theirs[k]), k


def test_safetensors_bfloat16_widens_exactly(tmp_path):
    x = torch.randn(7, 3).to(torch.bfloat16)
    save_torch_file({"x": x}, str(tmp_path / "b.safetensors"))
    got = read_safetensors(tmp_path / "b.safetensors")["x"]
    assert got.dtype == np.float32 and np.array_equal(got, x.float().numpy())


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda b: b[:5], "only 5 bytes"),
        (lambda b: b[:-4], "needs"),
        (lambda b: (10**9).to_bytes(8, "little") + b[8:], "exceeds the file"),
        (lambda b: b[:8] + b"x" + b[9:], "not valid JSON"),
    ],
)
def test_damaged_safetensors_files_are_named(tmp_path, damage, words):
    save_file({"x": np.ones(4, np.float32)}, str(tmp_path / "x.safetensors"))
    path = tmp_path / "x.safetensors"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ValueError, match=words):
        read_safetensors(path)


def test_unknown_dtype_in_safetensors_is_named(tmp_path):
    header = json.dumps({"x": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]}})
    raw = len(header).to_bytes(8, "little") + header.encode() + b"\0\0"
    (tmp_path / "f8.safetensors").write_bytes(raw)
    with pytest.raises(ValueError, match="F8_E4M3"):
        read_safetensors(tmp_path / "f8.safetensors")


def test_task_model_prefix_is_stripped_and_heads_are_unknown(hf):
    _, _, sd = hf
    prefixed = {"roformer." + k: v for k, v in sd.items()}
    assert weights_from_hf_state_dict(prefixed).keys() == weights_from_hf_state_dict(sd).keys()
    with pytest.raises(ValueError, match=r"unknown keys: cls\.predictions\.bias"):
        weights_from_hf_state_dict(prefixed | {"cls.predictions.bias": np.zeros(30)})


def test_every_key_and_shape_problem_is_listed_at_once(hf):
    _, _, sd = hf
    bad = dict(sd)
    del bad["encoder.layer.1.output.dense.bias"]
    del bad["embeddings.LayerNorm.weight"]
    bad["encoder.layer.0.attention.self.key.weight"] = np.zeros((16, 15), np.float32)
    bad["encoder.layer.0.attention.self.rotary.weight"] = np.zeros(3, np.float32)
    with pytest.raises(ValueError) as err:
        weights_from_hf_state_dict(bad)
    message = str(err.value)
    for words in (
        "missing keys: embeddings.LayerNorm.weight, encoder.layer.1.output.dense.bias",
        "unknown keys: encoder.layer.0.attention.self.rotary.weight",
        "encoder.layer.0.attention.self.key.weight is (16, 15), expected (16, 16)",
    ):
        assert words in message, message


def test_non_finite_weights_are_named(hf):
    _, _, sd = hf
    bad = sd["encoder.layer.1.intermediate.dense.bias"].copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match="non-finite values in: encoder.layer.1.intermediate"):
        weights_from_hf_state_dict(sd | {"encoder.layer.1.intermediate.dense.bias": bad})


def test_a_position_table_other_than_eq_15_is_refused(hf):
    _, _, sd = hf
    table = sd["encoder.embed_positions.weight"]
    with pytest.raises(ValueError, match="differs from eq 15"):
        weights_from_hf_state_dict(sd | {"encoder.embed_positions.weight": table[:, ::-1]})


def test_bad_state_dicts_are_named(tmp_path):
    with pytest.raises(ValueError, match=r"\.npz or \.safetensors"):
        weights_from_hf_state_dict(tmp_path / "w.bin")
    with pytest.raises(TypeError, match="mapping of names to arrays"):
        weights_from_hf_state_dict([1, 2])
    with pytest.raises(TypeError, match="float array"):
        weights_from_hf_state_dict({"embeddings.word_embeddings.weight": np.zeros(3, int)})


def test_weights_must_match_the_config(hf):
    _, config, sd = hf
    w = weights_from_hf_state_dict(sd)
    ids = np.array([[1, 2]])
    with pytest.raises(ValueError, match="wrong shapes: word_embeddings is"):
        encode(w, ids, config=config | {"vocab_size": 31})
    with pytest.raises(ValueError, match="missing keys: layer.2.W_q"):
        encode(w, ids, config=config | {"num_hidden_layers": 3})
    with pytest.raises(
        TypeError,
        match=r"all float32 or all float64, got float32 \(37 arrays\), float64 \(layer.0.b_q\)",
    ):
        encode(w | {"layer.0.b_q": w["layer.0.b_q"].astype(np.float64)}, ids, config=config)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"input_ids": np.array([[1, 30]])}, ValueError, r"input_ids must lie in \[0, 30\)"),
        ({"input_ids": np.array([[-1, 3]])}, ValueError, "e.g. -1 at index"),
        ({"input_ids": np.array([1, 2])}, ValueError, r"shape \(batch, seq\)"),
        ({"input_ids": np.array([[1.0, 2.0]])}, TypeError, "integer array"),
        ({"token_type_ids": np.array([[0, 2, 0]])}, ValueError, r"token_type_ids must lie"),
        ({"token_type_ids": np.array([[0, 1]])}, ValueError, "input_ids' shape"),
        ({"attention_mask": np.ones((1, 4))}, ValueError, r"attention_mask must have input_"),
        ({"attention_mask": np.array([[1, 2, 0]])}, ValueError, "only 0 .padding. and 1"),
        ({"positions": np.arange(4)}, ValueError, r"positions must have shape \(seq,\)"),
        ({"positions": np.array([0, np.nan, 1])}, ValueError, "positions must be finite"),
        ({"config": {"hidden_size": 16}}, ValueError, "missing the required field"),
        ({"config": "roformer"}, TypeError, "config must be a mapping"),
    ],
)
def test_bad_encoder_input_is_named(hf, kwargs, error, words):
    _, config, sd = hf
    w = weights_from_hf_state_dict(sd)
    args = {"input_ids": np.array([[1, 2, 3]]), "config": config} | kwargs
    with pytest.raises(error, match=words):
        encode(w, **args)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"num_attention_heads": 3}, ValueError, "head dimension d"),
        ({"hidden_act": "relu"}, ValueError, "must be 'gelu'"),
        ({"layer_norm_eps": 0.0}, ValueError, "layer_norm_eps'. must be > 0"),
        ({"rotary_value": 1}, TypeError, "rotary_value'. must be a bool"),
        ({"add_cross_attention": True}, ValueError, "self-attention only"),
    ],
)
def test_bad_config_is_named(hf, change, error, words):
    _, config, sd = hf
    with pytest.raises(error, match=words):
        encode(weights_from_hf_state_dict(sd), np.array([[1]]), config=config | change)


def test_a_torch_state_dict_is_taken_as_it_is(hf):
    model, _, sd = hf
    ours, reference = weights_from_hf_state_dict(model.state_dict()), weights_from_hf_state_dict(sd)
    assert all(np.array_equal(ours[k], reference[k]) for k in reference)


def test_big_endian_weights_encode_like_native_ones(hf):
    """encode refused big-endian float64 weights as not "all float64" (issue 15): a
    big-endian float64 is a float64, and gives the same hidden states."""
    _, config, sd = hf
    w = weights_from_hf_state_dict(sd, dtype=np.float64)
    ids = np.array([[1, 5, 7, 2]])
    native = encode(w, ids, config=config)
    swapped = {k: v.astype(v.dtype.newbyteorder(">")) for k, v in w.items()}
    assert all(v.dtype.str == ">f8" for v in swapped.values())
    big = encode(swapped, ids, config=config)
    assert big.dtype == np.float64 and np.array_equal(big, native)
    loaded = weights_from_hf_state_dict({k: v.astype(">f8") for k, v in sd.items()})
    assert all(np.array_equal(loaded[k], w[k]) for k in w)
