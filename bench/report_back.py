"""How much the trainer fixes at the report-back, and how well "Add to <theme>" serves room facilitators.

For each set of labelled notes (the parts of tests/fixtures/breakout_notes.json's split, and the blind
sets tests/fixtures/breakout_notes_blind.json, _blind2.json ... _blind5.json) it prints one JSON
line with:

- ``fix_actions``: the fewest merges plus moves that turn the automatic grouping of the notes, every
  note unsorted, into the labels (see ``fix_actions``); ``fix_actions_per_note``; ``ari``, the mean
  adjusted Rand index of the set's breakouts (bench/themes_ari.py);
- ``filed_fix_actions``: the same when every note is filed under its label, as rooms that sort as
  they write would (it must be 0: filed themes are kept as filed);
- ``rooms_fix_actions``: the same when notes are filed as the set's rooms filed them (its notes'
  "filed"), others unsorted; only for sets that say;
- ``suggest_hit_rate`` and ``taps_per_note``: rooms filing as they go (see ``walk_filing``), with the
  buttons the page shows (the themes a note resembles, the largest filling the rest);
  ``suggest_hit_rate_resembling``: the same with only the themes the note resembles.

    python bench/report_back.py [--set NAME] [--smoke]

``--set`` scores one set (tuning, heldout, fresh1, fresh2, blind, blind2 ... blind5); ``--smoke`` one
breakout, for CI.
Before the JSON lines it prints the time to suggest themes and to group 200 notes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, replace

from themes_ari import FIXTURE, ROOT, SPLIT, adjusted_rand_index, load_fixture, synthetic_notes

from facilitator.domain.themes import Theme, group_notes, suggest
from participant.core.notes import FiledTheme, Note
from participant.core.text import theme_key

BLIND = ROOT / "tests" / "fixtures" / "breakout_notes_blind.json"
BLIND2 = ROOT / "tests" / "fixtures" / "breakout_notes_blind2.json"
"""A second blind set (140 notes, 3 breakouts, 4 rooms each), written like the first by someone who
never saw the code, and scored once, after the tuning on the five sets before it had stopped."""
BLIND3 = ROOT / "tests" / "fixtures" / "breakout_notes_blind3.json"
"""A third blind set (166 notes, 3 breakouts, 4 rooms each, uneven themes), written the same way
while the grouping was tuned on the six sets before it, and scored once, after that tuning."""
BLIND4 = ROOT / "tests" / "fixtures" / "breakout_notes_blind4.json"
"""A fourth blind set (173 notes, 3 breakouts, 4 rooms each), written the same way while the grouping
was tuned on the seven sets before it, and scored once, after that tuning."""
BLIND5 = ROOT / "tests" / "fixtures" / "breakout_notes_blind5.json"
"""A fifth blind set (161 notes, 3 breakouts from 3 agendas, 4 rooms each), written the same way
while cross-validated changes to the grouping (and a blend with static word vectors) were tried on
the eight sets before it; none was kept, and it was scored once."""


@dataclass(frozen=True)
class Fixes:
    """The trainer's edits that turn one grouping into another."""

    merges: int
    moves: int

    @property
    def total(self) -> int:
        return self.merges + self.moves


