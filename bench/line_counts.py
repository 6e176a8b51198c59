"""Lines of rope_ref by subsystem (not a benchmark; the figure issue 11's note reports).

    python -m bench.line_counts [ROOT]

ROOT is a checkout (default: this one). Prints, per subsystem, the files, all lines and
code lines (lines holding code: no blank, comment-only or docstring lines). "math" is the
paper's steps and the scaling variants (v0.1: frequencies, angles, rotary, _blockwise,
layouts, decay, figures, scaling, _scaling_yarn; now paper/ and scaling/), "validation"
the argument checks (v0.1: _validate/; now validation/).
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

V01_MATH = {
    "frequencies.py",
    "angles.py",
    "rotary.py",
    "_blockwise.py",
    "layouts.py",
    "decay.py",
    "figures.py",
    "scaling.py",
    "_scaling_yarn.py",
}


def code_lines(text: str) -> int:
    """Lines that hold a token of code, docstrings and comments left out."""
    docs = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):
                    docs.update(range(first.lineno, first.end_lineno + 1))
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    lines = set()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type not in skip and tok.type != tokenize.ENDMARKER:
            lines.update(n for n in range(tok.start[0], tok.end[0] + 1) if n not in docs)
    return len(lines)


def subsystem(relative: str) -> str:
    if relative.startswith(("validation/", "_validate/")):
        return "validation"
    if relative.startswith(("paper/", "scaling/")) or relative in V01_MATH:
        return "math"
    return "other"


def main(argv: list[str]) -> int:
    package = Path(argv[0] if argv else ".") / "rope_ref"
    totals: dict[str, list[int]] = {}
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        row = totals.setdefault(subsystem(path.relative_to(package).as_posix()), [0, 0, 0])
        row[0] += 1
        row[1] += len(text.splitlines())
        row[2] += code_lines(text)
    top = len(list(package.glob("*.py")))
    print(f"{package}: {top} top-level module(s)")
    for name, (files, lines, code) in sorted(totals.items()):
        print(f"  {name:<10} {files:>3} files {lines:>6} lines {code:>6} code lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
