"""Multi-axis RoPE against transformers 5.24's own modules, built from tiny configs (no hub):
the text rotaries of Qwen2-VL, Qwen2.5-VL, Qwen3-VL, GLM-4V and Ernie-4.5-VL with their
``apply_rotary_pos_emb`` (in 5.24 the rotary module recomposes the M-RoPE sections itself,
``recomposition_frequencies``; the older ``apply_multimodal_rotary_pos_emb`` is gone), the
vision rotaries of Qwen2-VL and Pixtral with theirs, and Llama 4's vision rotary table with
``vision_apply_rotary_emb``, and Gemma 4's vision rotary with ``apply_multidimensional_rope``
(each half of the head rotated by ``rotate_half`` on its own: layout ``"half_in_halves"``);
the vision rotaries of Qwen2.5-VL, Qwen3-VL, GLM-4V and
Ernie-4.5-VL, which copy Qwen2-VL's, are the axial style too.

Each is compared with ``rope_ref.rotate`` (float64) on random position ids, within the
float32 error model of ``rope_ref.checker.precision`` (HF forms inv_freq, the phase, cos
and sin in float32), passes ``rope_ref.check`` at float32, and, broken the way real ports
break (sections reordered, chunked for interleaved, h and w swapped, one table for both
halves, 1D positions), is named by the checker's class for that mistake.
``MAX_DIFFERENCES`` (printed with ``-s``) records each module's largest difference from
rope_ref's float64 on the random ids.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers.models.ernie4_5_vl_moe import modeling_ernie4_5_vl_moe as ernie
from transformers.models.ernie4_5_vl_moe.configuration_ernie4_5_vl_moe import (
    Ernie4_5_VLMoeTextConfig,
)
from transformers.models.gemma4 import modeling_gemma4 as gemma4
from transformers.models.gemma4.configuration_gemma4 import Gemma4VisionConfig
from transformers.models.glm4v import modeling_glm4v as glm4v
from transformers.models.glm4v.configuration_glm4v import Glm4vTextConfig
from transformers.models.llama4 import modeling_llama4 as llama4
from transformers.models.llama4.configuration_llama4 import Llama4VisionConfig
from transformers.models.pixtral import modeling_pixtral as pixtral
from transformers.models.pixtral.configuration_pixtral import PixtralVisionConfig
from transformers.models.qwen2_5_vl import modeling_qwen2_5_vl as qwen2_5
from transformers.models.qwen2_5_vl.configuration_qwen2_5_vl import Qwen2_5_VLTextConfig
from transformers.models.qwen2_vl import modeling_qwen2_vl as qwen2
from transformers.models.qwen2_vl.configuration_qwen2_vl import (
    Qwen2VLTextConfig,
    Qwen2VLVisionConfig,
)
from transformers.models.qwen3_vl import modeling_qwen3_vl as qwen3
from transformers.models.qwen3_vl.configuration_qwen3_vl import Qwen3VLTextConfig

import rope_ref as rr
from rope_ref.checker.precision import tolerance

MAX_DIFFERENCES: dict[str, float] = {}

#: The rope dicts of the released configs (config.json's rope_scaling / rope_parameters):
#: Qwen2.5-VL-7B-Instruct (head_dim 128, rope_theta 1e6, mrope_section [16, 24, 24]),
#: Qwen3-VL-8B-Instruct (rope_theta 5e6, [24, 20, 20], mrope_interleaved).
QWEN2_5_VL_7B = {"rope_type": "default", "rope_theta": 1e6, "mrope_section": [16, 24, 24]}
QWEN3_VL_8B = {
    "rope_type": "default",
    "rope_theta": 5e6,
    "mrope_section": [24, 20, 20],
    "mrope_interleaved": True,
}


def _text(config_cls, rope, **extra):
    """A text config of one 128-wide head (two heads) with the rope dict given."""
    return config_cls(
        hidden_size=256, num_attention_heads=2, num_key_value_heads=2, head_dim=128,
        rope_parameters=dict(rope), **extra,
    )  # fmt: skip


def _mrope_fn(embedding_cls, config, apply, *, rows=None, one_d=False, duplicate=False):
    """fn(x, positions) for ``check``: HF's rotary on position_ids (3, 1, seq), then
    ``apply``. rows reorders the position rows; one_d passes position_ids[0] (HF expands a
    (batch, seq) tensor to 3 equal rows); duplicate builds cos and sin from the first half of
    the frequency table twice (a fused kernel assuming the halves share one table)."""
    embedding = embedding_cls(config)

    def fn(x, positions):
        p = torch.as_tensor(positions if rows is None else positions[list(rows)])
        position_ids = p[0][None, :] if one_d else p[:, None, :]
        t = torch.as_tensor(x, dtype=torch.float32)
        cos, sin = embedding(t, position_ids)
        if duplicate:
            cos, sin = (_first_half_twice(c) for c in (cos, sin))
        return apply(t, t, cos, sin)[0].numpy()

    return fn


def _first_half_twice(table: torch.Tensor) -> torch.Tensor:
    """cat(f, f) of width r -> cat(g, g) with g = cat(f[:r/4], f[:r/4])."""
    r = table.shape[-1]
    f = table[..., : r // 2]
    g = torch.cat([f[..., : r // 4], f[..., : r // 4]], -1)
    return torch.cat([g, g], -1)


def _qwen2(rope=QWEN2_5_VL_7B, **kw):
    return _mrope_fn(
        qwen2.Qwen2VLRotaryEmbedding,
        _text(Qwen2VLTextConfig, rope),
        qwen2.apply_rotary_pos_emb,
        **kw,
    )


def _qwen2_5(rope=QWEN2_5_VL_7B, **kw):
    return _mrope_fn(
        qwen2_5.Qwen2_5_VLRotaryEmbedding,
        _text(Qwen2_5_VLTextConfig, rope),
        qwen2_5.apply_rotary_pos_emb,
        **kw,
    )


def _qwen3(rope=QWEN3_VL_8B, **kw):
    return _mrope_fn(
        qwen3.Qwen3VLTextRotaryEmbedding,
        _text(Qwen3VLTextConfig, rope),
        qwen3.apply_rotary_pos_emb,
        **kw,
    )


GLM4V = {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [8, 12, 12],
         "partial_rotary_factor": 0.5}  # fmt: skip
ERNIE = {"rope_type": "default", "rope_theta": 500000.0, "mrope_section": [22, 22, 20]}


def _glm4v(**kw):
    return _mrope_fn(
        glm4v.Glm4vTextRotaryEmbedding,
        _text(Glm4vTextConfig, GLM4V),
        glm4v.apply_rotary_pos_emb,
        **kw,
    )


def _ernie(**kw):
    config = _text(Ernie4_5_VLMoeTextConfig, ERNIE)
    return _mrope_fn(
        ernie.Ernie4_5_VLMoeTextRotaryEmbedding, config, ernie.apply_rotary_pos_emb, **kw
    )


def _qwen2_vision(rows=(0, 1)):
    """Qwen2-VL's vision tower: position ids (patches, 2) rows (h, w); q (patches, heads, d)."""
    embedding = qwen2.Qwen2VLVisionRotaryEmbedding(Qwen2VLVisionConfig(embed_dim=160, num_heads=2))

    def fn(x, positions):
        ids = torch.as_tensor(positions[list(rows)].T.copy())
        q = torch.as_tensor(x, dtype=torch.float32)  # (batch, heads, seq, d)
        cos, sin = embedding(q, ids)
        out = []
        for qb in q.transpose(1, 2):  # (seq, heads, d), as the tower holds it
            out.append(qwen2.apply_rotary_pos_emb_vision(qb, qb, cos, sin)[0].transpose(0, 1))
        return torch.stack(out).numpy()

    return fn


