"""Grouping that starts from what the rooms did: filed themes kept, unsorted notes placed, prompts apart."""

import random
from dataclasses import replace

import pytest

from facilitator.domain.themes import MAX_LABEL_WORDS, OTHER, Theme, group_notes
from facilitator.domain.themes.lexicon import LEXICON
from participant.core.notes import Note


def note(id_: str, text: str, *, room: int = 1, prompt: int = 0, theme: str = "") -> Note:
    return Note("b", room, id_, text, prompt=prompt, theme=theme)


def theme_of(found: list[Theme], note_id: str) -> Theme:
    return next(theme for theme in found if note_id in theme.note_ids)


FILED = [
    note("a", "we trust each other", room=1, theme="Trust"),
    note("b", "i can trust her judgement", room=2, theme=" trust!"),
    note("c", "she makes me laugh on bad days", room=3, theme="Humour"),
    note("d", "finger pointing after a bad outcome", room=1, theme="Blame"),
    note("e", "everyone blames CW", room=2, theme="blame"),
]


def test_filed_themes_are_kept_as_filed_merged_by_key_labelled_as_first_typed():
    """Labels that differ in case, spacing or punctuation are one theme, with the first label typed."""
    found = group_notes(FILED)
    assert {(theme.label, frozenset(theme.note_ids)) for theme in found} == {
        ("Trust", frozenset("ab")),
        ("Humour", frozenset("c")),
        ("Blame", frozenset("de")),
    }
    assert all(theme.filed and theme.suggested == () for theme in found)


def test_filed_notes_stay_even_where_they_resemble_another_theme():
    """What a room filed is never moved, however much a note resembles another theme."""
    notes = [*FILED, note("f", "trust", room=3, theme="Humour")]
    found = group_notes(notes)
    assert theme_of(found, "f").label == "Humour"


def test_unsorted_notes_join_the_filed_theme_they_fit_as_suggestions():
    """An unsorted note goes where it fits, marked as suggested so the trainer can accept it."""
    notes = [*FILED, note("u", "trusting relationship", room=4), note("v", "sense of humor", room=4)]
    found = group_notes(notes)
    trust = theme_of(found, "u")
    assert trust.label == "Trust"
    assert trust.suggested == ("u",)
    assert set(trust.note_ids) == {"a", "b", "u"}
    assert theme_of(found, "v").label == "Humour"
    assert theme_of(found, "v").suggested == ("v",)


def test_unsorted_notes_alike_make_a_new_theme_of_their_own():
    """Unsorted notes that resemble each other, not a filed theme, make a new (unfiled) theme."""
    paperwork = [note("u", "so much duplicate paperwork", room=3), note("v", "paperwork piles up", room=4)]
    notes = [*FILED, *paperwork]
    found = group_notes(notes)
    new = theme_of(found, "u")
    assert set(new.note_ids) == {"u", "v"}
    assert not new.filed
    assert new.suggested == ()
    assert "paperwork" in new.label.casefold()


def test_notes_that_fit_nowhere_share_one_other_theme_per_prompt_listed_last():
    """Unsorted notes alike to nothing go together into "Other", one per prompt, after the others."""
    notes = [
        *FILED,
        note("x", "coffee every friday", room=3),
        note("y", "interpreter not available", room=4),
        note("z", "budget meeting", room=1, prompt=1),
        note("w", "new manager started", room=2, prompt=1),
        note("v", "same goal for participants", room=3, prompt=1, theme="Goals"),
    ]
    found = group_notes(notes)
    others = [theme for theme in found if theme.label == OTHER]
    assert [(theme.prompt, set(theme.note_ids)) for theme in others] == [(0, {"x", "y"}), (1, {"z", "w"})]
    assert found.index(others[0]) == max(i for i, theme in enumerate(found) if theme.prompt == 0)


def test_notes_that_fit_nowhere_with_no_theme_beside_them_are_one_theme_labelled_from_their_words():
    """ "Other" than nothing says nothing: with no theme beside them, the leftovers are one theme
    labelled as any theme is (apart, each would cost the trainer a merge)."""
    texts = {"x": "coffee every friday", "y": "interpreter not available", "z": "we laugh a lot"}
    found = group_notes([note(i, text, room=k) for k, (i, text) in enumerate(texts.items(), 1)])
    assert [set(theme.note_ids) for theme in found] == [{"x", "y", "z"}]
    assert found[0].label != OTHER
    assert any(found[0].label.casefold() in text for text in texts.values())


def test_a_single_note_that_fits_nowhere_keeps_a_label_of_its_own():
    """ "Other" gathers several leftovers; one leftover is labelled from its own words."""
    found = group_notes([*FILED, note("x", "interpreter not available for spanish speakers", room=4)])
    alone = theme_of(found, "x")
    assert alone.note_ids == ("x",)
    assert alone.label != OTHER
    assert alone.label.casefold() in "interpreter not available for spanish speakers"


def test_themes_never_mix_prompts():
    """Notes of two prompts are never in one theme, even filed under the same label or alike."""
    notes = [
        note("a", "trust each other", prompt=0, theme="Trust"),
        note("b", "trust each other more", prompt=1, theme="Trust"),
        note("c", "trusting relationship", prompt=1),
        note("d", "we trust her", prompt=2),
        note("e", "trust takes time", prompt=2),
    ]
    found = group_notes(notes)
    assert [theme.prompt for theme in found] == sorted(theme.prompt for theme in found)
    by_id = {n.id: n for n in notes}
    for theme in found:
        assert {by_id[i].prompt for i in theme.note_ids} == {theme.prompt}
    assert set(theme_of(found, "c").note_ids) == {"b", "c"}
    assert set(theme_of(found, "d").note_ids) == {"d", "e"}


