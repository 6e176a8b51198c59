"""The checker section of `rope-ref demo` passes HF's rotary embedding and names the
deliberately broken copy."""

from __future__ import annotations

from rope_ref.cli import check_demo


def test_demo_passes_hf_and_names_the_bfloat16_inv_freq(capsys):
    check_demo.run()
    out = capsys.readouterr().out
    verdicts = [line.strip() for line in out.splitlines() if "rope_ref check:" in line]
    assert len(verdicts) == 2
    assert verdicts[0].startswith("rope_ref check: PASS")
    assert verdicts[1].startswith("rope_ref check: FAIL")
    assert "low_precision_angles: the implementation rounds theta to bfloat16" in out
