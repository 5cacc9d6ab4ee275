"""How alike two notes are: TF-IDF term vectors and the words' first and last letters, by cosine.

The tunables were chosen on the tuning half of tests/fixtures/breakout_notes.json (bench/themes_ari.py).
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections import Counter
from collections.abc import Sequence, Set
from dataclasses import dataclass, field

from facilitator.domain.themes.lexicon import LEXICON
from facilitator.domain.themes.normalise import Token

CHAR_WEIGHT = 0.15
"""Share of the cosine of the words' affixes (``affixes``) in a pair's similarity; the rest is the
term cosine. Chosen with character trigrams on the five first labelled sets of bench/report_back.py
(0.1 and 0.35 traded one set against another), and as good for affixes on all six (0.3: 0.332 fixes
per note, 0.15: 0.320)."""
AFFIX = 5
"""Letters in a word's prefix and suffix (``affixes``)."""
PROMPT_DAMPING = 0.75
"""A term used by every prompt keeps 1 - PROMPT_DAMPING of its weight. A term used by only some of the
prompts keeps all of it: it tells which prompt a note answers, and so which theme it may be in."""
ACTOR_WEIGHT = 0.5
"""Weight of words that name who is involved (agencies, roles, people) relative to what is said, in
suggestions: the theme a note is added to is what it says about a partner (suggest_hit_rate_resembling
on fresh1 0.80, 0.77 without). The grouping weighs them as any word (``weigh``)."""


@dataclass(frozen=True)
class Weights:
    """How much each term of a set of documents weighs: TF-IDF, with the prompts' shared context."""

    df: Counter[str]
    """In how many documents each term is."""
    documents: int
    context: frozenset[str]
    """Terms every prompt uses."""
    idfs: dict[str, float] = field(init=False, repr=False, compare=False)
    """Each term's ``idf``, worked out once for every document weighed against these."""

    @classmethod
    def of(cls, docs: Sequence[Counter[str]], prompt_docs: Sequence[set[str]]) -> Weights:
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(doc.keys())
        return cls(df, len(docs), frozenset(set.intersection(*prompt_docs) if prompt_docs else ()))

    def __post_init__(self) -> None:
        object.__setattr__(self, "idfs", {term: self.idf(term) for term in self.df})

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency."""
        return math.log((self.documents + 1) / (self.df[term] + 1)) + 1.0

    def vector(self, doc: Counter[str], actors: Set[str]) -> dict[str, float]:
        """A unit-length vector: sublinear TF times smoothed IDF; terms common to every prompt
        damped, and the doc's ``actors`` (terms that name who is involved) weighted by ``ACTOR_WEIGHT``."""
        idfs, context = self.idfs, self.context
        terms = sorted(doc)
        weights = []
        for term in terms:
            count = doc[term]
            weight = idfs.get(term) or self.idf(term)
            if count != 1:
                weight *= 1.0 + math.log(count)
            if term in context:
                weight *= 1.0 - PROMPT_DAMPING
            if term in actors:
                weight *= ACTOR_WEIGHT
            weights.append(weight)
        norm = math.sqrt(sum(map(operator.mul, weights, weights)))
        return (
            dict(zip(terms, map(operator.truediv, weights, itertools.repeat(norm)), strict=True))
            if norm
            else {}
        )


def weigh(docs: Sequence[Counter[str]], prompt_docs: Sequence[set[str]]) -> list[dict[str, float]]:
    """Each doc's unit-length vector (``Weights.vector``), weighed over ``docs``; no term damped as
    an actor: grouping notes by who is involved, or not, is left to their words (on the six labelled
    sets of bench/report_back.py, damping actors as suggestions do left 11 more fixes than not)."""
    weights = Weights.of(docs, prompt_docs)
    return [weights.vector(doc, frozenset()) for doc in docs]


def pairwise(
    notes: Sequence[tuple[Token, ...]],
    term_vectors: Sequence[dict[str, float]],
    prompts: Sequence[tuple[Token, ...]],
) -> list[list[float]]:
    """The similarity of every pair of notes, a symmetric matrix (0..1, 0 on the diagonal): the
    cosine of their term vectors blended with the cosine of their words' affixes, which keeps
    near-misses the lexicon does not know close. ``prompts`` are the prompts' tokens, to damp what
    they all share."""
    affix_vectors = weigh([affixes(tokens) for tokens in notes], [set(affixes(prompt)) for prompt in prompts])
    sims = [[0.0] * len(notes) for _ in notes]
    _add_cosines(sims, term_vectors, 1.0 - CHAR_WEIGHT)
    if CHAR_WEIGHT:
        _add_cosines(sims, affix_vectors, CHAR_WEIGHT)
    below = list(zip(*sims, strict=True))  # below[i][j] == sims[j][i]: the lower triangle, read as rows
    return [[*below[i][:i], *sims[i][i:]] for i in range(len(sims))]


@functools.lru_cache(maxsize=8192)
def affixes(tokens: tuple[Token, ...]) -> Counter[str]:
    """The first and the last ``AFFIX`` letters of each content word of three letters or more
    ("p:commu", "s:ation" for "communication").

    Two words that share either are near-misses the lexicon may not know: an inflection or a
    derivation the stemmer missed (communicate/communication), a typo at the other end of the word
    (relationship/relatonship). Where character trigrams met on every common ending ("ing", "ent"),
    affixes rarely meet by chance: on the six labelled sets as few fixes (0.320 a note, trigrams
    0.323) for a tenth of the pairs to add up when 200 notes are compared.

    Cached, as ``normalise.tokens`` is: the same notes are grouped again as others arrive. The
    counts are shared by the cache: never changed."""
    found: Counter[str] = Counter()
    for token in tokens:
        word = token.word
        if len(word) >= 3 and word not in LEXICON.stop_words:
            found["p:" + word[:AFFIX]] += 1
            found["s:" + word[-AFFIX:]] += 1
    return found


def _add_cosines(sims: list[list[float]], vectors: Sequence[dict[str, float]], share: float) -> None:
    """Add ``share`` times every pairwise dot product of unit vectors to ``sims[i][j]`` (i < j).

    Goes through an inverted index, so only pairs that share a term cost anything.
    """
    postings: dict[str, list[tuple[int, float]]] = {}
    for index, vector in enumerate(vectors):
        for term, weight in vector.items():
            postings.setdefault(term, []).append((index, weight))
    for term in sorted(postings):
        posting = postings[term]
        for a in range(len(posting)):
            i, wi = posting[a]
            row, wi = sims[i], share * wi
            for j, wj in posting[a + 1 :]:
                row[j] += wi * wj
