"""The call shapes test suites use, turned into the ``fn(x, positions) -> y`` that
``rope_ref.check`` runs, so no one writes an adapter by hand:

- ``qk=True``: ``fn(q, k, positions) -> (q_out, k_out)`` (HF's ``apply_rotary_pos_emb``
  shape). Two runs: one judges q_out with k given other inputs, one judges k_out with q
  given other inputs (``partner``: the heads rolled by one and negated, still exact in
  bfloat16), so an implementation that mixes q and k up, or rotates only one, fails.
- ``input_layout``: ``"bhsd"`` (batch, heads, seq, d), what ``check`` gives, or ``"bshd"``
  (batch, seq, heads, d), flash-attention's and many kernels' layout.
- ``position_ids``: ``"seq"``, positions of shape (seq,), or ``"batch_seq"``, HF's
  ``position_ids`` of shape (batch, seq) int64, the same row for every batch (vector
  positions (k, seq) become (k, batch, seq), as HF's M-RoPE takes them).
- ``tensors``: ``"numpy"``, or ``"torch"``: inputs as ``torch.from_numpy`` tensors (torch
  is imported only then), outputs may be CPU tensors of any float dtype (a bfloat16 one is
  read as bfloat16 values).

A wrong return (not a pair for qk, the other layout's shape) is a TypeError or ValueError
that names the declared call shape.
"""

from __future__ import annotations

import numpy as np

from rope_ref.validation.checker import check_call_shape

INPUT_LAYOUTS = ("bhsd", "bshd")
POSITION_IDS = ("seq", "batch_seq")
TENSORS = ("numpy", "torch")


def adapted(fn, *, qk=False, input_layout="bhsd", position_ids="seq", tensors="numpy",
            precision=None) -> list[tuple[str, object]]:  # fmt: skip
    """[(label, g)], each g(x, positions) -> y as ``check`` calls it: one entry ("") for
    a single tensor, two ("q", "k") for ``qk=True``. The keywords as in the module
    docstring; precision: the one stated to ``check`` (a bfloat16 torch output needs it
    or ml_dtypes)."""
    shape = check_call_shape(qk, input_layout, position_ids, tensors, INPUT_LAYOUTS,
                             POSITION_IDS, TENSORS)  # fmt: skip
    if not shape["qk"]:
        return [("", lambda x, p: _run(fn, (x,), p, 0, shape, precision))]
    return [
        ("q", lambda x, p: _run(fn, (x, partner(x)), p, 0, shape, precision)),
        ("k", lambda x, p: _run(fn, (partner(x), x), p, 1, shape, precision)),
    ]


def partner(x: np.ndarray) -> np.ndarray:
    """The other tensor of a q, k pair: x (batch, heads, seq, d) with its heads rolled by
    one and negated (exact in every precision, and unlike x on every head)."""
    return -np.roll(x, 1, axis=1)


def _run(fn, tensors: tuple, positions: np.ndarray, which: int, shape: dict, precision):
    """fn on the tensors in the declared call shape; output ``which`` back as (batch,
    heads, seq, d)."""
    args = [_to_layout(t, shape["input_layout"]) for t in tensors]
    args.append(_positions(positions, tensors[0].shape[0], shape["position_ids"]))
    if shape["tensors"] == "torch":
        args = _to_torch(args)
    out = fn(*args)
    if shape["qk"]:
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError(
                "fn must return (q_out, k_out) for qk=True (fn(q, k, positions)), got "
                f"{_describe(out)}"
            )
        out = out[which]
    name = ("q_out", "k_out")[which] if shape["qk"] else "the output of fn"
    y = _checked_shape(_from_tensor(out, name, precision), tensors[0].shape, name, shape)
    return _from_layout(y, shape["input_layout"])


def _to_layout(x: np.ndarray, layout: str) -> np.ndarray:
    """(batch, heads, seq, d) -> the declared layout, a contiguous copy for bshd."""
    return x if layout == "bhsd" else np.ascontiguousarray(np.swapaxes(x, 1, 2))


def _from_layout(y, layout: str):
    """The declared layout -> (batch, heads, seq, d) (y of the declared shape, or no
    array, which check names)."""
    if layout == "bhsd" or getattr(y, "ndim", 0) != 4:
        return y
    return np.swapaxes(np.asarray(y), 1, 2)


def _positions(positions: np.ndarray, batch: int, kind: str) -> np.ndarray:
    """(seq,) or (k, seq) -> the declared position_ids: as they are, or with a batch axis
    before seq holding the same row for every batch."""
    if kind == "seq":
        return positions
    return np.ascontiguousarray(np.repeat(positions[..., None, :], batch, axis=-2))


def _to_torch(arrays: list) -> list:
    import torch  # only for tensors="torch"

    return [torch.from_numpy(np.ascontiguousarray(a)) for a in arrays]


def _from_tensor(out, name: str, precision):
    """A torch tensor as a NumPy array (bfloat16 as ml_dtypes' bfloat16, or as float32
    when precision states bfloat16); anything else as it is, for check to judge."""
    if type(out).__module__.split(".")[0] != "torch" or not hasattr(out, "detach"):
        return out
    t = out.detach().cpu()
    if str(t.dtype) != "torch.bfloat16":
        return t.numpy()
    if precision is not None:
        return t.float().numpy()  # float32 holding bfloat16 values, judged at precision
    try:
        import ml_dtypes
    except ImportError:
        raise TypeError(
            f"{name} is a torch.bfloat16 tensor: pass precision='bfloat16' (or install "
            "ml_dtypes) so rope_ref judges it as bfloat16, not float32"
        ) from None
    import torch

    return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)


def _checked_shape(y, x_shape: tuple, name: str, shape: dict):
    """y when it has the shape of the input in the declared layout (or is no array: check
    names that). x_shape: (batch, heads, seq, d)."""
    got = getattr(y, "shape", None)
    b, h, s, d = x_shape
    bshd = shape["input_layout"] == "bshd"
    expected = (b, s, h, d) if bshd else (b, h, s, d)
    if got is None or tuple(got) == expected:
        return y
    axes = "(batch, seq, heads, d)" if bshd else "(batch, heads, seq, d)"
    raise ValueError(
        f"{name} must have shape {axes} = {expected} for input_layout="
        f"{shape['input_layout']!r}, the shape of the input it rotates; got {tuple(got)}"
    )


def _describe(value) -> str:
    """What fn returned, in words: a sequence by its length, an array by its shape."""
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    shape = getattr(value, "shape", None)
    return f"one {type(value).__name__}" + ("" if shape is None else f" of shape {tuple(shape)}")
