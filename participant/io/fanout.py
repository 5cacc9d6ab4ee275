"""One message to many connections, framed once.

websockets' ``broadcast`` builds and serializes a frame for every connection: with thousands of
phones, opening a prompt spent most of its time there. A server's frames are not masked, and this
server negotiates no extension (``compression=None``), so one serialized frame is right for every
connection and can be written to each transport as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.frames import Frame, Opcode
from websockets.protocol import State


def broadcast_text(connections: Iterable[ServerConnection], text: str) -> None:
    """Send ``text`` to every open connection, as websockets' ``broadcast`` does (connections that are
    not open, or are in the middle of a fragmented message, are skipped), serializing it once."""
    frame = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])
    for connection in connections:
        if connection.protocol.extensions:  # framed differently: let websockets frame it
            broadcast([connection], text)
        elif connection.protocol.state is State.OPEN and connection.send_in_progress is None:
            connection.transport.write(frame)
