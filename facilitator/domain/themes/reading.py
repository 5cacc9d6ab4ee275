"""A breakout's notes read together: typos repaired against each other, terms weighed across them.

Both the grouping and a single note's label start here, so a note's label is the same whichever
asks, given the same breakout.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from facilitator.domain.themes.normalise import Token, Unit, tokens, units
from facilitator.domain.themes.similarity import weigh
from facilitator.domain.themes.spelling import Speller


@dataclass(frozen=True)
class Reading:
    """The notes of a breakout as read, each list in the order of ``texts``."""

    texts: Sequence[str]
    tokens: Sequence[tuple[Token, ...]]
    """Each note's tokens, typos repaired."""
    units: Sequence[Sequence[Unit]]
    vectors: Sequence[dict[str, float]]
    """Each note's terms, weighed (see ``similarity.weigh``)."""
    prompts: Sequence[tuple[Token, ...]]
    """Each prompt's tokens."""


def read(texts: Sequence[str], prompts: Sequence[str]) -> Reading:
    """Read the notes ``texts`` of one breakout whose rooms discussed ``prompts``.

    The prompts' words count as known to the typo repair, and words common to all of them weigh less.
    """
    typed = [tokens(text) for text in texts]
    prompt_tokens = [tokens(prompt) for prompt in prompts]
    speller = Speller(
        Counter(token.word for note in typed for token in note),
        {token.word for prompt in prompt_tokens for token in prompt},
    )
    corrected = [tuple(speller.correct(token) for token in note) for note in typed]
    note_units = [units(note) for note in corrected]
    prompt_units = [units(prompt) for prompt in prompt_tokens]
    docs = [Counter(term for unit in note for term in unit.terms) for note in note_units]
    vectors = weigh(docs, [{term for unit in prompt for term in unit.terms} for prompt in prompt_units])
    return Reading(texts, corrected, note_units, vectors, prompt_tokens)
