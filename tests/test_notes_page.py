"""The notes page of a breakout room's private link, in headless Chromium against the real server.

The same page file as the phones' (``participant/page/index.html``), served at ``/r/<room token>``:
it shows the room, the breakout's title, prompts and time left, and the room's notes, which any device
holding the link may add, edit and delete. The server and its helpers come from ``tests.test_page``
(its :class:`LiveServer` runs the real server on 127.0.0.1 port 0 on a background loop); each test
gets a fresh session with a breakout of four rooms open, and its own browser contexts (devices).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from facilitator.domain.themes import suggest
from participant.core.notes import Timer
from participant.core.wire import MAX_NOTE_LENGTH
from tests.phones import Phone, room_url
from tests.test_page import Frozen, LiveServer, button, losing_the_first_ack, queued, status

TITLE = "Why we work well together"
PROMPTS = ["Why do you work well together?", "What is your relationship like?"]
CHANGED = "This note was changed on another device: here are the latest notes"
DELETED = "This note was deleted on another device"
QUEUED = "Saved offline, will send"
RECONNECTING = "Reconnecting… try again in a moment"
NO_BREAKOUT = "No breakout is running now: notes open when the trainer starts one"

Device = Callable[..., Page]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """A session whose breakout "step-2" runs now, in four rooms, with ten minutes on the clock."""
    server = LiveServer(tmp_path)
    open_breakout(server, Timer(600, running=True))
    yield server
    server.stop()


@pytest.fixture
def device(browser: Browser, live: LiveServer) -> Iterator[Device]:
    """Opens a new device (browser context) and returns its tab; any script error or CSP violation
    on any of them fails the test."""
    # Asks for ``live`` so the phones close before the server stops: a phone still reconnecting
    # when the server's loop stops would leave a half-open connection behind.
    contexts = []
    problems: list[str] = []

    def open_device(**options: Any) -> Page:
        context = browser.new_context(
            **{"viewport": {"width": 390, "height": 844}, "has_touch": True, **options}
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return page

    yield open_device
    for context in contexts:
        context.close()
    assert problems == []


def open_breakout(live: LiveServer, timer: Timer | None, rooms: int = 4) -> None:
    live.call(live.server.open_breakout, "step-2", TITLE, PROMPTS, rooms, timer)


def visit(page: Page, live: LiveServer, room: int = 1) -> Page:
    """Open room ``room``'s private link and wait until the page has the room's state."""
    page.goto(f"http://127.0.0.1:{live.server.port}{live.server.room_path(room)}")
    expect(page.get_by_role("heading", name=f"Room {room}", exact=True)).to_be_visible()
    return page


def stored(live: LiveServer) -> list[tuple[int, str]]:
    """The breakout's live notes on the server, as (room, text), in the order they were added."""
    return [(note.room, note.text) for note in live.call(live.server.notes, "step-2")]


def notes(page: Page):
    """The items of the page's list of notes (newest first)."""
    return page.locator("ul.notes > li")


def texts(page: Page):
    """The text of each listed note (newest first)."""
    return page.locator("ul.notes > li > p:first-child")


def add_note(page: Page, text: str) -> None:
    page.get_by_label("Note", exact=True).fill(text)
    button(page, "Add").click()
    expect(status(page)).to_have_text("Added")


def edit_button(page: Page, first_words: str):
    return button(page, f"Edit note: {first_words}")


def delete_button(page: Page, first_words: str):
    return button(page, f"Delete note: {first_words}")


# --- What a room's link shows ----------------------------------------------------------------------


@pytest.mark.browser
def test_a_room_link_shows_the_room_the_breakout_its_prompts_and_a_countdown(
    device: Device, tmp_path: Path
) -> None:
    """ "Room 3", the title, the prompts, and the time left counting down here, paused when the trainer
    pauses; the server's own count of the time left agrees after a note is added."""
    server_time = Frozen()  # the server's clock, moved with the page's fake one
    live = LiveServer(tmp_path, server_time)
    try:
        open_breakout(live, Timer(600, running=True))
        page = device()
        page.clock.install()
        visit(page, live, 3)
        expect(page).to_have_title("Room 3 notes")
        expect(page.get_by_text(TITLE, exact=True)).to_be_visible()
        for prompt in PROMPTS:
            expect(page.get_by_role("listitem").filter(has_text=prompt)).to_be_visible()
        timer = page.get_by_role("timer")
        expect(timer).to_have_text("Time left 10:00")
        page.clock.run_for(65_000)
        server_time.now += 65
        expect(timer).to_have_text("Time left 8:55")

        add_note(page, "Trust, built over years")  # the room message says 535 s left now
        expect(timer).to_have_text("Time left 8:55")

        open_breakout(live, Timer(300, running=False))
        expect(timer).to_have_text("Time left 5:00, paused")
        page.clock.run_for(10_000)
        server_time.now += 10
        expect(timer).to_have_text("Time left 5:00, paused")
        open_breakout(live, Timer(2, running=True))
        page.clock.run_for(3_000)
        server_time.now += 3
        expect(timer).to_have_text("Time is up")
        open_breakout(live, None)  # the breakout's report-back: no clock, notes still open
        expect(timer).to_be_hidden()
        expect(button(page, "Add")).to_be_enabled()
    finally:
        live.stop()


