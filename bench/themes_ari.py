"""Quality and speed of "themes across rooms": adjusted Rand index against hand-labelled notes.

Groups each breakout of tests/fixtures/breakout_notes.json with ``facilitator.domain.themes.group_notes``
(with that breakout's prompts), compares the themes with the labels by the adjusted Rand index (ARI:
1 = the labeller's grouping exactly, 0 = no better than chance), and prints it per breakout and as the
mean of each part of the fixture's split:

- tuning: the only breakouts used to choose the tunables (threshold, weights);
- heldout: never tuned on, but scored during development (and read by the lexicon's author);
- fresh1: written after version 1 froze; scored once (0.179), then its failures shaped version 2;
- fresh2: written after version 2 (this code) froze: the clean estimate for new wording.

In the same run: baselines (every note alone; notes grouped by their first content word; word-set
Jaccard with average linkage, as Parabol grouped retrospective cards before it moved to embeddings and
an LLM, threshold chosen on the tuning part), an ablation of the parts of the pipeline, and the time
to group 25, 100, 200 and 800 notes (800: four rooms at their limit of 200 notes each).

    python bench/themes_ari.py [--sweep] [--show]

``--sweep`` prints ARI against the merge threshold (how it was chosen); ``--show`` prints the themes.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence
from math import comb
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from facilitator.domain import themes  # noqa: E402  (the benchmark runs from a checkout)
from facilitator.domain.themes import Theme, group_notes, normalise, reading, similarity  # noqa: E402
from facilitator.domain.themes.lexicon import LEXICON  # noqa: E402
from facilitator.domain.themes.normalise import Token  # noqa: E402
from facilitator.domain.themes.spelling import Speller  # noqa: E402
from participant.core.notes import Note  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "breakout_notes.json"
SPLIT = ("tuning", "heldout", "fresh1", "fresh2")


def adjusted_rand_index(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Hubert and Arabie's adjusted Rand index of two labellings of the same items, in pure Python.

    Counts the pairs of items put together by both labellings, corrected for the number expected by
    chance given the group sizes. 1.0 for identical partitions (whatever the label names); about 0
    for a random one; negative when worse than chance. Two partitions that put every item alone
    (or every item together) are identical: 1.0.
    """
    if len(truth) != len(predicted):
        raise ValueError("both labellings must cover the same items")
    pairs = Counter(zip(truth, predicted, strict=True))
    index = sum(comb(count, 2) for count in pairs.values())
    sum_truth = sum(comb(count, 2) for count in Counter(truth).values())
    sum_pred = sum(comb(count, 2) for count in Counter(predicted).values())
    total = comb(len(truth), 2)
    expected = sum_truth * sum_pred / total if total else 0.0
    maximum = (sum_truth + sum_pred) / 2
    if maximum == expected:  # both all-singletons or both one group (or fewer than two items)
        return 1.0
    return (index - expected) / (maximum - expected)


