"""Which filed themes a note being typed resembles: the "Add to <theme>" buttons of the notes page.

The buttons the note resembles come first; when fewer than asked for resemble it, the question's
largest other themes fill the rest, as a tag picker offers its most used tags. Word overlap cannot
see that "I know she'll get it done" is about "reliable", but a room's notes crowd into a few big
themes, so the biggest are the likeliest home of a note that shares no word with any.

It runs on the server for (nearly) every keystroke, so it reads each text once (cached) and weighs
terms over the themes it is given; no pairwise work. Typos are repaired against the lexicon only:
repairing against the breakout's own words would need every note read together at each keystroke.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from facilitator.domain.themes.normalise import ACTOR_TERMS, tokens, units
from facilitator.domain.themes.similarity import Weights
from facilitator.domain.themes.spelling import Speller
from participant.core.notes import FiledTheme

MIN_RESEMBLANCE = 0.02
"""A theme is offered as resembling the note when the note's best cosine with it is at least this
(0..1): sharing a word that means something, not only a word every prompt uses. On the five labelled
sets of bench/report_back.py (suggest_hit_rate_resembling), 0.02 offers the right theme as often as
any lower bar and more often than a higher one: on the tuning set for 92% of notes whose theme
exists, at 0.05 for 91%, at 0.1 for 85%, at 0.2 for 77%. The largest themes then fill the buttons
left (suggest_hit_rate: 95% on the tuning set)."""

_LEXICON_SPELLER = Speller(Counter(), ())


def suggest(
    text: str,
    themes: Sequence[FiledTheme],
    prompts: Sequence[str] = (),
    *,
    limit: int = 3,
    fill: bool = True,
) -> tuple[str, ...]:
    """The labels of at most ``limit`` of ``themes`` that ``text`` resembles, best first.

    Pass the themes filed under the prompt the note answers, by every room of the breakout
    (``participant.core.notes.filed_themes``), and the breakout's ``prompts`` (words common to all
    of them say little): it is a ``participant.core.notes.Suggester``. A theme is its label and its
    notes: it resembles the text as much as the most alike of them (cosine of TF-IDF vectors), so a
    theme just typed, with one note or none, is offered on its label's words. Themes that resemble
    the text equally keep the order given.

    With ``fill``, when fewer than ``limit`` themes resemble the text, the question's largest other
    themes (most notes filed; ties in the order given) fill the buttons left: one tap still files
    a paraphrase that shares no word with its theme. A text without a word that means something
    ("ok", "we", nothing typed yet) gets no suggestion, filled or not: there is no note yet to file,
    and buttons that appear at the first keystroke would only distract.
    """
    query = _terms(text)
    if not query or not themes:
        return ()
    index = _Index.of(tuple(themes), tuple(prompts))
    vector = index.weights.vector(query, ACTOR_TERMS.intersection(query))
    dots: defaultdict[int, float] = defaultdict(float)
    for term, weight in vector.items():
        for member, member_weight in index.postings.get(term, ()):
            dots[member] += weight * member_weight
    best: dict[int, float] = {}
    for member, dot in dots.items():
        theme = index.theme_of[member]
        best[theme] = max(best.get(theme, 0.0), dot)
    resembling = sorted((t for t in best if best[t] >= MIN_RESEMBLANCE), key=lambda t: (-best[t], t))
    ranked = resembling[:limit]
    if fill:
        ranked += [t for t in index.largest if t not in ranked][: limit - len(ranked)]
    return tuple(themes[theme].label for theme in ranked)


@dataclass(frozen=True)
class _Index:
    """The themes' labels and notes as weighed term vectors, by term: built once for a set of
    themes, then every keystroke only looks up the note's terms."""

    weights: Weights
    theme_of: tuple[int, ...]
    """Each member's (label's or note's) theme."""
    postings: dict[str, list[tuple[int, float]]]
    """For each term, the members that use it and its weight in each."""
    largest: tuple[int, ...]
    """The themes, most notes first; ties in the order given."""

    @classmethod
    @functools.lru_cache(maxsize=32)
    def of(cls, themes: tuple[FiledTheme, ...], prompts: tuple[str, ...]) -> _Index:
        members = [
            (k, _terms(member)) for k, theme in enumerate(themes) for member in (theme.label, *theme.texts)
        ]
        weights = Weights.of([terms for _, terms in members], [set(_terms(prompt)) for prompt in prompts])
        postings: dict[str, list[tuple[int, float]]] = {}
        for member, (_, terms) in enumerate(members):
            for term, weight in weights.vector(terms, ACTOR_TERMS.intersection(terms)).items():
                postings.setdefault(term, []).append((member, weight))
        largest = tuple(sorted(range(len(themes)), key=lambda k: (-len(themes[k].texts), k)))
        return cls(weights, tuple(k for k, _ in members), postings, largest)


@functools.lru_cache(maxsize=4096)
def _terms(text: str) -> Counter[str]:
    """The terms of one text, typos repaired against the lexicon. Shared by the cache: never changed."""
    return Counter(
        term
        for unit in units(tuple(_LEXICON_SPELLER.correct(token) for token in tokens(text)))
        for term in unit.terms
    )
