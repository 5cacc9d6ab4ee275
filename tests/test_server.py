"""The real server on port 0, driven by websockets clients: the wire contract phones rely on."""

import asyncio
import json
import os
import re
import signal
import sqlite3
import sys
import textwrap
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as websockets_connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from participant.core.wire import (
    CLOSE_ABOVE_BYTES,
    MAX_MESSAGE_BYTES,
    RATE_BURST,
    RATE_PER_SECOND,
    join_path,
    page_limits,
)
from participant.io.server import LIMITS_PLACEHOLDER, PAGE, PAGE_POLICY, ParticipantServer, with_limits
from participant.io.store import create_session, open_session
from tests.phones import connect, http_get, http_request

ROOT = Path(__file__).resolve().parent.parent
CHOICE = {"kind": "choice", "question": "How do you feel?", "options": ["Scared", "Curious", "Fine"]}
TEXT = {"kind": "text", "question": "What went well?"}
REFLECTION = {
    "kind": "reflection",
    "question": "",
    "ratings": [{"text": "Safe?", "low": "No", "high": "Yes"}],
    "scale": [1, 2, 3, 4, 5],
}
WORDWALL = {"kind": "wordwall", "question": "Name the jargon"}
DEVICE = "device-aaaaaaaaaaaaaaaa"
OTHER = "device-bbbbbbbbbbbbbbbb"
TIMEOUT = 5
ACK = {"type": "ack", "id": "answer-01"}


class Changes:
    """The server's on_change callback, awaitable: wait until a condition holds after a change."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        self.event.set()

    async def until(self, condition) -> None:
        async with asyncio.timeout(TIMEOUT):
            while not condition():
                self.event.clear()
                await self.event.wait()


class Time:
    """The server's monotonic clock, moved by hand (for the rate limit)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Room:
    """A running server with its store, and phones that are closed at the end."""

    def __init__(
        self, server: ParticipantServer, changes: Changes, time: Time, stack: AsyncExitStack
    ) -> None:
        self.server = server
        self.changes = changes
        self.time = time
        self.stack = stack

    def url(self, code: str | None = None) -> str:
        return f"ws://127.0.0.1:{self.server.port}/ws?s={self.server.join_code if code is None else code}"

    async def connect(self) -> ClientConnection:
        return await self.stack.enter_async_context(connect(self.url()))

    async def join(self, device: str = DEVICE) -> tuple[ClientConnection, dict]:
        phone = await self.connect()
        welcome = await send(phone, type="hello", device=device)
        assert welcome["type"] == "welcome"
        return phone, welcome

    def rows(self, sql: str = "SELECT prompt_id, value FROM responses ORDER BY seq") -> list[tuple]:
        """What is committed, read through a new connection."""
        connection = sqlite3.connect(self.server.store.path)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()


@pytest.fixture
async def room(tmp_path):
    store = create_session("Workshop", 'title = "Workshop"\n', data_dir=tmp_path)
    changes, time = Changes(), Time()
    server = ParticipantServer(store, on_change=changes, clock=time)
    await server.start("127.0.0.1", 0)
    async with AsyncExitStack() as stack:
        yield Room(server, changes, time, stack)
    await server.close()
    store.close()


async def recv(phone: ClientConnection) -> dict:
    async with asyncio.timeout(TIMEOUT):
        return json.loads(await phone.recv())


async def send(phone: ClientConnection, **message) -> dict:
    await phone.send(json.dumps(message))
    return await recv(phone)


async def answer(phone: ClientConnection, answer_id: str, prompt: str, value: dict) -> dict:
    return await send(phone, type="answer", id=answer_id, prompt=prompt, value=value)


# --- Joining -------------------------------------------------------------------------------------------


async def test_hello_gets_a_welcome(room):
    """A phone says hello and is welcomed with the session title and no open prompt."""
    _, welcome = await room.join()
    assert welcome == {
        "type": "welcome",
        "title": "Workshop",
        "prompt": None,
        "answer": None,
        "closing": None,
        "staying": [],
    }
    await room.changes.until(lambda: room.server.connected == 1)


