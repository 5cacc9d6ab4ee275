"""A stand-in for the controller's port to phones and rooms: it records what the controller asked
and lets a test set what phones answered and rooms wrote. For controller tests with no server."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from facilitator.domain.saved_state import SavedState
from participant.core.notes import Note, Timer
from participant.core.tallies import Results
from participant.core.wire import DEFAULT_MIN_RESPONSES


@dataclass
class OpenedBreakout:
    id: str
    title: str
    prompts: tuple[str, ...]
    rooms: int
    timer: Timer | None


@dataclass
class FakeParticipants:
    """What a session's phones and rooms look like to the controller, set by hand."""

    base_url: str = "http://192.168.1.20:8765"
    connected: int = 0
    min_responses: int = DEFAULT_MIN_RESPONSES
    open: str | None = None
    """The open prompt's id."""
    staying: tuple[str, ...] = ()
    """The walls kept open beside it (never the open prompt itself)."""
    paced: tuple[str, int, Timer] | None = None
    """The paced question phones show last: prompt id, question (from 0), its timer."""
    breakout: OpenedBreakout | None = None
    closing: tuple[str, ...] | None = None
    """The prompts shared at the close, once the workshop is over."""
    closing_hidden: dict[str, frozenset[str]] = field(default_factory=dict)
    """The entries the trainer hid, per prompt id, as last passed with the close."""
    answers: dict[str, Results] = field(default_factory=dict)
    """Results by prompt id, as a test sets them."""
    written: dict[str, list[Note]] = field(default_factory=dict)
    """Notes by breakout id, as a test sets them."""
    saved: list[SavedState] = field(default_factory=list)
    report_problem: str | None = None
    """Set it to make writing reports fail with this error."""
    listeners: list[Callable[[], None]] = field(default_factory=list)
    storage_listeners: list[Callable[[str | None], None]] = field(default_factory=list)

    def listen(self, changed: Callable[[], None]) -> None:
        self.listeners.append(changed)

    def listen_storage(self, changed: Callable[[str | None], None]) -> None:
        self.storage_listeners.append(changed)

    def storage(self, problem: str | None) -> None:
        """As the store does when writes start failing (a sentence) or work again (None)."""
        for listener in self.storage_listeners:
            listener(problem)

    def change(self) -> None:
        """As the server does after an answer or a note."""
        for listener in self.listeners:
            listener()

    def open_prompt(self, prompt_id: str, wire: Mapping[str, Any], step: int) -> None:
        self.open = prompt_id

    def close_prompt(self) -> None:
        self.open = None

    def pace(self, prompt_id: str, question: int, timer: Timer) -> None:
        self.paced = (prompt_id, question, timer)

    def keep_open(self, prompts: Mapping[str, Mapping[str, Any]]) -> None:
        self.staying = tuple(prompt_id for prompt_id in prompts if prompt_id != self.open)

    def results(self, prompt_id: str) -> Results | None:
        return self.answers.get(prompt_id)

    def open_breakout(
        self, breakout_id: str, title: str, prompts: Sequence[str], rooms: int, timer: Timer | None
    ) -> None:
        self.breakout = OpenedBreakout(breakout_id, title, tuple(prompts), rooms, timer)

    def close_breakout(self) -> None:
        self.breakout = None

    def show_closing(
        self, shared: Sequence[str] | None, hidden: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        self.closing = None if shared is None else tuple(shared)
        self.closing_hidden = dict(hidden or {})

    def notes(self, breakout_id: str) -> tuple[Note, ...]:
        return tuple(self.written.get(breakout_id, ()))

    def write(
        self, breakout_id: str, room: int, note_id: str, text: str, theme: str = "", prompt: int = 0
    ) -> None:
        """A room adds a note (filed under ``theme``, answering ``prompt``)."""
        note = Note(breakout_id, room, note_id, text, prompt=prompt, theme=theme)
        self.written.setdefault(breakout_id, []).append(note)
        self.change()

    def room_url(self, room: int) -> str:
        return f"{self.base_url}/r/room{room}"

    def report_job(self, state: SavedState) -> Callable[[], list[str]]:
        def write() -> list[str]:
            if self.report_problem:
                raise OSError(self.report_problem)
            return [f"/data/session.{suffix}" for suffix in ("html", "md", "csv", "json")]

        return write

    def save(self, state: SavedState) -> None:
        self.saved.append(state)
