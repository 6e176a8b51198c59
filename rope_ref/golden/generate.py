"""Write a golden set (v2, or v1): every expected value from mpmath at 60 significant digits.

For each group of ``rope_ref.golden.groups``: theta and the attention factor come from
``_exact`` (mpmath), the angles phi = m theta_i are formed exactly from the stored
positions, cos and sin are evaluated once per (position, i), and each output pair
(eq 34, times the attention factor)

    y_a = A (x_a cos(m theta_i) - x_b sin(m theta_i)),  y_b = A (x_b cos + x_a sin)

is formed at 60 digits and rounded once to float64 and, separately, once to float32
(round to nearest, ties to even). Inputs x are seeded float32 values stored as float64, so
the float64 and float32 expectations are roundings of the same exact number; positions are
integers or multiples of 1/8, exact in float32 too. Files are .npy format 1.0,
little-endian; the run is deterministic (byte-identical on every regeneration).

Both versions hold the same groups and byte-identical arrays; only manifest.json differs.
v1 (schema_version 1) writes each group's flags as ``{bug_class: sentence}``; v2
(schema_version 2) writes the notes of ``rope_ref.golden.notes`` once, in a top-level
``notes`` table, and each group's flags as a list of note names.

    python -m rope_ref.golden.generate DIR [--version v1]
    (or: rope-ref golden regenerate DIR [--version v1]; default the newest, v2)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from mpmath.libmp import (
    dps_to_prec,
    from_float,
    mpf_add,
    mpf_cos_sin,
    mpf_mul,
    mpf_pos,
    mpf_sub,
    to_float,
)

from rope_ref.golden.exact import DIGITS, exact_frequencies
from rope_ref.golden.groups import BATCH, HEADS, groups, rng_for
from rope_ref.golden.multi_axis import axis_groups, exact_axis_frequencies
from rope_ref.golden.notes import used_notes, v1_flags
from rope_ref.golden.store import LATEST_VERSION, SCHEMA_VERSIONS, sha256_of
from rope_ref.paper.layouts import pair_indices
from rope_ref.scaling.config import resolve, scaling_dim

#: The generator version each set's manifest records (v1's is what it shipped with).
GENERATOR_VERSIONS = {"v1": "1.0.0", "v2": "2.0.0", "v3": "3.0.0"}
PREC = dps_to_prec(DIGITS)


def generate(out_dir, version: str = LATEST_VERSION) -> dict:
    """Write manifest.json (in the layout of ``version``: "v1" or "v2") and every group's
    .npy files under ``out_dir``; return the manifest."""
    if version not in SCHEMA_VERSIONS:
        raise ValueError(
            f"version must be one of {list(SCHEMA_VERSIONS)} (the manifest layouts this "
            f"generator writes), got {version!r}"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = groups() + (axis_groups() if version == "v3" else [])  # v3: multi-axis too
    entries = [_write_group(spec, out_dir, version) for spec in specs]
    manifest = {
        "schema_version": SCHEMA_VERSIONS[version],
        "generator_version": GENERATOR_VERSIONS[version],
        "mpmath_precision_digits": DIGITS,
        "rounding": "each expected value rounded once from the 60-digit value, to nearest "
        "(ties to even), separately to float64 and float32",
        "npy_format": "NumPy .npy format version 1.0, little-endian, C order",
    }
    if version != "v1":
        manifest["notes"] = used_notes([n for spec in specs for n in spec["flags"]])
    manifest["groups"] = entries
    text = json.dumps(manifest, indent=1, ensure_ascii=True) + "\n"
    (out_dir / "manifest.json").write_text(text, encoding="utf-8", newline="\n")
    return manifest


def compute_group(spec: dict) -> tuple[dict, dict, float]:
    """(config, arrays, attention_factor) of one group spec, every value rounded once."""
    if "style" in spec:
        return _compute_axis_group(spec)
    d, base, layout = spec["d"], spec["base"], spec["layout"]
    scaling, seq_len = spec["rope_scaling"], spec["seq_len"]
    n = scaling_dim(d, spec["rotary_dim"], scaling)
    p = None if scaling is None else resolve(scaling, n)
    theta, factor = exact_frequencies(p, n, base, seq_len, spec["form"])
    r = 2 * len(theta)
    positions = np.asarray(spec["positions"])
    x = rng_for(spec["name"]).standard_normal((BATCH, HEADS, len(positions), d))
    x = x.astype(np.float32).astype(np.float64)
    phi, cos, sin = _tables(positions, [t._mpf_ for t in theta])
    y = _outputs(x, cos, sin, factor._mpf_, r, layout)
    table = (len(positions), r // 2)
    arrays = {
        "x": x,
        "positions": positions.astype("<i8" if positions.dtype.kind == "i" else "<f8"),
        "theta": _round([t._mpf_ for t in theta], 53, (r // 2,)),
        "angles": _round(_flat(phi), 53, table),
        "cos": _round(_flat(cos), 53, table),
        "sin": _round(_flat(sin), 53, table),
        "expected_float64": _round(y, 53, x.shape),
        "expected_float32": _round(y, 24, x.shape).astype("<f4"),
    }
    config = {
        "d": d,
        "rotary_dim": r,
        "base": base,
        "layout": layout,
        "rope_scaling": scaling,
        "seq_len": seq_len,
        "hf_compat": spec["form"] == "code",  # the form, recorded as v1 and v2 record it
        "batch": BATCH,
        "heads": HEADS,
        "seq": len(positions),
        "description": spec["description"],
    }
    return config, arrays, to_float(mpf_pos(factor._mpf_, 53, "n"))


def _compute_axis_group(spec: dict) -> tuple[dict, dict, float]:
    """A multi-axis group (``rope_ref.golden.multi_axis``): pair i of token j turns by
    p_(a(i), j) theta_i, formed exactly from the integer coordinates; no attention factor."""
    d, layout = spec["d"], spec["layout"]
    r = spec["rotary_dim"] or d
    theta = [t._mpf_ for t in exact_axis_frequencies(spec["style"], r, spec["base"])]
    positions, axes = spec["positions"], spec["axes"]
    heads, seq = spec["heads"] or HEADS, positions.shape[1]
    x = rng_for(spec["name"]).standard_normal((BATCH, heads, seq, d))
    x = x.astype(np.float32).astype(np.float64)
    phi, cos, sin = _axis_tables(positions, axes, theta)
    y = _outputs(x, cos, sin, from_float(1.0), r, layout)
    table = (seq, r // 2)
    arrays = {
        "x": x,
        "positions": positions.astype("<i8"),
        "theta": _round(theta, 53, (r // 2,)),
        "angles": _round(_flat(phi), 53, table),
        "cos": _round(_flat(cos), 53, table),
        "sin": _round(_flat(sin), 53, table),
        "expected_float64": _round(y, 53, x.shape),
        "expected_float32": _round(y, 24, x.shape).astype("<f4"),
        "axes": np.asarray(axes, dtype="<i8"),
    }
    config = {
        "d": d,
        "rotary_dim": r,
        "base": spec["base"],
        "layout": layout,
        "rope_scaling": None,
        "seq_len": None,
        "hf_compat": False,
        "batch": BATCH,
        "heads": heads,
        "seq": seq,
        "description": spec["description"],
        "style": spec["style"],
        "section": spec["section"],
        "n_axes": positions.shape[0],
    }
    return config, arrays, 1.0


def _axis_tables(positions: np.ndarray, axes, theta: list) -> tuple[list, list, list]:
    """phi, cos, sin of vector positions (k, seq): phi[j][i] = p_(a(i), j) theta_i."""
    phi, cos, sin = [], [], []
    for column in positions.T.tolist():
        coords = [from_float(float(c)) for c in column]  # integers: exact
        row = [mpf_mul(coords[a], t, PREC, "n") for a, t in zip(axes.tolist(), theta, strict=True)]
        pairs = [mpf_cos_sin(angle, PREC, "n") for angle in row]
        phi.append(row)
        cos.append([c for c, _ in pairs])
        sin.append([s for _, s in pairs])
    return phi, cos, sin


def _tables(positions: np.ndarray, theta: list) -> tuple[list, list, list]:
    """phi, cos, sin: (seq, r/2) nested lists of mpf tuples, cos/sin once per (m, i)."""
    phi, cos, sin = [], [], []
    for m in positions.tolist():
        m = from_float(float(m))  # integers and multiples of 1/8: exact
        row = [mpf_mul(m, t, PREC, "n") for t in theta]
        pairs = [mpf_cos_sin(angle, PREC, "n") for angle in row]
        phi.append(row)
        cos.append([c for c, _ in pairs])
        sin.append([s for _, s in pairs])
    return phi, cos, sin


def _outputs(x: np.ndarray, cos: list, sin: list, factor, r: int, layout: str) -> list:
    """The exact rotated outputs: a flat C-order list of mpf tuples, x.size long."""
    a_idx, b_idx = pair_indices(r, layout)
    pairs = list(zip(a_idx.tolist(), b_idx.tolist(), strict=True))
    out = []
    for rows in x.reshape(-1, x.shape[-2], x.shape[-1]).tolist():
        for j, values in enumerate(rows):
            row = [from_float(v) for v in values]
            y = list(row)  # pass-through features keep x exactly
            for i, (a, b) in enumerate(pairs):
                c, s = cos[j][i], sin[j][i]
                ya = mpf_sub(mpf_mul(row[a], c, PREC), mpf_mul(row[b], s, PREC), PREC)
                yb = mpf_add(mpf_mul(row[b], c, PREC), mpf_mul(row[a], s, PREC), PREC)
                y[a], y[b] = mpf_mul(ya, factor, PREC), mpf_mul(yb, factor, PREC)
            out.extend(y)
    return out


def _round(values: list, bits: int, shape: tuple) -> np.ndarray:
    """Round a flat list of mpf tuples once to ``bits`` significant bits (53: float64,
    24: float32); return a float64 array of ``shape``."""
    flat = [to_float(mpf_pos(v, bits, "n")) for v in values]
    return np.array(flat, dtype="<f8").reshape(shape)


def _flat(nested: list) -> list:
    return [v for row in nested for v in row]


def _write_group(spec: dict, out_dir: Path, version: str) -> dict:
    config, arrays, factor = compute_group(spec)
    folder = out_dir / spec["name"]
    folder.mkdir(exist_ok=True)
    files = {}
    for key, arr in arrays.items():
        data = _npy_bytes(arr)
        (folder / f"{key}.npy").write_bytes(data)
        files[key] = {
            "path": f"{spec['name']}/{key}.npy",
            "dtype": arr.dtype.str,
            "shape": list(arr.shape),
            "sha256": sha256_of(data),
        }
    return {
        "name": spec["name"],
        "config": config,
        "flags": v1_flags(spec["flags"]) if version == "v1" else list(spec["flags"]),
        "attention_factor": factor,
        "attention_factor_hex": factor.hex(),
        "files": files,
    }


def _npy_bytes(arr: np.ndarray) -> bytes:
    """.npy format 1.0 bytes of a little-endian C-ordered array."""
    import io

    arr = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, version=(1, 0), allow_pickle=False)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m rope_ref.golden.generate")
    parser.add_argument("dir", help="output folder (created if missing)")
    parser.add_argument(
        "--version",
        choices=list(SCHEMA_VERSIONS),
        default=LATEST_VERSION,
        help=f"manifest layout (default {LATEST_VERSION})",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    manifest = generate(args.dir, args.version)
    print(f"wrote {len(manifest['groups'])} groups of golden {args.version} to {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