@pytest.mark.browser
def test_with_no_breakout_running_add_is_disabled_until_one_starts(device: Device, live: LiveServer) -> None:
    """No breakout: the page says so and Add is disabled; it opens and closes as the trainer moves on."""
    live.call(live.server.close_breakout)
    page = visit(device(), live, 2)
    expect(page.get_by_text(NO_BREAKOUT, exact=True)).to_be_visible()
    expect(button(page, "Add")).to_be_disabled()
    expect(page.get_by_role("timer")).to_be_hidden()

    open_breakout(live, Timer(600, running=True))
    expect(page.get_by_text(TITLE, exact=True)).to_be_visible()
    expect(button(page, "Add")).to_be_enabled()
    add_note(page, "Shared goals")

    live.call(live.server.close_breakout)
    expect(page.get_by_text(NO_BREAKOUT, exact=True)).to_be_visible()
    expect(button(page, "Add")).to_be_disabled()
    expect(notes(page)).to_have_count(0)


@pytest.mark.browser
def test_a_phone_join_link_shows_the_phone_page_and_cannot_write_notes(
    device: Device, live: LiveServer
) -> None:
    """The join link is the phones' page: the breakout but no room and no notes; its socket is refused
    a note."""
    page = device()
    page.goto(live.url)
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Room"))).to_have_count(0)
    expect(page.get_by_label("Note", exact=True)).to_have_count(0)
    reply = page.evaluate(
        """code => new Promise(resolve => {
            const ws = new WebSocket(`ws://${location.host}/ws?s=${code}`);
            ws.onopen = () => ws.send(JSON.stringify({type: "hello", device: "phone-0123456789abcdef"}));
            ws.onmessage = e => {
                const m = JSON.parse(e.data);
                if (m.type === "error") resolve(m);
                const add = {type: "note_add", id: "note-0001", text: "Hi"};
                if (m.type === "welcome") ws.send(JSON.stringify(add));
            };
        })""",
        live.server.join_code,
    )
    assert reply["type"] == "error"
    assert stored(live) == []


# --- Adding, editing, deleting ---------------------------------------------------------------------


@pytest.mark.browser
def test_a_note_is_added_acked_and_stored_once(device: Device, live: LiveServer) -> None:
    """Type in "Note", press Add: "Added", the box is empty again, the note is listed and stored once."""
    page = visit(device(), live, 2)
    box = page.get_by_label("Note", exact=True)
    expect(page.get_by_text(f"0 of {MAX_NOTE_LENGTH} characters")).to_be_visible()
    box.fill("Trust, built over years\nof working side by side")
    expect(page.get_by_text(f"47 of {MAX_NOTE_LENGTH} characters")).to_be_visible()
    button(page, "Add").click()
    expect(status(page)).to_have_text("Added")
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    expect(texts(page)).to_have_text(["Trust, built over years\nof working side by side"])
    expect(edit_button(page, "Trust, built over years of working side…")).to_be_visible()
    expect(page.get_by_role("heading", name="Notes (1)")).to_be_visible()
    assert stored(live) == [(2, "Trust, built over years\nof working side by side")]
    assert queued(page) == []


@pytest.mark.browser
def test_an_empty_or_too_long_note_is_not_sent(device: Device, live: LiveServer) -> None:
    """The page says what is wrong in the server's words and keeps the text to fix."""
    page = visit(device(), live)
    button(page, "Add").click()
    expect(status(page)).to_have_text("Write the note first")
    page.get_by_label("Note", exact=True).fill("x" * (MAX_NOTE_LENGTH + 1))
    button(page, "Add").click()
    expect(status(page)).to_have_text(f"That note is too long: {MAX_NOTE_LENGTH} characters at most")
    expect(page.get_by_label("Note", exact=True)).to_have_value("x" * (MAX_NOTE_LENGTH + 1))
    assert stored(live) == []