def _pixtral(rows=(0, 1)):
    embedding = pixtral.PixtralVisionRotaryEmbedding(
        PixtralVisionConfig(hidden_size=128, num_attention_heads=2, head_dim=64)
    )

    def fn(x, positions):
        ids = torch.as_tensor(positions[list(rows)].T.copy())
        q = torch.as_tensor(x, dtype=torch.float32)
        cos, sin = embedding(q, ids)  # (seq, d)
        return pixtral.apply_rotary_pos_emb(q, q, cos, sin, unsqueeze_dim=0)[0].numpy()

    return fn


LLAMA4_SIDE = 256  # a 256 x 256 patch grid: every coordinate of check's 2D ladder


def _llama4_table():
    config = Llama4VisionConfig(
        hidden_size=176, num_attention_heads=2, image_size=14 * LLAMA4_SIDE, patch_size=14
    )
    return llama4.Llama4VisionRotaryEmbedding(config).freqs_ci  # (side^2 + 1, 1, d/2)


LLAMA4_TABLE = _llama4_table()


def _llama4(rows=(0, 1)):
    """Llama 4's vision rotary is a table over its grid: HF's patch index of (h, w) is
    (h - 1) side + (w - 1) (1-based coordinates), the CLS token the last row."""

    def fn(x, positions):
        h, w = positions[list(rows)]
        index = np.where((h == 0) & (w == 0), LLAMA4_SIDE**2, (h - 1) * LLAMA4_SIDE + (w - 1))
        freqs = LLAMA4_TABLE[torch.as_tensor(index)][:, 0, :]  # (seq, d/2)
        q = torch.as_tensor(x, dtype=torch.float32).transpose(1, 2)  # (batch, seq, heads, d)
        out = llama4.vision_apply_rotary_emb(q, q, freqs)[0]
        return out.transpose(1, 2).numpy()

    return fn