async def test_a_late_joiner_gets_the_current_prompt(room):
    """A phone that joins after the prompt opened gets it in its welcome."""
    room.server.open_prompt("p1", CHOICE, step=2)
    _, welcome = await room.join()
    assert welcome["prompt"] == {**CHOICE, "id": "p1"}


async def test_joined_phones_hear_prompts_open_and_close(room):
    """Opening and closing a prompt reaches every joined phone."""
    phones = [(await room.join(device))[0] for device in (DEVICE, OTHER)]
    room.server.open_prompt("p1", TEXT)
    for phone in phones:
        opened = {"type": "prompt", "prompt": {**TEXT, "id": "p1"}, "answer": None, "staying": []}
        assert await recv(phone) == opened
    room.server.close_prompt()
    for phone in phones:
        assert await recv(phone) == {"type": "prompt", "prompt": None, "answer": None, "staying": []}


async def test_phones_that_have_not_said_hello_hear_nothing(room):
    """Prompts go only to phones that joined; the first thing a phone reads is its welcome."""
    phone = await room.connect()
    room.server.open_prompt("p1", TEXT)
    welcome = await send(phone, type="hello", device=DEVICE)
    assert welcome["type"] == "welcome"
    assert welcome["prompt"]["id"] == "p1"


async def test_connected_counts_phones_and_drops_when_they_leave(room):
    """The projector's count follows phones joining and leaving, with an on_change each time."""
    phone, _ = await room.join(DEVICE)
    await room.join(OTHER)
    await room.changes.until(lambda: room.server.connected == 2)
    await phone.close()
    await room.changes.until(lambda: room.server.connected == 1)


async def test_a_wrong_session_code_is_refused(room):
    """The websocket refuses a missing or wrong session code with 403."""
    for url in (room.url("wrongcode1"), room.url(""), f"ws://127.0.0.1:{room.server.port}/ws"):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url):
                pass
        assert refused.value.response.status_code == 403
        assert b"scan the QR code" in refused.value.response.body


# --- Answers -------------------------------------------------------------------------------------------


async def test_an_answer_is_acked_once_committed(room):
    """The ack comes after the commit: the row is readable from another connection when it arrives."""
    room.server.open_prompt("p1", CHOICE)
    phone, _ = await room.join()
    assert await answer(phone, "answer-01", "p1", {"option": "Scared"}) == {"type": "ack", "id": "answer-01"}
    assert room.rows() == [("p1", json.dumps({"option": "Scared"}))]
    assert room.server.results("p1").choices == (("Scared", 1), ("Curious", 0), ("Fine", 0))


async def test_the_ack_waits_for_the_commit(room, monkeypatch):
    """While the store has not committed, the phone hears other news but no ack, and nothing counts."""
    room.server.open_prompt("p1", CHOICE)
    phone, _ = await room.join()
    store_it = room.server.store.commit_response
    gate = asyncio.Event()
    called = asyncio.Event()
    held_back: list[asyncio.Task] = []

    def held(response, committed):
        stored = asyncio.get_running_loop().create_future()

        async def store_when_let_go():
            await gate.wait()
            stored.set_result(await store_it(response, committed))

        held_back.append(asyncio.create_task(store_when_let_go()))
        called.set()
        return stored

    monkeypatch.setattr(room.server.store, "commit_response", held)
    await phone.send(
        json.dumps({"type": "answer", "id": "answer-01", "prompt": "p1", "value": {"option": "Fine"}})
    )
    async with asyncio.timeout(TIMEOUT):
        await called.wait()
    room.server.open_prompt("p1", CHOICE)  # news sent while the answer is held
    assert (await recv(phone))["type"] == "prompt"
    assert room.rows() == []
    assert room.server.results("p1").count == 0
    gate.set()
    assert await recv(phone) == {"type": "ack", "id": "answer-01"}
    assert room.rows() == [("p1", json.dumps({"option": "Fine"}))]
    assert room.server.results("p1").count == 1


