"""A prompt's results, tallied from the current answers of its respondents. Pure functions.

Each respondent counts once (their latest answer). Passes are counted, never tallied. The
anonymity threshold is part of the result: :attr:`Results.visible` is false while fewer than
``min_responses`` respondents gave a real answer, and the projector then shows only the count.
Texts in a result are participant text, cleaned by :mod:`participant.core.text`: show them as text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from participant.core.wire import (
    DEFAULT_MIN_RESPONSES,
    RATING_SCALE,
    AnswerValue,
    Choice,
    OpenPrompt,
    Pass,
    PromptKind,
    Ratings,
    Text,
    Words,
    prompt_kind,
)


@dataclass(frozen=True)
class RatingResult:
    """One reflection question: how many gave each rating from 1 to 5 (null ratings left out)."""

    question: str
    low: str
    high: str
    counts: tuple[int, ...]

    @property
    def answered(self) -> int:
        """How many rated this question."""
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        """The mean rating, or ``None`` when nobody rated this question."""
        if not self.answered:
            return None
        return sum(rating * count for rating, count in zip(RATING_SCALE, self.counts, strict=True)) / (
            self.answered
        )


@dataclass(frozen=True)
class Results:
    """What the room answered to one prompt.

    ``count`` is the number of respondents, passes included. By kind: ``ratings`` (reflection,
    one per question) and ``texts`` (its comments); ``choices`` (choice: every option in the
    prompt's order with its count); ``words`` (word wall: each word with how many respondents gave
    it, most frequent first; words that differ only in case are one word); ``texts`` (text and
    share, in the order they were last answered).
    """

    prompt_id: str
    kind: PromptKind
    question: str
    count: int
    passes: int
    min_responses: int
    ratings: tuple[RatingResult, ...] = ()
    choices: tuple[tuple[str, int], ...] = ()
    words: tuple[tuple[str, int], ...] = ()
    texts: tuple[str, ...] = ()

    @property
    def answered(self) -> int:
        """Respondents who gave a real answer (not a pass)."""
        return self.count - self.passes

    @property
    def visible(self) -> bool:
        """Whether enough respondents answered for the results to be shown without exposing anyone."""
        return self.answered >= self.min_responses

    def to_wire(self) -> dict[str, Any]:
        """The results as JSON-ready data (for reports)."""
        data: dict[str, Any] = {"count": self.count, "passes": self.passes}
        if self.ratings:
            data["ratings"] = [
                {
                    "question": rating.question,
                    "low": rating.low,
                    "high": rating.high,
                    "counts": dict(zip(map(str, RATING_SCALE), rating.counts, strict=True)),
                    "average": None if rating.average is None else round(rating.average, 2),
                }
                for rating in self.ratings
            ]
        if self.choices:
            data["choices"] = [{"option": option, "count": count} for option, count in self.choices]
        if self.words:
            data["words"] = [{"word": word, "count": count} for word, count in self.words]
        if self.texts:
            data["texts"] = list(self.texts)
        return data


def tally(
    prompt: OpenPrompt, answers: Iterable[AnswerValue], min_responses: int = DEFAULT_MIN_RESPONSES
) -> Results:
    """The results of ``prompt`` from each respondent's current answer, in the order given."""
    answers = list(answers)
    kind = prompt_kind(prompt.wire)
    given = [answer for answer in answers if not isinstance(answer, Pass)]
    results = Results(
        prompt_id=prompt.id,
        kind=kind,
        question=str(prompt.wire.get("question", "")),
        count=len(answers),
        passes=len(answers) - len(given),
        min_responses=min_responses,
    )
    if kind is PromptKind.REFLECTION:
        ratings = [answer for answer in given if isinstance(answer, Ratings)]
        return replace(
            results,
            ratings=rating_results(prompt.wire, ratings),
            texts=tuple(answer.comment for answer in ratings if answer.comment),
        )
    if kind is PromptKind.CHOICE:
        return replace(results, choices=choice_counts(prompt.wire, given))
    if kind is PromptKind.WORDWALL:
        return replace(results, words=word_counts(answer for answer in given if isinstance(answer, Words)))
    return replace(results, texts=tuple(answer.text for answer in given if isinstance(answer, Text)))


def rating_results(wire: Mapping[str, Any], answers: Iterable[Ratings]) -> tuple[RatingResult, ...]:
    """Per reflection question, the 1-5 distribution of the ratings given."""
    questions = list(wire.get("ratings", ()))
    counts = [Counter[int]() for _ in questions]
    for answer in answers:
        for counter, rating in zip(counts, answer.ratings, strict=False):
            if rating is not None:
                counter[rating] += 1
    return tuple(
        RatingResult(
            question=str(question.get("text", "")),
            low=str(question.get("low", "1")),
            high=str(question.get("high", "5")),
            counts=tuple(counter[rating] for rating in RATING_SCALE),
        )
        for question, counter in zip(questions, counts, strict=True)
    )


def choice_counts(wire: Mapping[str, Any], answers: Iterable[AnswerValue]) -> tuple[tuple[str, int], ...]:
    """Every option of the prompt, in its order, with how many chose it."""
    chosen = Counter(answer.option for answer in answers if isinstance(answer, Choice))
    return tuple((str(option), chosen[str(option)]) for option in wire.get("options", ()))


def word_counts(answers: Iterable[Words]) -> tuple[tuple[str, int], ...]:
    """Each word with how many respondents gave it, most frequent first.

    Words are compared case-folded; each is shown in its most common spelling (the first seen on a tie).
    """
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for answer in answers:
        for word in answer.words:
            key = " ".join(word.casefold().split())
            counts[key] += 1
            spellings.setdefault(key, Counter())[word.strip()] += 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple((spellings[key].most_common(1)[0][0], count) for key, count in ordered)
