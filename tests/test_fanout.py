"""One frame for many connections, over real sockets."""

import asyncio

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from participant.io.fanout import broadcast_text

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