async def test_a_resend_after_reconnect_gets_the_same_ack_and_no_second_row(room):
    """Exactly once: the same answer id sent again on a new connection is acked and not stored again."""
    room.server.open_prompt("p1", TEXT)
    phone, _ = await room.join()
    assert (await answer(phone, "answer-01", "p1", {"text": "once"}))["type"] == "ack"
    await phone.close()
    again, welcome = await room.join()
    assert welcome["answer"] == {"text": "once"}
    assert await answer(again, "answer-01", "p1", {"text": "once"}) == {"type": "ack", "id": "answer-01"}
    assert room.rows() == [("p1", json.dumps({"text": "once"}))]
    assert room.server.results("p1").texts == ("once",)


async def test_a_resend_while_the_first_is_being_committed_is_stored_once(room):
    """Two copies of one answer in flight at once (two connections) leave one row and one count."""
    room.server.open_prompt("p1", TEXT)
    first, _ = await room.join()
    second, _ = await room.join()
    message = json.dumps({"type": "answer", "id": "answer-01", "prompt": "p1", "value": {"text": "x"}})
    await asyncio.gather(first.send(message), second.send(message))
    assert [await recv(first), await recv(second)] == [{"type": "ack", "id": "answer-01"}] * 2
    assert room.rows() == [("p1", json.dumps({"text": "x"}))]
    assert room.server.results("p1").count == 1


async def test_a_phone_can_change_its_answer(room):
    """A new answer replaces the device's earlier one; the projector counts it once."""
    room.server.open_prompt("p1", CHOICE)
    phone, _ = await room.join()
    await answer(phone, "answer-01", "p1", {"option": "Scared"})
    await answer(phone, "answer-02", "p1", {"option": "Curious"})
    results = room.server.results("p1")
    assert (results.count, dict(results.choices)["Curious"], dict(results.choices)["Scared"]) == (1, 1, 0)
    _, welcome = await room.join()
    assert welcome["answer"] == {"option": "Curious"}


async def test_a_phone_can_pass(room):
    """Pass is acked and counted as a pass."""
    room.server.open_prompt("p1", REFLECTION)
    phone, _ = await room.join()
    assert (await answer(phone, "answer-01", "p1", {"pass": True}))["type"] == "ack"
    assert (room.server.results("p1").count, room.server.results("p1").passes) == (1, 1)


async def test_every_kind_of_answer_is_acked(room):
    """Reflection, choice, text, share and word wall answers are each stored."""
    phone, _ = await room.join()
    cases = [
        (REFLECTION, {"ratings": [4]}),
        (CHOICE, {"option": "Fine"}),
        (TEXT, {"text": "well"}),
        ({"kind": "share", "question": "Share"}, {"text": "one thing"}),
        (WORDWALL, {"words": ["KPI", "synergy"]}),
    ]
    for number, (wire, value) in enumerate(cases):
        room.server.open_prompt(f"p{number}", wire)
        assert (await recv(phone))["type"] == "prompt"
        assert await answer(phone, f"answer-{number:02d}", f"p{number}", value) == {
            "type": "ack",
            "id": f"answer-{number:02d}",
        }
    assert len(room.rows()) == len(cases)


async def test_participant_markup_is_stored_and_tallied_verbatim(room):
    """Text like [bold red]x[/] stays exactly that, on the way in and in the results."""
    room.server.open_prompt("p1", TEXT)
    phone, _ = await room.join()
    await answer(phone, "answer-01", "p1", {"text": "[bold red]x[/] <b>y</b>\x1b[31m"})
    assert room.server.results("p1").texts == ("[bold red]x[/] <b>y</b>[31m",)


async def test_the_projector_is_told_when_an_answer_counts(room):
    """on_change fires once the answer is committed and counted."""
    room.server.open_prompt("p1", TEXT)
    phone, _ = await room.join()
    await phone.send(
        json.dumps({"type": "answer", "id": "answer-01", "prompt": "p1", "value": {"text": "x"}})
    )
    await room.changes.until(lambda: room.server.hub.respondents("p1") == 1)


