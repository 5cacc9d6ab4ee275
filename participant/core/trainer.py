"""The trainer's link: how the presenter view and the phone remote move the agenda. Pure.

A third kind of client, beside phones (join link) and room note takers (room links): whoever holds
the trainer link (``/t/<token>`` for the remote page, ``/ws?t=<token>`` for its websocket). The
token is random, at least 128 bits (:data:`TOKEN_BYTES`), kept beside the session readable by the
laptop's user only, and changed by ``facilitate remote --new``; a join or room link never acts as
the trainer. The participant side knows no agenda: what a command does and what the trainer sees
are the trainer's side's business, plugged in as a :class:`Desk`.

Trainer to server:

- ``command``: ``{"type": "command", "id": COMMAND_ID, "action": ACTION}``, ``ACTION`` one of
  :data:`ACTIONS`; ``COMMAND_ID`` is made by the client (8 to 64 of ``A-Z a-z 0-9 _ -``).

Server to trainer:

- ``trainer``: ``{"type": "trainer", "view": {...}}``, what the trainer sees now (the desk's
  :meth:`Desk.view`), sent on connecting and after every change.
- ``done``: ``{"type": "done", "id": COMMAND_ID}``, the command was carried out.
- ``error`` (as for phones, see :mod:`participant.core.wire`), with code ``refused`` and the
  trainer's side's sentence (``"Back: already at the first step"``) when the command cannot be done
  now; other codes for a malformed or too frequent message.

A trainer connection may send :data:`COMMAND_RATE` commands a second after a burst of
:data:`COMMAND_BURST`: far above a thumb on a button, far below a flood.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from participant.core.wire import (
    ANSWER_ID_LENGTH,
    ErrorCode,
    ProtocolError,
    decode_frame,
    encode_message,
    is_id,
)

TRAINER_PREFIX = "/t/"
"""The phone remote's page: ``/t/<trainer token>``."""
TOKEN_BYTES = 32
"""Random bytes in a trainer token (256 bits; the link needs at least 128)."""
COMMAND_RATE = 10.0
"""Commands a second one trainer connection may send, sustained."""
COMMAND_BURST = 20.0
"""Commands one trainer connection may send at once."""

ACTIONS = (
    "back",
    "next",
    "toggle_timer",
    "reveal",
    "add_minute",
    "remove_minute",
    "export",
    "show_wall",
    "close_wall",
)
"""What a trainer client may ask for: the projector's keys that move the workshop."""

_UNREADABLE = "The trainer's page sent something the server does not understand: reload it"


class Refused(Exception):
    """A command the trainer's side will not carry out now; the message says why, in words."""


class Desk(Protocol):
    """The trainer's side as the server sees it: it carries out commands and says what to show."""

    def command(self, action: str) -> None:
        """Carry out one of :data:`ACTIONS`; :class:`Refused` with a sentence when it cannot be done."""

    def view(self) -> Mapping[str, Any]:
        """What a trainer client shows now, as JSON-ready data."""


@dataclass(frozen=True)
class Command:
    """A trainer client asks for one of :data:`ACTIONS`."""

    id: str
    action: str


def trainer_path(token: str) -> str:
    """The path of the phone remote's page for ``token``."""
    return f"{TRAINER_PREFIX}{token}"


def parse_command(frame: str | bytes) -> Command:
    """A trainer client's frame as a :class:`Command`; :class:`ProtocolError` for anything else."""
    data = decode_frame(frame)
    command_id = data.get("id")
    if data.get("type") != "command" or not is_id(command_id, ANSWER_ID_LENGTH):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, _UNREADABLE)
    action = data.get("action")
    if action not in ACTIONS:
        raise ProtocolError(
            ErrorCode.BAD_MESSAGE, f"{action!r} is not something the trainer can do", command_id
        )
    return Command(command_id, str(action))


def view_message(view: Mapping[str, Any]) -> str:
    """The ``trainer`` message carrying ``view``."""
    return encode_message({"type": "trainer", "view": dict(view)})


def done_message(command: Command) -> str:
    """The ``done`` message for a carried out command."""
    return encode_message({"type": "done", "id": command.id})
