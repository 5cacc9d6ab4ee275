"""Themes across rooms: group a breakout's notes by meaning, offline, deterministically, in pure Python.

A **note** is one idea a room's facilitator typed during a breakout, often on a phone: terse, with typos
and abbreviations ("CW", "MH", "w/", "thru"). A **theme** is a group of notes, usually from several
rooms, that say the same thing. At the report-back the projector shows the themes biggest first, each
with a short label taken from the notes' own words.

How (see ``group_notes``; each step is a module of this package):

1. **Normalise** each note (``normalise``, ``spelling``; the words are in ``lexicon.toml``):
   casefold, split on punctuation, expand phone shorthand and a small table of human-services
   acronyms (CW -> child welfare, MH -> mental health; an acronym and its spelled out form are one
   term), correct one-edit typos a thumb makes (a missing, doubled or swapped letter, a neighbouring
   key) against a small domain lexicon or a more frequent word of the same breakout, map a few
   idioms ("has my back", "eye contact") and synonyms (laugh/humor/joke, releases/HIPAA/privacy) to
   shared concepts, drop stop words, strip suffixes (trusting -> trust).
2. **Weigh** the terms by TF-IDF over the breakout's notes (``reading``). Words common to every
   discussion prompt are damped: they are the context all rooms share, not what sets one note
   apart. A word in one prompt of several ("Respect" among RICH's four) keeps its weight: it tells
   which prompt a note answers. Words that name who is involved (MH, probation, schools, parents,
   agency) weigh half as much as the rest of their note: in a partnership workshop nearly every note
   names a partner, and what it says about them is what makes the theme ("MH won't share info" goes
   with "need signed releases", not with "cross training w/ MH").
3. **Compare** every pair of notes (``similarity``): cosine of the term vectors, blended with the
   cosine of character trigrams of the words, which keeps near-misses the lexicon does not know close.
4. **Cluster** by average-linkage agglomeration (``clustering``): repeatedly merge the two groups
   whose notes are, on average, most similar, while that average is at least ``MERGE_THRESHOLD``.
   Average linkage does not chain unrelated notes through one bridge note, needs no number of themes
   up front, and puts no cap on a theme's size.
5. **Label** each theme with at most four consecutive words of its most representative note (the
   medoid), chosen for the terms most of the theme shares ("Has my back", "Ask for feedback")
   (``labels``). A note that resembles no other stays alone, labelled from its own words by
   ``label_for``: the rule for a note the trainer splits off a theme too.

Everything is ordered by note id before any arithmetic, and every tie is broken by that order, so the
same notes give the same themes whatever order they arrive in and whatever ``PYTHONHASHSEED`` is.

Limits (measured by ``bench/themes_ari.py`` on tests/fixtures/breakout_notes.json): this is word
overlap made tolerant, not understanding. Notes that say the same thing in words the lexicon does not
connect stay apart ("I know she'll get it done" / "reliable!!"), so the usual error is a theme split
into pieces; notes sharing a word in different senses may meet ("we trust each other" / "families
lose trust in us"). On breakouts whose wording the lexicon covers the adjusted Rand index against a
careful facilitator's grouping is about 0.6; on new wording it is about 0.35. The trainer fixes the
rest with the keys on the report-back screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from facilitator.domain.themes.clustering import MERGE_THRESHOLD, average_linkage, medoid_first
from facilitator.domain.themes.labels import MAX_LABEL_WORDS, label_for, theme_label
from facilitator.domain.themes.reading import read
from facilitator.domain.themes.similarity import pairwise

if TYPE_CHECKING:
    from participant.core.notes import Note

__all__ = ["MAX_LABEL_WORDS", "Theme", "group_notes", "label_for"]


@dataclass(frozen=True)
class Theme:
    """Notes that say the same thing. ``note_ids`` start with the most representative note."""

    label: str
    note_ids: tuple[str, ...]

    def rooms(self, notes: Iterable[Note]) -> tuple[int, ...]:
        """The rooms, in order, that wrote this theme's notes (looked up in ``notes``)."""
        ids = set(self.note_ids)
        return tuple(sorted({note.room for note in notes if note.id in ids}))


def group_notes(notes: Sequence[Note], *, prompts: Sequence[str] = ()) -> list[Theme]:
    """Group one breakout's notes by meaning: every note in exactly one theme, biggest theme first.

    ``prompts`` are the questions the rooms discussed; words common to all of them count for less.
    Themes of equal size are ordered by how many rooms they span, then by their first note id.
    Within a theme the most representative note comes first, then the others by similarity to it.
    A theme of one note has the label ``label_for`` gives it within the same breakout.
    Deterministic: the same notes in any order give the same themes. Raises ``ValueError`` if two
    notes share an id.
    """
    ordered = sorted(notes, key=lambda note: note.id)
    if len({note.id for note in ordered}) != len(ordered):
        raise ValueError("every note needs a unique id")
    if not ordered:
        return []
    reading = read([note.text for note in ordered], prompts)
    sims = pairwise(reading.tokens, reading.vectors, reading.prompts)
    themes: list[tuple[tuple[int, int, str], Theme]] = []
    for cluster in average_linkage(sims, MERGE_THRESHOLD):
        order = medoid_first(cluster, sims)
        rooms = {ordered[i].room for i in cluster}
        key = (-len(cluster), -len(rooms), ordered[cluster[0]].id)
        themes.append((key, Theme(theme_label(reading, order), tuple(ordered[i].id for i in order))))
    return [theme for _, theme in sorted(themes, key=lambda item: item[0])]