# --- Refusals -------------------------------------------------------------------------------------------


async def test_too_long_text_is_refused_in_plain_words(room):
    """501 characters of open text get the error the phone shows, with the answer id."""
    room.server.open_prompt("p1", TEXT)
    phone, _ = await room.join()
    assert await answer(phone, "answer-01", "p1", {"text": "a" * 501}) == {
        "type": "error",
        "code": "too_long",
        "message": "That answer is too long: 500 characters at most",
        "id": "answer-01",
    }
    assert room.rows() == []


async def test_an_answer_to_a_closed_prompt_is_refused(room):
    """Once the trainer closes a prompt, answers to it are refused and not stored."""
    room.server.open_prompt("p1", TEXT)
    phone, _ = await room.join()
    room.server.close_prompt()
    assert (await recv(phone))["prompt"] is None
    reply = await answer(phone, "answer-01", "p1", {"text": "late"})
    assert (reply["code"], reply["id"]) == ("closed", "answer-01")
    assert room.rows() == []


async def test_an_answer_before_hello_is_refused(room):
    """A phone must say hello before answering."""
    room.server.open_prompt("p1", TEXT)
    phone = await room.connect()
    reply = await answer(phone, "answer-01", "p1", {"text": "x"})
    assert (reply["code"], reply["id"]) == ("not_joined", "answer-01")


async def test_bad_json_and_binary_frames_are_refused_and_the_connection_stays(room):
    """Unreadable frames get an error; the same phone can then answer normally."""
    room.server.open_prompt("p1", TEXT)
    phone, _ = await room.join()
    await phone.send("{not json")
    assert (await recv(phone))["code"] == "bad_message"
    await phone.send(b"\x00\x01")
    assert (await recv(phone))["code"] == "bad_message"
    assert (await answer(phone, "answer-01", "p1", {"text": "fine"}))["type"] == "ack"


async def test_a_phone_cannot_move_the_agenda(room):
    """Messages of the server's own types, or made-up ones, change nothing."""
    room.server.open_prompt("p1", TEXT)
    phone, _ = await room.join()
    for message in [
        {"type": "prompt", "prompt": {"kind": "text", "id": "p2"}},
        {"type": "open", "prompt": "p2"},
        {"type": "close"},
        {"type": "next"},
    ]:
        assert (await send(phone, **message))["code"] == "bad_message"
    assert room.server.hub.current.id == "p1"


async def test_a_connection_cannot_switch_device(room):
    """A second hello with another device id is refused; the same id again is a fresh welcome."""
    phone, _ = await room.join(DEVICE)
    assert (await send(phone, type="hello", device=OTHER))["code"] == "bad_message"
    assert (await send(phone, type="hello", device=DEVICE))["type"] == "welcome"


async def test_a_large_message_is_refused_and_the_connection_stays(room):
    """A message over MAX_MESSAGE_BYTES gets a too_large error; the phone can go on."""
    room.server.open_prompt("p1", TEXT)
    phone, _ = await room.join()
    reply = await answer(phone, "answer-01", "p1", {"text": "a" * MAX_MESSAGE_BYTES})
    assert reply == {
        "type": "error",
        "code": "too_large",
        "message": "That message is too large: 16 KB at most",
    }
    assert (await answer(phone, "answer-02", "p1", {"text": "short"}))["type"] == "ack"


async def test_an_oversized_frame_closes_only_that_connection(room):
    """A frame over CLOSE_ABOVE_BYTES closes its connection (1009); another phone carries on."""
    room.server.open_prompt("p1", TEXT)
    rude, _ = await room.join(DEVICE)
    polite, _ = await room.join(OTHER)
    await rude.send("x" * (CLOSE_ABOVE_BYTES + 1))
    with pytest.raises(ConnectionClosedError) as closed:
        await recv(rude)
    assert closed.value.rcvd.code == 1009
    assert (await answer(polite, "answer-01", "p1", {"text": "still here"}))["type"] == "ack"
    await room.changes.until(lambda: room.server.connected == 1)


