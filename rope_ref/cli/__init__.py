"""The ``rope-ref`` command: ``rope-ref demo``, ``golden``, ``model``, and ``check`` (an
exported folder, ``check DIR``, or a program, ``check --run 'CMD {inputs} {outputs}'``)."""

from __future__ import annotations

import argparse
import sys

from rope_ref.cli import demo
from rope_ref.cli.check import UNUSABLE, add_check_parsers, route_run
from rope_ref.cli.golden import add_golden_parser
from rope_ref.cli.model import add_model_parser
from rope_ref.cli.model_golden import extend_parsers


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rope-ref", description="RoPE reference implementation (arXiv 2104.09864 v5)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    shown = sub.add_parser("demo", help="show RoPE's claims on random vectors")
    shown.add_argument("--d", type=int, default=64, help="head dimension (even)")
    shown.add_argument("--seed", type=int, default=0)
    shown.add_argument("--out", default="out", help="folder for the PNG figures (default out)")
    shown.set_defaults(func=demo.run)
    golden_actions = add_golden_parser(sub)
    add_check_parsers(sub, golden_actions)
    add_model_parser(sub)
    extend_parsers(sub, golden_actions)  # a model's goldens: export --model, check per layer
    route_run(sub.choices["check"])  # check --run CMD: a program in any language
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UNUSABLE as err:  # OSError: a folder it cannot write (cli/check.py's UNUSABLE)
        text = " ".join(str(err).split()) or type(err).__name__  # one line
        print(f"rope-ref: error: {text}", file=sys.stderr)
        return 2
