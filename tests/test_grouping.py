"""The trainer's edits to a report-back's themes: pure values, every note in exactly one group."""

from facilitator.domain.grouping import Edits, Group, Grouping, reconcile
from facilitator.domain.themes import Theme, label_for

AUTO = [Theme("Trust", ("a", "b", "c")), Theme("Humour", ("d", "e")), Theme("Shared goals", ("f",))]


def ids(grouping: Grouping) -> list[tuple[str, ...]]:
    return [group.note_ids for group in grouping.groups]


def every_note_once(grouping: Grouping) -> bool:
    notes = [note for group in grouping.groups for note in group.note_ids]
    return len(notes) == len(set(notes)) and all(group.note_ids for group in grouping.groups)


def test_merge_keeps_the_first_label_and_place():
    """Merging appends the other group's notes and removes it; the first keeps its label."""
    merged = Grouping.from_themes(AUTO).merge(0, 2)
    assert [(g.label, g.note_ids) for g in merged.groups] == [
        ("Trust", ("a", "b", "c", "f")),
        ("Humour", ("d", "e")),
    ]
    assert merged.edited
    assert every_note_once(merged)


def test_move_a_note_and_an_emptied_group_disappears():
    """A note moves to the end of another group; a group left empty goes."""
    moved = Grouping.from_themes(AUTO).move("f", 1)
    assert ids(moved) == [("a", "b", "c"), ("d", "e", "f")]
    assert every_note_once(moved)


def test_split_takes_a_note_into_its_own_group_next_to_it():
    """Split puts the note right after its old group, under a label from its text."""
    split = Grouping.from_themes(AUTO).split("b", label_for("We can disagree and still respect each other"))
    assert [(g.label, g.note_ids) for g in split.groups][:2] == [
        ("Trust", ("a", "c")),
        ("Disagree and still respect", ("b",)),
    ]
    assert Grouping.from_themes(AUTO).split("f", "x") == Grouping.from_themes(AUTO)


def test_rename_and_blank_names_change_nothing():
    """Rename changes only the label; a blank label keeps the old one."""
    grouping = Grouping.from_themes(AUTO)
    assert grouping.rename(1, "  Laughing  together ").groups[1].label == "Laughing together"
    assert grouping.rename(1, "   ") is grouping


def test_undo_steps_back_through_edits():
    """Each edit can be undone, back to the automatic grouping; then undo reports nothing left."""
    edits = Edits(Grouping.from_themes(AUTO))
    assert edits.apply(edits.grouping.merge(0, 1))
    assert edits.apply(edits.grouping.move("f", 0))
    assert not edits.apply(edits.grouping)
    assert edits.undo()
    assert edits.undo()
    assert edits.grouping == Grouping.from_themes(AUTO)
    assert not edits.undo()


def test_round_trip_through_the_store():
    """A grouping survives to_dict/from_dict unchanged."""
    grouping = Grouping.from_themes(AUTO).merge(0, 1)
    assert Grouping.from_dict(grouping.to_dict()) == grouping


def test_reconcile_follows_the_automatic_grouping_until_the_trainer_edits():
    """Untouched, the grouping is whatever the automatic one says now."""
    later = [*AUTO, Theme("New idea", ("g",))]
    assert reconcile(None, later) == Grouping.from_themes(later)
    assert reconcile(Grouping.from_themes(AUTO), later) == Grouping.from_themes(later)


def test_reconcile_keeps_the_trainers_groups_and_places_new_notes():
    """After edits, deleted notes leave; a new note joins its automatic neighbours, or stands alone."""
    edited = Grouping.from_themes(AUTO).merge(1, 2)  # Humour now holds d, e, f
    later = [
        Theme("Trust", ("a", "c", "h")),
        Theme("Humour", ("d", "e")),
        Theme("Goals", ("f", "g")),
        Theme("Odd", ("i",)),
    ]
    result = reconcile(edited, later)
    assert result.groups == (
        Group("Trust", ("a", "c", "h")),
        Group("Humour", ("d", "e", "f", "g")),
        Group("Odd", ("i",)),
    )
    assert every_note_once(result)


def test_suggested_placements_follow_their_notes_and_accept_clears_them():
    """A moved suggestion is the trainer's choice (no longer suggested); a merge keeps the others;
    accept keeps them all where they are; prompt and suggestions survive the store."""
    grouping = Grouping(
        (
            Group("Trust", ("a", "b", "c"), 0, ("b", "c")),
            Group("Humour", ("d",), 0),
            Group("Goals", ("e",), 1),
        )
    )
    moved = grouping.move("b", 1)
    assert (moved.groups[0].suggested, moved.groups[1].suggested, moved.suggested) == (("c",), (), 1)
    merged = grouping.merge(1, 0)
    assert merged.groups[0].suggested == ("b", "c")
    assert grouping.accept().suggested == 0
    assert grouping.accept().groups[0].note_ids == ("a", "b", "c")
    assert Grouping.from_dict(grouping.to_dict()) == grouping
    assert grouping.split("c", "Alone").groups[1] == Group("Alone", ("c",), 0)