@pytest.mark.browser
def test_a_note_is_edited_inline_deleted_and_brought_back_with_undo(device: Device, live: LiveServer) -> None:
    """Edit opens a labelled box in place, with Save and Cancel; Delete asks nothing; Undo adds it back."""
    page = visit(device(), live)
    add_note(page, "We laugh a lot")
    add_note(page, "Clear roles: everyone knows who does what, and who to ask")

    edit_button(page, "We laugh a lot").click()
    editor = page.get_by_label("New text")
    expect(editor).to_have_value("We laugh a lot")
    expect(editor).to_be_focused()
    editor.fill("Nothing changes")
    button(page, "Cancel").click()
    expect(edit_button(page, "We laugh a lot")).to_be_focused()

    edit_button(page, "We laugh a lot").click()
    editor.fill("We laugh a lot, even on bad days")
    button(page, "Save").click()
    expect(status(page)).to_have_text("Saved")
    expect(editor).to_have_count(0)
    expect(edit_button(page, "We laugh a lot, even on bad days")).to_be_focused()
    assert [(note.text, note.rev) for note in live.call(live.server.notes, "step-2")] == [
        ("We laugh a lot, even on bad days", 2),
        ("Clear roles: everyone knows who does what, and who to ask", 1),
    ]

    delete_button(page, "Clear roles: everyone knows who does…").click()
    expect(status(page)).to_have_text("Deleted")
    expect(notes(page)).to_have_count(1)
    assert stored(live) == [(1, "We laugh a lot, even on bad days")]
    button(page, "Undo").click()
    expect(status(page)).to_have_text("Added")
    expect(button(page, "Undo")).to_be_hidden()
    assert stored(live) == [
        (1, "We laugh a lot, even on bad days"),
        (1, "Clear roles: everyone knows who does what, and who to ask"),
    ]


# --- Several devices on one link -------------------------------------------------------------------


@pytest.mark.browser
def test_two_devices_on_one_room_link_see_each_others_notes_live(device: Device, live: LiveServer) -> None:
    """What one device adds, edits or deletes appears on the other at once; another room sees nothing."""
    laptop, phone, other_room = visit(device(), live, 1), visit(device(), live, 1), visit(device(), live, 2)
    add_note(laptop, "Trust")
    expect(texts(phone)).to_have_text(["Trust"])
    add_note(phone, "Humour")
    expect(texts(laptop)).to_have_text(["Humour", "Trust"])

    edit_button(phone, "Trust").click()
    phone.get_by_label("New text").fill("Trust, built over years")
    button(phone, "Save").click()
    expect(status(phone)).to_have_text("Saved")
    expect(texts(laptop)).to_have_text(["Humour", "Trust, built over years"])
    delete_button(laptop, "Humour").click()
    expect(texts(phone)).to_have_text(["Trust, built over years"])

    expect(notes(other_room)).to_have_count(0)
    assert stored(live) == [(1, "Trust, built over years")]


@pytest.mark.browser
def test_a_stale_edit_gets_the_servers_conflict_message_and_the_latest_text(
    device: Device, live: LiveServer
) -> None:
    """The phone opened the editor before the laptop saved: its Save is refused, the latest text is shown
    and its own words stay in the box; saving again then replaces the latest text on purpose."""
    laptop, phone = visit(device(), live), visit(device(), live)
    add_note(laptop, "Trust")
    edit_button(phone, "Trust").click()
    phone.get_by_label("New text").fill("Trust and humour")

    edit_button(laptop, "Trust").click()
    laptop.get_by_label("New text").fill("Trust, built over years")
    button(laptop, "Save").click()
    expect(status(laptop)).to_have_text("Saved")
    expect(texts(phone)).to_have_text(["Trust, built over years"])  # shown above the phone's box

    button(phone, "Save").click()
    expect(status(phone)).to_have_text(CHANGED)
    expect(texts(phone)).to_have_text(["Trust, built over years"])
    expect(phone.get_by_label("New text")).to_have_value("Trust and humour")
    assert stored(live) == [(1, "Trust, built over years")]

    button(phone, "Save").click()
    expect(status(phone)).to_have_text("Saved")
    expect(texts(laptop)).to_have_text(["Trust and humour"])
    assert stored(live) == [(1, "Trust and humour")]


