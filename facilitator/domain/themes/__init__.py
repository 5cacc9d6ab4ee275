"""Themes across rooms: a breakout's notes sorted into themes, offline, deterministically, in pure Python.

A **note** is one idea a room's facilitator typed during a breakout, often on a phone: terse, with typos
and abbreviations ("CW", "MH", "w/", "thru"). It answers one of the breakout's prompts, and its room
may have **filed** it under a theme as it was typed (a label; ``participant.core.text.theme_key`` makes
labels that differ only in case, spacing or punctuation one theme). A **theme** is a group of notes of
one prompt, usually from several rooms, that say the same thing. At the report-back the projector
shows the themes biggest first, each with a short label.

Two entry points:

- ``suggest``: while a note is typed, the filed themes it resembles, then the largest others:
  the "Add to <theme>" buttons.
- ``group_notes``: at the report-back, every note of a breakout in one theme. Themes never mix
  prompts. Filed themes are kept as filed; only unsorted notes are placed (``filing``): into the
  filed theme they fit, marked as a suggestion for the trainer to accept; else with other unsorted
  notes in a new theme; else into one "Other" theme per prompt. Fewer, larger themes leave the
  trainer the fewest fixes (bench/report_back.py counts them).

How notes are read and compared (each step is a module of this package):

1. **Normalise** each note (``normalise``, ``spelling``; the words are in ``lexicon.toml``):
   casefold, split on punctuation, expand phone shorthand and a small table of human-services
   acronyms (CW -> child welfare, MH -> mental health; an acronym and its spelled out form are one
   term), correct one-edit typos a thumb makes (a missing, doubled or swapped letter, a neighbouring
   key) against a small domain lexicon or a more frequent word of the same breakout, map a few
   idioms ("has my back", "eye contact") and synonyms (laugh/humor/joke, releases/HIPAA/privacy) to
   shared concepts, drop stop words, strip suffixes (trusting -> trust).
2. **Weigh** the terms by TF-IDF over the breakout's notes (``reading``). Words common to every
   discussion prompt are damped: they are the context all rooms share, not what sets one note
   apart. Words that name who is involved (MH, probation, schools, parents, agency) weigh as any
   word when notes are grouped (a theme is as often about a partner as about what they do), and
   half as much in suggestions.
3. **Compare** every pair of notes (``similarity``): cosine of the term vectors, blended with the
   cosine of the words' first and last five letters, which keeps near-misses the lexicon does not
   know close (communicate/communication, relatonship).
4. **Cluster** by average-linkage agglomeration (``clustering``): repeatedly merge the two groups
   whose notes are, on average, most similar, while that average is at least ``MERGE_THRESHOLD``;
   notes filed under one theme start together and two filed themes never meet. Two unsorted notes
   of one room count as not alike (``filing.SAME_ROOM``): a room writes distinct points as separate
   notes, and rooms meet on a theme. A note left alone then joins the theme it resembles most, if
   at all (``filing``).
5. **Label** each new theme with at most four consecutive words of its most representative note
   (the medoid), chosen for the terms most of the theme shares, a phrase rather than a lone verb
   ("Has my back", "Pays for placements") (``labels``). A note alone is labelled from its own
   words by ``label_for``: the rule for a note the trainer splits off a theme too.

Notes are read in the order of their texts, and every tie is broken by that order, so the same notes
give the same themes whatever their ids, whatever order they arrive in (but for which spelling of a
filed label is first) and whatever ``PYTHONHASHSEED`` is.

Limits (measured by bench/report_back.py and bench/themes_ari.py on tests/fixtures/): this is word
overlap made tolerant, not understanding. Notes that say the same thing in words the lexicon does not
connect stay apart ("I know she'll get it done" / "reliable!!"); notes sharing a word in different
senses may meet ("we trust each other" / "families lose trust in us"). Rooms that file as they write
leave the trainer nothing to fix in what they filed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from facilitator.domain.themes.filing import OTHER, place, theme_key
from facilitator.domain.themes.labels import MAX_LABEL_WORDS, label_for
from facilitator.domain.themes.suggestions import suggest

if TYPE_CHECKING:
    from participant.core.notes import Note

__all__ = ["MAX_LABEL_WORDS", "OTHER", "Theme", "group_notes", "label_for", "suggest"]


@dataclass(frozen=True)
class Theme:
    """Notes of one prompt that say the same thing. ``note_ids`` start with the most representative.

    ``filed``: rooms filed notes under this label. ``suggested``: the notes of a filed theme that
    were unsorted and that the grouping placed here, for the trainer to accept or move.
    """

    label: str
    note_ids: tuple[str, ...]
    prompt: int = 0
    filed: bool = False
    suggested: tuple[str, ...] = ()

    def rooms(self, notes: Iterable[Note]) -> tuple[int, ...]:
        """The rooms, in order, that wrote this theme's notes (looked up in ``notes``)."""
        ids = set(self.note_ids)
        return tuple(sorted({note.room for note in notes if note.id in ids}))


def group_notes(notes: Sequence[Note], *, prompts: Sequence[str] = ()) -> list[Theme]:
    """Group one breakout's notes into themes: every note in exactly one theme.

    ``notes`` in the order they arrived; each says which of the breakout's ``prompts`` it answers
    and the theme its room filed it under, if any. Themes never mix prompts. Filed themes are kept
    as filed (see ``filing.place``); unsorted notes join a filed theme (as its ``suggested``), a
    new theme, or the prompt's "Other" theme. Themes come prompt by prompt, biggest first, then
    by how many rooms they span; "Other" last. Within a theme the most representative note comes
    first. Deterministic: notes are read in the order of their texts, so the same notes give the
    same themes whatever their ids and, but for which of two spellings of a filed label came first,
    whatever order they arrived in. Raises ``ValueError`` if two notes share an id.
    """
    if len({note.id for note in notes}) != len(notes):
        raise ValueError("every note needs a unique id")
    arrival = {note.id: index for index, note in enumerate(notes)}
    first_typed: dict[str, str] = {}
    for note in notes:
        if note.theme.strip():
            first_typed.setdefault(theme_key(note.theme), " ".join(note.theme.split()))
    themes: list[Theme] = []
    for prompt in sorted({note.prompt for note in notes}):
        mine = sorted(
            (note for note in notes if note.prompt == prompt),
            key=lambda note: (note.text, note.room, theme_key(note.theme), arrival[note.id]),
        )
        filed = [first_typed.get(theme_key(note.theme), "") for note in mine]
        found = []
        for theme in place([note.text for note in mine], filed, prompts, [note.room for note in mine]):
            members = [mine[i] for i in theme.notes]
            order = (
                theme.label == OTHER and not theme.filed,
                -len(members),
                -len({note.room for note in members}),
                theme_key(theme.label),
                [note.text for note in members],
            )
            ids = tuple(note.id for note in members)
            suggested = tuple(mine[i].id for i in theme.suggested)
            found.append((order, Theme(theme.label, ids, prompt, theme.filed, suggested)))
        themes.extend(theme for _, theme in sorted(found, key=lambda item: item[0]))
    return themes
