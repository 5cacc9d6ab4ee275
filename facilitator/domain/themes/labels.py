"""A theme's label: a few of its most representative note's own words, chosen for what the theme shares.

One rule for every label: a theme the grouping found, a note alone, a note the trainer splits off.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

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

    At most four consecutive words of one note: the medoid's, or the next most representative
    note's when the medoid offers only a lone word. A term scores the weight it carries across the
    theme; in a theme of several notes, only terms that at least two of its notes use score at all.
    The label is the stretch of the note with the highest total, each term counted once (ties:
    fewer words, then earlier): "Has my back", "Naming the elephant". A lone word is widened by a
    neighbouring word ("Pays" -> "Pays for placements"), so a label is a phrase, not a lone verb or
    adjective, unless a note of the theme says just that ("TRUST", "hummor lol") or no note offers
    more; a label of a single unit is written the way most of the theme's notes write it. When no
    unit of the medoid scores ("??", "ok"), its first few words.
    """
    spread: Counter[str] = Counter()
    weight: defaultdict[str, float] = defaultdict(float)
    for i in order:
        for term, value in reading.vectors[i].items():
            spread[term] += 1
            weight[term] += value
    scoring = {term for term in weight if spread[term] >= 2 or len(order) == 1}
    said_alone = {
        reading.units[i][0].terms
        for i in order
        if len(reading.units[i]) == 1
        and len(reading.tokens[i]) - (reading.units[i][0].end - reading.units[i][0].start) <= 1
    }
    # The first note offering more than a lone word, else the first offering any.
    chosen: tuple[int, tuple[int, int]] | None = None
    fallback: tuple[int, tuple[int, int]] | None = None
    for i in order:
        span = _best_span(reading, i, scoring, weight)
        if span is None:
            continue
        fallback = fallback or (i, span)
        if span[0] != span[1] or reading.units[i][span[0]].terms in said_alone:
            chosen = (i, span)
            break
    if fallback is None:
        opening = " ".join(reading.texts[order[0]].split()[:MAX_LABEL_WORDS])
        return opening[:40].strip() or "(blank note)"
    units = reading.units
    i, (first, last) = chosen or fallback
    if first == last:
        text = _display_forms(order, units).get(units[i][first].terms, units[i][first].display)
    else:
        text = shown(reading.tokens[i][units[i][first].start : units[i][last].end])
    return text[:1].upper() + text[1:]


def _best_span(
    reading: Reading, note: int, scoring: set[str], weight: Mapping[str, float]
) -> tuple[int, int] | None:
    """The first and last unit of the note's best stretch for a label, a lone word widened if it can
    be; None when no unit of the note scores."""
    own = reading.units[note]
    tokens = reading.tokens[note]
    # words(first, last) counts the words ``shown`` gives the units' tokens: an acronym's expanded
    # words, shown alike, count once. starts[k]: how many of tokens[1..k] start a new word.
    starts = [0]
    for k in range(1, len(tokens)):
        starts.append(starts[-1] + (tokens[k].shown != tokens[k - 1].shown))

    def words(first: int, last: int) -> int:
        return 1 + starts[own[last].end - 1] - starts[own[first].start]

    scored = [scoring.intersection(unit.terms) for unit in own]
    best: tuple[int, int] | None = None
    best_key = (0.0, 0, 0)  # value, -words, -first: the highest wins, the first found of equals
    for first in range(len(own)):
        if not scored[first]:
            continue
        terms: set[str] = set()
        for last in range(first, len(own)):
            size = words(first, last)
            if size > MAX_LABEL_WORDS:
                break
            if scored[last]:
                terms.update(scored[last])
                key = (sum(weight[t] for t in sorted(terms)), -size, -first)
                if best is None or key > best_key:
                    best, best_key = (first, last), key
    if best is None or best[0] != best[1]:
        return best
    lone = best[0]  # widened by the nearer neighbouring unit if one is near enough; ties: the one before
    phrases = [(lone - 1, lone), (lone, lone + 1)]
    fitting = [(a, b) for a, b in phrases if a >= 0 and b < len(own) and words(a, b) <= MAX_LABEL_WORDS]
    return min(fitting, key=lambda span: (words(*span), span[0]), default=best)


def _display_forms(order: Sequence[int], units: Sequence[Sequence[Unit]]) -> dict[tuple[str, ...], str]:
    """For each set of terms, the way most of the theme's notes write it (ties: the medoid's way)."""
    forms: dict[tuple[str, ...], Counter[str]] = {}
    for i in order:
        for unit in units[i]:
            forms.setdefault(unit.terms, Counter())[unit.display] += 1
    return {terms: counter.most_common(1)[0][0] for terms, counter in forms.items()}