@pytest.mark.browser
def test_saving_a_note_deleted_on_another_device_says_so_and_keeps_the_words(
    device: Device, live: LiveServer
) -> None:
    """The laptop deletes the note the phone is editing: the phone's Save gets the conflict message,
    the note is gone, and the phone's words wait in the Note box to be added again if wanted."""
    laptop, phone = visit(device(), live), visit(device(), live)
    add_note(laptop, "Trust")
    expect(notes(phone)).to_have_count(1)
    edit_button(phone, "Trust").click()
    phone.get_by_label("New text").fill("Trust, mostly")

    delete_button(laptop, "Trust").click()
    expect(status(laptop)).to_have_text("Deleted")
    expect(phone.get_by_label("New text")).to_be_visible()  # still editing: Save will tell

    button(phone, "Save").click()
    expect(status(phone)).to_have_text(DELETED)
    expect(notes(phone)).to_have_count(0)
    expect(phone.get_by_label("Note", exact=True)).to_have_value("Trust, mostly")
    assert stored(live) == []


@pytest.mark.browser
def test_a_delete_from_a_device_that_missed_an_edit_is_refused(device: Device, live: LiveServer) -> None:
    """A device whose view is stale (its copy of the room message lost) deletes: conflict, latest shown."""
    laptop, phone = device(), device()
    held: list[bool] = []

    def proxy(ws: WebSocketRoute) -> None:  # the phone misses room messages while ``held`` is set
        server = ws.connect_to_server()
        server.on_message(
            lambda message: None if held and '"type":"room"' in str(message) else ws.send(message)
        )

    phone.route_web_socket(re.compile(r"/ws\?"), proxy)
    visit(laptop, live)
    visit(phone, live)
    add_note(laptop, "Trust")
    expect(notes(phone)).to_have_count(1)
    held.append(True)  # from now on, the phone's view is stale
    edit_button(laptop, "Trust").click()
    laptop.get_by_label("New text").fill("Trust, built over years")
    button(laptop, "Save").click()
    expect(status(laptop)).to_have_text("Saved")
    expect(texts(phone)).to_have_text(["Trust"])

    held.clear()
    delete_button(phone, "Trust").click()
    expect(status(phone)).to_have_text(CHANGED)
    expect(texts(phone)).to_have_text(["Trust, built over years"])
    assert stored(live) == [(1, "Trust, built over years")]


# --- Offline ---------------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_note_added_offline_is_queued_and_sent_once_back_online(device: Device, live: LiveServer) -> None:
    """Offline, Add keeps the note ("Not sent yet") in localStorage; back online it is sent once.
    Edits and deletes need the connection: offline they say so and change nothing."""
    page = visit(device(), live)
    add_note(page, "Trust")
    page.context.set_offline(True)
    expect(page.get_by_text("Offline", exact=True)).to_be_visible()

    page.get_by_label("Note", exact=True).fill("Written in the corridor")
    button(page, "Add").click()
    expect(status(page)).to_have_text(QUEUED)
    expect(texts(page)).to_have_text(["Written in the corridor", "Trust"])
    expect(notes(page).first).to_contain_text("Not sent yet")
    assert [(item["type"], item["text"]) for item in queued(page)] == [
        ("note_add", "Written in the corridor")
    ]
    delete_button(page, "Trust").click()
    expect(status(page)).to_have_text(RECONNECTING)
    edit_button(page, "Trust").click()
    page.get_by_label("New text").fill("Trust, offline")
    button(page, "Save").click()
    # It says it needs the connection, unless a reconnection attempt has failed since and says
    # the queued note waits: both are true; what matters is that nothing changed.
    expect(status(page)).to_have_text(re.compile(f"^({re.escape(RECONNECTING)}|{re.escape(QUEUED)})$"))
    button(page, "Cancel").click()
    assert stored(live) == [(1, "Trust")]

    page.context.set_offline(False)
    expect(status(page)).to_have_text("Added")
    expect(notes(page).first).not_to_contain_text("Not sent yet")
    expect(edit_button(page, "Written in the corridor")).to_be_visible()
    assert stored(live) == [(1, "Trust"), (1, "Written in the corridor")]
    assert queued(page) == []