def _shape(found: list[Theme], name: dict[str, str]) -> list[tuple[object, ...]]:
    """The themes with each note id replaced by ``name[id]``: what must not depend on ids."""
    return [
        (t.label, t.prompt, t.filed, tuple(name[i] for i in t.note_ids), tuple(name[i] for i in t.suggested))
        for t in found
    ]


@pytest.mark.parametrize("seed", range(5))
def test_same_notes_same_themes_whatever_their_ids_and_order(seed):
    """Ids are random client ids: renaming them and shuffling the notes changes nothing else."""
    notes = [
        *FILED,
        note("u", "trusting relationship", room=4),
        note("p", "so much duplicate paperwork", room=3),
        note("q", "paperwork piles up", room=4),
        note("x", "coffee every friday", room=3),
        note("y", "interpreter not available", room=4),
        note("s", "same goal for participants", room=1, prompt=1),
        note("t", "on the same page about goals", room=2, prompt=1),
    ]
    rng = random.Random(seed)
    renamed = {n.id: f"{rng.getrandbits(64):016x}" for n in notes}
    shuffled = [replace(n, id=renamed[n.id]) for n in notes]
    rng.shuffle(shuffled)
    # Shuffled, "trust!" may be typed before "Trust": compare labels by key for filed themes.
    expected = _shape(group_notes(notes), {n.id: n.text for n in notes})
    back = {renamed[n.id]: n.text for n in notes}
    actual = _shape(group_notes(shuffled), back)
    fold = lambda shape: [(label.strip(" !").casefold(), *rest) for label, *rest in shape]  # noqa: E731
    assert fold(actual) == fold(expected)


_FUNCTION_OR_VERB = {"let", "reasons", "back", "get", "got", "make", "talk", "tell", "told", "done", "pays"}


@pytest.mark.parametrize(
    "texts",
    [
        ("Let families lead the plan", "let the family choose", "let them decide"),
        ("Reasons for the delay were unclear", "reasons nobody explained", "no reasons given"),
        ("he has my back in team mtgs", "has my back when im out", "has my back always"),
        ("fighting over who pays for placements", "nobody pays for transport", "who pays for training"),
        ("HIPAA used as an excuse to not talk", "they wont talk to us", "cant get them to talk"),
    ],
)
def test_labels_are_phrases_never_a_lone_function_word_or_verb(texts):
    """A new theme's label is a phrase of its notes' words, not a lone "Let", "Reasons" or "Back"."""
    notes = [note(f"n{k}", text, room=k + 1) for k, text in enumerate(texts)]
    [theme] = group_notes(notes)
    words = theme.label.split()
    assert 1 <= len(words) <= MAX_LABEL_WORDS
    assert len(words) >= 2 or words[0].casefold() not in _FUNCTION_OR_VERB | LEXICON.stop_words, theme.label


def test_two_notes_of_one_room_are_not_a_theme_but_two_rooms_notes_are():
    """A room writes distinct points as separate notes: alike notes of one room stay apart, and the
    same notes from two rooms make a theme."""
    texts = ["so much duplicate paperwork", "paperwork piles up"]
    other = [note("x", "coffee every friday", room=3), note("y", "interpreter not available", room=4)]
    one_room = group_notes([note("u", texts[0], room=1), note("v", texts[1], room=1), *other])
    assert theme_of(one_room, "u") == theme_of(one_room, "x")  # "Other": nothing alike
    two_rooms = group_notes([note("u", texts[0], room=1), note("v", texts[1], room=2), *other])
    assert set(theme_of(two_rooms, "u").note_ids) == {"u", "v"}


def test_a_room_alone_groups_its_own_notes():
    """Notes all from one room are compared as any notes: the rule is for rooms that meet."""
    notes = [note("u", "so much duplicate paperwork"), note("v", "paperwork piles up"), note("x", "coffee")]
    assert set(theme_of(group_notes(notes), "u").note_ids) == {"u", "v"}


def test_notes_of_one_room_share_a_theme_through_other_rooms_notes():
    """The rule keeps a room's notes from meeting alone, not from a theme that other rooms' notes make."""
    notes = [
        note("a", "so much duplicate paperwork", room=1),
        note("b", "duplicate paperwork everywhere", room=1),
        note("c", "paperwork piles up, duplicate forms", room=2),
        note("d", "the duplicate paperwork again", room=3),
        note("x", "coffee every friday", room=4),
    ]
    assert set(theme_of(group_notes(notes), "a").note_ids) == {"a", "b", "c", "d"}


def test_a_note_left_alone_does_not_join_a_theme_for_its_own_rooms_note():
    """A lone note joins a theme for what other rooms wrote in it, not for its own room's note."""
    notes = [
        note("a", "so much duplicate paperwork", room=1),
        note("b", "paperwork piles up", room=2),
        note("u", "we duplicate each others work", room=1),
        note("x", "coffee every friday", room=3),
        note("y", "interpreter not available", room=4),
    ]
    found = group_notes(notes)
    assert set(theme_of(found, "a").note_ids) == {"a", "b"}
    assert theme_of(found, "u") == theme_of(found, "x")