async def test_the_rate_limit_refuses_a_flood_and_refills_with_time(room):
    """After RATE_BURST messages a device is told to slow down; time refills its allowance."""
    room.server.open_prompt("p1", TEXT)
    phone, _ = await room.join()
    for number in range(int(RATE_BURST) - 1):
        assert (await answer(phone, f"answer-{number:02d}", "p1", {"text": str(number)}))["type"] == "ack"
    reply = await answer(phone, "answer-xx", "p1", {"text": "too many"})
    assert reply == {
        "type": "error",
        "code": "too_fast",
        "message": "Too many messages at once: wait a few seconds and try again",
        "id": "answer-xx",
    }
    room.time.now += 1 / RATE_PER_SECOND
    assert (await answer(phone, "answer-xx", "p1", {"text": "later"}))["type"] == "ack"


async def test_the_rate_limit_is_per_device_not_per_connection(room):
    """Once joined, a second connection of a flooding device shares its allowance; others keep theirs."""
    room.server.open_prompt("p1", TEXT)
    phone, _ = await room.join()
    for _ in range(int(RATE_BURST) - 1):
        await send(phone, type="nonsense")
    second = await room.connect()
    assert (await send(second, type="hello", device=DEVICE))["type"] == "welcome"
    reply = await answer(second, "answer-01", "p1", {"text": "x"})
    assert (reply["code"], reply["id"]) == ("too_fast", "answer-01")
    other, _ = await room.join(OTHER)
    assert (await answer(other, "answer-01", "p1", {"text": "fine"}))["type"] == "ack"


# --- HTTP ------------------------------------------------------------------------------------------------


async def test_the_page_is_served_at_the_root_and_the_join_url(room):
    """/ and /j/<code> serve the page as HTML, with one Content-Type."""
    page = with_limits((ROOT / "participant" / "page" / "index.html").read_bytes())
    for path in ("/", room.server.join_path, f"{room.server.join_path}?utm=x"):
        status, headers, body = await http_get(room.server.port, path)
        assert status == 200
        assert body == page
        content_types = [value for name, value in headers if name.lower() == "content-type"]
        assert content_types == ["text/html; charset=utf-8"]
        assert ("Content-Length", str(len(page))) in headers
        assert [name for name, _ in headers].count("Server") == 1


async def test_the_served_page_holds_the_wires_limits_and_the_file_no_copy(room):
    """The script gets the limits the server checks, as ``var LIMITS``; the file only has a placeholder."""
    _, _, body = await http_get(room.server.port, "/")
    limits = json.dumps(page_limits(), separators=(",", ":"))
    assert body.count(f"var LIMITS = {limits};".encode()) == 1
    on_disk = PAGE.read_text(encoding="utf-8")
    script = on_disk[on_disk.index("<script>") : on_disk.index("</script>")]
    assert script.count(LIMITS_PLACEHOLDER.decode()) == 1
    assert re.search(r"\bLIMITS\s*=", script) is None
    for copy in ("[1, 2, 3, 4, 5]", "{16,64}", "= 300", "= 40", "= 5,"):
        assert copy not in script


def test_limits_cannot_end_the_pages_script(monkeypatch):
    """A ``<`` in a limit is escaped, so the JSON can never close the ``<script>`` it is written into."""
    tricky = {"x": "</script><script>alert(1)</script>"}
    monkeypatch.setattr("participant.io.server.page_limits", lambda: tricky)
    page = with_limits(b"<script>/*LIMITS*/</script>")
    assert page.count(b"</script>") == 1
    assert json.loads(page.removeprefix(b"<script>var LIMITS = ").removesuffix(b";</script>")) == tricky


async def test_unknown_paths_and_wrong_join_codes_are_404(room):
    """Anything else is 404, in plain text; a wrong join code says to check the projector."""
    status, _, body = await http_get(room.server.port, join_path("wrongcode1"))
    assert (status, body) == (404, b"No session here: check the address on the projector")
    status, _, _ = await http_get(room.server.port, "/favicon.ico")
    assert status == 404