@pytest.mark.browser
def test_a_note_whose_ack_was_lost_is_resent_with_its_id_and_stored_once(
    device: Device, live: LiveServer
) -> None:
    """The connection dies after the store committed the note but before the ack: one note, "Added"."""
    lost: list[str] = []
    proxy = losing_the_first_ack(lost)
    page = device()
    page.route_web_socket(re.compile(r"/ws\?"), proxy)
    visit(page, live)
    add_note(page, "Said once")
    assert len(lost) == 1
    assert stored(live) == [(1, "Said once")]
    expect(notes(page)).to_have_count(1)


# --- Safety and accessibility ----------------------------------------------------------------------


@pytest.mark.browser
def test_note_text_stays_text(device: Device, live: LiveServer) -> None:
    """Markup in a note, from another device, is shown literally and never parsed as HTML."""
    laptop, phone = visit(device(), live), visit(device(), live)
    markup = '<img src=x onerror="window.hacked=1"><b>bold</b>'
    add_note(laptop, markup)
    expect(notes(phone).first.get_by_text(markup, exact=True)).to_be_visible()
    expect(edit_button(phone, "<img src=x…")).to_be_visible()
    assert phone.locator("main img, main b").count() == 0
    assert phone.evaluate("window.hacked") is None


@pytest.mark.browser
def test_notes_whose_ids_are_object_property_names_are_shown_like_any_other(
    device: Device, live: LiveServer
) -> None:
    """Any device on the link chooses its notes' ids: "__proto__" or "constructor" must not break a page."""
    page = visit(device(), live)
    add_note(page, "Trust")

    async def add_from_another_device() -> None:
        other = await Phone(room_url(live.server.port, live.server.room_path(1))).join()
        for note_id in ("__proto__", "constructor", "hasOwnProperty"):
            assert await other.call({"type": "note_add", "id": note_id, "text": f"Note {note_id}"}) == {
                "type": "ack",
                "id": note_id,
            }
        await other.close()

    live.run(add_from_another_device())
    expect(texts(page)).to_have_text(["Note hasOwnProperty", "Note constructor", "Note __proto__", "Trust"])
    delete_button(page, "Note __proto__").click()
    expect(status(page)).to_have_text("Deleted")
    add_note(page, "Humour")
    expect(texts(page)).to_have_text(["Humour", "Note hasOwnProperty", "Note constructor", "Trust"])


