"""Reading an HF rope dict: the one place that resolves ``rope_scaling`` /
``rope_parameters`` into what the variants compute with.

An HF config says its RoPE in a dict (transformers 5 ``rope_parameters``, or the older
``rope_scaling``): the variant's name under ``rope_type`` (older configs: ``type``), the
base of eq 15 as ``rope_theta``, the rotated share of the head as
``partial_rotary_factor``, and the variant's own keys. Everything that reads such a dict
goes through here, so each rule is written once:

- rope_type: ``rope_type``, else ``type`` (both given must agree);
- the base b: ``base`` when given (it must agree with ``rope_theta``), else
  ``rope_theta``, else 10000 (eq 15);
- the rotary dimension r = int(d * partial_rotary_factor) (d when absent); rope_type
  ``proportional`` is defined over the whole head and keeps r = d;
- defaults a variant's source fixes: YaRN's beta_fast = 32, beta_slow = 1 (YaRN sec 3.2:
  alpha = 1, beta = 32).

The checks themselves (types, keys, ranges, with errors that name the key) are
``rope_ref.validation``'s.
"""

from __future__ import annotations

from rope_ref.validation import (
    TYPE_KEYS,
    check_base,
    check_base_agrees,
    check_partial_rotary_dim,
    check_partial_rotary_factor,
    check_rope_scaling_keys,
    check_scaling_relations,
)

#: The base of eq 15 when neither ``base`` nor ``rope_theta`` is given.
DEFAULT_BASE = 10000.0

#: Defaults a variant's source fixes, filled in by ``resolve`` when the dict omits them.
DEFAULTS = {"yarn": {"beta_fast": 32.0, "beta_slow": 1.0}}


def rope_type_of(rope_scaling: dict) -> str | None:
    """The variant an HF dict names: ``rope_type``, else the older ``type`` (None if neither).
    Not a check: ``resolve`` (through ``check_rope_scaling_keys``) names a bad one."""
    return next((rope_scaling[k] for k in TYPE_KEYS if k in rope_scaling), None)


def form_of(config: dict) -> str:
    """The form a golden group's (or an exported layer's) config records: its ``form``, else
    its ``hf_compat`` (True: "code", False: "paper", as golden v1 and v2 record it), else
    "code", the default. Not a check: the checker's ``check_form`` names a bad one."""
    if "form" in config:
        return config["form"]
    return "code" if config.get("hf_compat", True) else "paper"


def base_or_default(base: object, rope_theta: float | None = None) -> float:
    """The base b of eq 15: ``base`` if given (agreeing with rope_theta), else rope_theta,
    else ``DEFAULT_BASE``."""
    if base is None:
        return DEFAULT_BASE if rope_theta is None else rope_theta
    return check_base_agrees(base, rope_theta)


def rotary_dim_for(d: int, partial_rotary_factor: float = 1.0) -> int:
    """r = int(d * partial_rotary_factor): HF's rule for the rotated features of a head."""
    return int(d * partial_rotary_factor)


def defined_over_head(rope_scaling: object) -> bool:
    """Whether a dict's theta is defined over the whole head d rather than over rotary_dim:
    it carries ``partial_rotary_factor`` (which then fixes r), or is ``proportional``."""
    return isinstance(rope_scaling, dict) and (
        "partial_rotary_factor" in rope_scaling or rope_type_of(rope_scaling) == "proportional"
    )


def scaling_dim(d: int, rotary_dim: int | None, rope_scaling: object) -> int:
    """The d to pass to ``scaled_frequencies`` for a head of d features: d itself for a
    dict ``defined_over_head``, else rotary_dim (d when None), as eq 15 is over r."""
    return d if defined_over_head(rope_scaling) or rotary_dim is None else rotary_dim


def resolve(rope_scaling: object, d: int, base: object = None) -> dict:
    """A pasted HF dict, checked and resolved for a head of d features.

    Returns a new dict with ``rope_type``, ``rope_theta`` (the base b, see
    ``base_or_default``), ``rotary_dim`` (r), the variant's own keys as checked numbers,
    and the source's defaults (``DEFAULTS``) where the dict omits them.
    """
    p = check_rope_scaling_keys(rope_scaling)
    p["rope_theta"] = base_or_default(base, p.get("rope_theta"))
    prf = p.get("partial_rotary_factor", 1.0)
    if p["rope_type"] == "proportional":
        p["rotary_dim"] = d  # the whole head; prf sets how many theta_i are not 0
    else:
        p["rotary_dim"] = check_partial_rotary_dim(rotary_dim_for(d, prf), d, prf)
    for key, value in DEFAULTS.get(p["rope_type"], {}).items():
        p.setdefault(key, value)
    check_scaling_relations(p)
    return p


def stated(d: int, base: float, rotary_dim: int | None, rope_scaling: object):
    """``check``'s reading: an HF dict's rope_theta moves into base and its
    partial_rotary_factor into rotary_dim, leaving a dict of the variant alone.

    Returns (base, rotary_dim, scaling dict or None). rope_theta is the stated base; an
    explicit base other than ``DEFAULT_BASE`` (``check``'s default) must agree with it.
    ``proportional`` keeps its partial_rotary_factor: its theta covers the whole head, zero
    past the rotated pairs.
    """
    if rope_scaling is None:
        return base, rotary_dim, None
    if not isinstance(rope_scaling, dict):
        raise TypeError(
            "rope_scaling must be a dict such as HF's rope_parameters, or None, "
            f"got {type(rope_scaling).__name__}"
        )
    scaling = dict(rope_scaling)
    rope_theta = scaling.pop("rope_theta", None)
    if rope_theta is not None:
        rope_theta = check_base(rope_theta, "rope_scaling['rope_theta']")
        if base not in (DEFAULT_BASE, rope_theta):
            raise ValueError(
                f"base ({base:g}) and rope_scaling['rope_theta'] ({rope_theta:g}) "
                "disagree; give one of them, or the same value"
            )
        base = rope_theta
    if rope_type_of(scaling) == "proportional":
        return base, d if rotary_dim is None else rotary_dim, scaling
    if "partial_rotary_factor" in scaling:
        factor = check_partial_rotary_factor(scaling.pop("partial_rotary_factor"))
        from_dict = rotary_dim_for(d, factor)
        if rotary_dim is not None and rotary_dim != from_dict:
            raise ValueError(
                f"rotary_dim ({rotary_dim}) and int(d * partial_rotary_factor) "
                f"({from_dict}) disagree; give one of them, or the same value"
            )
        rotary_dim = from_dict
    return base, rotary_dim, scaling
