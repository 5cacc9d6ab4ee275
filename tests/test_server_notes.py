"""Breakout room links on the real server (port 0, websockets clients): who may write which notes,
two devices on one link, the edit race, and durability before the ack."""

import asyncio
import sqlite3
from contextlib import AsyncExitStack

import pytest
from websockets.asyncio.client import connect as websockets_connect
from websockets.exceptions import InvalidStatus

from facilitator.domain.themes import suggest
from participant.core.budgets import Limits
from participant.core.notes import Timer
from participant.core.wire import RATE_BURST, ROOM_PREFIX, ROOM_TOKEN_LENGTH
from participant.io.server import ParticipantServer
from participant.io.store import create_session, open_session
from tests.phones import Phone, connect, http_get, room_url, ws_url

PROMPTS = ["Why do you work well together?", "What is your relationship like?"]


@pytest.fixture
async def server(tmp_path):
    store = create_session("Workshop", 'title = "Workshop"\n', data_dir=tmp_path)
    server = ParticipantServer(store)
    await server.start("127.0.0.1", 0)
    server.open_breakout("step-2", "Why we work well together", PROMPTS, 4, Timer(900, running=True))
    yield server
    await server.close()
    store.close()


@pytest.fixture
async def stack():
    async with AsyncExitStack() as stack:
        yield stack


async def room_device(server, stack, room, device=None) -> Phone:
    phone = await Phone(room_url(server.port, server.room_path(room)), device).join()
    stack.push_async_callback(phone.close)
    return phone


def note(note_id, text, kind="note_add", **fields):
    return {"type": kind, "id": note_id, "text": text, **fields}


async def test_a_room_link_sees_its_breakout_prompts_and_time(server, stack):
    """Joining by a room link shows the room number, the prompts and the time left."""
    device = await room_device(server, stack, 3)
    assert device.welcome == {
        "type": "room",
        "room": 3,
        "breakout": {"id": "step-2", "title": "Why we work well together", "prompts": PROMPTS, "rooms": 4},
        "notes": [],
        "themes": [],
        "timer": {"remaining": 900, "running": True},
    }


async def test_notes_are_acked_after_commit_and_reach_every_device_of_the_room(server, stack):
    """An added note is on disk when acked, and both devices on the link see it; other rooms do not."""
    first = await room_device(server, stack, 1)
    second = await room_device(server, stack, 1)
    other = await room_device(server, stack, 2)
    assert await first.call(note("note-0001", "Trust, built over years")) == {
        "type": "ack",
        "id": "note-0001",
    }
    with sqlite3.connect(server.store.path) as database:
        assert database.execute("SELECT room, text FROM notes").fetchall() == [(1, "Trust, built over years")]
    seen = await second.receive()
    assert [n["text"] for n in seen["notes"]] == ["Trust, built over years"]
    assert first.news[-1]["notes"] == seen["notes"]
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await other.receive()


async def test_two_devices_editing_one_note_at_once_one_wins_the_other_is_told(server, stack):
    """Concurrent edits of one version: one is acked; the other gets a conflict and the latest notes."""
    first = await room_device(server, stack, 1)
    second = await room_device(server, stack, 1)
    await first.call(note("note-0001", "Trust"))
    replies = await asyncio.gather(
        first.call(note("note-0001", "Trust (A)", "note_edit", rev=1)),
        second.call(note("note-0001", "Trust (B)", "note_edit", rev=1)),
    )
    assert sorted(reply["type"] for reply in replies) == ["ack", "error"]
    (refused,) = [reply for reply in replies if reply["type"] == "error"]
    assert refused["code"] == "conflict"
    assert server.notes("step-2")[0].rev == 2
    latest = server.notes("step-2")[0].text
    with sqlite3.connect(server.store.path) as database:
        assert database.execute("SELECT text, rev FROM notes").fetchall() == [(latest, 2)]


async def test_delete_and_edit_from_two_devices(server, stack):
    """A note deleted on one device cannot be edited from another; the list stays consistent."""
    first = await room_device(server, stack, 1)
    second = await room_device(server, stack, 1)
    await first.call(note("note-0001", "Trust"))
    assert (await first.call({"type": "note_delete", "id": "note-0001", "rev": 1}))["type"] == "ack"
    reply = await second.call(note("note-0001", "Trust!", "note_edit", rev=1))
    assert (reply["code"], reply["message"]) == ("conflict", "This note was deleted on another device")
    assert server.notes("step-2") == ()


