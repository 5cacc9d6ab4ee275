"""The workshop controller's port to phones and rooms, backed by the real participant server and store.

Every call returns at once: prompts and breakouts are changed in memory and broadcast, and the
saved state goes to the store's writer thread, so nothing here waits on the disk.

The server may run on an event loop of its own (``facilitate run`` does, see
:mod:`facilitator.live.room_thread`): the controller's changes are then queued on the server's loop,
in order, and the server's news comes back to the controller's loop, coalesced. Results and notes
are read under the server's lock. A change the server has not made yet is not in what is read: the
server tells when it is (``listen``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from facilitator.domain.saved_state import SavedState
from facilitator.live.loop_door import LoopDoor
from facilitator.live.reports import report_data, write_reports
from participant.core.notes import Note, Timer
from participant.core.tallies import Results
from participant.io.server import ParticipantServer
from participant.io.store import Store, StoreError

log = logging.getLogger(__name__)


class ServerParticipants:
    """:class:`facilitator.domain.workshop.Participants` over a :class:`ParticipantServer` and its store."""

    def __init__(
        self, server: ParticipantServer, store: Store, base_url: str, *, server_door: LoopDoor | None = None
    ) -> None:
        """Made on the controller's event loop. ``server_door``: the way to the server's loop when it
        runs on another thread (None: on this one)."""
        self.server = server
        self.store = store
        self._base_url = base_url
        self._listeners: list[Callable[[], None]] = []
        self._home = LoopDoor(asyncio.get_running_loop())
        self._server_door = server_door or self._home
        self._telling = False
        server.on_change = self._changed

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def connected(self) -> int:
        return self.server.connected

    @property
    def min_responses(self) -> int:
        return self.server.hub.min_responses

    def listen(self, changed: Callable[[], None]) -> None:
        self._listeners.append(changed)

    def listen_storage(self, changed: Callable[[str | None], None]) -> None:
        # The store tells from its writer thread; the controller lives on the event loop.
        loop = asyncio.get_running_loop()

        def told(error: StoreError | None) -> None:
            try:
                loop.call_soon_threadsafe(changed, None if error is None else str(error))
            except RuntimeError:  # the loop has closed: nobody is left to tell
                log.warning("the store's health changed after the projector stopped: %s", error)

        self.store.on_write_health(told)

    def _changed(self) -> None:
        """The server's news. From its own thread, a burst of answers wakes the controller once."""
        if self._home.here():
            self._tell()
        elif not self._telling:
            self._telling = True
            self._home.post(self._tell)

    def _tell(self) -> None:
        self._telling = False  # before the listeners read: news from now on wakes them again
        for listener in self._listeners:
            listener()

    def open_prompt(self, prompt_id: str, wire: Mapping[str, Any], step: int) -> None:
        self._server_door.post(self._open_prompt, prompt_id, wire, step)

    def _open_prompt(self, prompt_id: str, wire: Mapping[str, Any], step: int) -> None:
        current = self.server.hub.current
        if current is None or current.id != prompt_id:
            self.server.open_prompt(prompt_id, wire, step=step)

    def close_prompt(self) -> None:
        self._server_door.post(self.server.close_prompt)

    def keep_open(self, prompts: Mapping[str, Mapping[str, Any]]) -> None:
        self._server_door.post(self.server.keep_open, prompts)

    def pace(self, prompt_id: str, question: int, timer: Timer) -> None:
        self._server_door.post(self.server.pace, prompt_id, question, timer)

    def results(self, prompt_id: str) -> Results | None:
        try:
            return self.server.results(prompt_id)
        except KeyError:  # never opened
            return None

    def open_breakout(
        self, breakout_id: str, title: str, prompts: Sequence[str], rooms: int, timer: Timer | None
    ) -> None:
        self._server_door.post(self.server.open_breakout, breakout_id, title, prompts, rooms, timer)

    def close_breakout(self) -> None:
        self._server_door.post(self.server.close_breakout)

    def show_closing(
        self, shared: Sequence[str] | None, hidden: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        self._server_door.post(self.server.show_closing, shared, hidden)

    def notes(self, breakout_id: str) -> tuple[Note, ...]:
        return self.server.notes(breakout_id)

    def room_url(self, room: int) -> str:
        return f"{self._base_url}{self.server.room_path(room)}"

    def report_job(self, state: SavedState) -> Callable[[], list[str]]:
        store, minimum = self.store, self.min_responses

        def write() -> list[str]:
            data = report_data(store, minimum, state)
            return [str(path) for path in write_reports(data, store.path.parent, store.path.stem)]

        return write

    def save(self, state: SavedState) -> None:
        self.store.save_state(state.to_store()).add_done_callback(_report_failure)


def _report_failure(saved: Future[None]) -> None:
    if saved.exception() is not None:
        log.error("could not save the workshop's state: %s", saved.exception())
