"""The checker section of ``rope-ref demo``: HF transformers' Llama rotary embedding, as
it is and deliberately broken, through ``rope_ref.check``. torch and transformers are
imported here, lazily: rope_ref itself needs only NumPy (``demo.OPTIONAL_SECTIONS`` says
which packages this section needs)."""

from __future__ import annotations

from rope_ref.checker.report import check


def hf_llama_rotary(head_dim: int = 64, *, inv_freq_in_bfloat16: bool = False):
    """fn(x, positions) running HF's LlamaRotaryEmbedding + apply_rotary_pos_emb in float32
    on a tiny config (nothing downloaded). ``inv_freq_in_bfloat16`` breaks it as
    ``module.to(torch.bfloat16)`` does: theta rounded to bfloat16 before m theta."""
    import torch
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import (
        LlamaRotaryEmbedding,
        apply_rotary_pos_emb,
    )

    config = LlamaConfig(
        hidden_size=2 * head_dim,
        num_attention_heads=2,
        num_key_value_heads=2,
        head_dim=head_dim,
        intermediate_size=8,
        num_hidden_layers=1,
        vocab_size=16,
        rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
    )
    rotary = LlamaRotaryEmbedding(config)
    if inv_freq_in_bfloat16:
        rotary = rotary.to(torch.bfloat16)

    def fn(x, positions):
        q = torch.from_numpy(x)
        with torch.no_grad():
            cos, sin = rotary(q, torch.from_numpy(positions)[None, :])
            return apply_rotary_pos_emb(q, q, cos, sin)[0].numpy()

    return fn


def run() -> None:
    """Print the checker's verdict on HF's rotary embedding and on a broken copy.

    Needs torch and transformers: ``rope-ref demo`` calls it only where both are installed.
    """
    import transformers

    print(
        f"\n6. The checker (rope_ref.check) on HF transformers {transformers.__version__}'s "
        "Llama rotary embedding, float32, half-split pairs:"
    )
    _show(hf_llama_rotary())
    print("\n   The same module after .to(torch.bfloat16), which rounds inv_freq to bfloat16:")
    _show(hf_llama_rotary(inv_freq_in_bfloat16=True))


def _show(fn) -> None:
    report = check(fn, d=64, layout="half", precision="float32")
    print("   " + str(report).replace("\n", "\n   "))
