"""The phones' server on a thread and event loop of its own, beside the projector's.

On one event loop, every callback ready to run goes before the next: while two thousand phones
answer at once, each step of a key's way through the projector (the app, the screen, the binding)
waited behind hundreds of answers, and a key took 220-600 ms with answers in flight unbounded
(``bench/load.py --mode burst``). A bound of 100 answers in flight kept keys near 13 ms but held
the store's batches small, and the room to a third of a bare server's throughput. With the server
on its own loop, the projector's loop has nothing ready but its own work: it waits only for its
turn at the interpreter (a few milliseconds), and the server keeps every phone's answer in flight
(each connection has one at a time), so the store's batches stay large.

The server's loop owns the server; the projector's loop owns the workshop. Each reaches the other
through a :class:`~facilitator.live.loop_door.LoopDoor` (see :mod:`facilitator.live.participants`
and :mod:`facilitator.live.trainer_desk`); the server's results and notes are read under its lock.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import TypeVar

from facilitator.live.event_loop import loop_factory
from facilitator.live.loop_door import LoopDoor
from participant.io.server import ParticipantServer

T = TypeVar("T")

STOP_SECONDS = 10.0
"""How long stopping waits for the thread to end."""


class RoomThread:
    """A daemon thread running an event loop (uvloop's when installed) until :meth:`stop`."""

    def __init__(self, name: str = "room") -> None:
        make = loop_factory() or asyncio.new_event_loop
        self.loop = make()
        self.door = LoopDoor(self.loop)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    async def run(self, work: Callable[[], Coroutine[object, object, T]]) -> T:
        """``work()`` run on this thread's loop: its result, or its exception, for a caller on another
        event loop, which goes on meanwhile."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work(), self.loop))

    def stop(self) -> None:
        """Stop the loop and its thread (close the server first, with :meth:`run`)."""
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(STOP_SECONDS)


class ServerThread:
    """A participant server made, started and closed on a :class:`RoomThread` of its own."""

    def __init__(self, room: RoomThread, server: ParticipantServer) -> None:
        self.room = room
        self.server = server
        self.door = room.door
        """The way to the server's loop (for the controller's port and the trainer's desk)."""
        self._closed = False

    @classmethod
    async def start(
        cls,
        make: Callable[[], ParticipantServer],
        host: str,
        port: int,
        urls: Callable[[ParticipantServer], Sequence[str]] = lambda server: (),
    ) -> ServerThread:
        """``make()``'s server listening on ``host``:``port`` (``OSError`` if it cannot), serving its
        page at ``urls(server)`` too (they may name the port it got)."""
        room = RoomThread()

        async def listen() -> ParticipantServer:
            server = make()
            await server.start(host, port)
            server.serve_at(*urls(server))
            return server

        try:
            return cls(room, await room.run(listen))
        except BaseException:
            room.stop()
            raise

    async def close(self) -> None:
        """Close the server on its loop (connections, then listening), then stop the thread; again
        does nothing."""
        if self._closed:
            return
        self._closed = True
        try:
            await self.room.run(self.server.close)
        finally:
            self.room.stop()
