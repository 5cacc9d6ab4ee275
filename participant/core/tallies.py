"""A prompt's results, tallied from the current answers of its respondents. Pure: no IO.

:func:`tally` counts a list of answers at once; a :class:`RunningTally` keeps the same results
answer by answer, for the live hub.

Each respondent counts once (their latest answer). Passes are counted, never tallied. The
anonymity threshold is part of the result: :attr:`Results.visible` is false while fewer than
``min_responses`` respondents gave a real answer, and the projector then shows only the count.
Texts in a result are participant text, cleaned by :mod:`participant.core.text`: show them as text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from participant.core.text import folded
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

AVERAGE_DECIMALS = 1
"""Every average, on the projector and in every report, is rounded to this many decimals, half up."""


def rounded_average(total: int, count: int) -> float:
    """``total / count`` rounded half up to :data:`AVERAGE_DECIMALS` (4.25 gives 4.3, never 4.2)."""
    exact = Decimal(total) / Decimal(count)
    return float(exact.quantize(Decimal(1).scaleb(-AVERAGE_DECIMALS), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class RatingResult:
    """One reflection question: how many gave each rating from 1 to 5 (null ratings left out).

    A question fewer people rated than the anonymity threshold is ``withheld``: its counts are all
    zero and only ``answered`` may be shown, even when the reflection as a whole has enough answers
    (in a room of three, one skipped question would otherwise expose the other two).
    """

    question: str
    low: str
    high: str
    counts: tuple[int, ...]
    answered: int
    """How many rated this question."""
    withheld: bool = False

    @property
    def average(self) -> float | None:
        """The mean rating (see :func:`rounded_average`), or ``None`` when withheld or nobody rated."""
        if self.withheld or not self.answered:
            return None
        return rounded_average(
            sum(r * c for r, c in zip(RATING_SCALE, self.counts, strict=True)), self.answered
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

    def shareable(self) -> dict[str, Any]:
        """What anyone may see of these results: the counts always, the rest only when ``visible``
        (a withheld reflection question keeps only its count); with the question, for a summary."""
        data: dict[str, Any] = {"prompt": self.prompt_id, "kind": self.kind.value, "question": self.question}
        data.update(self.to_wire() if self.visible else {"count": self.count, "passes": self.passes})
        data["shown"] = self.visible
        return data

    def to_wire(self) -> dict[str, Any]:
        """The results as JSON-ready data (for reports)."""
        data: dict[str, Any] = {"count": self.count, "passes": self.passes}
        if self.ratings:
            data["ratings"] = [_rating_wire(rating) for rating in self.ratings]
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
    given = _Given([answer for answer in answers if not isinstance(answer, Pass)])
    return _results(prompt, len(answers), len(answers) - len(given.answers), min_responses, given)


class _Parts(Protocol):
    """What a prompt's results are made of, by kind; the prompt's data says which parts are asked for."""

    def ratings(self, wire: Mapping[str, Any], min_responses: int) -> tuple[RatingResult, ...]: ...

    def comments(self) -> tuple[str, ...]: ...

    def choices(self, wire: Mapping[str, Any]) -> tuple[tuple[str, int], ...]: ...

    def words(self) -> tuple[tuple[str, int], ...]: ...

    def texts(self) -> tuple[str, ...]: ...


def _results(prompt: OpenPrompt, count: int, passes: int, min_responses: int, parts: _Parts) -> Results:
    kind = prompt_kind(prompt.wire)
    results = Results(
        prompt_id=prompt.id,
        kind=kind,
        question=str(prompt.wire.get("question", "")),
        count=count,
        passes=passes,
        min_responses=min_responses,
    )
    if kind is PromptKind.REFLECTION:
        return replace(results, ratings=parts.ratings(prompt.wire, min_responses), texts=parts.comments())
    if kind is PromptKind.CHOICE:
        return replace(results, choices=parts.choices(prompt.wire))
    if kind is PromptKind.WORDWALL:
        return replace(results, words=parts.words())
    return replace(results, texts=parts.texts())


@dataclass(frozen=True)
class _Given:
    """The parts of :func:`tally`, counted from the real answers (passes left out) in their order."""

    answers: list[AnswerValue]

    def _ratings(self) -> Iterator[Ratings]:
        return (answer for answer in self.answers if isinstance(answer, Ratings))

    def ratings(self, wire: Mapping[str, Any], min_responses: int) -> tuple[RatingResult, ...]:
        return rating_results(wire, self._ratings(), min_responses)

    def comments(self) -> tuple[str, ...]:
        return tuple(answer.comment for answer in self._ratings() if answer.comment)

    def choices(self, wire: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
        return choice_counts(wire, self.answers)

    def words(self) -> tuple[tuple[str, int], ...]:
        return word_counts(answer for answer in self.answers if isinstance(answer, Words))

    def texts(self) -> tuple[str, ...]:
        return tuple(answer.text for answer in self.answers if isinstance(answer, Text))


def rating_results(
    wire: Mapping[str, Any], answers: Iterable[Ratings], min_responses: int = DEFAULT_MIN_RESPONSES
) -> tuple[RatingResult, ...]:
    """Per reflection question, the 1-5 distribution of the ratings given; a question rated by
    fewer than ``min_responses`` is withheld."""
    counts: list[list[int]] = []
    for answer in answers:
        _count_ratings(counts, answer, 1)
    return _rating_table(wire, counts, min_responses)


_RATING_SLOTS = max(RATING_SCALE) + 1
_NO_RATINGS = (0,) * _RATING_SLOTS


def _count_ratings(counts: list[list[int]], answer: Ratings, step: int) -> None:
    """Add ``step`` (1, or -1 to take the answer back) to the count of each rating the answer gives,
    per question: ``counts[question][rating]`` (it grows to as many questions as the answer rates).
    Plain lists, not Counters: this runs twice for every changed rating while a room answers."""
    ratings = answer.ratings
    while len(counts) < len(ratings):
        counts.append([0] * _RATING_SLOTS)
    for row, rating in zip(counts, ratings, strict=False):
        if rating is not None:
            row[rating] += step


def _rating_table(
    wire: Mapping[str, Any], counts: Sequence[Sequence[int]], min_responses: int
) -> tuple[RatingResult, ...]:
    """The reflection's questions with the counts of their ratings (``counts``, in question order)."""
    results = []
    for index, question in enumerate(wire.get("ratings", ())):
        row = counts[index] if index < len(counts) else _NO_RATINGS
        answered = sum(row)
        withheld = answered < min_responses
        results.append(
            RatingResult(
                question=str(question.get("text", "")),
                low=str(question.get("low", "1")),
                high=str(question.get("high", "5")),
                counts=tuple(0 if withheld else row[rating] for rating in RATING_SCALE),
                answered=answered,
                withheld=withheld,
            )
        )
    return tuple(results)