@pytest.mark.browser
@pytest.mark.parametrize("zoom", [1, 2])
def test_every_control_is_named_labelled_and_large_at_any_zoom(
    device: Device, live: LiveServer, zoom: int
) -> None:
    """Every button has a name (each note's own), every box a <label>, one polite status; 48 px targets
    at 100% and 200% zoom of a 390 px phone (a 195 CSS px layout viewport); no sideways scroll."""
    page = visit(device(viewport={"width": 390 // zoom, "height": 844 // zoom}), live)
    live_regions = page.locator("[aria-live]")
    expect(live_regions).to_have_count(1)
    expect(live_regions).to_have_attribute("role", "status")
    expect(page.get_by_role("textbox", name="Note", exact=True)).to_be_visible()
    add_note(page, "Trust, built over years of working side by side, and never taken for granted")
    add_note(page, "Humour")
    edit_button(page, "Humour").click()
    expect(edit_button(page, "Trust, built over years of working side…")).to_be_visible()
    delete_button(page, "Trust, built over years of working side…").click()
    expect(button(page, "Undo")).to_be_visible()
    add_note(page, "Shared goals")

    for control in page.get_by_role("button").all():
        expect(control).to_have_accessible_name(re.compile(r"\S"))
        box = control.bounding_box()
        assert box is not None
        assert box["width"] * zoom >= 48, (control.text_content(), box)
        assert box["height"] * zoom >= 48, (control.text_content(), box)
    names = [control.evaluate("el => el.textContent") for control in page.get_by_role("button").all()]
    assert len(names) == len(set(names)), names
    for field in page.locator("textarea").all():
        assert field.evaluate("el => el.labels.length") == 1
        expect(field).to_have_accessible_name(re.compile(r"^(Note|New text)$"))
        assert field.bounding_box()["height"] * zoom >= 48
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


# --- Filing notes: prompts, themes, stars ----------------------------------------------------------


def filed(live: LiveServer) -> list[tuple[int, str, int, str, bool]]:
    """The breakout's notes as stored: (room, text, prompt, theme, starred)."""
    return [(n.room, n.text, n.prompt, n.theme, n.starred) for n in live.call(live.server.notes, "step-2")]


@pytest.mark.browser
def test_a_note_answers_the_chosen_question_and_is_filed_under_the_theme_typed(
    device: Device, live: LiveServer
) -> None:
    """The first question by default; the Theme box files it; left empty, the note is unsorted."""
    page = visit(device(), live)
    add_note(page, "We laugh a lot")
    page.get_by_label("Answers question").select_option(label=f"2. {PROMPTS[1]}")
    page.get_by_label("Note", exact=True).fill("Trust built over years")
    page.get_by_label("Theme", exact=True).fill("Trust")
    button(page, "Add").click()
    expect(status(page)).to_have_text("Added")
    assert filed(live) == [
        (1, "We laugh a lot", 0, "", False),
        (1, "Trust built over years", 1, "Trust", False),
    ]
    expect(notes(page).first).to_contain_text("Theme: Trust · Question 2")
    expect(page.get_by_label("Theme", exact=True)).to_have_value("")  # each note is filed afresh


@pytest.mark.browser
def test_a_theme_filed_in_one_room_is_offered_in_every_room_within_a_second(
    device: Device, live: LiveServer
) -> None:
    """Room 2's Theme box offers room 1's theme (as first typed) as soon as room 1 files it."""
    first, second = visit(device(), live, 1), visit(device(), live, 2)
    first.get_by_label("Note", exact=True).fill("Trust built over years")
    first.get_by_label("Theme", exact=True).fill("Trust ")
    button(first, "Add").click()
    expect(second.locator("#themes option")).to_have_count(1, timeout=1_000)
    assert second.locator("#themes option").get_attribute("value") == "Trust"


@pytest.mark.browser
def test_a_room_stars_up_to_three_notes_as_its_points_to_report(device: Device, live: LiveServer) -> None:
    """Star toggles (pressed), is stored, and a fourth star is refused in words before it is sent."""
    page = visit(device(), live)
    for text in ("One", "Two", "Three", "Four"):
        add_note(page, text)
    for text in ("One", "Two", "Three"):
        notes(page).filter(has_text=text).get_by_role("button", name="Star", exact=True).click()
        expect(notes(page).filter(has_text=text).get_by_role("button", name="Star")).to_have_attribute(
            "aria-pressed", "true"
        )
    notes(page).filter(has_text="Four").get_by_role("button", name="Star", exact=True).click()
    expect(status(page)).to_have_text("A room stars 3 notes at most: take the star off one first")
    assert [text for _, text, _, _, starred in filed(live) if starred] == ["One", "Two", "Three"]
    notes(page).filter(has_text="One").get_by_role("button", name="Star", exact=True).click()
    expect(notes(page).filter(has_text="One").get_by_role("button", name="Star")).to_have_attribute(
        "aria-pressed", "false"
    )


@pytest.fixture
def suggesting(tmp_path: Path) -> Iterator[LiveServer]:
    """The breakout running, with the trainer's side's suggestions (as facilitate run has them)."""
    server = LiveServer(tmp_path, suggest=suggest)
    open_breakout(server, Timer(600, running=True))
    yield server
    server.stop()


@pytest.mark.browser
def test_typing_a_note_offers_other_rooms_themes_it_resembles_and_one_tap_files_it(
    browser: Browser, suggesting: LiveServer
) -> None:
    """Room 1 files under "Trust"; as room 2 types a note about trust, "Add to Trust" appears, and
    one tap adds the note filed there. A note sharing no word with a theme is offered the largest
    themes; words that mean nothing get no button."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        first, second = visit(context.new_page(), suggesting, 1), visit(context.new_page(), suggesting, 2)
        first.get_by_label("Note", exact=True).fill("Trust built over years")
        first.get_by_label("Theme", exact=True).fill("Trust")
        button(first, "Add").click()
        expect(status(first)).to_have_text("Added")
        second.get_by_label("Note", exact=True).fill("we all trust each other")
        expect(button(second, "Add to Trust")).to_be_visible(timeout=2_000)
        button(second, "Add to Trust").click()
        expect(status(second)).to_have_text("Added")
        assert filed(suggesting)[-1] == (2, "we all trust each other", 0, "Trust", False)
        expect(second.get_by_role("button", name=re.compile("^Add to "))).to_have_count(0)
        second.get_by_label("Note", exact=True).fill("parking at the office")
        expect(button(second, "Add to Trust")).to_be_visible(timeout=2_000)
        second.get_by_label("Note", exact=True).fill("ok so")
        second.wait_for_timeout(600)
        expect(second.get_by_role("button", name=re.compile("^Add to "))).to_have_count(0)
    finally:
        context.close()
