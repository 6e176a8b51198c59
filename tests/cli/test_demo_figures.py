"""`rope-ref demo` writes the notebooks' key figures as PNG files and says where; rope_ref
itself never imports matplotlib (only the demo does, when it draws)."""

from __future__ import annotations

import subprocess
import sys

from rope_ref.cli import demo_figures

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_demo_writes_every_key_figure_as_a_png_and_names_the_folder(tmp_path, capsys):
    out = tmp_path / "figs"
    paths = demo_figures.run(out)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in paths) and len(names) == 5
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC), f"{path.name} is not a PNG"
        assert len(data) > 20_000, f"{path.name} is nearly empty ({len(data)} bytes)"
    printed = capsys.readouterr().out
    assert str(out.resolve()) in printed
    assert all(p.name in printed for p in paths)


def test_importing_rope_ref_does_not_import_matplotlib():
    code = "import sys, rope_ref; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
