"""The identity of each golden set rope_ref ships, pinned in the package code.

manifest.json lists every file's sha256, so an edited .npy is caught; but a manifest
edited with it (a layout flipped, a group dropped, x.npy replaced and its sha256
updated) would vouch for itself. So the code pins, per shipped version:

- ``sha256``: the sha256 of manifest.json's bytes exactly as the generator writes them.
  Loading the packaged set compares it first; no edit of the installed files can pass.
- a short digest (the first 8 hex digits of the sha256 of the value's canonical JSON) of
  every field: the manifest's top-level fields, each note, and per group each config
  key, its flags, its attention factor and each file entry. These only *name* what
  changed once the sha256 differs (``differences``); the sha256 is what authenticates.

What this defends against, and what not: docs/threat-model.md. A new version of the set
adds its entry here; tests/golden/test_pinned.py checks every entry against the
generator's own output, so a table that disagrees with the generator fails the suite.
"""

from __future__ import annotations

import hashlib
import json
import re

from rope_ref.golden.pinned_digests import PINNED
from rope_ref.validation.golden import GOLDEN_FILES

#: The top-level fields of a manifest (besides ``groups`` and ``notes``), in order.
TOP_FIELDS = (
    "schema_version",
    "generator_version",
    "mpmath_precision_digits",
    "rounding",
    "npy_format",
)
#: A group's config keys and file entries, in the order of PINNED's digest strings.
CONFIG_KEYS = (
    "d",
    "rotary_dim",
    "base",
    "layout",
    "rope_scaling",
    "seq_len",
    "hf_compat",
    "batch",
    "heads",
    "seq",
    "description",
)
FILE_KEYS = GOLDEN_FILES  # every group's arrays, in the manifest's order
GROUP_FIELDS = (
    *(f"config.{k}" for k in CONFIG_KEYS),
    "flags",
    "attention_factor",
    "attention_factor_hex",
    *(f"files.{k}" for k in FILE_KEYS),
)
#: The fields a multi-axis group (set v3) holds besides GROUP_FIELDS, in digest order.
AXIS_FIELDS = ("config.style", "config.section", "config.n_axes", "files.axes")
#: How many differences a message lists before "and N more".
SHOWN = 8


def digest(value: object) -> str:
    """The first 8 hex digits of the sha256 of ``value``'s canonical JSON (sorted keys,
    no spaces): equal values give equal digests whatever the file's formatting."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:8]


def fields(manifest: dict) -> dict[str, str]:
    """{field label: digest} of a parsed manifest, every field of ``PINNED``'s kind:
    "field 'rounding'", "notes['wrong_base']", "the order of the groups", "group 'd8'",
    "group 'd8' field config.layout", ... Tolerates a malformed manifest (a field that
    is not there has no label)."""
    out = {f"field {k!r}": digest(v) for k, v in manifest.items() if k not in ("groups", "notes")}
    notes = manifest.get("notes")
    if isinstance(notes, dict):
        out |= {f"notes[{name!r}]": digest(note) for name, note in notes.items()}
    elif "notes" in manifest:
        out["field 'notes'"] = digest(notes)
    groups = manifest.get("groups")
    groups = groups if isinstance(groups, list) else []
    names = [g.get("name") if isinstance(g, dict) else None for g in groups]
    # every entry counts: a 5 or a nameless group slipped into the list changes it too
    out["the order of the groups"] = digest([n if isinstance(n, str) else None for n in names])
    groups = [g for g in groups if isinstance(g, dict)]
    for entry in groups:
        name = entry.get("name")
        label = f"group {name!r}"
        out[label] = "present"
        for field, value in _group_fields(entry).items():
            out[f"{label} field {field}"] = digest(value)
    return out


def _group_fields(entry: dict) -> dict[str, object]:
    """{field: value} of one group: each config key, flags, the attention factor, each
    file entry, and any other key it holds."""
    out = {}
    for key, value in entry.items():
        if key == "name":
            continue
        if key in ("config", "files") and isinstance(value, dict):
            out |= {f"{key}.{k}": v for k, v in value.items()}
        else:
            out[key] = value
    return out


def pinned_fields(version: str) -> dict[str, str]:
    """{field label: digest} of the shipped set ``version``, as ``fields`` labels them."""
    entry = PINNED[version]
    out = dict(zip((f"field {k!r}" for k in TOP_FIELDS), entry["top"].split(), strict=True))
    out |= {f"notes[{name!r}]": d for name, d in entry["notes"].items()}
    out["the order of the groups"] = digest(list(entry["groups"]))
    for name, digests in entry["groups"].items():
        label = f"group {name!r}"
        out[label] = "present"
        values = digests.split()
        kinds = GROUP_FIELDS + (AXIS_FIELDS if len(values) > len(GROUP_FIELDS) else ())
        labels = (f"{label} field {f}" for f in kinds)
        out |= dict(zip(labels, values, strict=True))
    return out


def differences(manifest: object, version: str) -> list[str]:
    """What differs between a parsed manifest and the shipped set ``version``, field by
    field: "group 'd8' field config.layout changed", "group 'x' removed", ... Empty when
    every field is the shipped one (the bytes may still differ: whitespace)."""
    if not isinstance(manifest, dict):
        return [f"it is not a JSON object (the shipped set {version}'s is)"]
    got, want = fields(manifest), pinned_fields(version)
    diffs = []
    for label in list(want) + [k for k in got if k not in want]:
        if label not in got:
            diffs.append(f"{label} removed")
        elif label not in want:
            diffs.append(f"{label} added")
        elif got[label] != want[label]:
            diffs.append(f"{label} changed")
    whole = {d.rsplit(" ", 1)[0] for d in diffs if re.fullmatch(r"group '\w+' (removed|added)", d)}
    diffs = [d for d in diffs if not _said(d, whole)]
    gone = [d.split("'")[1] for d in diffs if re.fullmatch(r"group '\w+' removed", d)]
    if len(gone) > 3:  # one line for many: "groups: []" removes them all
        listed = ", ".join(repr(n) for n in gone[:3])
        diffs = [d for d in diffs if not re.fullmatch(r"group '\w+' removed", d)]
        diffs.append(
            f"{len(gone)} of the {len(entry_names(version))} groups removed ({listed}, ...)"
        )
    return diffs


def entry_names(version: str) -> list[str]:
    """The names of the shipped set's groups, in order."""
    return list(PINNED[version]["groups"])