def fix_actions(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> Fixes:
    """The fewest merges and moves that turn the grouping ``predicted`` into ``truth`` (labels per note).

    A merge joins two themes; a move puts one note in another theme, or alone in a new one. The
    notes a trainer never moves stay with the ones they were grouped with, so every predicted theme
    that keeps some notes ends up inside one true theme, its target; the others are moved. A true
    theme that is the target of k predicted themes needs k - 1 merges, so the cost is
    moves + merges = (notes - kept) + (predicted themes - true themes that are targets). Both
    are least when each predicted theme targets a true theme it shares the most notes with (keeping
    fewer saves at most one merge per note lost), and as many true themes as possible are targets:
    a maximum matching between predicted themes and their best true themes (augmenting paths).
    """
    if len(truth) != len(predicted):
        raise ValueError("both labellings must cover the same items")
    overlap: dict[Hashable, Counter[Hashable]] = {}
    for true, found in zip(truth, predicted, strict=True):
        overlap.setdefault(found, Counter())[true] += 1
    best = {found: max(counts.values()) for found, counts in overlap.items()}
    targets = {
        found: [true for true, count in counts.items() if count == best[found]]
        for found, counts in overlap.items()
    }
    matched: dict[Hashable, Hashable] = {}  # true theme -> the predicted theme that targets it

    def augment(found: Hashable, seen: set[Hashable]) -> bool:
        for true in targets[found]:
            if true not in seen:
                seen.add(true)
                if true not in matched or augment(matched[true], seen):
                    matched[true] = found
                    return True
        return False

    matches = sum(augment(found, set()) for found in targets)
    return Fixes(merges=len(overlap) - matches, moves=len(truth) - sum(best.values()))


# ---- the sets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Breakout:
    """One labelled breakout: its notes in the order rooms typed them, each note's label and the
    theme its room filed it under ("" when the set does not say)."""

    id: str
    prompts: tuple[str, ...]
    notes: tuple[Note, ...]
    labels: dict[str, str]
    filed: dict[str, str]


def breakouts(
    data: dict, ids: Sequence[str] | None = None, *, listed_by_room: bool = False
) -> list[Breakout]:
    """The breakouts of a fixture (those of ``ids`` if given), notes in the order rooms typed them.

    A fixture lists notes in the order they arrived, or (``listed_by_room``) room after room; rooms
    write at the same time, so then the typed order takes each room's first note, then each room's
    second, and so on, rooms in number order.
    """
    found = []
    for breakout in data["breakouts"]:
        if ids is not None and breakout["id"] not in ids:
            continue
        items = breakout["notes"]
        if listed_by_room:
            rank: Counter[int] = Counter()
            ranked = []
            for position, item in enumerate(items):
                rank[item["room"]] += 1
                ranked.append((rank[item["room"]], item["room"], position, item))
            items = [item for *_, item in sorted(ranked, key=lambda entry: entry[:3])]
        notes = tuple(
            Note(breakout["id"], item["room"], item["id"], item["text"], prompt=item.get("prompt", 0))
            for item in items
        )
        found.append(
            Breakout(
                breakout["id"],
                tuple(breakout["prompts"]),
                notes,
                {item["id"]: item["theme"] for item in items},
                {item["id"]: item.get("filed", "") for item in items},
            )
        )
    return found


def sets(smoke: bool) -> dict[str, list[Breakout]]:
    """Each set's breakouts by name: the fixture's split, and the blind sets when they are there."""
    fixture = load_fixture(FIXTURE)
    if smoke:
        return {"smoke": breakouts(fixture, fixture["split"]["tuning"][:1], listed_by_room=True)}
    named = {part: breakouts(fixture, fixture["split"][part], listed_by_room=True) for part in SPLIT}
    for name, path in (
        ("blind", BLIND),
        ("blind2", BLIND2),
        ("blind3", BLIND3),
        ("blind4", BLIND4),
        ("blind5", BLIND5),
    ):
        if path.exists():
            named[name] = breakouts(load_fixture(path))
    return named


# ---- scoring ---------------------------------------------------------------------------------------


def grouping_fixes(breakout: Breakout, filed: dict[str, str]) -> tuple[Fixes, float]:
    """Fixes and ARI of the grouping of the breakout's notes, each filed under ``filed[note id]``."""
    notes = [replace(note, theme=filed.get(note.id, "")) for note in breakout.notes]
    found = _theme_of(group_notes(notes, prompts=breakout.prompts))
    truth = [(note.prompt, breakout.labels[note.id]) for note in notes]
    predicted = [found[note.id] for note in notes]
    return fix_actions(truth, predicted), adjusted_rand_index(truth, predicted)


def _theme_of(themes: Sequence[Theme]) -> dict[str, int]:
    return {note_id: index for index, theme in enumerate(themes) for note_id in theme.note_ids}


@dataclass(frozen=True)
class Filing:
    """Rooms filing notes as they write them (``walk_filing``)."""

    offered: int
    """Notes whose theme existed already."""
    hits: int
    """Of those, notes whose theme was among the "Add to" buttons."""
    resembling_hits: int
    """Of those, notes whose theme was among the buttons of the themes the note resembles (no fill)."""
    taps: int


def walk_filing(breakout: Breakout) -> Filing:
    """Walk the notes in typed order as room facilitators who file every note under its label.

    Before a note is added, ``suggest`` offers buttons from the themes filed so far under its
    prompt, by every room. Taps (the note's own text is not counted; it is the same whatever is
    offered): 1 when an "Add to <theme>" button files it; otherwise the Theme box is tapped, the
    label typed (a tap per character) and "Add" tapped: 2 + the label's length.
    """
    filed: dict[tuple[int, str], tuple[str, list[str]]] = {}  # (prompt, key) -> label, texts
    offered = hits = resembling_hits = taps = 0
    for note in breakout.notes:
        label = breakout.labels[note.id]
        themes = [
            FiledTheme(name, p, tuple(texts)) for (p, _), (name, texts) in filed.items() if p == note.prompt
        ]
        offer = {theme_key(name) for name in suggest(note.text, themes, prompts=breakout.prompts)}
        resembling = {theme_key(name) for name in suggest(note.text, themes, breakout.prompts, fill=False)}
        if (note.prompt, theme_key(label)) in filed:
            offered += 1
            hits += theme_key(label) in offer
            resembling_hits += theme_key(label) in resembling
        taps += 1 if theme_key(label) in offer else 2 + len(label)
        filed.setdefault((note.prompt, theme_key(label)), (label, []))[1].append(note.text)
    return Filing(offered, hits, resembling_hits, taps)


def score_set(name: str, members: Sequence[Breakout]) -> dict[str, object]:
    notes = sum(len(breakout.notes) for breakout in members)
    automatic = [grouping_fixes(breakout, {}) for breakout in members]
    filing = [walk_filing(breakout) for breakout in members]
    fixes = sum(fixes.total for fixes, _ in automatic)
    result: dict[str, object] = {
        "set": name,
        "breakouts": len(members),
        "notes": notes,
        "fix_actions": fixes,
        "merges": sum(fixes.merges for fixes, _ in automatic),
        "moves": sum(fixes.moves for fixes, _ in automatic),
        "fix_actions_per_note": round(fixes / notes, 3),
        "ari": round(statistics.fmean(ari for _, ari in automatic), 3),
        "suggest_hit_rate": round(sum(f.hits for f in filing) / max(1, sum(f.offered for f in filing)), 3),
        "suggest_hit_rate_resembling": round(
            sum(f.resembling_hits for f in filing) / max(1, sum(f.offered for f in filing)), 3
        ),
        "taps_per_note": round(sum(f.taps for f in filing) / notes, 2),
        "filed_fix_actions": sum(grouping_fixes(b, b.labels)[0].total for b in members),
    }
    if any(any(b.filed.values()) for b in members):
        result["rooms_fix_actions"] = sum(grouping_fixes(b, b.filed)[0].total for b in members)
    return result


# ---- timing ----------------------------------------------------------------------------------------


def median_ms(run: Iterator[None], runs: int) -> float:
    """The median time of ``runs`` steps of ``run``, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        next(run)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def timings(runs: int) -> dict[str, float]:
    """Milliseconds to suggest themes for a note among 30 themes of 200 notes (as a note is typed,
    and just after a note was filed), and to group 200 notes unsorted and with half of them filed."""
    fixture = load_fixture(FIXTURE)
    notes = synthetic_notes(fixture, 200)
    prompts = fixture["breakouts"][-1]["prompts"]
    themes = [
        FiledTheme(notes[k].text.split()[0], 0, tuple(note.text for note in notes[k::30])) for k in range(30)
    ]
    half = [replace(note, theme=f"theme {k % 12}" if k % 2 else "") for k, note in enumerate(notes)]
    texts = [note.text for note in synthetic_notes(fixture, 50, seed=11)]

    def suggesting(*, filing: bool) -> Iterator[None]:
        """Suggestions for each text among the same themes, or (``filing``) among themes that just
        took one more note, so nothing about them is known yet."""
        while True:
            for k, text in enumerate(texts):
                if filing:
                    grown = themes[k % 30]
                    themes[k % 30] = FiledTheme(grown.label, 0, (*grown.texts, text))
                suggest(text, themes, prompts)
                yield

    def grouping(group: Sequence[Note]) -> Iterator[None]:
        while True:
            group_notes(group, prompts=prompts)
            yield

    return {
        "suggest_ms": round(median_ms(suggesting(filing=False), 50 * runs), 3),
        "suggest_after_filing_ms": round(median_ms(suggesting(filing=True), 50 * runs), 3),
        "group_200_ms": round(median_ms(grouping(notes), runs), 1),
        "group_200_half_filed_ms": round(median_ms(grouping(half), runs), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="only", help="score only this set")
    parser.add_argument("--smoke", action="store_true", help="one breakout and few timing runs, for CI")
    args = parser.parse_args()
    named = sets(args.smoke)
    if args.only is not None and args.only not in named:
        parser.error(f"no set {args.only!r}: choose from {', '.join(named)}")
    print(json.dumps({"timing": timings(1 if args.smoke else 15)}))
    for name, members in named.items():
        if args.only in (None, name):
            print(json.dumps(score_set(name, members)))


if __name__ == "__main__":
    sys.exit(main())