def load_fixture(path: Path = FIXTURE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def breakout_notes(breakout: dict) -> tuple[list[Note], dict[str, str]]:
    """The breakout's notes, and each note id's labelled theme."""
    notes = [Note(breakout["id"], n["room"], n["id"], n["text"]) for n in breakout["notes"]]
    return notes, {n["id"]: n["theme"] for n in breakout["notes"]}


def theme_ari(themes_found: Sequence[Theme], truth: dict[str, str]) -> float:
    """ARI of a grouping (themes) against the labels, over the labelled notes."""
    found = {note_id: index for index, theme in enumerate(themes_found) for note_id in theme.note_ids}
    ids = sorted(truth)
    return adjusted_rand_index([truth[i] for i in ids], [found[i] for i in ids])


Grouper = Callable[[list[Note], list[str]], list[Theme]]


def score(fixture: dict, grouper: Grouper) -> dict[str, float]:
    """ARI per breakout id, plus the mean of each part of the split and the 'overall' mean."""
    result: dict[str, float] = {}
    for breakout in fixture["breakouts"]:
        notes, truth = breakout_notes(breakout)
        result[breakout["id"]] = theme_ari(grouper(notes, breakout["prompts"]), truth)
    for part in SPLIT:
        result[part] = statistics.fmean(result[b] for b in fixture["split"][part])
    result["overall"] = statistics.fmean(result[b["id"]] for b in fixture["breakouts"])
    return result


# ---- baselines -----------------------------------------------------------------------------------


def all_alone(notes: list[Note], prompts: list[str]) -> list[Theme]:
    return [Theme(note.text, (note.id,)) for note in notes]


_WORD = re.compile(r"[a-z']+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def first_keyword(notes: list[Note], prompts: list[str]) -> list[Theme]:
    """Notes grouped by their first word that is not a stop word (a naive keyword grouping)."""
    groups: dict[str, list[str]] = {}
    for note in notes:
        words = [w for w in _words(note.text) if w not in LEXICON.stop_words] or [note.id]
        groups.setdefault(words[0], []).append(note.id)
    return [Theme(key, tuple(ids)) for key, ids in groups.items()]


def jaccard_linkage(threshold: float) -> Grouper:
    """Parabol's 2025 auto-group, in spirit: Jaccard of raw word sets, average-linkage merges."""

    def grouper(notes: list[Note], prompts: list[str]) -> list[Theme]:
        sets = [set(_words(note.text)) for note in notes]
        clusters = [[i] for i in range(len(notes))]

        def link(a: list[int], b: list[int]) -> float:
            return statistics.fmean(
                len(sets[i] & sets[j]) / len(sets[i] | sets[j] or {""}) for i in a for j in b
            )

        while len(clusters) > 1:
            best, x, y = max(
                (link(clusters[x], clusters[y]), x, y)
                for x in range(len(clusters))
                for y in range(x + 1, len(clusters))
            )
            if best < threshold:
                break
            clusters[x] += clusters.pop(y)
        return [Theme("", tuple(notes[i].id for i in c)) for c in clusters]

    return grouper


def ours(notes: list[Note], prompts: list[str]) -> list[Theme]:
    return group_notes(notes, prompts=prompts)


@contextlib.contextmanager
def patched(module: ModuleType, **attributes: object) -> Iterator[None]:
    """Temporarily change names where a module of facilitator.domain.themes reads them (ablations)."""
    saved = {name: getattr(module, name) for name in attributes}
    for name, value in attributes.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def lexicon_without(**tables: object) -> object:
    """The lexicon with some tables emptied; the words the typo repair knows stay as they are."""
    return dataclasses.replace(LEXICON, **tables)


class _NoSpeller(Speller):
    def correct(self, token: Token) -> Token:
        return token


# ---- timing --------------------------------------------------------------------------------------


def synthetic_notes(fixture: dict, count: int, seed: int = 7) -> list[Note]:
    """``count`` notes drawn from the fixture's texts, shuffled, with a few words swapped between them."""
    rng = random.Random(seed)
    texts = [n["text"] for b in fixture["breakouts"] for n in b["notes"]]
    notes = []
    for index in range(count):
        words = rng.choice(texts).split() + rng.choice(texts).split()[:2]
        notes.append(Note("synthetic", 1 + index % 6, f"n{index:04d}", " ".join(words)))
    return notes


def median_ms(notes: list[Note], prompts: Sequence[str], runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        group_notes(notes, prompts=prompts)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# ---- report --------------------------------------------------------------------------------------


def row(name: str, result: dict[str, float], fixture: dict) -> str:
    cells = " ".join(f"{result[b['id']]:>5.2f}" for b in fixture["breakouts"])
    means = " ".join(f"{result[part]:>6.3f}" for part in (*SPLIT, "overall"))
    return f"{name:<34} {cells}  {means}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="ARI against the merge threshold")
    parser.add_argument("--show", action="store_true", help="print the themes found")
    args = parser.parse_args()
    fixture = load_fixture()
    breakouts = fixture["breakouts"]
    total = sum(len(b["notes"]) for b in breakouts)
    labels = sum(len({n["theme"] for n in b["notes"]}) for b in breakouts)
    print(f"{FIXTURE.relative_to(ROOT)}: {total} notes, {len(breakouts)} breakouts, {labels} labelled themes")
    for part in SPLIT:
        print(f"  {part:<8} {', '.join(fixture['split'][part])}")
    print()
    short = " ".join(f"{b['id'][:5]:>5}" for b in breakouts)
    print(f"{'ARI':<34} {short}  {'tuning':>6} {'heldou':>6} {'fresh1':>6} {'fresh2':>6} {'   all':>6}")
    print(row("group_notes (facilitator.domain.themes)", score(fixture, ours), fixture))
    print(row("baseline: every note alone", score(fixture, all_alone), fixture))
    print(row("baseline: same first content word", score(fixture, first_keyword), fixture))
    tuned = max((score(fixture, jaccard_linkage(t / 20))["tuning"], t / 20) for t in range(1, 20))[1]
    print(row(f"baseline: Jaccard, linkage >= {tuned:.2f}", score(fixture, jaccard_linkage(tuned)), fixture))
    print()
    print("ablation (each line removes one part)")
    with patched(normalise, LEXICON=lexicon_without(concepts={}, idioms={})):
        print(row("  no synonym/idiom lexicon", score(fixture, ours), fixture))
    with patched(normalise, LEXICON=lexicon_without(abbreviations={})):
        print(row("  no abbreviation table", score(fixture, ours), fixture))
    with patched(reading, Speller=_NoSpeller):
        print(row("  no typo correction", score(fixture, ours), fixture))
    with patched(similarity, CHAR_WEIGHT=0.0):
        print(row("  no affixes (words' first, last letters)", score(fixture, ours), fixture))
    with patched(similarity, PROMPT_DAMPING=0.0):
        print(row("  prompt words not damped", score(fixture, ours), fixture))
    with patched(normalise, stem=lambda word: word):
        print(row("  no stemming", score(fixture, ours), fixture))
    if args.sweep:
        print()
        print("merge threshold sweep (chosen on the tuning part)")
        for step in range(4, 42, 2):
            with patched(themes, MERGE_THRESHOLD=step / 100):
                print(row(f"  MERGE_THRESHOLD = {step / 100:.2f}", score(fixture, ours), fixture))
    print()
    rich = breakouts[-1]["prompts"]
    for count, runs in ((25, 15), (100, 15), (200, 15), (800, 5)):
        notes = synthetic_notes(fixture, count)
        print(f"time to group {count:>3} notes: {median_ms(notes, rich, runs):6.1f} ms (median of {runs})")
    if args.show:
        for breakout in breakouts:
            notes, truth = breakout_notes(breakout)
            by_id = {note.id: note for note in notes}
            print(f"\n== {breakout['id']}")
            for theme in group_notes(notes, prompts=breakout["prompts"]):
                rooms = ",".join(map(str, theme.rooms(notes)))
                print(f"  [{theme.label}] rooms {rooms}")
                for note_id in theme.note_ids:
                    print(f"      {by_id[note_id].text!r:<70} ({truth[note_id]})")


if __name__ == "__main__":
    main()