#: Gemma 4's vision rope: transformers 5.24 ``Gemma4VisionConfig``'s default rope_parameters
#: {"rope_type": "axial", "rope_theta": 100.0}; head_dim 64 as the default config's.
GEMMA4_VISION_BASE = 100.0


def _gemma4(rows=(1, 0), whole_head=False):
    """Gemma 4's vision tower: pixel_position_ids (batch, patches, 2) as (x, y) = (w, h)
    (``Gemma4ImageProcessor``'s meshgrid, indexing="xy"), so rows (1, 0) of rope_ref's (h, w);
    q held (batch, patches, heads, d). whole_head: the port that rotates the usual half
    split over the whole head (``apply_rotary_pos_emb``) with each pair's own cos/sin
    (HF's table cat(f_x, f_x, f_y, f_y) regrouped to cat(f_x, f_y, f_x, f_y))."""
    embedding = gemma4.Gemma4VisionRotaryEmbedding(
        Gemma4VisionConfig(hidden_size=128, num_attention_heads=2, head_dim=64)
    )

    def fn(x, positions):
        ids = torch.as_tensor(positions[list(rows)].T.copy())[None].expand(x.shape[0], -1, -1)
        q = torch.as_tensor(x, dtype=torch.float32).transpose(1, 2)  # (batch, seq, heads, d)
        cos, sin = embedding(q, ids)  # (batch, seq, d)
        if whole_head:
            q4 = q.shape[-1] // 4
            cos, sin = (
                torch.cat([t[..., :q4], t[..., 2 * q4 : 3 * q4]] * 2, -1) for t in (cos, sin)
            )
            out = gemma4.apply_rotary_pos_emb(q, cos, sin, unsqueeze_dim=2)
        else:
            out = gemma4.apply_multidimensional_rope(q, cos, sin, ids)
        return out.transpose(1, 2).numpy()

    return fn


