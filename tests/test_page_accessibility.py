"""axe-core on every state of the phone page and the notes page, in light and dark: no violations.

axe-core (the copy bundled in the ``axe-playwright-python`` wheel, so nothing is fetched at test time)
is evaluated in the page through the DevTools protocol, which the page's Content-Security-Policy does
not restrict, and run with its default rules (WCAG 2.x A and AA, and best practices). Every state a
participant or a room's facilitator can meet is checked in both colour schemes: a violation fails the
test with axe's own report of the rule, the element and how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Browser, BrowserContext, Page, expect

from facilitator.domain.themes import suggest
from participant.core.notes import Timer
from participant.core.wire import MAX_TEXT_LENGTH
from tests.test_notes_page import NO_BREAKOUT, add_note, edit_button, open_breakout, visit
from tests.test_page import (
    CHOICE,
    EVERY_KIND,
    PACED,
    QUEUED,
    WAITING,
    WORDWALL,
    LiveServer,
    button,
    join,
    status,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path, suggest=suggest)  # as facilitate run serves it
    yield server
    server.stop()


@pytest.fixture(params=["light", "dark"])
def context(request: pytest.FixtureRequest, browser: Browser, live: LiveServer) -> Iterator[BrowserContext]:
    """A phone in the light or the dark colour scheme."""
    # Asks for ``live`` so the phones close before the server stops: a phone still reconnecting
    # when the server's loop stops would leave a half-open connection behind.
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, color_scheme=request.param
    )
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield page
    assert problems == []


def violations(page: Page) -> str:
    """axe's report of every violation on the page as it is now; empty when there is none."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    return axe_report(page.evaluate(AXE_RUN))


AXE_RUN = "axe.run(document, {resultTypes: ['violations']})"


def axe_report(results: dict) -> str:
    """axe's results as one line per violation and two per element; empty when there is none."""
    lines = []
    for violation in results["violations"]:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  {', '.join(map(str, node['target']))}: {node['failureSummary']}")
            lines.append(f"    {node['html']}")
    return "\n".join(lines)


def check(page: Page, state: str) -> None:
    """Fail with axe's report unless the page has no violation in this state."""
    report = violations(page)
    assert report == "", f"{state}: axe-core found violations:\n{report}"


# --- The phone page --------------------------------------------------------------------------------


def test_the_page_without_a_join_code(page: Page, live: LiveServer) -> None:
    """The bare address (no join code) asks to scan the QR code."""
    page.goto(f"http://127.0.0.1:{live.server.port}/")
    expect(page.get_by_role("heading")).to_have_text(re.compile("Scan the QR code"))
    check(page, "no join code")


def test_waiting(page: Page, live: LiveServer) -> None:
    """Joined, no question open: the waiting screen."""
    join(page, live)
    expect(page.get_by_role("heading", name=WAITING)).to_be_visible()
    check(page, "waiting")


@pytest.mark.parametrize("kind", list(EVERY_KIND))
def test_each_prompt_kind_open_answered_and_passed(page: Page, live: LiveServer, kind: str) -> None:
    """Each kind as it opens, once answered ("Received"), and after Pass."""
    join(page, live)
    live.open("p1", EVERY_KIND[kind])
    expect(button(page, "Pass")).to_be_visible()
    check(page, f"{kind} open")
    if kind == "reflection":
        page.get_by_role("radiogroup").first.get_by_role("radio", name="4", exact=True).click()
        page.get_by_label("Why? (optional)").fill("Good pace")
    elif kind == "wordwall":
        word = page.get_by_label("A word or short phrase")
        for entry in ("synergy", "circle back", "deep dive", "bandwidth", "leverage"):
            word.fill(entry)
            word.press("Enter")
        expect(word).to_be_hidden()
    elif kind in ("text", "share"):
        page.get_by_label("Your answer").fill("Listening first")
    if kind == "choice":
        button(page, "Calm").click()
    else:
        button(page, "Send").click()
    expect(status(page)).to_have_text("Received")
    check(page, f"{kind} answered")
    button(page, "Pass").click()
    expect(button(page, "Pass")).to_have_attribute("aria-pressed", "true")
    expect(status(page)).to_have_text("Received")
    check(page, f"{kind} after Pass")


def test_an_error_shown(page: Page, live: LiveServer) -> None:
    """The server refused an answer: its message in the status, and the counter over the limit."""
    join(page, live)
    live.open("p1", EVERY_KIND["text"])
    limit = MAX_TEXT_LENGTH["text"]
    page.get_by_label("Your answer").fill("x" * (limit + 1))
    button(page, "Send").click()
    expect(status(page)).to_have_text(f"That answer is too long: {limit} characters at most")
    check(page, "error")


