"""One frame for many connections, over real sockets."""

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.frames import Frame, Opcode

from participant.io.fanout import _frame, broadcast_text, send_now

TIMEOUT = 5


async def test_every_open_connection_gets_the_same_message_and_a_closed_one_is_skipped():
    """The shared frame reads as the text on every phone, non-ASCII and long (16-bit length) alike."""
    joined: list[ServerConnection] = []
    everyone_in = asyncio.Event()

    async def handler(connection: ServerConnection) -> None:
        joined.append(connection)
        if len(joined) == 3:
            everyone_in.set()
        await connection.wait_closed()

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        phones = [await connect(url, compression=None) for _ in range(3)]
        async with asyncio.timeout(TIMEOUT):
            await everyone_in.wait()
            await phones[0].close()
            while joined[0].state.name == "OPEN":
                await asyncio.sleep(0.01)
            text = '{"type": "prompt", "question": "Ça va ?"}' + " " * 300
            broadcast_text(joined, text)
            assert [await phone.recv() for phone in phones[1:]] == [text, text]
        for phone in phones[1:]:
            await phone.close()


async def test_a_reply_is_written_at_once_unless_the_connection_must_wait():
    """``send_now`` writes to an open connection; a paused one (its buffer over the high-water mark,
    a client that reads nothing) or a closed one is left to ``send``, which waits or raises."""
    joined: list[ServerConnection] = []
    one_in = asyncio.Event()

    async def handler(connection: ServerConnection) -> None:
        joined.append(connection)
        one_in.set()
        await connection.wait_closed()

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        phone = await connect(url, compression=None)
        async with asyncio.timeout(TIMEOUT):
            await one_in.wait()
            (connection,) = joined
            assert send_now(connection, '{"type": "ack", "id": "a1"}')
            assert await phone.recv() == '{"type": "ack", "id": "a1"}'
            connection.pause_writing()
            assert not send_now(connection, "waits")
            connection.resume_writing()
            await phone.close()
            while connection.state.name == "OPEN":
                await asyncio.sleep(0.01)
            assert not send_now(connection, "closed")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65_535, 65_536, 70_000])
def test_a_frame_is_the_one_websockets_would_make(size: int) -> None:
    """Each length's header (7-bit, 16-bit, 64-bit), around every boundary, as websockets writes it."""
    text = "a" * size
    assert _frame(text) == Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])
