"""Huge d under a memory limit (issue 15): in a child process whose address space is held
to 4 GiB, every public function given d up to MAX_DIM (2^24) and small other arguments
either returns or raises a named ValueError/TypeError before allocating: no MemoryError
(check(d=2^24) asked for 16.5 GiB, relative_upper_bound(np.arange(64), 2^24) 62.5 GiB)."""

from __future__ import annotations

import json
import subprocess
import sys

#: The calls the child makes: (id, expression), rr = rope_ref, np = numpy, d a huge d.
CALLS = [
    ("frequencies", "rr.frequencies(d)"),
    ("theta_error_bound", "rr.theta_error_bound(d)"),
    ("angle_error_bound of 1 position", "rr.angle_error_bound([7.0], d)"),
    ("angle_error_bound of 64 positions", "rr.angle_error_bound(np.arange(64), d)"),
    ("half_permutation", "rr.half_permutation(d)"),
    ("pair_indices", "rr.pair_indices(d)"),
    ("partial_sums of 1 distance", "rr.partial_sums([3.0], d)"),
    ("relative_upper_bound of 64 distances", "rr.relative_upper_bound(np.arange(64), d)"),
    ("check", "rr.check(lambda x, p: x, d=d)"),
    ("scaled_frequencies yarn", "rr.scaled_frequencies(d, 1e4, YARN)"),
    ("scaled_theta_error_bound yarn", "rr.scaled_theta_error_bound(d, 1e4, YARN)"),
    ("scaled_theta_error_bound llama3", "rr.scaled_theta_error_bound(d, 1e4, LLAMA3)"),
    ("rotary_matrix", "rr.rotary_matrix(1.0, rr.frequencies(d))"),
    ("rotate one vector", "rr.rotate(np.ones((1, d), np.float32), [3.0])"),
    ("rotate_matrix_form one vector", "rr.rotate_matrix_form(np.ones((1, d)), [3.0])"),
    ("rotation_error_bound", "rr.rotation_error_bound(np.ones((1, d)), [3.0])"),
    ("clock_hands", "rr.clock_hands([0, 1], rr.frequencies(d))"),
    ("attention_scores", "rr.attention_scores(np.ones((1, d // 4)), np.ones((1, d // 4)), [1])"),
    (
        "causal linear attention",
        "rr.linear_attention(*[np.ones((4, d // 64))] * 3, np.arange(4), causal=True)",
    ),  # noqa: E501
    (
        "scores of a long sequence",
        "rr.rope_attention(*[np.ones((1, d // 2**8, 2))] * 3, np.arange(d // 2**8))",
    ),  # noqa: E501
]

CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
import numpy as np
import rope_ref as rr
YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}
LLAMA3 = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
          "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}
d = int(sys.argv[1])
out = {}
for name, expression in json.loads(sys.argv[2]):
    try:
        eval(expression)
        out[name] = "returned"
    except (ValueError, TypeError) as err:
        out[name] = "named: " + type(err).__name__ + ": " + str(err)[:200]
    except BaseException as err:
        out[name] = "ESCAPED: " + type(err).__name__ + ": " + str(err)[:200]
print(json.dumps(out))
"""


def test_huge_d_under_4_gib_returns_or_is_a_named_error():
    d = 2**24  # MAX_DIM
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(d), json.dumps(CALLS)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    outcomes = json.loads(proc.stdout)
    escaped = {k: v for k, v in outcomes.items() if v.startswith("ESCAPED")}
    assert not escaped, escaped
    assert set(outcomes) == {name for name, _ in CALLS}
    for name in ("check", "relative_upper_bound of 64 distances", "rotary_matrix"):
        assert outcomes[name].startswith("named: ValueError"), (name, outcomes[name])
    for name in ("frequencies", "theta_error_bound", "rotate one vector"):
        assert outcomes[name] == "returned", (name, outcomes[name])
