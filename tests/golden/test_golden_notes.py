"""Golden format v2's notes: each flag is stated once, in the top-level ``notes`` table,
groups list note names, and nothing of v1 is lost: every v1 sentence is a note's
description, and both versions give every group the same ``flags``."""

import json

import pytest

from rope_ref import FINDING_NAMES
from rope_ref.golden import list_groups, load_group
from rope_ref.golden.groups import groups
from rope_ref.golden.notes import NOTES, used_notes, v1_flags
from rope_ref.golden.store import VECTORS

GROUPS = list_groups()


def _raw(version: str) -> dict:
    """A shipped manifest.json as plain JSON, not through the loader."""
    return json.loads((VECTORS / version / "manifest.json").read_text(encoding="utf-8"))


def test_every_v1_sentence_is_recoverable_from_v2():
    """Resolving v2's flag names through its notes table (by hand, from the JSON) gives
    v1's {bug_class: sentence} of every group, in v1's order."""
    v1, v2 = _raw("v1"), _raw("v2")
    assert [g["name"] for g in v1["groups"]] == [g["name"] for g in v2["groups"]]
    notes = v2["notes"]
    for old, new in zip(v1["groups"], v2["groups"], strict=True):
        resolved = [(notes[n]["bug_class"], notes[n]["description"]) for n in new["flags"]]
        assert resolved == list(old["flags"].items()), old["name"]


def test_both_versions_give_the_same_flags():
    for name in GROUPS:
        old, new = load_group(name, "v1"), load_group(name, "v2")
        assert list(new.flags.items()) == list(old.flags.items()), name


def test_each_sentence_is_written_once_in_v2():
    """v1 repeats a sentence in every group that carries it; v2 writes it once."""
    v1_text = (VECTORS / "v1" / "manifest.json").read_text(encoding="utf-8")
    v2_text = (VECTORS / "v2" / "manifest.json").read_text(encoding="utf-8")
    sentences = {s for g in _raw("v1")["groups"] for s in g["flags"].values()}
    repeated = [s for s in sentences if v1_text.count(json.dumps(s)) > 1]
    assert repeated, "v1 should repeat the common sentences"
    for sentence in sentences:
        assert v2_text.count(json.dumps(sentence)) == 1, sentence


def test_notes_name_checker_classes_and_say_why_and_what():
    notes = _raw("v2")["notes"]
    for name, note in notes.items():
        assert set(note) == {"bug_class", "description", "effect"}, name
        assert note["bug_class"] in FINDING_NAMES, name
        assert len(note["description"]) > 20 and len(note["effect"]) > 20, name
        assert note["description"] != note["effect"], name


def test_a_note_named_after_a_class_is_of_that_class():
    """Notes named like a class mean that class; the others (a group's own reason for a
    class, which v1 wrote as the group's own sentence) have a name of their own."""
    for name, note in _raw("v2")["notes"].items():
        if name in FINDING_NAMES:
            assert note["bug_class"] == name
        else:
            assert note["bug_class"] != name


def test_every_note_is_used_and_every_flag_is_a_note():
    v2 = _raw("v2")
    listed = [n for g in v2["groups"] for n in g["flags"]]
    assert set(listed) == set(v2["notes"])
    assert len(listed) > len(v2["notes"])  # the point of the table: names repeat, text not


def test_the_shipped_notes_are_the_generators_table():
    assert _raw("v2")["notes"] == used_notes([n for g in groups() for n in g["flags"]])
    assert set(_raw("v2")["notes"]) <= set(NOTES)


@pytest.mark.parametrize("name", GROUPS)
def test_group_notes_hold_its_flags_effects_in_v2_only(name):
    group = load_group(name)
    assert list(group.notes) == next(g["flags"] for g in _raw("v2")["groups"] if g["name"] == name)
    for note in group.notes.values():
        assert group.flags[note["bug_class"]] == note["description"]
        assert note["effect"]
    assert load_group(name, "v1").notes == {}


def test_v1_flags_keys_by_class_in_the_given_order():
    names = ["layout_swapped", "dynamic_unscaled_base", "rotation_reversed"]
    flags = v1_flags(names)
    assert list(flags) == [NOTES[n]["bug_class"] for n in names]
    assert flags["wrong_base"] == NOTES["dynamic_unscaled_base"]["description"]


def test_used_notes_keep_the_tables_order_once_each():
    table = used_notes(["wrong_base", "rotation_reversed", "wrong_base"])
    assert list(table) == [n for n in NOTES if n in ("wrong_base", "rotation_reversed")]
    assert table["wrong_base"] == NOTES["wrong_base"]
    table["wrong_base"]["effect"] = "changed"  # a copy: the table is not edited
    assert NOTES["wrong_base"]["effect"] != "changed"
