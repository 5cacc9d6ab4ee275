"""Typo repair: the one-edit slips a thumb makes on a phone, corrected against the words around them.

A word is corrected to a lexicon word, else to a word the same breakout types more often (a name
typed right five times and wrong once). Only slips a thumb makes count: a missing, doubled or
swapped letter, or a neighbouring key ("respwct" is respect; "shared" is not scared).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable

from facilitator.domain.themes.lexicon import LEXICON
from facilitator.domain.themes.normalise import Token


class Speller:
    """Corrects one-edit typos: to a lexicon word, else to a more frequent word of the same notes."""

    def __init__(self, counts: Counter[str], extra_known: Iterable[str]) -> None:
        self._counts = counts
        self._known = LEXICON.known | set(extra_known)
        self._index = _index(
            ({word for word in self._known - LEXICON.known if len(word) >= 4} - LEXICON.stop_words)
            | {word for word in counts if len(word) >= 6 and word not in LEXICON.stop_words}
        )
        self._corrections: dict[str, str | None] = {}  # a word's correction, once worked out

    def correct(self, token: Token) -> Token:
        """The token with its word corrected (and shown corrected), or the token itself."""
        word = token.word
        if len(word) < 5 or word in self._known or word in LEXICON.stop_words or not word.isalpha():
            return token
        if word not in self._corrections:
            if len(self._corrections) >= _MEMO:
                self._corrections.clear()  # a speller that lives long (suggestions') stays small
            self._corrections[word] = self._correction(word)
        corrected = self._corrections[word]
        return token if corrected is None else Token(corrected, corrected)

    def _correction(self, word: str) -> str | None:
        own = self._counts[word]
        found = {
            candidate
            for key in _deletions(word)
            for index in (_LEXICON_INDEX, self._index)
            for candidate in index.get(key, ())
            if candidate != word and within_one_edit(word, candidate) and _plausible_typo(word, candidate)
        }
        ranked = sorted(
            (c for c in found if c in self._known or self._counts[c] > own),
            key=lambda c: (c not in self._known, -self._counts[c], c),
        )
        return ranked[0] if ranked else None


_MEMO = 16384
"""At most this many words' corrections are remembered."""


def _index(words: Iterable[str]) -> dict[str, list[str]]:
    """Candidates by deletion key: a word one edit from a candidate shares one of its keys."""
    index: dict[str, list[str]] = {}
    for word in words:
        for key in _deletions(word):
            index.setdefault(key, []).append(word)
    return index


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one letter inserted, deleted, replaced, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    )


@functools.lru_cache(maxsize=16384)
def _deletions(word: str) -> frozenset[str]:
    """The word and the word with each one letter deleted: two words one edit apart share one."""
    return frozenset({word, *(word[:i] + word[i + 1 :] for i in range(len(word)))})


def _plausible_typo(typed: str, meant: str) -> bool:
    """Whether a thumb would make ``typed`` from ``meant``; the caller knows they are one edit apart.

    A letter more or less at the end is morphology ("office"/"officer"), not a typo. A replaced
    letter must be a neighbouring key ("respwct"), else it is another word ("shared"/"scared").
    """
    if typed[:-1] == meant or meant[:-1] == typed:
        return False
    if len(typed) != len(meant):
        return True
    diffs = [i for i in range(len(typed)) if typed[i] != meant[i]]
    if len(diffs) == 2:  # two neighbours swapped
        return True
    return meant[diffs[0]] in _NEIGHBOUR_KEYS.get(typed[diffs[0]], "")


def _neighbour_keys() -> dict[str, str]:
    """Each letter's neighbours on a QWERTY keyboard, rows offset by half a key."""
    rows = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    place = {key: (row, col + 0.5 * row) for row, keys in enumerate(rows) for col, key in enumerate(keys)}
    return {
        key: "".join(
            other
            for other, (row2, x2) in place.items()
            if other != key and abs(row - row2) <= 1 and abs(x - x2) <= 1.0
        )
        for key, (row, x) in place.items()
    }


_NEIGHBOUR_KEYS = _neighbour_keys()
_LEXICON_INDEX = _index({word for word in LEXICON.known if len(word) >= 4} - LEXICON.stop_words)
"""The lexicon's words as candidates, indexed once rather than for every breakout."""