def test_offline_with_an_answer_queued(context: BrowserContext, page: Page, live: LiveServer) -> None:
    """Offline: "Offline" in the header and the answer "Saved offline, will send"."""
    join(page, live)
    live.open("p1", CHOICE)
    expect(button(page, "Calm")).to_be_visible()
    context.set_offline(True)
    expect(page.get_by_text("Offline", exact=True)).to_be_visible()
    button(page, "Calm").click()
    expect(status(page)).to_have_text(QUEUED)
    check(page, "offline, queued")
    context.set_offline(False)


def test_a_breakout_running_and_paused(page: Page, live: LiveServer) -> None:
    """During a breakout: its title, the time left and its prompts instead of "Waiting…"."""
    join(page, live)
    open_breakout(live, Timer(600, running=True))
    expect(page.get_by_role("timer")).to_have_text("Time left 10:00")
    check(page, "breakout running")
    open_breakout(live, Timer(300, running=False))
    expect(page.get_by_role("timer")).to_have_text("Time left 5:00, paused")
    check(page, "breakout paused")


def test_a_wall_kept_open_as_a_second_tab(page: Page, live: LiveServer) -> None:
    """A wall that stays open beside the open question: the tabs, and the wall's own tab."""
    join(page, live)
    live.open("p1", WORDWALL)
    live.call(live.server.keep_open, {"p1": {**WORDWALL, "title": "Name the jargon"}})
    live.open("p2", CHOICE)
    expect(page.get_by_role("tab", name="This question")).to_be_visible()
    check(page, "stay-open wall, question tab")
    page.get_by_role("tab", name="Name the jargon").click()
    expect(page.get_by_label("A word or short phrase")).to_be_visible()
    check(page, "stay-open wall, wall tab")


def test_a_paced_reflection_on_its_second_question(page: Page, live: LiveServer) -> None:
    """One question with its own time, and the earlier one below, still changeable."""
    join(page, live)
    live.open("p1", PACED)
    live.call(live.server.pace, "p1", 1, Timer(45, running=True))
    expect(page.get_by_role("timer")).to_contain_text("Question 2 of 2")
    check(page, "paced reflection")


def test_the_close(page: Page, live: LiveServer) -> None:
    """The workshop is over: the room's revealed results and this phone's own answers."""
    join(page, live)
    live.open("p1", CHOICE)
    button(page, "Calm").click()
    expect(status(page)).to_have_text("Received")
    live.call(live.server.close_prompt)
    live.call(live.server.show_closing, ["p1"])
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("complete"))
    check(page, "closing")


# --- The notes page of a room's link ---------------------------------------------------------------


def test_notes_page_with_no_breakout_running(page: Page, live: LiveServer) -> None:
    """A room link before the breakout starts: Add is disabled."""
    page.goto(f"http://127.0.0.1:{live.server.port}{live.server.room_path(1)}")
    expect(page.get_by_text(NO_BREAKOUT)).to_be_visible()
    check(page, "notes page, no breakout")


def test_notes_page_with_notes_while_editing_and_after_a_delete(page: Page, live: LiveServer) -> None:
    """The breakout's prompts and countdown, notes listed, one being edited, one deleted (Undo)."""
    open_breakout(live, Timer(600, running=True))
    visit(page, live, 2)
    check(page, "notes page, no notes yet")
    add_note(page, "We both listen before we decide")
    page.get_by_label("Theme", exact=True).fill("Trust")
    add_note(page, "Trust grows with small promises kept")
    check(page, "notes page, two notes, one filed")
    page.get_by_label("Note", exact=True).fill("trust takes promises kept")
    expect(button(page, "Add to Trust")).to_be_visible()
    check(page, "notes page, a theme suggested")
    notes_list = page.locator("ul.notes > li")
    notes_list.first.get_by_role("button", name="Star", exact=True).click()
    expect(notes_list.first.get_by_role("button", name="Star")).to_have_attribute("aria-pressed", "true")
    check(page, "notes page, a starred note")
    edit_button(page, "We both listen before we decide").click()
    expect(page.get_by_label("New text")).to_be_focused()
    check(page, "notes page, editing a note")
    button(page, "Cancel").click()
    button(page, "Delete note: Trust grows with small promises kept").click()
    expect(status(page)).to_have_text("Deleted")
    expect(button(page, "Undo")).to_be_visible()
    check(page, "notes page, after a delete")
    page.get_by_label("Note", exact=True).fill("")
    button(page, "Add").click()
    expect(status(page)).to_have_text("Write the note first")
    check(page, "notes page, error")


def test_the_check_finds_a_planted_violation(page: Page, live: LiveServer) -> None:
    """The harness works: a button with no name is reported, by rule and element."""
    join(page, live)
    page.evaluate("document.querySelector('main').appendChild(document.createElement('button')).id = 'x'")
    report = violations(page)
    assert "button-name" in report
    assert "#x" in report
