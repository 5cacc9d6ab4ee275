"""Which event loop runs a session: uvloop's when it is installed, else asyncio's own.

``pip install 'facilitate[fast]'`` brings uvloop (not on Windows). The projector and the phones'
server run on it unchanged; it cuts the CPU each phone's message costs (see README, Performance).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's ``new_event_loop`` when uvloop is installed; None (asyncio's default) otherwise."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