async def test_healthz_answers_ok(room):
    """/healthz answers 200."""
    assert (await http_get(room.server.port, "/healthz"))[::2] == (200, b"ok")


def header(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name.lower()]


async def test_the_page_carries_its_security_headers(room):
    """The page: a strict Content-Security-Policy, no sniffing, no referrer, not cached."""
    _, headers, _ = await http_get(room.server.port, room.server.join_path)
    assert header(headers, "Content-Security-Policy") == [PAGE_POLICY]
    assert "default-src 'none'" in PAGE_POLICY
    assert "frame-ancestors 'none'" in PAGE_POLICY
    assert header(headers, "X-Content-Type-Options") == ["nosniff"]
    assert header(headers, "Referrer-Policy") == ["no-referrer"]
    assert header(headers, "Cache-Control") == ["no-store"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"])
@pytest.mark.parametrize("path", ["/", "/j/CODE", "/ws?s=CODE", "/healthz"])
async def test_methods_other_than_get_and_head_get_405(room, method, path):
    """Any other method, made-up ones too, gets 405 and ``Allow: GET, HEAD``; never the page."""
    path = path.replace("CODE", room.server.join_code)
    status, headers, body = await http_request(room.server.port, method, path)
    assert (status, body) == (405, b"Only GET and HEAD requests are answered here")
    assert header(headers, "Allow") == ["GET, HEAD"]


async def test_a_request_with_a_body_is_closed_without_an_answer(room):
    """websockets reads no request bodies: a POST with one (or chunked) is closed unanswered before
    the server sees it, so it gets no page either."""
    for headers, body in [
        ("Content-Length: 5\r\n", b"hello"),
        ("Transfer-Encoding: chunked\r\n", b"0\r\n\r\n"),
    ]:
        assert await http_request(room.server.port, "POST", "/", headers, body) == (None, [], b"")


async def test_head_sends_the_headers_of_get_without_the_body(room):
    """HEAD of the page: the same status and headers as GET, Content-Length too, and no body."""
    got = await http_get(room.server.port, "/")
    status, headers, body = await http_request(room.server.port, "HEAD", "/")
    assert (status, body) == (200, b"")
    assert header(headers, "Content-Length") == [str(len(got[2]))]
    assert {name for name, _ in headers} == {name for name, _ in got[1]}
    assert (await http_request(room.server.port, "HEAD", "/nowhere"))[::2] == (404, b"")


async def test_head_of_the_websocket_is_405_for_get_only(room):
    """The websocket opens with GET: HEAD gets 405 with ``Allow: GET`` and no body."""
    status, headers, body = await http_request(room.server.port, "HEAD", f"/ws?s={room.server.join_code}")
    assert (status, header(headers, "Allow"), body) == (405, ["GET"], b"")


# --- Origin ----------------------------------------------------------------------------------------------


async def refused_with(url: str, **options) -> tuple[int, bytes]:
    with pytest.raises(InvalidStatus) as refused:
        async with websockets_connect(url, **options):
            pass
    return refused.value.response.status_code, refused.value.response.body


FOREIGN = b"Only the workshop's own page may connect: open the address shown on the projector"


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"origin": "null"},
        {"origin": "https://evil.example"},
        {"origin": "http://127.0.0.1:1"},
        {"additional_headers": [("Origin", "http://127.0.0.1:PORT"), ("Origin", "https://evil.example")]},
    ],
    ids=["none", "null", "foreign", "another-port", "two"],
)
async def test_a_websocket_from_a_page_the_server_did_not_serve_is_403(room, options):
    """No Origin, ``null``, another site, another port, or two Origins: 403 before the handshake."""
    port = str(room.server.port)
    if "additional_headers" in options:
        options = {
            "additional_headers": [(k, v.replace("PORT", port)) for k, v in options["additional_headers"]]
        }
    assert await refused_with(room.url(), **options) == (403, FOREIGN)


