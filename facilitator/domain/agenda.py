"""The agenda model: what a workshop is made of.

Glossary (each word means one thing everywhere in the code):

- **agenda**: a workshop's plan, a title, an optional clock start time and its steps, in order.
- **step**: one timed part of the agenda (a talk, an activity, a breakout, a break, ...).
- **prompt**: what phones answer during a step (ratings, a choice, open text, a word wall,
  "share one thing"). Only some kinds of step have one.
- **response**: one phone's answer to a prompt.
- **breakout**: a step where the room splits into **rooms**; each room's facilitator writes
  **notes** about the step's discussion prompts.
- **theme**: a group of notes from several rooms that say the same thing.
- **report-back**: the step where the room hears what came out of the breakout.
- **session**: one run of an agenda, with its responses and notes, stored on the trainer's laptop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from participant.core.wire import RATING_SCALE


class StepKind(StrEnum):
    """The kinds of step an agenda file may use (the ``kind`` field)."""

    TALK = "talk"
    ACTIVITY = "activity"
    BREAKOUT = "breakout"
    REFLECTION = "reflection"
    CHOICE = "choice"
    TEXT = "text"
    WORDWALL = "wordwall"
    BREAK = "break"
    REPORTBACK = "reportback"
    SHARE = "share"

    @property
    def has_prompt(self) -> bool:
        """Whether phones answer something during a step of this kind."""
        return self in _PROMPT_KINDS


_PROMPT_KINDS = frozenset(
    {StepKind.REFLECTION, StepKind.CHOICE, StepKind.TEXT, StepKind.WORDWALL, StepKind.SHARE}
)

DEFAULT_SHARE_QUESTION = "Share one thing you learned or will try when you leave here"
DEFAULT_COMMENT_LABEL = "Anything you want to add? (optional)"


def step_id(index: int) -> str:
    """The id of the step at ``index`` in a session, for its prompt and its breakout: ``step-3``.

    Stable across runs of the same agenda, so a resumed or reported session finds its answers."""
    return f"step-{index + 1}"


@dataclass(frozen=True)
class RatingQuestion:
    """One 1-5 rating in a reflection, with the words at each end of the scale."""

    text: str
    low: str = "1"
    high: str = "5"


@dataclass(frozen=True)
class Prompt:
    """What phones answer during a step. Handed to the participant side as plain data. ``pace``:
    a reflection shows its questions one at a time, this many seconds each. ``stay_open``: a text
    or word wall stays answerable through the later steps, until the trainer closes it."""

    kind: StepKind
    question: str = ""
    options: tuple[str, ...] = ()
    ratings: tuple[RatingQuestion, ...] = ()
    comment: str | None = None
    pace: int | None = None
    stay_open: bool = False

    def to_wire(self) -> dict[str, object]:
        """The prompt as JSON-ready data; the participant side never sees these classes."""
        data: dict[str, object] = {"kind": self.kind.value, "question": self.question}
        if self.options:
            data["options"] = list(self.options)
        if self.ratings:
            data["ratings"] = [
                {"text": rating.text, "low": rating.low, "high": rating.high} for rating in self.ratings
            ]
            data["scale"] = list(RATING_SCALE)
        if self.comment is not None:
            data["comment"] = self.comment
        if self.pace is not None:
            data["pace"] = self.pace
        return data


@dataclass(frozen=True)
class Breakout:
    """How a breakout step splits the room, and what the rooms discuss and take notes on."""

    rooms: int
    prompts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One timed part of the agenda. ``duration`` is in seconds. ``notes`` are the trainer's own
    (cues, timings, what to say): only the presenter view and the remote show them, never the room."""

    title: str
    kind: StepKind
    duration: int
    instructions: str = ""
    locked: bool = False
    prompt: Prompt | None = None
    breakout: Breakout | None = None
    notes: str = ""


@dataclass(frozen=True)
class Agenda:
    """A workshop's plan. ``start`` is the planned clock time of the first step, if the agenda has one;
    ``place`` where it is held, for the report; ``share_results``: after the last step, phones show
    the room's revealed results."""

    title: str
    steps: tuple[Step, ...]
    start: time | None = None
    place: str | None = None
    share_results: bool = True
    planned_offsets: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        offsets, total = [], 0
        for step in self.steps:
            offsets.append(total)
            total += step.duration
        object.__setattr__(self, "planned_offsets", tuple(offsets))

    @property
    def total_duration(self) -> int:
        """Planned length of the whole workshop, in seconds."""
        return sum(step.duration for step in self.steps)

    def breakout_for(self, index: int) -> int | None:
        """The breakout step that step ``index`` belongs to: itself if it is a breakout; for a
        report-back, the nearest breakout before it (its rooms still write notes); else None."""
        kind = self.steps[index].kind
        if kind is StepKind.BREAKOUT:
            return index
        if kind is StepKind.REPORTBACK:
            return next(
                (i for i in range(index - 1, -1, -1) if self.steps[i].kind is StepKind.BREAKOUT), None
            )
        return None

    def reported_breakouts(self, index: int) -> tuple[int, ...]:
        """The breakouts a report-back at step ``index`` reports: every breakout since the previous
        report-back, in order."""
        earlier = []
        for i in range(index - 1, -1, -1):
            if self.steps[i].kind is StepKind.REPORTBACK:
                break
            if self.steps[i].kind is StepKind.BREAKOUT:
                earlier.append(i)
        return tuple(reversed(earlier))

    def next_breakout(self, index: int) -> int | None:
        """The breakout step ``index`` belongs to, or else the next breakout after it."""
        current = self.breakout_for(index)
        if current is not None:
            return current
        return next(
            (i for i in range(index + 1, len(self.steps)) if self.steps[i].kind is StepKind.BREAKOUT), None
        )
