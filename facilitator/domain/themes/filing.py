"""One prompt's notes into themes, starting from what the rooms filed.

Themes rooms filed notes under are kept as filed. Only unsorted notes are placed: with the filed
theme they fit, as a suggestion the trainer accepts or moves; else with other unsorted notes in a
new theme; else in one "Other" theme, when there are several such notes and other themes beside
it. With no theme beside them, several such notes are one theme all the same, labelled from their
words. The fewest fixes at the report-back come from fewer, larger themes: a note left alone costs
the trainer a merge whenever it has company somewhere, and a note placed in the theme it most
resembles costs nothing when right and one move when wrong.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from facilitator.domain.themes.clustering import MERGE_THRESHOLD, average_linkage, medoid_first
from facilitator.domain.themes.labels import theme_label
from facilitator.domain.themes.reading import read
from facilitator.domain.themes.similarity import pairwise
from participant.core.text import theme_key as _theme_key

OTHER = "Other"
"""The label of the theme of a prompt's unsorted notes that fit no other theme."""
JOIN_THRESHOLD = 0.03
"""A note no theme took joins the theme whose notes it resembles most, on average, if at least
this (0..1); else it goes to "Other". Chosen on the tuning part of tests/fixtures/breakout_notes.json
(bench/report_back.py)."""
SAME_ROOM = 0.0
"""How alike two unsorted notes of one room count, as a share of their similarity. A room writes distinct
points as separate notes, and different rooms converge on the same themes: in the labelled sets of
bench/report_back.py two notes of one room share a theme far less often than two of different rooms
(0 to 2 in 100 pairs against 10 to 12 in the sets of one prompt, 23 against 29 to 36 in the blind
sets). Chosen by leaving each of the seven sets out in turn: 0 on six of the seven choices (fixes per
note on the set left out, mean 0.344 -> 0.337). Notes of one room still share a theme through the
notes of other rooms."""
theme_key = functools.lru_cache(maxsize=4096)(_theme_key)
"""``participant.core.text.theme_key``, remembered: a breakout's few labels are keyed again and again."""
_FILED_TOGETHER = 2.0
"""Above any similarity: a filed theme's notes (and its label) are grouped before anything else."""


@dataclass(frozen=True)
class Placed:
    """A theme of one prompt: its label, its notes (indices, the most representative first), whether
    rooms filed it, and which of its notes the grouping placed there (a filed theme's suggestions)."""

    label: str
    notes: tuple[int, ...]
    filed: bool = False
    suggested: tuple[int, ...] = ()


def place(
    texts: Sequence[str], filed: Sequence[str], prompts: Sequence[str], rooms: Sequence[int] = ()
) -> list[Placed]:
    """Group the notes ``texts`` of one prompt; ``filed[i]`` is the label note i was filed under ("")
    and ``rooms[i]`` the room that wrote it (if given: two unsorted notes of one room count as
    ``SAME_ROOM`` times as alike, when the notes come from several rooms).

    Notes whose labels ``theme_key`` makes one are one theme; the caller gives them one label, and
    it is the theme's. Each filed theme's label is read as one more of its notes, so a theme of one
    note is found by its label's words too. Themes come in no particular order.
    """
    keys = [theme_key(label) for label in filed]
    labels = {key: label for key, label in zip(keys, filed, strict=True) if key}
    count = len(texts)
    reading = read([*texts, *labels.values()], prompts)
    group = [*keys, *labels]  # each note's filed key, and each label's own
    sims = pairwise(reading.tokens, reading.vectors, reading.prompts)
    linked = [row[:] for row in sims]
    filed_notes = [i for i, key in enumerate(group) if key]
    for a, i in enumerate(filed_notes):
        for j in filed_notes[a + 1 :]:
            # Filed themes stay as filed: one theme's notes go together, two themes never meet.
            linked[i][j] = linked[j][i] = _FILED_TOGETHER if group[i] == group[j] else -math.inf
    if len(set(rooms)) > 1:
        _set_rooms_apart(linked, rooms, keys)
    clusters = _join_lone_notes(average_linkage(linked, MERGE_THRESHOLD), group, linked)
    themes = []
    others: list[int] = []
    for cluster in clusters:
        notes = [i for i in cluster if i < count]
        key = next((group[i] for i in cluster if group[i]), "")
        if key:
            ordered = tuple(medoid_first(notes, sims))
            themes.append(Placed(labels[key], ordered, True, tuple(i for i in ordered if not keys[i])))
        elif len(notes) == 1:
            others += notes
        elif notes:
            ordered = tuple(medoid_first(notes, sims))
            themes.append(Placed(theme_label(reading, ordered), ordered))
    if themes and len(others) > 1:
        themes.append(Placed(OTHER, tuple(sorted(others))))
    elif len(others) > 1:  # "Other" than nothing: one theme, labelled as any other
        ordered = tuple(medoid_first(others, sims))
        themes.append(Placed(theme_label(reading, ordered), ordered))
    else:  # one note: a label of its own
        themes.extend(Placed(theme_label(reading, [i]), (i,)) for i in others)
    return themes


def _set_rooms_apart(linked: list[list[float]], rooms: Sequence[int], keys: Sequence[str]) -> None:
    """Scale the similarity of every two unsorted notes of one room by ``SAME_ROOM``, in place."""
    by_room: dict[int, list[int]] = {}
    for i, room in enumerate(rooms):
        if not keys[i]:
            by_room.setdefault(room, []).append(i)
    for notes in by_room.values():
        for a, i in enumerate(notes):
            row = linked[i]
            for j in notes[a + 1 :]:
                row[j] = linked[j][i] = row[j] * SAME_ROOM


def _join_lone_notes(
    clusters: list[list[int]], group: Sequence[str], sims: Sequence[Sequence[float]]
) -> list[list[int]]:
    """Each unsorted note left alone joins the theme it resembles most on average, if enough.

    ``sims[i][j]`` for every i and j (a symmetric matrix). Themes are compared as the agglomeration
    left them, so lone notes never join one another and the result does not depend on which is
    placed first.
    """
    themes = [cluster for cluster in clusters if len(cluster) > 1 or group[cluster[0]]]
    joined = [list(cluster) for cluster in themes]
    left = []
    for cluster in clusters:
        if len(cluster) > 1 or group[cluster[0]]:
            continue
        note = cluster[0]
        row = sims[note]
        links = [sum(row[i] for i in theme) / len(theme) for theme in themes]
        best = max(range(len(themes)), key=lambda k: (links[k], -k), default=None)
        if best is not None and links[best] >= JOIN_THRESHOLD:
            joined[best].append(note)
        else:
            left.append([note])
    return [*joined, *left]