#: name -> (fn, check's configuration, (theta, axes), layout, rotary_dim, random ids' axes
#: and range).
def _cases():
    def style(d, base, name, section=None):
        return rr.axis_frequencies(d, base, style=name, section=section)

    return {
        "qwen2_vl_text": (_qwen2(), {"d": 128, "layout": "half", "rope_scaling": QWEN2_5_VL_7B},
                          style(128, 1e6, "mrope"), "half", None, (3, 32768)),
        "qwen2_5_vl_text": (_qwen2_5(), {"d": 128, "layout": "half", "rope_scaling": QWEN2_5_VL_7B},
                            style(128, 1e6, "mrope"), "half", None, (3, 32768)),
        "qwen3_vl_text": (_qwen3(), {"d": 128, "layout": "half", "rope_scaling": QWEN3_VL_8B},
                          style(128, 5e6, "mrope_interleaved"), "half", None, (3, 32768)),
        "glm4v_text": (_glm4v(), {"d": 128, "base": 1e4, "layout": "interleaved", "rotary_dim": 64,
                                  "style": "mrope", "section": (8, 12, 12)},
                       style(64, 1e4, "mrope", (8, 12, 12)), "interleaved", 64, (3, 32768)),
        "ernie4_5_vl_text": (_ernie(), {"d": 128, "base": 5e5, "layout": "interleaved",
                                        "style": "mrope_ernie"},
                             style(128, 5e5, "mrope_ernie"), "interleaved", None, (3, 32768)),
        "qwen2_vl_vision": (_qwen2_vision(), {"d": 80, "layout": "half", "style": "axial"},
                            style(80, 1e4, "axial"), "half", None, (2, 256)),
        "pixtral_vision": (_pixtral(), {"d": 64, "layout": "half", "style": "pixtral"},
                           style(64, 1e4, "pixtral"), "half", None, (2, 256)),
        "llama4_vision": (_llama4(), {"d": 88, "layout": "interleaved", "style": "llama4_vision"},
                          style(88, 1e4, "llama4_vision"), "interleaved", None, (2, 256)),
        "gemma4_vision": (_gemma4(), {"d": 64, "base": GEMMA4_VISION_BASE,
                                      "layout": "half_in_halves",
                                      "style": "gemma4_vision"},
                          style(64, GEMMA4_VISION_BASE, "gemma4_vision"), "half_in_halves", None,
                          (2, 256)),
    }  # fmt: skip


CASES = _cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_hf_module_equals_rope_ref_on_random_position_ids(name):
    fn, config, (theta, axes), layout, rotary_dim, (k, top) = CASES[name]
    rng = np.random.default_rng(sorted(CASES).index(name))
    low = 0 if k == 3 else 1  # Llama 4's coordinates are 1-based
    positions = rng.integers(low, top + 1, size=(k, 64))
    x = rng.standard_normal((2, 2, 64, config["d"])).astype(np.float32).astype(np.float64)
    y_hf = np.asarray(fn(x, positions), dtype=np.float64)
    y = rr.rotate(x, positions, theta=theta, axes=axes, layout=layout, rotary_dim=rotary_dim)
    phi = rr.axis_angles(positions, theta, axes)
    tol = tolerance(x, phi, layout=layout, rotary_dim=rotary_dim or x.shape[-1], scale=1.0,
                    precision="float32")  # fmt: skip
    error = np.abs(y_hf - y)
    MAX_DIFFERENCES[name] = float(error.max())
    print(f"\n{name}: max |HF - rope_ref| = {error.max():.3g} (max |phi| {np.abs(phi).max():.3g})")
    assert np.all(error <= tol), f"{name}: worst error/tolerance {np.max(error / tol):.3g}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_hf_module_passes_check(name):
    fn, config, *_ = CASES[name]
    report = rr.check(fn, precision="float32", **config)
    assert report.ok, str(report)


