"""A theme's label: a few of its most representative note's own words, chosen for what the theme shares.

One rule for every label: a theme the grouping found, a note alone, a note the trainer splits off.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from facilitator.domain.themes.normalise import Unit, shown
from facilitator.domain.themes.reading import Reading, read

MAX_LABEL_WORDS = 4


def label_for(text: str, *, among: Sequence[str] = (), prompts: Sequence[str] = ()) -> str:
    """A theme label from one note's words: the label the note gets as a theme of its own.

    ``group_notes`` labels every one-note theme so, and a note the trainer splits off a theme
    should be labelled here. The words are weighed as ``group_notes`` weighs them: against
    ``among``, the texts of the breakout's notes (this one's added if missing), and its
    ``prompts``. Given the same breakout, the label is exactly the one the grouping gives the note
    when it stands alone; without one, the note is read alone, which may choose other words of a
    long note.
    """
    texts = list(among) if text in among else [*among, text]
    return theme_label(read(texts, prompts), [texts.index(text)])


def theme_label(reading: Reading, order: Sequence[int]) -> str:
    """The label of the theme of notes ``order`` (indices into ``reading``, the medoid first).

    At most four of the medoid's own consecutive words. A term scores the weight it carries across
    the theme; in a theme of several notes, only terms that at least two of its notes use score at
    all. The label is the stretch of the medoid that starts and ends on scoring units and has the
    highest total, each term counted once (ties: fewer words, then earlier): "Has my back",
    "Naming the elephant". A label of a single unit is written the way most of the theme's notes
    write it. When no unit of the medoid scores ("??", "ok"), its first few words.
    """
    medoid = order[0]
    spread: Counter[str] = Counter()
    weight: defaultdict[str, float] = defaultdict(float)
    for i in order:
        for term, value in reading.vectors[i].items():
            spread[term] += 1
            weight[term] += value
    scoring = {term for term in weight if spread[term] >= 2 or len(order) == 1}
    own = [unit for unit in reading.units[medoid] if scoring.intersection(unit.terms)]
    note = reading.tokens[medoid]
    best: tuple[float, int, int] | None = None  # value, -words, -first
    span = (0, 0)
    for first in range(len(own)):
        terms: set[str] = set()
        for last in range(first, len(own)):
            size = len(shown(note[own[first].start : own[last].end]).split())
            if size > MAX_LABEL_WORDS:
                break
            terms.update(scoring.intersection(own[last].terms))
            candidate = (sum(weight[t] for t in sorted(terms)), -size, -first)
            if best is None or candidate > best:
                best, span = candidate, (first, last)
    if best is None:
        words = " ".join(reading.texts[medoid].split()[:MAX_LABEL_WORDS])
        return words[:40].strip() or "(blank note)"
    first, last = span
    if first == last:
        text = _display_forms(order, reading.units).get(own[first].terms, own[first].display)
    else:
        text = shown(note[own[first].start : own[last].end])
    return text[:1].upper() + text[1:]


def _display_forms(order: Sequence[int], units: Sequence[Sequence[Unit]]) -> dict[tuple[str, ...], str]:
    """For each set of terms, the way most of the theme's notes write it (ties: the medoid's way)."""
    forms: dict[tuple[str, ...], Counter[str]] = {}
    for i in order:
        for unit in units[i]:
            forms.setdefault(unit.terms, Counter())[unit.display] += 1
    return {terms: counter.most_common(1)[0][0] for terms, counter in forms.items()}
