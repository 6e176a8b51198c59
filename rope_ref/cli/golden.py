"""``rope-ref golden verify [--version V] [--root DIR]`` and ``rope-ref golden regenerate
DIR [--version V]``: V is a set version, default the newest (v2).

``verify`` exits 0 when every file matches its sha256 and the manifest is the shipped one
(its sha256 pinned in the code), 1 when a set under ``--root`` matches its own manifest
but that manifest is not the shipped set's (the differing groups and fields are named),
and 2 for anything unusable (an edited file or manifest, a malformed manifest).
"""

from __future__ import annotations

import sys
import time

from rope_ref.golden.store import LATEST_VERSION, SCHEMA_VERSIONS


def add_golden_parser(sub):
    """Register ``golden`` with ``verify`` and ``regenerate`` on the ``rope-ref``
    subparsers; return golden's own subparsers, so that other actions (``export``) can be
    added with ``actions.add_parser(...)``."""
    golden = sub.add_parser("golden", help="the golden vectors: verify, regenerate")
    actions = golden.add_subparsers(dest="golden_command", required=True)
    verify = actions.add_parser("verify", help="check every file's sha256 against manifest.json")
    verify.add_argument(
        "--version", default=LATEST_VERSION, help=f"set version (default {LATEST_VERSION})"
    )
    verify.add_argument(
        "--root",
        help="a folder holding VERSION/manifest.json (e.g. from regenerate) instead of the "
        "installed set; exit 1 if it is not the shipped set",
    )
    verify.set_defaults(func=_verify)
    regen = actions.add_parser("regenerate", help="recompute the set with mpmath into DIR")
    regen.add_argument("dir", help="output folder (created if missing)")
    regen.add_argument(
        "--version",
        choices=list(SCHEMA_VERSIONS),
        default=LATEST_VERSION,
        help=f"the manifest layout to write (default {LATEST_VERSION}, the newest)",
    )
    regen.set_defaults(func=_regenerate)
    return actions


def _verify(args) -> int:
    from rope_ref.golden import compare_with_shipped, load_manifest, verify
    from rope_ref.golden.pinned import summary

    manifest = load_manifest(args.version, root=args.root)
    names = verify(args.version, root=args.root)
    files = sum(len(g["files"]) for g in manifest["groups"])
    where = "" if args.root is None else f" in {args.root}"
    text = f"golden {args.version}{where}: {len(names)} groups, {files} files, every sha256 matches"
    diffs = compare_with_shipped(args.version, root=args.root)
    if diffs:
        print(
            f"{text} its manifest, but it is not the shipped set {args.version}: {summary(diffs)}"
        )
        return 1
    print(f"{text}; the manifest is the shipped one (its sha256 is pinned in rope_ref)")
    return 0


def _regenerate(args) -> int:
    try:
        from rope_ref.golden.generate import generate
    except ModuleNotFoundError as err:  # mpmath is an extra: the runtime is NumPy alone
        if (err.name or "").split(".")[0] != "mpmath":
            raise
        print(
            "rope-ref: error: golden regenerate computes with mpmath, which is not installed: "
            "pip install 'rope_ref[golden]'",
            file=sys.stderr,
        )
        return 2

    start = time.perf_counter()
    manifest = generate(args.dir, args.version)
    seconds = time.perf_counter() - start
    print(
        f"wrote {len(manifest['groups'])} groups of golden {args.version} to {args.dir} "
        f"in {seconds:.1f} s"
    )
    return 0
