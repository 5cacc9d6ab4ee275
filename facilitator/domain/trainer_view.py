"""What the trainer sees on the presenter view and the phone remote, and nobody else.

One :class:`TrainerView` is read from the workshop controller after every change and sent over the
trainer link as plain data (:meth:`TrainerView.to_wire`); the presenter reads it back with
:meth:`TrainerView.from_wire`, the remote page reads the same JSON. It holds what the room must not
see: the presenter notes, the rooms' private links, and a preview of the answers before they are
revealed (never under the anonymity threshold: the trainer knows who is in the room).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from facilitator.domain.durations import format_countdown
from facilitator.domain.runner import Phase
from facilitator.domain.workshop import Refused, Workshop
from participant.core.tallies import Results, without_hidden

PREVIEW_ENTRIES = 8
"""Texts or words a preview lists, most frequent or latest first; the rest are counted."""


@dataclass(frozen=True)
class Room:
    """One breakout room as the trainer sees it: its private link and how many notes it wrote."""

    number: int
    url: str
    notes: int


@dataclass(frozen=True)
class TrainerView:
    """The workshop as the trainer sees it at one moment. ``remaining``: seconds left on the step
    when the view was read (negative in overtime); clients count down from it while ``phase`` is
    running."""

    title: str
    index: int
    steps: int
    step: str
    phase: str
    remaining: float
    notes: str = ""
    next_title: str | None = None
    next_minutes: int | None = None
    can_reveal: bool = False
    revealed: bool = False
    connected: int = 0
    answered: int | None = None
    """Respondents to the current step's prompt (passes included); None when it has none."""
    preview: tuple[str, ...] = ()
    rooms_for: str | None = None
    """The breakout the room links are for (the current or next one); None when none is ahead."""
    rooms: tuple[Room, ...] = ()

    @property
    def running(self) -> bool:
        return self.phase == Phase.RUNNING.value

    @property
    def next_line(self) -> str:
        """``Next: Coffee break · 15 min``, or the end of the agenda."""
        if self.next_title is None:
            return "Next: the end of the workshop"
        return f"Next: {self.next_title} · {self.next_minutes} min"

    def to_wire(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "index": self.index,
            "steps": self.steps,
            "step": self.step,
            "phase": self.phase,
            "remaining": round(self.remaining, 1),
            "countdown": format_countdown(self.remaining),
            "notes": self.notes,
            "next": None
            if self.next_title is None
            else {"title": self.next_title, "minutes": self.next_minutes},
            "next_line": self.next_line,
            "can_reveal": self.can_reveal,
            "revealed": self.revealed,
            "connected": self.connected,
            "answered": self.answered,
            "preview": list(self.preview),
            "rooms_for": self.rooms_for,
            "rooms": [{"number": room.number, "url": room.url, "notes": room.notes} for room in self.rooms],
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> TrainerView:
        """A view as sent by :meth:`to_wire`; ``ValueError`` (or ``KeyError``, ``TypeError``) if it is
        not one."""
        upcoming = data["next"]
        return cls(
            title=str(data["title"]),
            index=int(data["index"]),
            steps=int(data["steps"]),
            step=str(data["step"]),
            phase=Phase(data["phase"]).value,
            remaining=float(data["remaining"]),
            notes=str(data["notes"]),
            next_title=None if upcoming is None else str(upcoming["title"]),
            next_minutes=None if upcoming is None else int(upcoming["minutes"]),
            can_reveal=bool(data["can_reveal"]),
            revealed=bool(data["revealed"]),
            connected=int(data["connected"]),
            answered=None if data["answered"] is None else int(data["answered"]),
            preview=tuple(str(line) for line in data["preview"]),
            rooms_for=None if data["rooms_for"] is None else str(data["rooms_for"]),
            rooms=tuple(
                Room(int(room["number"]), str(room["url"]), int(room["notes"])) for room in data["rooms"]
            ),
        )


def trainer_view(workshop: Workshop) -> TrainerView:
    """The trainer's view of ``workshop`` now. Reads only: nothing in the workshop changes."""
    agenda, runner = workshop.agenda, workshop.runner
    finished = runner.phase is Phase.FINISHED
    index = workshop.index
    following = agenda.steps[index + 1] if index + 1 < len(agenda.steps) and not finished else None
    step = runner.step
    results = workshop.results()
    answered = None
    preview: tuple[str, ...] = ()
    if step.prompt is not None and not finished:
        answered = results.results.count if results.results else 0
        if results.results is not None:
            preview = preview_lines(without_hidden(results.results, results.hidden))
    rooms_for, rooms = _rooms(workshop)
    return TrainerView(
        title=agenda.title,
        index=index,
        steps=len(agenda.steps),
        step="Workshop complete" if finished else step.title,
        phase=runner.phase.value,
        remaining=0.0 if finished else runner.remaining(),
        notes="" if finished else step.notes,
        next_title=None if following is None else following.title,
        next_minutes=None if following is None else round(following.duration / 60),
        can_reveal=step.prompt is not None and not finished,
        revealed=results.revealed,
        connected=results.connected,
        answered=answered,
        preview=preview,
        rooms_for=rooms_for,
        rooms=rooms,
    )


def _rooms(workshop: Workshop) -> tuple[str | None, tuple[Room, ...]]:
    """The current or next breakout's title and rooms: links, and notes written while it runs."""
    try:
        links = workshop.room_links()
    except Refused:
        return None, ()
    dashboard = workshop.breakout_dashboard()
    counts = dashboard.notes if dashboard is not None and dashboard.breakout == links.breakout else ()
    rooms = tuple(
        Room(number, url, counts[number - 1] if number <= len(counts) else 0)
        for number, url in enumerate(links.links, 1)
    )
    return links.title, rooms


def preview_lines(results: Results) -> tuple[str, ...]:
    """The answers so far in a few plain lines, revealed or not; only a count under the threshold."""
    counts = f"{results.answered} answered, {results.passes} passed"
    if not results.visible:
        return (counts, f"Results show from {results.min_responses} answers")
    lines = [counts]
    for rating in results.ratings:
        average = "too few ratings" if rating.average is None else f"average {rating.average}"
        lines.append(f"{rating.question}: {average} ({rating.answered} rated)")
    lines.extend(f"{option}: {count}" for option, count in results.choices)
    lines.extend(f"{word} ×{count}" for word, count in results.words[:PREVIEW_ENTRIES])
    lines.extend(f"“{text}”" for text in results.texts[-PREVIEW_ENTRIES:][::-1])
    shown = min(len(results.words), PREVIEW_ENTRIES) + min(len(results.texts), PREVIEW_ENTRIES)
    more = len(results.words) + len(results.texts) - shown
    if more > 0:
        lines.append(f"and {more} more")
    return tuple(lines)
