"""During a breakout the phones (join link) show it instead of "Waiting…": its title, its discussion
prompts and the time left, counted down on the phone; never a note, a room's link or its token.

The real server (:class:`tests.test_page.LiveServer`) and headless Chromium, as in ``test_page``; the
``breakout`` message itself is checked on the wire with :class:`tests.phones.Phone`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from participant.core.notes import Timer
from tests.phones import Phone, room_url, ws_url
from tests.test_notes_page import PROMPTS, TITLE, open_breakout
from tests.test_page import TEXT, WAITING, Frozen, LiveServer, join

NOTE = "Our secret: the manager never reads the plan"


@pytest.fixture
def clock() -> Frozen:
    return Frozen()


@pytest.fixture
def live(tmp_path: Path, clock: Frozen) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path, clock)
    yield server
    server.stop()


@pytest.fixture
def page(browser: Browser, live: LiveServer) -> Iterator[Page]:
    # Asks for ``live`` so the phones close before the server stops: a phone still reconnecting
    # when the server's loop stops would leave a half-open connection behind.
    context: BrowserContext = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield page
    context.close()
    assert problems == []


def add_note_from_room(live: LiveServer, room: int, text: str) -> None:
    """A room's facilitator writes a note through the room's link."""

    async def write() -> None:
        phone = await Phone(room_url(live.server.port, live.server.room_path(room))).join()
        try:
            reply = await phone.call({"type": "note_add", "id": "note-0001", "text": text})
            assert reply["type"] == "ack", reply
        finally:
            await phone.close()

    live.run(write())


@pytest.mark.browser
def test_a_joined_phone_shows_the_breakout_and_its_time_left_then_waits_again(
    page: Page, live: LiveServer, clock: Frozen
) -> None:
    """The breakout opens: its title heads the page, its prompts listed, the time left counting down
    here; paused, it says so; a question opened meanwhile comes first; closed: "Waiting…" again."""
    page.clock.install()
    join(page, live)
    expect(page.get_by_role("heading", name=WAITING)).to_be_visible()

    open_breakout(live, Timer(600, running=True))
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=WAITING)).to_have_count(0)
    for prompt in PROMPTS:
        expect(page.get_by_role("listitem").filter(has_text=prompt)).to_be_visible()
    timer = page.get_by_role("timer")
    expect(timer).to_have_text("Time left 10:00")
    page.clock.run_for(65_000)
    expect(timer).to_have_text("Time left 8:55")

    add_note_from_room(live, 1, NOTE)
    clock.now += 65
    open_breakout(live, Timer(300, running=False))
    expect(timer).to_have_text("Time left 5:00, paused")
    page.clock.run_for(10_000)
    expect(timer).to_have_text("Time left 5:00, paused")
    shown = page.locator("body").inner_text()
    assert NOTE not in shown
    assert not any(live.server.room_path(room) in shown for room in range(1, 5))

    live.open("p1", TEXT)  # a question during the breakout takes the screen
    expect(page.get_by_label("Your answer")).to_be_visible()
    expect(page.get_by_role("timer")).to_have_count(0)
    live.call(live.server.close_prompt)
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("timer")).to_have_text("Time left 5:00, paused")

    open_breakout(live, None)  # its report-back: the breakout is over for the phones
    expect(page.get_by_role("heading", name=WAITING)).to_be_visible()
    open_breakout(live, Timer(120, running=True))
    expect(page.get_by_role("timer")).to_have_text("Time left 2:00")
    live.call(live.server.close_breakout)
    expect(page.get_by_role("heading", name=WAITING)).to_be_visible()
    expect(page.get_by_role("timer")).to_have_count(0)


@pytest.mark.browser
def test_a_late_joiner_sees_the_running_breakout_at_once(page: Page, live: LiveServer, clock: Frozen) -> None:
    """A phone joining 100 s into a 10 minute breakout shows it with 8:20 left."""
    open_breakout(live, Timer(600, running=True))
    clock.now += 100
    join(page, live)
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("timer")).to_have_text("Time left 8:20")


def test_the_breakout_message_holds_no_notes_links_or_tokens(live: LiveServer, clock: Frozen) -> None:
    """On the wire: after ``welcome`` while a breakout runs, and to every joined phone when it changes
    or closes; only the title, the prompts and the time left; room links never get it."""
    open_breakout(live, Timer(600, running=True))
    add_note_from_room(live, 2, NOTE)
    tokens = [live.server.room_path(room).removeprefix("/r/") for room in range(1, 5)]

    async def phones() -> list[dict[str, Any]]:
        phone = await Phone(ws_url(live.server.port, live.server.join_code)).join()
        room = await Phone(room_url(live.server.port, live.server.room_path(1))).join()
        try:
            assert phone.welcome["type"] == "welcome"
            seen = [await phone.breakout()]
            clock.now += 30
            live.server.open_breakout("step-2", TITLE, PROMPTS, 4, Timer(500, running=False))
            seen.append(await phone.breakout())
            live.server.close_breakout()
            seen.append(await phone.breakout())
            for _ in range(2):
                assert (await room.receive())["type"] == "room"
            return seen
        finally:
            await phone.close()
            await room.close()

    seen = live.run(phones())
    assert seen == [
        {
            "type": "breakout",
            "breakout": {"title": TITLE, "prompts": PROMPTS},
            "timer": {"remaining": 600, "running": True},
        },
        {
            "type": "breakout",
            "breakout": {"title": TITLE, "prompts": PROMPTS},
            "timer": {"remaining": 500, "running": False},
        },
        {"type": "breakout", "breakout": None, "timer": None},
    ]
    text = json.dumps(seen)
    assert NOTE not in text
    assert not any(token in text for token in tokens)
