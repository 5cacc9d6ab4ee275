"""The presenter view's end of the trainer link: a websocket client to the running ``facilitate run``.

It reads where the session listens and the trainer token from beside the session
(:mod:`participant.io.trainer_link`) before each connection, so after ``facilitate remote --new``
or a restart of the session it reconnects with what is current. It never decides anything: it
sends commands and hands on the views and refusals the server sends.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Origin

from facilitator.domain.trainer_view import TrainerView
from participant.core.wire import WS_PATH
from participant.io.trainer_link import read_address, trainer_token

RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0)
"""Waits between attempts to reconnect; the last one repeats."""
NOT_RUNNING = "The workshop is not running: start it with facilitate run (reconnecting…)"
REFUSED = "The trainer link was refused: run facilitate remote --new if it was shared (reconnecting…)"
LOST = "Lost the connection to the projector (reconnecting…)"


class TrainerClient:
    """Connects to the session stored at ``session_path`` as its trainer, and keeps connecting."""

    def __init__(self, session_path: Path) -> None:
        self.session_path = session_path
        self._connection: ClientConnection | None = None

    def _target(self) -> tuple[str, Origin] | None:
        """The websocket URL with the current token, and the origin to send; None if the session never ran."""
        address = read_address(self.session_path)
        if address is None:
            return None
        parts = urlsplit(address)
        scheme = "wss" if parts.scheme == "https" else "ws"
        token = trainer_token(self.session_path)
        return f"{scheme}://{parts.netloc}{WS_PATH}?t={quote(token)}", Origin(
            f"{parts.scheme}://{parts.netloc}"
        )

    async def run(
        self,
        on_view: Callable[[TrainerView], None],
        on_refused: Callable[[str], None],
        on_status: Callable[[str | None], None],
    ) -> None:
        """Connect, and reconnect whenever the connection ends, until cancelled. ``on_status`` gets
        None when connected, else what is wrong."""
        attempt = 0
        while True:
            target = await asyncio.to_thread(self._target)
            problem = NOT_RUNNING
            if target is not None:
                try:
                    async with connect(target[0], origin=target[1], open_timeout=5) as connection:
                        self._connection, attempt = connection, 0
                        on_status(None)
                        async for frame in connection:
                            self._receive(frame, on_view, on_refused)
                    problem = LOST
                except InvalidStatus as error:
                    problem = REFUSED if error.response.status_code == 403 else NOT_RUNNING
                except (OSError, InvalidHandshake, ConnectionClosed, TimeoutError):
                    problem = LOST if self._connection is not None else NOT_RUNNING
                finally:
                    self._connection = None
            on_status(problem)
            await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1

    async def send(self, action: str) -> bool:
        """Ask for ``action``; False when not connected (nothing was sent)."""
        connection = self._connection
        if connection is None:
            return False
        message = {"type": "command", "id": secrets.token_hex(8), "action": action}
        try:
            await connection.send(json.dumps(message))
        except ConnectionClosed:
            return False
        return True

    @staticmethod
    def _receive(
        frame: str | bytes, on_view: Callable[[TrainerView], None], on_refused: Callable[[str], None]
    ) -> None:
        try:
            message = json.loads(frame)
            if message.get("type") == "trainer":
                on_view(TrainerView.from_wire(message["view"]))
            elif message.get("type") == "error":
                on_refused(str(message["message"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            on_refused("The projector sent something this presenter does not understand: update facilitate")