async def test_the_served_origins_may_open_the_websocket(room):
    """This machine on the server's port, and once told, the join URL's and a public URL's origins."""
    port = room.server.port
    local = [f"http://127.0.0.1:{port}", f"http://localhost:{port}", f"http://[::1]:{port}"]
    for origin in local:
        async with websockets_connect(room.url(), origin=origin) as phone:
            assert (await send(phone, type="hello", device=DEVICE))["type"] == "welcome"
    lan, public = "http://192.168.1.20:8765", "https://workshop.example"
    assert await refused_with(room.url(), origin=lan) == (403, FOREIGN)
    room.server.serve_at(f"{lan}/j/{room.server.join_code}", f"{public}/")
    for origin in [lan, public, *local]:
        async with websockets_connect(room.url(), origin=origin) as phone:
            assert (await send(phone, type="hello", device=DEVICE))["type"] == "welcome"
    assert await refused_with(room.url(), origin="https://evil.example") == (403, FOREIGN)


@pytest.mark.parametrize("content", [None, b"<script>var LIMITS = {};</script>"])
async def test_a_missing_page_is_a_plain_503(tmp_path, content):
    """Without the page file, or with one the limits cannot be written into, / says so instead of failing."""
    page = tmp_path / "index.html"
    if content is not None:
        page.write_bytes(content)
    with create_session("W", "", data_dir=tmp_path) as store:
        async with ParticipantServer(store, page=page) as server:
            await server.start("127.0.0.1", 0)
            status, _, body = await http_get(server.port, "/")
    assert (status, body) == (503, b"The page is missing from this installation")


# --- Crash and resume --------------------------------------------------------------------------------------


SERVER_THEN_KILLED = textwrap.dedent(
    """
    import asyncio, sys
    from participant.io.server import ParticipantServer
    from participant.io.store import create_session

    async def main():
        store = create_session("Killed", "", data_dir=sys.argv[1])
        server = ParticipantServer(store)
        await server.start("127.0.0.1", 0)
        server.open_prompt("p1", {"kind": "text", "question": "Q"}, step=1)
        print(server.port, server.join_code, store.path, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


async def test_kill_9_after_the_ack_loses_nothing_and_the_session_resumes(tmp_path):
    """The server process is killed right after an ack; resumed, it has the answer exactly once."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SERVER_THEN_KILLED,
        str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        async with asyncio.timeout(30):
            port, code, path = (await process.stdout.readline()).decode().split()
        async with connect(f"ws://127.0.0.1:{port}/ws?s={code}") as phone:
            await send(phone, type="hello", device=DEVICE)
            assert await answer(phone, "answer-01", "p1", {"text": "kept"}) == {
                "type": "ack",
                "id": "answer-01",
            }
            process.send_signal(signal.SIGKILL)
            async with asyncio.timeout(TIMEOUT):
                assert await process.wait() == -signal.SIGKILL
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    with open_session(Path(path)) as store:
        changes = Changes()
        async with ParticipantServer(store, on_change=changes) as server:
            await server.start("127.0.0.1", 0)
            async with connect(f"ws://127.0.0.1:{server.port}/ws?s={code}") as phone:
                welcome = await send(phone, type="hello", device=DEVICE)
                assert welcome["prompt"]["id"] == "p1"
                assert welcome["answer"] == {"text": "kept"}
                assert await answer(phone, "answer-01", "p1", {"text": "kept"}) == {
                    "type": "ack",
                    "id": "answer-01",
                }
            assert server.results("p1").texts == ("kept",)
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("SELECT COUNT(*) FROM responses").fetchone() == (1,)
    finally:
        connection.close()


async def test_reconnecting_does_not_refill_the_rate_limit(room):
    """A device that leaves and comes back keeps its spent burst: reconnecting is no way round it."""
    phone, _ = await room.join()
    for _ in range(int(RATE_BURST) - 1):
        await send(phone, type="hello", device=DEVICE)
    await phone.close()
    again, _ = await room.join()  # this hello is charged to the new connection's own bucket
    reply = await send(again, type="hello", device=DEVICE)
    assert reply["code"] == "too_fast"