#: HF's modules broken the way ports break them, and the class each must get.
BROKEN = {
    "Qwen2-VL with mrope_section [24, 24, 16]": (
        _qwen2({**QWEN2_5_VL_7B, "mrope_section": [24, 24, 16]}), "qwen2_vl_text",
        "mrope_section_mismatch",
    ),
    "Qwen2.5-VL with the rows in (h, t, w) order": (
        _qwen2_5(rows=(1, 0, 2)), "qwen2_5_vl_text", "mrope_section_mismatch",
    ),
    "Qwen3-VL's interleaved module for Qwen2.5-VL": (
        _qwen3({**QWEN3_VL_8B, "rope_theta": 1e6, "mrope_section": [16, 24, 24]}),
        "qwen2_5_vl_text", "mrope_style_swapped",
    ),
    "Qwen2-VL's chunked module for Qwen3-VL": (
        _qwen2({**QWEN3_VL_8B, "mrope_interleaved": False}), "qwen3_vl_text",
        "mrope_style_swapped",
    ),
    "Qwen2-VL with h and w swapped": (_qwen2(rows=(0, 2, 1)), "qwen2_vl_text", "hw_swapped"),
    "Qwen3-VL with h and w swapped": (_qwen3(rows=(0, 2, 1)), "qwen3_vl_text", "hw_swapped"),
    "Qwen2-VL vision with h and w swapped": (_qwen2_vision(rows=(1, 0)), "qwen2_vl_vision",
                                             "hw_swapped"),
    "Pixtral with h and w swapped": (_pixtral(rows=(1, 0)), "pixtral_vision", "hw_swapped"),
    "Llama 4 vision with x and y swapped": (_llama4(rows=(1, 0)), "llama4_vision", "hw_swapped"),
    "Gemma 4 vision with x and y swapped": (_gemma4(rows=(0, 1)), "gemma4_vision", "hw_swapped"),
    "Gemma 4 vision with the usual half split over the whole head": (
        _gemma4(whole_head=True), "gemma4_vision", "layout_swapped",
    ),
    "Qwen2.5-VL with one table for both halves": (
        _qwen2_5(duplicate=True), "qwen2_5_vl_text", "half_duplication",
    ),
    "Qwen3-VL with one table for both halves": (
        _qwen3(duplicate=True), "qwen3_vl_text", "half_duplication",
    ),
    "Qwen2-VL given 1D position_ids": (_qwen2(one_d=True), "qwen2_vl_text", "scalar_positions"),
    "Qwen3-VL given 1D position_ids": (_qwen3(one_d=True), "qwen3_vl_text", "scalar_positions"),
    "GLM-4V with h and w swapped": (_glm4v(rows=(0, 2, 1)), "glm4v_text", "hw_swapped"),
    "Ernie-4.5-VL given 1D position_ids": (_ernie(one_d=True), "ernie4_5_vl_text",
                                           "scalar_positions"),
}  # fmt: skip


@pytest.mark.parametrize("label", list(BROKEN))
def test_hf_module_broken_as_ports_break_is_named(label):
    fn, case, expected = BROKEN[label]
    report = rr.check(fn, precision="float32", **CASES[case][1])
    assert not report.ok, str(report)
    assert [f.name for f in report.findings] == [expected], str(report)


def _vision_towers():
    """The vision rotaries that share Qwen2-VL's axial code, each from its own config."""
    from transformers.models.ernie4_5_vl_moe.configuration_ernie4_5_vl_moe import (
        Ernie4_5_VLMoeVisionConfig,
    )
    from transformers.models.glm4v.configuration_glm4v import Glm4vVisionConfig
    from transformers.models.qwen2_5_vl.configuration_qwen2_5_vl import Qwen2_5_VLVisionConfig
    from transformers.models.qwen3_vl.configuration_qwen3_vl import Qwen3VLVisionConfig

    size = {"hidden_size": 160, "num_heads": 2}
    return {
        "qwen2_5_vl_vision": qwen2_5.Qwen2_5_VLVisionRotaryEmbedding(
            Qwen2_5_VLVisionConfig(**size)
        ),
        "qwen3_vl_vision": qwen3.Qwen3VLVisionRotaryEmbedding(Qwen3VLVisionConfig(**size)),
        "glm4v_vision": glm4v.Glm4vVisionRotaryEmbedding(Glm4vVisionConfig(**size)),
        "ernie4_5_vl_vision": ernie.Ernie4_5_VLMoeVisionRotaryEmbedding(
            Ernie4_5_VLMoeVisionConfig(**size)
        ),
    }


@pytest.mark.parametrize("name", ["qwen2_5_vl_vision", "qwen3_vl_vision", "glm4v_vision",
                                  "ernie4_5_vl_vision"])  # fmt: skip
def test_the_other_vision_towers_are_the_axial_style(name):
    embedding = _vision_towers()[name]
    positions = np.random.default_rng(7).integers(0, 257, size=(2, 64))
    cos, sin = embedding(torch.zeros(1), torch.as_tensor(positions.T.copy()))
    theta, axes = rr.axis_frequencies(80, 1e4, style="axial")
    phi = rr.axis_angles(positions, theta, axes)  # (64, 40); HF: cat(phi, phi), half layout
    for got, want in ((cos, np.cos(phi)), (sin, np.sin(phi))):
        got = got.double().numpy()
        assert np.max(np.abs(got - np.concatenate([want, want], -1))) <= 8 * 2.0**-24 * 256
