"""One text as the grouping reads it: words, acronyms and shorthand spelled out, idioms, synonyms, stems.

Pure functions of a text and the lexicon. Typos are repaired between ``tokens`` and ``units`` (see
spelling.py): that needs the words of the whole breakout, not of one note.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from facilitator.domain.themes.lexicon import LEXICON
from participant.core.text import unformatted

_WORD = re.compile(r"(?:\b[Cc][Oo]-)?[^\W_]+(?:'[^\W_]+)?")  # "co-wrote" is one word


@dataclass(frozen=True)
class Token:
    """One word of a note: ``word`` to compare (casefolded, expanded), ``shown`` for a label."""

    word: str
    shown: str


@dataclass(frozen=True)
class Unit:
    """A word or idiom of a note that carries meaning: its terms, and where it sits among the tokens."""

    display: str
    terms: tuple[str, ...]
    start: int
    end: int


@functools.lru_cache(maxsize=8192)
def tokens(text: str) -> tuple[Token, ...]:
    """Words split on punctuation, casefolded, clitics dropped ("she's" -> she), shorthand expanded.

    Cached: a breakout is grouped again each time a note arrives, mostly from the same texts."""
    text = unformatted(text).replace("’", "'").replace("‘", "'")
    text = re.sub(r"\bw/o\b", " without ", text, flags=re.IGNORECASE)
    text = re.sub(r"\bw/", " with ", text, flags=re.IGNORECASE)
    text = re.sub(r"\bb/c\b", " because ", text, flags=re.IGNORECASE)
    found: list[Token] = []
    for match in _WORD.finditer(text):
        typed = match.group()
        if "'" in typed:
            head, tail = typed.split("'", 1)
            typed = head if tail.casefold() in LEXICON.clitics else head + tail
        word = typed.casefold().replace("-", "")
        if word.isdigit() and len(word) < 3:
            continue
        if word[-1:] == "s" and word not in LEXICON.abbreviations and _is_acronym(word[:-1]):
            word = word[:-1]  # an acronym's plural ("SWs", "ROIs") is the acronym
        if word in LEXICON.abbreviations:
            found.extend(Token(part, word.upper()) for part in LEXICON.abbreviations[word].split())
        elif word in LEXICON.shorthand:
            found.extend(Token(part, part) for part in LEXICON.shorthand[word].split())
        else:
            found.append(
                Token(word, typed if _keeps_case(typed, word, first=not found) else typed.casefold())
            )
    return tuple(found)


def _is_acronym(word: str) -> bool:
    return word in LEXICON.abbreviations or word in LEXICON.acronyms


def _keeps_case(typed: str, word: str, *, first: bool) -> bool:
    """Acronyms ("DHHS", "NGOs") and names ("Thresholds") keep their capitals in a label."""
    if word in LEXICON.stop_words or (word in LEXICON.known and word not in LEXICON.acronyms):
        return False
    capitals = sum(char.isupper() for char in typed)
    return capitals >= 2 or (capitals == 1 and typed[0].isupper() and not first)


@functools.lru_cache(maxsize=8192)
def units(tokens: tuple[Token, ...]) -> tuple[Unit, ...]:
    """Idioms, concepts, stop words and stems: the note's meaningful units, each with its terms."""
    found: list[Unit] = []
    i = 0
    while i < len(tokens):
        for size in LEXICON.idiom_lengths.get(tokens[i].word, ()):
            phrase = tuple(token.word for token in tokens[i : i + size])
            if len(phrase) == size and phrase in LEXICON.idioms:
                found.append(Unit(shown(tokens[i : i + size]), LEXICON.idioms[phrase], i, i + size))
                i += size
                break
        else:
            token = tokens[i]
            if token.word not in LEXICON.stop_words:
                found.append(Unit(token.shown, (term(token.word),), i, i + 1))
            i += 1
    return tuple(found)


def term(word: str) -> str:
    """What a word is compared by: its concept if the lexicon has one, else its stem."""
    return LEXICON.concepts.get(word) or stem(word)


def shown(tokens: Sequence[Token]) -> str:
    """Tokens as a label shows them: an acronym's expanded words appear once, as typed ("MH")."""
    words = [token.shown for token in tokens]
    return " ".join(word for k, word in enumerate(words) if k == 0 or word != words[k - 1])


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light suffix stripper: trusting -> trust, communication/communicates -> communic."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in (("sses", "ss"), ("ies", "y"), ("ied", "y")):
        if word.endswith(suffix):
            word = word[: -len(suffix)] + replacement
            break
    else:
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    for suffix in ("ingly", "edly", "ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and any(vowel in base for vowel in "aeiouy"):
            word = base
            if word.endswith(("at", "bl", "iz", "is")):
                word += "e"
            elif len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    for _ in range(2):
        for suffix in _DERIVATIONAL:
            base = word[: -len(suffix)]
            if word.endswith(suffix) and len(base) >= 4 and not (suffix == "ly" and base.endswith("i")):
                word = base
                break
        else:
            break
    if len(word) > 4 and word[-1] in "eiy":
        word = word[:-1]
    return word


_DERIVATIONAL = (
    "ization", "isation", "ational", "fulness", "iveness", "ousness", "ation", "ition", "ments", "ment",
    "ness", "ality", "ity", "est", "ive", "ful", "ous", "able", "ible", "ance", "ence", "ism", "ist", "ally",
    "ly", "ate", "ize", "ise", "al", "er",
)  # fmt: skip
"""Derivational suffixes, tried in this order (longest of a family first), at most twice."""

ACTOR_TERMS = frozenset(term(word) for word in LEXICON.actors)
"""The terms of words that name who is involved."""
