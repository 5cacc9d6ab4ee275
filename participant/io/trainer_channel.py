"""The server's side of the trainer link: who holds it now, and the connections that use it.

The token comes from a source the server is given (in a running session, the token file beside it,
see :mod:`participant.io.trainer_link`), read off the event loop. It is read again before every
trainer upgrade and every command, and every :data:`WATCH_SECONDS` besides: when it changed
(``facilitate remote --new``), connections opened with the old token are closed, so an old link
neither moves the workshop nor goes on seeing the trainer's view.

Commands go to the :class:`~participant.core.trainer.Desk` the trainer's side plugs in; without
one (a server run by tests of the phones alone) every command is refused.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable, Mapping
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from participant.core.trainer import (
    COMMAND_BURST,
    COMMAND_RATE,
    Desk,
    Refused,
    done_message,
    parse_command,
    view_message,
)
from participant.core.wire import Error, ErrorCode, ProtocolError, TokenBucket, too_fast

log = logging.getLogger(__name__)

WATCH_SECONDS = 0.5
"""How often the token is read again while trainer connections are open."""
REPLACED = "This trainer link was replaced: run facilitate remote again for the new one"
_NO_DESK = "No workshop is running on this laptop"
_SERVER_ERROR = "Something went wrong on the trainer's laptop: try again"


class TrainerChannel:
    """The trainer link of one server: its current token, its desk, and its open connections."""

    def __init__(self, token: Callable[[], str | None], clock: Callable[[], float]) -> None:
        self._source = token
        self._clock = clock
        self._token: str | None = None
        self._connections: dict[ServerConnection, str] = {}
        self._watcher: asyncio.Task[None] | None = None
        self.desk: Desk | None = None
        """The trainer's side: set once the workshop runs (see :meth:`attach`)."""

    def attach(self, desk: Desk) -> None:
        """Plug the trainer's side in: commands go to it, and views come from it."""
        self.desk = desk
        self.changed()

    async def refresh(self) -> str | None:
        """Read the token again (off the loop); connections with an older one are closed."""
        token = await asyncio.to_thread(self._source)
        self._token = token
        for connection, held in list(self._connections.items()):
            if token is None or not hmac.compare_digest(held.encode(), token.encode("utf-8", "replace")):
                del self._connections[connection]
                await connection.close(CloseCode.POLICY_VIOLATION, REPLACED)
        return token

    def accepts(self, given: str) -> bool:
        """Whether ``given`` is the token as last read (call :meth:`refresh` first)."""
        expected = self._token
        if expected is None:
            return False
        return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))

    @property
    def watched(self) -> bool:
        """Whether a trainer connection is open (any thread may ask)."""
        return bool(self._connections)

    def changed(self, view: Mapping[str, Any] | None = None) -> None:
        """What the trainer sees changed: every trainer connection gets ``view`` (by default, the
        desk's view now)."""
        if self.desk is not None and self._connections:
            broadcast(list(self._connections), view_message(self.desk.view() if view is None else view))

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None

    async def serve(self, connection: ServerConnection, token: str) -> None:
        """One trainer connection, from the view on connecting until it closes."""
        self._connections[connection] = token
        if self._watcher is None:
            self._watcher = asyncio.create_task(self._watch())
        budget = TokenBucket(self._clock(), rate=COMMAND_RATE, burst=COMMAND_BURST)
        try:
            if self.desk is not None:
                await connection.send(view_message(self.desk.view()))
            async for frame in connection:
                reply = await self._reply(connection, frame, budget)
                if reply is not None:
                    await connection.send(reply)
        except ConnectionClosed:
            pass
        finally:
            self._connections.pop(connection, None)

    async def _reply(
        self, connection: ServerConnection, frame: str | bytes, budget: TokenBucket
    ) -> str | None:
        """The answer to one frame; None when the connection's link was replaced meanwhile."""
        command_id = None
        try:
            command = parse_command(frame)
            command_id = command.id
            if not budget.take(self._clock()):
                raise too_fast(command_id)
            await self.refresh()  # a replaced link is refused now, not at the next watch
            if connection not in self._connections:
                return None
            if self.desk is None:
                raise ProtocolError(ErrorCode.REFUSED, _NO_DESK, command_id)
            try:
                self.desk.command(command.action)
            except Refused as refusal:
                raise ProtocolError(ErrorCode.REFUSED, str(refusal), command_id) from None
            return done_message(command)
        except ProtocolError as refusal:
            return refusal.to_message().encode()
        except Exception:
            log.exception("could not carry out a trainer command")
            return Error(ErrorCode.SERVER_ERROR, _SERVER_ERROR, command_id).encode()

    async def _watch(self) -> None:
        while self._connections:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                await self.refresh()
            except OSError:
                log.exception("could not read the trainer link's token")
        self._watcher = None
