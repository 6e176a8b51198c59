"""Published models' RoPE, as data: ``model_rope("qwen3-8b")`` works offline.

``presets.json`` holds, per preset name, the RoPE-relevant fields of one model's public
config.json (model type, layer count, head shape, context length, the rope keys, the
layer-type and NoPE keys), typed in by hand, never downloaded, with the model id and the
date of the file they were read from. Each preset also says what its fields were checked
against: ``"verified"`` names a stored public copy of that config.json (repository, path,
commit, and the entry inside the file where it holds several), with a note where the copy
differs from the model's own file in a way that matters (another revision, a reduced
layer count); ``"not_verified"`` says where the fields come from when no copy was found.
``PRESETS[name]["source"]`` cites both: "config.json of <model id> on the Hugging Face hub,
as of <date>; checked against <repo>/<path> at <commit>[ (<entry>)]" or "...; not verified
against a copy: from <what>". Fields a config does not give are left out, so the family's
defaults apply as transformers applies them. A field that differs from the model's file is
a bug here.

LongRoPE presets (Phi-3-mini-128k, Phi-3.5-mini, Phi-4-mini) hold their 48-entry
short_factor / long_factor lists exactly as the cited copy gives them.
"""

from __future__ import annotations

import json
from pathlib import Path

#: name -> {"id", "date", "verified" or "not_verified", "source", "config"}; config holds
#: only RoPE-relevant fields.
PRESETS: dict[str, dict] = json.loads(
    (Path(__file__).with_name("presets.json")).read_text(encoding="utf-8")
)


def _checked(preset: dict) -> str:
    """What a preset's fields were checked against, as its citation says it."""
    copy = preset.get("verified")
    if copy is None:
        return f"not verified against a copy: from {preset['not_verified']}"
    where = f"checked against {copy['repo']}/{copy['path']} at {copy['commit'][:12]}"
    return where + (f" ({copy['entry']})" if "entry" in copy else "")


for _preset in PRESETS.values():
    _preset["source"] = (
        f"config.json of {_preset['id']} on the Hugging Face hub, as of {_preset['date']}; "
        + _checked(_preset)
    )


def preset_key(name: str) -> str:
    """A preset name as PRESETS spells it: lower case, '_' and ' ' read as '-'."""
    return name.strip().lower().replace("_", "-").replace(" ", "-")
