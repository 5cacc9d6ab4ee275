"""Messages written straight to the transport, framed once.

websockets' ``broadcast`` builds and serializes a frame for every connection: with thousands of
phones, opening a prompt spent most of its time there. A server's frames are not masked, and this
server negotiates no extension (``compression=None``), so one serialized frame is right for every
connection and can be written to each transport as it is. A reply (an ack) is written the same way
when the connection can take it at once: ``Connection.send``'s checks, context and drain cost as
much again as the write itself, a sixth of the server's time when 2,000 phones answer at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.protocol import State

_FIN_TEXT = 0x81
"""The first byte of a final text frame (RFC 6455, section 5.2)."""


def _frame(text: str) -> bytes:
    """``text`` as the bytes of one unmasked text frame: the header of ``Frame.serialize``, without
    its checks and buffer, which cost four times the rest (a frame goes out for every answer)."""
    payload = text.encode()
    length = len(payload)
    if length < 126:
        return bytes((_FIN_TEXT, length)) + payload
    if length < 1 << 16:
        return bytes((_FIN_TEXT, 126)) + length.to_bytes(2, "big") + payload
    return bytes((_FIN_TEXT, 127)) + length.to_bytes(8, "big") + payload


def _ready(connection: ServerConnection) -> bool:
    return connection.protocol.state is State.OPEN and connection.send_in_progress is None


def send_now(connection: ServerConnection, text: str) -> bool:
    """Write ``text`` to the connection if it takes it without waiting: open, no message being sent,
    not paused by its write buffer's high-water mark, no extension. False: send it with
    ``await connection.send(text)``, which waits (and so stops reading a client that reads nothing)."""
    if connection.protocol.extensions or connection.paused or not _ready(connection):
        return False
    connection.transport.write(_frame(text))
    return True


def broadcast_text(connections: Iterable[ServerConnection], text: str) -> None:
    """Send ``text`` to every open connection, as websockets' ``broadcast`` does (connections that are
    not open, or are in the middle of a fragmented message, are skipped), serializing it once."""
    frame = _frame(text)
    for connection in connections:
        if connection.protocol.extensions:  # framed differently: let websockets frame it
            broadcast([connection], text)
        elif _ready(connection):
            connection.transport.write(frame)
