"""The trainer link's commands, carried out by the workshop controller: the presenter view and the
phone remote move the workshop through the same methods as the projector's keys.

The participant server knows no workshop: it hands each command to a
:class:`~participant.core.trainer.Desk` and sends the trainer clients what the desk's view says.
:class:`WorkshopDesk` is that desk. It tells the server when the view changed, at once after an
action (so both screens stay in step within a frame) and at most ten times a second for answers.
The server may call it from its own thread (see :mod:`facilitator.live.room_thread`): commands and
views then run on the workshop's loop, and the server's thread waits for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from facilitator.domain.runner import Phase
from facilitator.domain.trainer_view import trainer_view
from facilitator.domain.workshop import AnswersChanged, Event, Refused, Workshop
from facilitator.live.loop_door import LoopDoor
from participant.core import trainer
from participant.io.trainer_channel import TrainerChannel

ANSWERS_SECONDS = 0.1
"""Answers coming fast reach the trainer's view at most this often."""


class WorkshopDesk:
    """:class:`~participant.core.trainer.Desk` over a :class:`Workshop`, plugged into the server's
    trainer ``channel``; made on the workshop's event loop. ``export`` starts writing the reports, as
    the projector's ``x`` does. ``server_door``: the way to the server's loop when it runs on
    another thread (None: on this one)."""

    def __init__(
        self,
        workshop: Workshop,
        channel: TrainerChannel,
        *,
        export: Callable[[], None],
        server_door: LoopDoor | None = None,
    ) -> None:
        self.workshop = workshop
        self._channel = channel
        self._home = LoopDoor(asyncio.get_running_loop())
        self._server_door = server_door or self._home
        self._pending: asyncio.Handle | None = None
        self._actions: dict[str, Callable[[], object]] = {
            "back": workshop.back,
            "next": workshop.next,
            "toggle_timer": workshop.toggle_timer,
            "reveal": workshop.reveal,
            "add_minute": workshop.add_minute,
            "remove_minute": workshop.remove_minute,
            "export": export,
            "show_wall": workshop.show_wall,
            "close_wall": workshop.close_wall,
        }
        self._unsubscribe: Callable[[], None] | None = workshop.subscribe(self._on_event)
        self._server_door.post(channel.attach, self)

    def close(self) -> None:
        """Stop following the workshop (once is enough; again does nothing)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def command(self, action: str) -> None:
        """Carry out ``action``; a refusal names the button: ``Back: already at the first step``."""
        self._home.ask(lambda: self._command(action))

    def _command(self, action: str) -> None:
        name = self._button(action)
        try:
            self._actions[action]()
        except Refused as refusal:
            reason = str(refusal)
            raise trainer.Refused(f"{name}: {reason[:1].lower()}{reason[1:]}") from None

    def view(self) -> Mapping[str, Any]:
        return self._home.ask(lambda: trainer_view(self.workshop).to_wire())

    def _button(self, action: str) -> str:
        """The remote's button for ``action`` as it reads now."""
        workshop = self.workshop
        if action == "toggle_timer":
            return "Pause" if workshop.runner.phase is Phase.RUNNING else "Start"
        if action == "reveal":
            return "Hide" if workshop.results().revealed else "Reveal"
        names = {
            "back": "Back",
            "next": "Next",
            "add_minute": "+1 min",
            "remove_minute": "-1 min",
            "show_wall": "Wall",
            "close_wall": "Close wall",
        }
        return names.get(action, "Export")

    def _on_event(self, event: Event) -> None:
        if self._pending is not None and not isinstance(event, AnswersChanged):
            self._pending.cancel()
            self._pending = None
        if self._pending is None:
            loop = asyncio.get_running_loop()
            delay = ANSWERS_SECONDS if isinstance(event, AnswersChanged) else 0.0
            # One view per action however many events it made; answers wait for the next tenth.
            self._pending = loop.call_later(delay, self._tell)

    def _tell(self) -> None:
        self._pending = None
        if self._channel.watched:  # the view is worked out here, on the workshop's loop
            self._server_door.post(self._channel.changed, self.view())
