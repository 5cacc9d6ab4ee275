"""The presenter view: the trainer's own screen in a second terminal, beside the projector.

It shows what the room must not see (the presenter notes, the rooms' private links, the answers
before they are revealed) and takes the projector's keys. It decides nothing and holds no workshop:
each key is a command over the trainer link to the running ``facilitate run``, the one place that
decides, and the screen draws the views that process sends back. Closing it leaves the projector
as it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from facilitator.app.widgets.big_clock import BigClock
from facilitator.app.widgets.status_bar import StatusBar
from facilitator.domain.durations import format_countdown
from facilitator.domain.trainer_view import TrainerView

TICK_SECONDS = 0.2
CONNECTING = "Connecting to the projector…"
NOT_CONNECTED = "Not connected to the projector: nothing was sent"
LIVE, OFFLINE = "● live", "○ offline"
"""Whether the presenter is connected to the projector's process, at the end of the top line."""
KEYS = (
    "space start/pause · n next · p back · + - a minute · r reveal/hide · w wall kept open · c close it"
    " · x export · l links · q quit"
)


class TrainerLink(Protocol):
    """The presenter's connection to the running session (see facilitator.live.trainer_client)."""

    async def run(
        self,
        on_view: Callable[[TrainerView], None],
        on_refused: Callable[[str], None],
        on_status: Callable[[str | None], None],
    ) -> None:
        """Stay connected until cancelled, handing on views, refusals and the connection's state."""

    async def send(self, action: str) -> bool:
        """Ask for ``action``; False when it could not be sent."""


def answers_text(view: TrainerView) -> str:
    """Phones joined, answers so far and their private preview, as plain lines."""
    lines = [f"{view.connected} phone{'s' if view.connected != 1 else ''} joined"]
    if view.answered is not None:
        state = "revealed to the room" if view.revealed else "not revealed yet: only you see this"
        lines += [f"{view.answered} answer{'s' if view.answered != 1 else ''} · {state}", *view.preview]
    return "\n".join(lines)


def rooms_text(view: TrainerView) -> str:
    """The current or next breakout's room links, each with its notes so far."""
    if view.rooms_for is None:
        return "No breakout ahead"
    lines = [f"Rooms for {view.rooms_for}"]
    lines += [f"room {room.number} · {room.notes} notes · {room.url}" for room in view.rooms]
    return "\n".join(lines)


class PresenterApp(App[None]):
    """The trainer's view of the running workshop; keys become commands over the trainer link."""

    CSS_PATH = "presenter.tcss"
    ENABLE_COMMAND_PALETTE = False
    TITLE = "facilitate presenter"

    BINDINGS = [
        Binding("space", "command('toggle_timer')", "Start/pause", key_display="space"),
        Binding("n,right", "command('next')", "Next", key_display="n"),
        Binding("p,left", "command('back')", "Back", key_display="p"),
        Binding("plus,equals_sign", "command('add_minute')", "+1 min", key_display="+"),
        Binding("minus,underscore", "command('remove_minute')", "-1 min", key_display="-"),
        Binding("r", "command('reveal')", "Reveal", key_display="r"),
        Binding("x", "command('export')", "Export", key_display="x", show=False),
        Binding("w", "command('show_wall')", "Wall", key_display="w", show=False),
        Binding("c", "command('close_wall')", "Close wall", key_display="c", show=False),
        Binding("l", "links", "Links", key_display="l", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit", key_display="q"),
    ]

    def __init__(self, link: TrainerLink) -> None:
        super().__init__()
        self.link = link
        self.view: TrainerView | None = None
        """The last view the projector's process sent (None until connected)."""
        self._received = 0.0
        self._live = OFFLINE

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Static(CONNECTING, id="connection", markup=False)
        with Horizontal(id="body"):
            with Vertical(id="now"):
                yield Static(id="step", markup=False)
                yield BigClock(id="clock")
                yield Static(id="next", markup=False)
                with VerticalScroll(id="notes"):
                    yield Static(id="notes-text", markup=False)
            with VerticalScroll(id="side"):
                yield Static(id="answers", markup=False)
                yield Static(id="rooms", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._status = self.query_one(StatusBar)
        self._connection = self.query_one("#connection", Static)
        self._step = self.query_one("#step", Static)
        self._clock = self.query_one(BigClock)
        self._next = self.query_one("#next", Static)
        self._notes = self.query_one("#notes-text", Static)
        self._answers = self.query_one("#answers", Static)
        self._rooms = self.query_one("#rooms", Static)
        self.run_worker(self.link.run(self.show, self._refused, self._connected), exclusive=True)
        self.set_interval(TICK_SECONDS, self._tick)

    def show(self, view: TrainerView) -> None:
        """Draw a view the server sent (attributes down)."""
        self.view, self._received = view, time.monotonic()
        self._status.title = view.title
        self._show_summary()
        self._step.update(view.step)
        self._next.update(view.next_line)
        self._notes.update(view.notes or "No presenter notes for this step")
        self._notes.set_class(not view.notes, "-empty")
        self._answers.update(answers_text(view))
        self._rooms.update(rooms_text(view))
        self._tick()

    def _tick(self) -> None:
        view = self.view
        if view is None:
            return
        elapsed = time.monotonic() - self._received if view.running else 0.0
        self._clock.value = format_countdown(view.remaining - elapsed)

    def _show_summary(self) -> None:
        view = self.view
        facts = () if view is None else (f"step {view.index + 1} of {view.steps}", view.phase)
        self._status.summary = (*facts, self._live)

    def _connected(self, problem: str | None) -> None:
        self._connection.update(problem or "")
        self._connection.set_class(problem is not None, "-shown")
        self._live = OFFLINE if problem else LIVE
        self._show_summary()

    def _refused(self, message: str) -> None:
        self.notify(message, severity="warning", timeout=4, markup=False)

    async def action_command(self, action: str) -> None:
        if not await self.link.send(action):
            self._refused(NOT_CONNECTED)

    def action_links(self) -> None:
        self._rooms.scroll_visible(animate=False)

    def action_help(self) -> None:
        self.notify(KEYS, title="Keys", timeout=8, markup=False)


def make_presenter(link: TrainerLink) -> PresenterApp:
    """The one way to build the presenter view, used by the CLI and the tests alike."""
    return PresenterApp(link)
