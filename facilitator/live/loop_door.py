"""Calls into code that one event loop owns, from that loop's thread or any other.

The projector and the phones' server run on two threads, each with its own event loop (see
:mod:`facilitator.live.room_thread`): state that one loop owns is changed only on that loop's
thread. A :class:`LoopDoor` is how the other side reaches it: on the owner's thread a call runs at
once, as if there were no door, and from elsewhere it is queued on the owner's loop, in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

ASK_SECONDS = 5.0
"""How long :meth:`LoopDoor.ask` waits for the owner's loop before giving up."""


class LoopDoor:
    """The way into ``loop``'s thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def here(self) -> bool:
        """Whether the caller runs on the owner's loop."""
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False

    def post(self, call: Callable[..., object], *args: object) -> None:
        """Run ``call(*args)`` on the owner's loop: now when already there, else soon (calls posted
        from one thread run in the order posted). Once the loop has closed, nobody is left to do it."""
        if self.here():
            call(*args)
            return
        try:
            self.loop.call_soon_threadsafe(call, *args)
        except RuntimeError:
            log.warning("%s was dropped: its event loop has closed", getattr(call, "__name__", call))

    def ask(self, call: Callable[[], T], timeout: float = ASK_SECONDS) -> T:
        """``call()`` run on the owner's loop, waiting for its result (its exception is raised here).

        From another thread this blocks that thread until the owner's loop gets to it: use it for
        rare calls (a trainer's command), never on the owner's loop itself, where it runs at once.
        """
        if self.here():
            return call()
        done: Future[T] = Future()

        def run() -> None:
            if not done.set_running_or_notify_cancel():
                return
            try:
                done.set_result(call())
            except BaseException as error:  # handed back to the caller, who decides
                done.set_exception(error)

        self.loop.call_soon_threadsafe(run)
        try:
            return done.result(timeout)
        except TimeoutError:
            done.cancel()
            raise