@pytest.mark.parametrize("query", ["r=" + "0" * 24, "r=", "r=abc&s=CODE"])
async def test_forged_or_missing_room_links_get_no_websocket(server, query):
    """A made-up token, an empty one, or a token beside a session code: 403 before the handshake."""
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"ws://127.0.0.1:{server.port}/ws?{query.replace('CODE', server.join_code)}"):
            pass
    assert refused.value.response.status_code == 403


async def test_forged_room_links_get_no_page(server):
    """A made-up room link is a 404 that says what to do; a real one serves the page."""
    status, _, body = await http_get(server.port, f"{ROOM_PREFIX}{'0' * ROOM_TOKEN_LENGTH}")
    assert (status, body) == (404, b"This room link is not valid: ask the trainer for your room's link")
    status, _, page = await http_get(server.port, server.room_path(2))
    assert status == 200
    assert page.lstrip().lower().startswith(b"<!doctype html>")


async def test_a_phone_cannot_write_notes(server, stack):
    """The join link may answer prompts but never write notes."""
    phone = await Phone(ws_url(server.port, server.join_code)).join()
    stack.push_async_callback(phone.close)
    reply = await phone.request(note("note-0001", "sneaky"))
    assert (reply["type"], reply["code"]) == ("error", "forbidden")
    assert server.notes("step-2") == ()


async def test_a_room_outside_the_breakout_cannot_write(server, stack):
    """Room 5's link, in a breakout of 4 rooms, is told so."""
    device = await room_device(server, stack, 5)
    reply = await device.call(note("note-0001", "x"))
    assert "room 5 is not in it" in reply["message"]


async def test_notes_survive_a_restart(server, stack, tmp_path):
    """A new server over the same database has every stored note."""
    device = await room_device(server, stack, 2)
    await device.call(note("note-0001", "Shared goals"))
    reopened = open_session(server.store.session.id, data_dir=tmp_path)
    try:
        again = ParticipantServer(reopened)
        assert [(n.room, n.text) for n in again.notes("step-2")] == [(2, "Shared goals")]
    finally:
        reopened.close()


async def test_closing_the_breakout_stops_writing(server, stack):
    """After the breakout, a room link is told no breakout runs, and cannot add."""
    device = await room_device(server, stack, 1)
    server.close_breakout()
    assert (await device.receive())["breakout"] is None
    reply = await device.call(note("note-0001", "late"))
    assert "No breakout is running" in reply["message"]


async def test_room_links_get_no_prompts(server, stack):
    """Opening a prompt for phones sends nothing to room links."""
    device = await room_device(server, stack, 1)
    server.open_prompt("step-3", {"kind": "text", "question": "What went well?"})
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await device.receive()


async def test_a_device_joining_mid_breakout_gets_the_time_left_now(tmp_path, stack):
    """The timer counts down on the server: a late joiner is told the time left, not the time at start."""
    store = create_session("Workshop", 'title = "Workshop"\n', data_dir=tmp_path)
    now = [1000.0]
    server = ParticipantServer(store, clock=lambda: now[0])
    await server.start("127.0.0.1", 0)
    try:
        server.open_breakout("step-2", "Why", PROMPTS, 4, Timer(600, running=True))
        now[0] += 125
        late = await room_device(server, stack, 1)
        assert late.welcome["timer"] == {"remaining": 475, "running": True}
        server.open_breakout("step-2", "Why", PROMPTS, 4, Timer(475, running=False))
        now[0] += 60
        assert (await late.receive())["timer"] == {"remaining": 475, "running": False}
        await late.close()
    finally:
        await server.close()
        store.close()


async def test_a_page_of_another_site_cannot_open_a_room_even_with_its_link(server):
    """A room token known to a foreign page (or sent with no Origin) opens nothing: 403."""
    url = room_url(server.port, server.room_path(1))
    for origin in ("https://evil.example", None):
        with pytest.raises(InvalidStatus) as refused:
            async with websockets_connect(url, origin=origin):
                pass
        assert refused.value.response.status_code == 403


