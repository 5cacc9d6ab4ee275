"""The lexicon, ``lexicon.toml``, as typed and frozen tables: read and checked once, on import.

The words are data, kept apart from the rules that use them (normalise.py, spelling.py): a word is
added, or reviewed, without touching code. A malformed file fails on import, naming the table at
fault, rather than quietly grouping notes differently.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Lexicon:
    """The words the grouping knows. What each table is for is said in lexicon.toml."""

    abbreviations: Mapping[str, str]
    """Acronym -> the words it stands for: "mh" -> "mental health"."""
    shorthand: Mapping[str, str]
    """Phone shorthand -> the words it stands for: "thru" -> "through"."""
    idioms: Mapping[tuple[str, ...], tuple[str, ...]]
    """Phrase -> its terms: ("has", "my", "back") -> ("backing",). Includes every acronym's spelled
    out form as one term: ("mental", "health") -> ("mental_health",)."""
    idiom_lengths: Mapping[str, tuple[int, ...]]
    """For each word that starts an idiom, the idioms' lengths, longest first."""
    concepts: Mapping[str, str]
    """Word -> its concept: "laughing" -> "humour"."""
    stop_words: frozenset[str]
    actors: frozenset[str]
    """Words (and acronyms' terms) that name who is involved."""
    acronyms: frozenset[str]
    """Known words that a label writes in capitals."""
    clitics: frozenset[str]
    known: frozenset[str]
    """Words the typo repair never corrects and prefers as corrections."""


def parse(text: str) -> Lexicon:
    """The lexicon in ``text`` (TOML); ``ValueError`` naming the table at fault if malformed."""
    data = tomllib.loads(text)
    abbreviations = _expansions(data, "abbreviations")
    shorthand = _expansions(data, "shorthand")
    idioms = _idioms(data, abbreviations)
    lengths: dict[str, set[int]] = {}
    for idiom in idioms:
        lengths.setdefault(idiom[0], set()).add(len(idiom))
    concepts = _concepts(data)
    expanded = {
        word for expansion in (*abbreviations.values(), *shorthand.values()) for word in expansion.split()
    }
    return Lexicon(
        abbreviations=MappingProxyType(abbreviations),
        shorthand=MappingProxyType(shorthand),
        idioms=MappingProxyType(idioms),
        idiom_lengths=MappingProxyType({word: tuple(sorted(n, reverse=True)) for word, n in lengths.items()}),
        concepts=MappingProxyType(concepts),
        stop_words=frozenset(_words(data.get("stop_words"), "stop_words")),
        actors=frozenset(_words(data.get("actors"), "actors")),
        acronyms=frozenset(_words(data.get("acronyms"), "acronyms")),
        clitics=frozenset(_words(data.get("clitics"), "clitics")),
        known=frozenset(concepts) | {word for idiom in idioms for word in idiom} | expanded,
    )


def _idioms(
    data: Mapping[str, Any], abbreviations: Mapping[str, str]
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Phrase -> terms, from [idioms]; and each acronym's spelled out form -> one term, so that "MH"
    and "mental health" are the same term."""
    idioms: dict[tuple[str, ...], tuple[str, ...]] = {}
    for concept, phrases in _table(data, "idioms").items():
        if not isinstance(phrases, list):
            raise ValueError(f"lexicon.toml: idioms.{concept}: expected a list of phrases")
        for phrase in phrases:
            words = tuple(_words(phrase, f"idioms.{concept}"))
            if len(words) < 2 or words in idioms:
                raise ValueError(f"lexicon.toml: idioms.{concept}: {phrase!r} is one word or listed twice")
            idioms[words] = tuple(concept.split())
    for expansion in abbreviations.values():
        if " " in expansion:
            idioms.setdefault(tuple(expansion.split()), (expansion.replace(" ", "_"),))
    return idioms


def _concepts(data: Mapping[str, Any]) -> dict[str, str]:
    """Word -> concept, from [concepts]; a word listed under two concepts is an error."""
    concepts: dict[str, str] = {}
    for concept, words in _table(data, "concepts").items():
        for word in _words(words, f"concepts.{concept}"):
            if concepts.setdefault(word, concept) != concept:
                raise ValueError(f"lexicon.toml: concepts.{concept}: {word!r} is in {concepts[word]} too")
    return concepts


def _table(data: Mapping[str, Any], name: str) -> dict[str, object]:
    table = data.get(name)
    if not isinstance(table, dict):
        raise ValueError(f"lexicon.toml: [{name}]: expected a table")
    return table


def _words(value: object, where: str) -> list[str]:
    """The words of a string: lower case, separated by white space."""
    if not isinstance(value, str) or not value.split() or value != value.lower():
        raise ValueError(f"lexicon.toml: {where}: expected a string of lower-case words")
    return value.split()


def _expansions(data: Mapping[str, Any], name: str) -> dict[str, str]:
    """A table of word -> the words it stands for, normalised to single spaces."""
    return {short: " ".join(_words(long, f"{name}.{short}")) for short, long in _table(data, name).items()}


LEXICON = parse(files("facilitator.domain.themes").joinpath("lexicon.toml").read_text(encoding="utf-8"))
"""The lexicon the grouping uses."""