def _said(diff: str, whole_groups: set[str]) -> bool:
    """A field of a group that is itself removed or added, or the order of the groups
    when one is: the group's own line says it."""
    if diff.startswith("the order of the groups"):
        return bool(whole_groups)
    return any(diff.startswith(g + " field ") for g in whole_groups)


def summary(diffs: list[str]) -> str:
    """The first SHOWN differences, "; "-joined, and how many more."""
    text = "; ".join(diffs[:SHOWN])
    return text + (f"; and {len(diffs) - SHOWN} more" if len(diffs) > SHOWN else "")


def manifest_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render(manifests: dict[str, bytes]) -> str:
    """The source of ``rope_ref.golden.pinned_digests`` for manifests {version: bytes}
    (``python -m rope_ref.golden.pinned DIR`` prints it for DIR/<version>/manifest.json)."""
    q = json.dumps  # a Python string literal in double quotes, for these ASCII names
    lines = [
        '"""Generated by ``python -m rope_ref.golden.pinned rope_ref/golden/vectors``: the',
        "sha256 of each shipped manifest.json, and the digest of each of its fields",
        "(rope_ref.golden.pinned). Do not edit by hand: tests/golden/test_pinned.py checks",
        'it against what the generator writes."""',
        "",
        "PINNED = {",
    ]
    for version, data in manifests.items():
        manifest = json.loads(data)
        got = fields(manifest)
        top = " ".join(got[f"field {k!r}"] for k in TOP_FIELDS)
        lines += [f"    {q(version)}: {{", f'        "sha256": {q(manifest_sha256(data))},']
        lines += [f'        "top": {q(top)},']
        notes = manifest.get("notes", {})
        lines.append('        "notes": {' + ("" if notes else "},"))
        lines += [f"            {q(n)}: {q(got[f'notes[{n!r}]'])}," for n in notes]
        lines += ["        }," if notes else None, '        "groups": {']
        for entry in manifest["groups"]:
            label = f"group {entry['name']!r}"
            kinds = GROUP_FIELDS + (AXIS_FIELDS if "style" in entry["config"] else ())
            digests = [got[f"{label} field {f}"] for f in kinds]
            lines.append(f"            {q(entry['name'])}: (")
            for i in range(0, len(digests), 8):
                tail = "" if i + 8 >= len(digests) else " "
                lines.append(f"                {q(' '.join(digests[i : i + 8]) + tail)}")
            lines.append("            ),")
        lines += ["        },", "    },"]
    lines.append("}")
    return "\n".join(line for line in lines if line is not None) + "\n"


def main(argv: list[str] | None = None) -> int:
    import sys
    from pathlib import Path

    folder = Path((sys.argv[1:] if argv is None else argv)[0])
    versions = sorted(p.parent.name for p in folder.glob("*/manifest.json"))
    print(render({v: (folder / v / "manifest.json").read_bytes() for v in versions}), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
