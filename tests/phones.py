"""A phone as tests see it: a websockets client speaking the participant protocol, sending the
``Origin`` a browser on the server's own page would."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from participant.core.wire import ROOM_PREFIX, WS_PATH

TIMEOUT = 5


def page_origin(url: str) -> Origin:
    """The origin of the page served by the server at websocket ``url``: what browsers send."""
    return Origin(f"http://{urlsplit(url).netloc}")


def connect(url: str, **options: Any) -> ws_connect:
    """websockets' ``connect``, as the server's own page would: with its ``Origin``."""
    return ws_connect(url, origin=page_origin(url), **options)


class Phone:
    """One participant's browser: a random device id, a connection, and the messages it received."""

    def __init__(self, url: str, device: str | None = None) -> None:
        self.url = url
        self.device = device or f"phone-{secrets.token_hex(10)}"
        self.connection: ClientConnection | None = None
        self.welcome: dict[str, Any] = {}
        self.news: list[dict[str, Any]] = []  # prompts that arrived while waiting for an ack
        self.breakouts: list[dict[str, Any]] = []  # ``breakout`` news: never a reply, kept aside

    async def join(self) -> Phone:
        self.connection = await connect(self.url)
        self.welcome = await self.request({"type": "hello", "device": self.device})
        return self

    async def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send ``message`` and return the next reply."""
        assert self.connection is not None
        await self.connection.send(json.dumps(message))
        return await self.receive()

    async def receive(self) -> dict[str, Any]:
        """The next message, except ``breakout`` news (sent unasked during a breakout: see
        :meth:`breakout`)."""
        while True:
            message = await self._next()
            if message.get("type") != "breakout":
                return message
            self.breakouts.append(message)

    async def breakout(self) -> dict[str, Any]:
        """The next ``breakout`` message, received already or now (other messages go to ``news``)."""
        while not self.breakouts:
            message = await self._next()
            if message.get("type") == "breakout":
                return message
            self.news.append(message)
        return self.breakouts.pop(0)

    async def _next(self) -> dict[str, Any]:
        assert self.connection is not None
        async with asyncio.timeout(TIMEOUT):
            return json.loads(await self.connection.recv())

    async def answer(
        self, prompt: str, value: dict[str, Any], answer_id: str | None = None
    ) -> dict[str, Any]:
        """Answer ``prompt`` and return the server's reply (an ack, or an error)."""
        answer_id = answer_id or secrets.token_hex(8)
        return await self.call({"type": "answer", "id": answer_id, "prompt": prompt, "value": value})

    async def call(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send a message with an ``id`` and return the reply about it; other news is kept aside."""
        reply = await self.request(message)
        while reply.get("id") != message["id"]:
            self.news.append(reply)
            reply = await self.receive()
        return reply

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()


def ws_url(port: int, code: str) -> str:
    return f"ws://127.0.0.1:{port}{WS_PATH}?s={code}"


def room_url(port: int, room_path: str) -> str:
    """The websocket of a room's notes link, from the link's path ``/r/<token>``."""
    return f"ws://127.0.0.1:{port}{WS_PATH}?r={room_path.removeprefix(ROOM_PREFIX)}"


async def http_get(port: int, path: str) -> tuple[int | None, list[tuple[str, str]], bytes]:
    """A plain HTTP/1.1 GET; the server closes the connection after its response."""
    return await http_request(port, "GET", path)


async def http_request(
    port: int, method: str, path: str, headers: str = "", body: bytes = b""
) -> tuple[int | None, list[tuple[str, str]], bytes]:
    """A raw HTTP/1.1 request (``headers``: more header lines, each ending in CRLF); the status is
    None when the server closed the connection without answering."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode() + body)
    async with asyncio.timeout(TIMEOUT):
        data = await reader.read()
    writer.close()
    await writer.wait_closed()
    if not data:
        return None, [], b""
    head, _, content = data.partition(b"\r\n\r\n")
    status, *lines = head.decode().split("\r\n")
    return int(status.split()[1]), [tuple(line.split(": ", 1)) for line in lines], content


def trainer_ws_url(port: int, remote_url: str) -> str:
    """The websocket of the trainer link, from the remote's URL ``http://.../t/<token>``."""
    return f"ws://127.0.0.1:{port}{WS_PATH}?t={remote_url.rsplit('/', 1)[1]}"


class Trainer:
    """The presenter or the remote as the server sees it: commands out, views and refusals in."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.connection: ClientConnection | None = None
        self.view: dict[str, Any] = {}

    async def join(self) -> Trainer:
        self.connection = await connect(self.url)
        await self.next_view()
        return self

    async def receive(self) -> dict[str, Any]:
        assert self.connection is not None
        async with asyncio.timeout(TIMEOUT):
            message = json.loads(await self.connection.recv())
        if message["type"] == "trainer":
            self.view = message["view"]
        return message

    async def next_view(self) -> dict[str, Any]:
        """The next view the server sends."""
        while (await self.receive())["type"] != "trainer":
            pass
        return self.view

    async def closed(self) -> int | None:
        """Read until the server closes the connection; its close code."""
        try:
            while True:
                await self.receive()
        except ConnectionClosed as closed:
            return None if closed.rcvd is None else closed.rcvd.code

    async def command(self, action: str) -> dict[str, Any]:
        """Send a command; the reply about it (``done`` or ``error``). Views on the way are kept."""
        assert self.connection is not None
        command_id = secrets.token_hex(8)
        await self.connection.send(json.dumps({"type": "command", "id": command_id, "action": action}))
        while (reply := await self.receive()).get("id") != command_id:
            pass
        return reply

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
