"""Full garbage collections kept off the event loop while a room answers.

A full collection walks every object the collector tracks. With a room of phones connected that is
hundreds of thousands of objects (each connection's websocket, buffers, budgets and hub entries): 170
to 520 ms with the event loop stopped, measured with ``bench/load.py``, and it came in the middle of
a burst of answers. These objects live as long as the phones stay, so there is no point walking them:
once joins have settled, :func:`gc.freeze` moves everything alive to a permanent generation that
collections skip. Answers keep coming meanwhile; what they leave behind is young and cheap to collect.

The cost: a reference cycle that becomes garbage after it was frozen (a phone that leaves) is kept
until the process ends. Objects without cycles are freed as ever, by their reference counts.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

SETTLED_SECONDS = 1.0
"""How long the number of connected phones must hold still before what joined is frozen."""
YOUNG_THRESHOLD = 20_000
"""Allocations between two young collections (Python's default is 700). Each answer in flight keeps
a handler's coroutine, futures and frames alive, and each young collection walks them all: 15,000 to
30,000 objects, 20-40 ms each, with 2,000 phones answering at once. Measured with ``bench/load.py``:
a burst of 20,000 answers spent 710 ms of CPU in collections at 700 (for half as many answers),
210-225 ms in 10 to 13 collections at 5,000, and 13-17 ms in one at 20,000 (the count falls as old
objects are freed, so it is reached far less often than 4 times less); 10,000 phones answering
within 10 s: 3 collections, 191 ms, against 15 and 288 ms at 5,000, send to ack p99 66 ms either way.
50,000 saved no more and let one collection grow to 178 ms at 10,000 phones."""


class Settling:
    """Decides when to freeze, from the number of connected phones sampled every ``SETTLED_SECONDS``:
    when it changed since the last freeze and then held still for a whole period."""

    def __init__(self, connected: int) -> None:
        self._frozen = self._last = connected

    def settled(self, connected: int) -> bool:
        """Whether to freeze now, given the number connected now."""
        settled = connected == self._last != self._frozen
        self._last = connected
        if settled:
            self._frozen = connected
        return settled


async def freeze_when_settled(connected: Callable[[], int], every: float = SETTLED_SECONDS) -> None:
    """Collect young objects less often (:data:`YOUNG_THRESHOLD`), and freeze what is alive now (the
    app, the agenda, the session), then again each time joins settle.

    Runs until cancelled. A young collection first, so the garbage the joins left is not frozen.
    """
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    gc.freeze()
    settling = Settling(connected())
    while True:
        await asyncio.sleep(every)
        if settling.settled(connected()):
            gc.collect(1)
            gc.freeze()