def _rating_wire(rating: RatingResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "question": rating.question,
        "low": rating.low,
        "high": rating.high,
        "answered": rating.answered,
        "shown": not rating.withheld,
    }
    if not rating.withheld:
        data["counts"] = dict(zip(map(str, RATING_SCALE), rating.counts, strict=True))
        data["average"] = rating.average
    return data


def choice_counts(wire: Mapping[str, Any], answers: Iterable[AnswerValue]) -> tuple[tuple[str, int], ...]:
    """Every option of the prompt, in its order, with how many chose it."""
    return _option_counts(wire, Counter(answer.option for answer in answers if isinstance(answer, Choice)))


def _option_counts(wire: Mapping[str, Any], chosen: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple((str(option), chosen[str(option)]) for option in wire.get("options", ()))


def word_counts(answers: Iterable[Words]) -> tuple[tuple[str, int], ...]:
    """Each entry with how many respondents gave it, most frequent first (then first given).

    Entries are compared :func:`~participant.core.text.folded`, so spellings that differ in case,
    spacing, width or invisible characters count together; each is shown as it was first typed.
    """
    counts: Counter[str] = Counter()
    first: dict[str, tuple[tuple[int], str]] = {}
    for answer in answers:
        for key, word in _entries(answer):
            counts[key] += 1
            first.setdefault(key, ((len(first),), word))
    return _most_frequent(counts, first)


def _entries(answer: Words) -> Iterator[tuple[str, str]]:
    """Each entry of a word-wall answer as compared (:func:`~participant.core.text.folded`) and as shown."""
    for word in answer.words:
        yield folded(word), word.strip()


def _most_frequent(
    counts: Mapping[str, int], first: Mapping[str, tuple[tuple[int, ...], str]]
) -> tuple[tuple[str, int], ...]:
    """Each entry (by its folded key) as first given, with its count: most frequent first, then in
    the order first given (``first``: where each entry was first given, and as what)."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], first[item[0]][0]))
    return tuple((first[key][1], count) for key, count in ordered)


Position = tuple[int, int]
"""Where a current answer stands in the order answers are tallied (lowest first), one per answer: the
hub gives the store's sequence number, then the respondent's number among the prompt's respondents."""


class RunningTally:
    """The tally of one prompt kept answer by answer: :meth:`results` equals :func:`tally` of the
    current answers in the order of their :data:`Position`, at a cost per answer added or taken back,
    not per call (the projector asks up to ten times a second while thousands answer).

    Each respondent's current answer is :meth:`add`-ed at its position, and :meth:`remove`-d (with
    the same position and value) when a newer one replaces it. The counts are kept for every kind
    of answer; the prompt given to :meth:`results` picks the parts its kind shows.
    """

    def __init__(self) -> None:
        self.count = 0
        """Respondents, passes included."""
        self.passes = 0
        self._ratings: list[list[int]] = []
        self._comments = _InOrder()
        self._chosen: Counter[str] = Counter()
        self._words: Counter[str] = Counter()
        self._givers: dict[str, dict[Position, tuple[int, str]]] = {}
        """Per entry (folded), each answer that gives it: where in the answer it first comes, as typed."""
        self._first: dict[str, tuple[tuple[int, int, int], str]] = {}
        """Per entry, where it was first given and as what; missing while that must be found again."""
        self._texts = _InOrder()
        self._built: tuple[OpenPrompt, int, Results] | None = None

    def add(self, position: Position, answer: AnswerValue) -> None:
        """Count a respondent's current answer."""
        self._change(position, answer, 1)

    def remove(self, position: Position, answer: AnswerValue) -> None:
        """Take back an answer :meth:`add`-ed at ``position`` (a newer one replaced it)."""
        self._change(position, answer, -1)

    def results(self, prompt: OpenPrompt, min_responses: int = DEFAULT_MIN_RESPONSES) -> Results:
        """The prompt's results, built again only when an answer changed since the last call."""
        if self._built is None or self._built[0] is not prompt or self._built[1] != min_responses:
            results = _results(prompt, self.count, self.passes, min_responses, self)
            self._built = (prompt, min_responses, results)
        return self._built[2]

    def _change(self, position: Position, answer: AnswerValue, step: int) -> None:
        self._built = None
        self.count += step
        if isinstance(answer, Pass):
            self.passes += step
        elif isinstance(answer, Ratings):
            _count_ratings(self._ratings, answer, step)
            if answer.comment:
                self._comments.change(position, answer.comment, step)
        elif isinstance(answer, Choice):
            self._chosen[answer.option] += step
        elif isinstance(answer, Words):
            self._change_words(position, answer, step)
        else:
            self._texts.change(position, answer.text, step)

    def _change_words(self, position: Position, answer: Words, step: int) -> None:
        given: dict[str, tuple[int, str]] = {}
        for index, (key, word) in enumerate(_entries(answer)):
            self._words[key] += step
            given.setdefault(key, (index, word))
            if not self._words[key]:
                del self._words[key]
        for key, (index, word) in given.items():
            givers = self._givers.setdefault(key, {})
            first = self._first.get(key)
            if step > 0:
                givers[position] = (index, word)
                place = (*position, index)
                if len(givers) == 1 or (first is not None and place < first[0]):
                    self._first[key] = (place, word)
                continue
            del givers[position]
            if not givers:
                del self._givers[key]
            if first is not None and first[0][:2] == position:
                del self._first[key]

    # The parts of the results (see _Parts), from the counts kept.

    def ratings(self, wire: Mapping[str, Any], min_responses: int) -> tuple[RatingResult, ...]:
        return _rating_table(wire, self._ratings, min_responses)

    def comments(self) -> tuple[str, ...]:
        return self._comments.texts()

    def choices(self, wire: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
        return _option_counts(wire, self._chosen)

    def words(self) -> tuple[tuple[str, int], ...]:
        for key, givers in self._givers.items():
            if key not in self._first:
                position, (index, word) = min(givers.items())
                self._first[key] = ((*position, index), word)
        return _most_frequent(self._words, self._first)

    def texts(self) -> tuple[str, ...]:
        return self._texts.texts()


class _InOrder:
    """Texts by the position of their answer, listed in that order: sorted only when asked for after
    one came out of order (the store's sequence numbers mostly arrive in order)."""

    def __init__(self) -> None:
        self._texts: dict[Position, str] = {}
        self._sorted = True

    def change(self, position: Position, text: str, step: int) -> None:
        """Add (``step`` 1) or take back (-1) the text at ``position``."""
        if step < 0:
            del self._texts[position]
            return
        if self._texts and position < next(reversed(self._texts)):
            self._sorted = False
        self._texts[position] = text

    def texts(self) -> tuple[str, ...]:
        if not self._sorted:
            self._texts = dict(sorted(self._texts.items()))
            self._sorted = True
        return tuple(self._texts.values())


def without_hidden(results: Results, hidden: Collection[str]) -> Results:
    """``results`` without the entries the trainer hid: text answers (and reflection comments) equal
    to one of ``hidden``, word-wall entries equal to one once :func:`~participant.core.text.folded`.
    Counts stay as they are: a hidden entry leaves the wall, not the tally of who answered."""
    if not hidden:
        return results
    keys = {folded(entry) for entry in hidden}
    return replace(
        results,
        texts=tuple(text for text in results.texts if text not in hidden),
        words=tuple((word, count) for word, count in results.words if folded(word) not in keys),
    )


def entry_hidden(entry: str, hidden: Collection[str], *, word: bool) -> bool:
    """Whether ``entry`` (a word-wall entry when ``word``, else a text) is one of ``hidden``."""
    if word:
        return folded(entry) in {folded(other) for other in hidden}
    return entry in hidden
