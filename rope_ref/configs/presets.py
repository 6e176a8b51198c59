"""Published models' RoPE, as data: ``model_rope("qwen3-8b")`` works offline.

``presets.json`` holds, per preset name, the RoPE-relevant fields of one model's public
config.json (model type, layer count, head shape, context length, the rope keys, the
layer-type and NoPE keys), typed in by hand, never downloaded, with the model id and the
date of the file they were read from; ``PRESETS[name]["source"]`` cites it as "config.json
of <model id> on the Hugging Face hub, as of <date>". Fields a config does not give are
left out, so the family's defaults apply as transformers applies them. To check a preset
against the hub, compare its fields with that revision of the file; a field that differs
is a bug here.

Not typed in: models whose RoPE needs long per-frequency lists (Phi-3-mini-128k,
Phi-3.5-mini, Phi-4-mini: 48-entry LongRoPE short_factor / long_factor lists), since those
lists could not be copied here digit for digit; paste their config.json into
``model_rope`` instead.
"""

from __future__ import annotations

import json
from pathlib import Path

#: name -> {"id", "date", "source", "config"}; config holds only RoPE-relevant fields.
PRESETS: dict[str, dict] = json.loads(
    (Path(__file__).with_name("presets.json")).read_text(encoding="utf-8")
)
for _preset in PRESETS.values():
    _preset["source"] = (
        f"config.json of {_preset['id']} on the Hugging Face hub, as of {_preset['date']}"
    )


def preset_key(name: str) -> str:
    """A preset name as PRESETS spells it: lower case, '_' and ' ' read as '-'."""
    return name.strip().lower().replace("_", "-").replace(" ", "-")