async def test_notes_from_one_address_are_bounded_however_many_devices(tmp_path, stack):
    """Two devices on room links, each within its own limit, share their address's notes budget;
    past it they are told, and the notes are not stored."""
    store = stack.enter_context(create_session("Workshop", "", data_dir=tmp_path))
    server = ParticipantServer(store, limits=Limits(note_rate=1))  # a burst of 20
    await server.start("127.0.0.1", 0)
    stack.push_async_callback(server.close)
    server.open_breakout("step-2", "Why", PROMPTS, 4, None)
    devices = [await room_device(server, stack, room) for room in (1, 2)]
    replies = [
        await device.call(note(f"note-{room}-{number:02}", "flood"))
        for number in range(15)
        for room, device in enumerate(devices, 1)
    ]
    assert [reply["type"] for reply in replies].count("ack") == 20
    refusals = {reply["message"] for reply in replies if reply["type"] == "error"}
    assert refusals == {"Too many notes from this network at once: wait a few seconds and try again"}
    assert len(server.notes("step-2")) == 20


@pytest.fixture
async def suggesting(tmp_path):
    """A breakout running, with the themes' suggestions, as facilitate run serves it; ``asked``
    counts the calls of ``suggest``."""
    store = create_session("Workshop", 'title = "Workshop"\n', data_dir=tmp_path)

    def counted(*args):
        server.asked += 1
        return suggest(*args)

    server = ParticipantServer(store, suggest=counted)
    server.asked = 0
    await server.start("127.0.0.1", 0)
    server.open_breakout("step-2", "Why we work well together", PROMPTS, 4, Timer(900, running=True))
    yield server
    await server.close()
    store.close()


async def test_a_room_is_offered_every_rooms_themes_of_its_prompt_a_new_one_reaching_every_room(
    suggesting, stack
):
    """Room 2 hears of room 1's new theme at once; suggestions come from the note's own prompt, the
    largest themes that fill the buttons left too."""
    first, second = await room_device(suggesting, stack, 1), await room_device(suggesting, stack, 2)
    filed = note("note-0001", "We trust each other", prompt=1, theme="Trust")
    assert (await first.call(filed))["type"] == "ack"
    assert (await second.receive())["themes"] == [{"label": "Trust", "prompt": 1}]
    asked = {"type": "suggest", "text": "trust grows slowly"}
    assert await second.request({**asked, "prompt": 1}) == {
        "type": "suggestions",
        "text": "trust grows slowly",
        "themes": ["Trust"],
    }
    assert (await second.request({**asked, "prompt": 0}))["themes"] == []
    other = note("note-0002", "Paperwork piles up", prompt=0, theme="Paperwork")
    assert (await first.call(other))["type"] == "ack"
    await second.receive()
    unlike = {"type": "suggest", "text": "she gets it done", "prompt": 1}  # no word in common: filled
    assert (await second.request(unlike))["themes"] == ["Trust"]  # never another prompt's theme


async def test_suggest_is_for_room_links_only_and_bounded_by_the_connections_rate(suggesting, stack):
    """A phone's join link cannot ask; a room link asking faster than its rate gets no themes (and
    costs no work) until its budget refills, and nothing is stored."""
    phone = await Phone(ws_url(suggesting.port, suggesting.join_code)).join()
    stack.push_async_callback(phone.close)
    assert (await phone.request({"type": "suggest", "text": "trust"}))["type"] == "error"
    device = await room_device(suggesting, stack, 1)
    assert (await device.call(note("note-0001", "We trust each other", theme="Trust")))["type"] == "ack"
    asks = int(RATE_BURST) + 10
    replies = [await device.request({"type": "suggest", "text": f"trust {n}"}) for n in range(asks)]
    assert {reply["type"] for reply in replies} == {"suggestions"}
    assert suggesting.asked < asks - 5  # the burst, and the little refilled meanwhile
    assert replies[-1]["themes"] == []
    assert [n.text for n in suggesting.notes("step-2")] == ["We trust each other"]


async def test_without_a_suggester_or_a_filed_theme_nothing_is_offered(server, stack):
    """The server alone knows no themes' meaning: it offers none rather than guess."""
    device = await room_device(server, stack, 1)
    assert (await device.call(note("note-0001", "Trust", theme="Trust")))["type"] == "ack"
    reply = await device.request({"type": "suggest", "text": "trust"})
    assert reply == {"type": "suggestions", "text": "trust", "themes": []}
