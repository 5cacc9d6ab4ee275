"""The real phone page in headless Chromium against the real server: every prompt kind, offline and back.

The server runs on 127.0.0.1 port 0 on its own event loop in a background thread (Playwright's sync
API runs in the test's thread); one browser per module, a fresh context (phone) and session per test.

Going offline: ``context.set_offline(True)`` makes ``navigator.onLine`` false, fires ``offline`` and
fails every new connection, but Chromium keeps an open websocket open (its frames are held until the
network is back). The page abandons its socket on ``offline`` itself; a link that dies without telling
the browser is simulated with ``page.route_web_socket`` (a proxy that loses acks or swallows answers)
and caught by the page's ack watchdog, driven with Playwright's fake clock.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocketRoute, expect

from facilitator.domain.agenda import Prompt, RatingQuestion, StepKind
from participant.core.notes import Suggester, Timer
from participant.core.wire import (
    MAX_COMMENT_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_WORD_LENGTH,
    RATE_BURST,
    page_limits,
)
from participant.io.server import PAGE, ParticipantServer, with_limits
from participant.io.store import create_session
from tests.phones import connect

T = TypeVar("T")
TIMEOUT = 10
expect.set_options(timeout=5_000)

QUEUED = "Saved offline, will send"
WAITING = "Waiting for the next question…"
FEELINGS = ("Scared", "Sad", "Angry", "Curious", "Hopeful", "Calm")
REFLECTION = Prompt(
    StepKind.REFLECTION,
    ratings=(
        RatingQuestion("How safe did you feel to speak?", "Not at all", "Completely"),
        RatingQuestion("How useful was the morning?", "Useless", "Very useful"),
    ),
    comment="Why? (optional)",
).to_wire()
CHOICE = Prompt(StepKind.CHOICE, "How do you feel right now?", options=FEELINGS).to_wire()
TEXT = Prompt(StepKind.TEXT, "What went well today?").to_wire()
WORDWALL = Prompt(StepKind.WORDWALL, "Name the jargon").to_wire()
SHARE = Prompt(StepKind.SHARE, "Share one thing you will try tomorrow").to_wire()
EVERY_KIND = {"reflection": REFLECTION, "choice": CHOICE, "text": TEXT, "wordwall": WORDWALL, "share": SHARE}


class Frozen:
    """The server's monotonic clock, frozen unless moved: the rate limit refills only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class LiveServer:
    """A session and its real participant server on 127.0.0.1, on its own loop in a background thread."""

    def __init__(
        self, data_dir: Path, clock: Callable[[], float] | None = None, suggest: Suggester | None = None
    ) -> None:
        self.store = create_session("Team day", "", data_dir=data_dir)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="live-server", daemon=True)
        self.thread.start()
        kwargs: dict[str, Any] = (
            {"suggest": suggest} if clock is None else {"clock": clock, "suggest": suggest}
        )
        self.server = ParticipantServer(self.store, **kwargs)
        self.run(self.server.start("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.port}{self.server.join_path}"

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(TIMEOUT)

    def call(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function`` on the server's loop (the trainer's calls must be made there)."""

        async def on_loop() -> T:
            return function(*args)

        return self.run(on_loop())

    def open(self, prompt_id: str, wire: dict[str, Any]) -> None:
        self.call(self.server.open_prompt, prompt_id, wire)

    def rows(self, prompt_id: str) -> list[dict[str, Any]]:
        """Every stored response to the prompt, oldest first, as wire values."""
        return [
            response.value.to_wire()
            for _, response in self.store.responses()
            if response.prompt_id == prompt_id
        ]

    def respondents(self, prompt_id: str) -> int:
        return self.call(self.server.hub.respondents, prompt_id)

    def answer_of(self, device: str, prompt_id: str) -> dict[str, Any] | None:
        value = self.call(self.server.hub.answer_of, device, prompt_id)
        return None if value is None else value.to_wire()

    def stop(self) -> None:
        try:
            self.run(self.server.close())
            self.run(asyncio.sleep(0))  # closed transports finish closing before the loop stops
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(TIMEOUT)
            self.loop.close()
            self.store.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def context(browser: Browser, live: LiveServer) -> Iterator[BrowserContext]:
    # Asks for ``live`` so the phones close before the server stops: a phone still reconnecting
    # when the server's loop stops would leave a half-open connection behind.
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, live: LiveServer) -> Iterator[Page]:
    """A phone's tab; fails the test on any script error or Content-Security-Policy violation."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    assert problems == []


def status(page: Page):
    return page.get_by_role("status")


def button(page: Page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def join(page: Page, live: LiveServer) -> None:
    page.goto(live.url)
    expect(page.locator("#title")).to_have_text("Team day")


def losing_the_first_ack(lost: list[str]) -> Callable[[WebSocketRoute], None]:
    """A websocket route that passes everything through, except that the first ack from the server
    closes the connection instead of reaching the page (it is kept in ``lost``)."""

    def proxy(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def to_page(message: str | bytes) -> None:
            if not lost and '"type":"ack"' in str(message):
                lost.append(str(message))
                ws.close()
                server.close()
                return
            ws.send(message)

        server.on_message(to_page)

    return proxy


def device_of(page: Page) -> str:
    return page.evaluate("localStorage.getItem('facilitate.device')")


def queued(page: Page) -> list[dict[str, Any]]:
    """The answers the page keeps in localStorage until they are acknowledged."""
    raw = page.evaluate(
        "Object.keys(localStorage).filter(k => k.indexOf('facilitate.queue.') === 0)"
        ".map(k => localStorage.getItem(k))"
    )
    return [item for text in raw for item in json.loads(text)]


# --- Static checks of the file ---------------------------------------------------------------------


def test_page_is_one_small_self_contained_file() -> None:
    """Under 42 KB as served (phones and room links), nothing fetched from elsewhere, no HTML parsing of
    text at run time, ES5 script.

    The budget was 28 KB until issue 13 gave the page ratings as radio groups with arrow keys, the
    workshop's closing summary and the breakout on the phones (34 KB); then walls that stay open
    (tabs), paced reflections, and the notes page's prompt choice, themes, suggestions and stars
    (issue 11): 40 KB, still one small request on a crowded network (under 13 KB gzipped)."""
    html = PAGE.read_text(encoding="utf-8")
    assert len(with_limits(html.encode())) < 42 * 1024
    assert '<html lang="en">' in html
    assert 'name="viewport"' in html
    assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html) is None
    style = html[html.index("<style>") : html.index("</style>")]
    assert "@import" not in style
    assert "url(" not in style
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in html
    script = html[html.index("<script>") : html.index("</script>")]
    for newer in ("=>", "`", "let ", "const ", "?.", "??", "async ", "await ", "class "):
        assert newer not in script, f"old phones cannot run {newer!r}: keep the script ES5"


# --- Joining and answering each kind ---------------------------------------------------------------


@pytest.mark.browser
def test_join_shows_the_waiting_screen_with_the_title(page: Page, live: LiveServer) -> None:
    """A phone that joins with no prompt open waits calmly, under the workshop's title."""
    join(page, live)
    expect(page.get_by_role("heading", name=WAITING)).to_be_visible()
    expect(page).to_have_title("Team day")
    expect(status(page)).to_have_text("")
    assert live.call(lambda: live.server.connected) == 1
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", device_of(page))


@pytest.mark.browser
def test_reflection_ratings_and_comment_are_received_and_stored_once(page: Page, live: LiveServer) -> None:
    """Each question is a radio group of buttons "1".."5" with its end labels; Send stores one response."""
    join(page, live)
    live.open("p1", REFLECTION)
    first = page.get_by_role("radiogroup", name="How safe did you feel to speak?")
    second = page.get_by_role("radiogroup", name="How useful was the morning?")
    expect(first).to_be_visible()
    for name in "12345":
        expect(first.get_by_role("radio", name=name, exact=True)).to_have_attribute("aria-checked", "false")
    expect(first.get_by_role("radio", name="1", exact=True)).to_have_accessible_description("Not at all")
    expect(first.get_by_role("radio", name="5", exact=True)).to_have_accessible_description("Completely")
    expect(second.get_by_text("Very useful")).to_be_visible()

    first.get_by_role("radio", name="4", exact=True).click()
    second.get_by_role("radio", name="2", exact=True).click()
    second.get_by_role("radio", name="5", exact=True).click()
    expect(first.get_by_role("radio", name="4", exact=True)).to_have_attribute("aria-checked", "true")
    expect(second.get_by_role("radio", name="2", exact=True)).to_have_attribute("aria-checked", "false")
    comment = page.get_by_label("Why? (optional)")
    comment.fill("Good pace")
    expect(page.get_by_text(f"9 of {MAX_COMMENT_LENGTH} characters")).to_be_visible()
    button(page, "Send").click()

    expect(status(page)).to_have_text("Received")
    assert live.rows("p1") == [{"ratings": [4, 5], "comment": "Good pace"}]
    assert live.respondents("p1") == 1
    assert queued(page) == []


@pytest.mark.browser
def test_each_rating_question_is_one_tab_stop_moved_with_arrow_keys(page: Page, live: LiveServer) -> None:
    """One tab stop per question (the checked option, else "1"); arrows move and select, wrapping,
    Home and End go to the ends; Tab leaves for the next question; a tap on the checked one clears it."""
    join(page, live)
    live.open("p1", REFLECTION)
    first = page.get_by_role("radiogroup", name="How safe did you feel to speak?")
    second = page.get_by_role("radiogroup", name="How useful was the morning?")

    def radio(group, name: str):
        return group.get_by_role("radio", name=name, exact=True)

    def checked(group) -> list[str]:
        return [r.text_content() or "" for r in group.locator("[role=radio][aria-checked=true]").all()]

    expect(page.locator("[role=radio][tabindex='0']")).to_have_count(2)
    radio(first, "1").focus()
    page.keyboard.press("Tab")
    expect(radio(second, "1")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(radio(first, "1")).to_be_focused()
    assert checked(first) == []

    page.keyboard.press("ArrowRight")
    expect(radio(first, "2")).to_be_focused()
    expect(radio(first, "2")).to_have_attribute("aria-checked", "true")
    page.keyboard.press("ArrowDown")
    expect(radio(first, "3")).to_be_focused()
    page.keyboard.press("End")
    expect(radio(first, "5")).to_be_focused()
    page.keyboard.press("ArrowRight")  # wraps round
    expect(radio(first, "1")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(radio(first, "5")).to_be_focused()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowLeft")
    expect(radio(first, "4")).to_be_focused()
    assert checked(first) == ["4"]
    expect(radio(first, "4")).to_have_attribute("tabindex", "0")
    expect(first.locator("[role=radio][tabindex='0']")).to_have_count(1)

    page.keyboard.press("Tab")  # the next question's group, not the next option
    expect(radio(second, "1")).to_be_focused()
    page.keyboard.press("End")
    assert checked(second) == ["5"]
    page.keyboard.press("Shift+Tab")
    expect(radio(first, "4")).to_be_focused()
    radio(second, "5").click()  # a tap on the checked option clears it
    assert checked(second) == []
    expect(radio(second, "1")).to_have_attribute("tabindex", "0")
    button(page, "Send").click()
    expect(status(page)).to_have_text("Received")
    assert live.rows("p1") == [{"ratings": [4, None]}]


@pytest.mark.browser
def test_the_steps_question_is_the_heading_of_every_kind(page: Page, live: LiveServer) -> None:
    """The step's framing heads the prompt (a reflection too); without one, a plain fallback."""
    join(page, live)
    framed = {**REFLECTION, "question": "How true is each of these in our partnership today?"}
    live.open("p1", framed)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("How true is each of these in our partnership today?")
    expect(page.get_by_text("Rate from 1 to 5")).to_have_count(0)
    expect(page.get_by_role("radiogroup", name="How safe did you feel to speak?")).to_be_visible()
    live.open("p2", {**REFLECTION, "question": ""})
    expect(heading).to_have_text("Rate from 1 to 5")
    for number, (kind, wire) in enumerate(EVERY_KIND.items()):
        live.open(f"q{number}", {**wire, "question": f"Framing of the {kind}"})
        expect(heading).to_have_text(f"Framing of the {kind}")
    live.open("q9", {**TEXT, "question": ""})
    expect(heading).to_have_text("Your answer")


@pytest.mark.browser
def test_choice_buttons_are_named_by_their_options_and_send_on_tap(page: Page, live: LiveServer) -> None:
    """The feelings chart: one button per feeling; tapping one sends it."""
    join(page, live)
    live.open("p1", CHOICE)
    expect(page.get_by_role("heading", name="How do you feel right now?")).to_be_visible()
    group = page.get_by_role("group", name="How do you feel right now?")
    for feeling in FEELINGS:
        expect(group.get_by_role("button", name=feeling, exact=True)).to_be_visible()
    expect(button(page, "Pass")).to_be_visible()

    group.get_by_role("button", name="Scared", exact=True).click()
    expect(status(page)).to_have_text("Received")
    expect(button(page, "Scared")).to_have_attribute("aria-pressed", "true")
    assert live.rows("p1") == [{"option": "Scared"}]


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["text", "share"])
def test_text_and_share_answers_with_a_counter_of_the_protocol_limit(
    page: Page, live: LiveServer, kind: str
) -> None:
    """A labelled box, a counter out of the kind's limit, Send; the text arrives as written."""
    join(page, live)
    live.open("p1", EVERY_KIND[kind])
    box = page.get_by_label("Your answer")
    limit = MAX_TEXT_LENGTH[kind]
    expect(page.get_by_text(f"0 of {limit} characters")).to_be_visible()
    box.fill("Listening first,\nthen asking")
    expect(page.get_by_text(f"28 of {limit} characters")).to_be_visible()
    button(page, "Send").click()
    expect(status(page)).to_have_text("Received")
    assert live.rows("p1") == [{"text": "Listening first,\nthen asking"}]


@pytest.mark.browser
def test_word_wall_takes_up_to_five_words(page: Page, live: LiveServer) -> None:
    """Words are added with Enter or Add, removed by their own button, and sent together."""
    join(page, live)
    live.open("p1", WORDWALL)
    word = page.get_by_label("A word or short phrase")
    expect(word).to_have_attribute("maxlength", str(MAX_WORD_LENGTH))
    word.fill("synergy")
    word.press("Enter")
    word.fill("circle back")
    button(page, "Add").click()
    word.fill("SYNERGY")  # a repeat, whatever its case, is dropped
    word.press("Enter")
    expect(page.get_by_role("list", name="Your words").get_by_role("listitem")).to_have_count(2)
    for extra in ("deep dive", "bandwidth", "leverage"):
        word.fill(extra)
        word.press("Enter")
    expect(word).to_be_hidden()  # five words: no room for a sixth
    button(page, "Remove deep dive").click()
    expect(word).to_be_visible()
    word.fill("low-hanging fruit")  # still in the box: Send takes it too
    button(page, "Send").click()
    expect(status(page)).to_have_text("Received")
    assert live.rows("p1") == [
        {"words": ["synergy", "circle back", "bandwidth", "leverage", "low-hanging fruit"]}
    ]


@pytest.fixture
def other_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server writes other limits into the page than the wire's (request before ``live``)."""
    limits = {**page_limits(), "text": {"text": 12, "share": 11}, "comment": 13, "words": 2, "word": 7}
    monkeypatch.setattr("participant.io.server.page_limits", lambda: limits)


@pytest.mark.browser
def test_the_page_checks_the_limits_the_server_writes_into_it(
    other_limits: None, page: Page, live: LiveServer
) -> None:
    """With other limits written in, the page counts and stops by them: it keeps no copy of its own."""
    join(page, live)
    live.open("p1", SHARE)
    expect(page.get_by_text("0 of 11 characters")).to_be_visible()
    live.open("p2", REFLECTION)
    expect(page.get_by_text("0 of 13 characters")).to_be_visible()
    live.open("p3", WORDWALL)
    word = page.get_by_label("A word or short phrase")
    expect(word).to_have_attribute("maxlength", "7")
    expect(
        page.get_by_text("Up to 2 words or short phrases, 7 characters each.", exact=False)
    ).to_be_visible()
    for extra in ("synergy", "scope"):
        word.fill(extra)
        word.press("Enter")
    expect(word).to_be_hidden()


@pytest.mark.browser
@pytest.mark.parametrize("kind", list(EVERY_KIND))
def test_every_prompt_offers_pass(page: Page, live: LiveServer, kind: str) -> None:
    """Pass is a button on every kind of prompt, and a pass is stored as one."""
    join(page, live)
    live.open("p1", EVERY_KIND[kind])
    button(page, "Pass").click()
    expect(status(page)).to_have_text("Received")
    expect(button(page, "Pass")).to_have_attribute("aria-pressed", "true")
    assert live.rows("p1") == [{"pass": True}]


@pytest.mark.browser
def test_changing_an_answer_keeps_the_latest_and_counts_one(page: Page, live: LiveServer) -> None:
    """While a prompt is open a phone may change its mind: the latest answer counts, once."""
    join(page, live)
    live.open("p1", CHOICE)
    button(page, "Scared").click()
    expect(status(page)).to_have_text("Received")
    button(page, "Curious").click()
    expect(button(page, "Curious")).to_have_attribute("aria-pressed", "true")
    expect(button(page, "Scared")).to_have_attribute("aria-pressed", "false")
    expect(status(page)).to_have_text("Received")
    button(page, "Pass").click()
    expect(button(page, "Curious")).to_have_attribute("aria-pressed", "false")
    expect(status(page)).to_have_text("Received")
    button(page, "Hopeful").click()
    expect(status(page)).to_have_text("Received")

    assert live.rows("p1")[-1] == {"option": "Hopeful"}
    assert live.respondents("p1") == 1
    assert live.answer_of(device_of(page), "p1") == {"option": "Hopeful"}


@pytest.mark.browser
def test_too_long_text_shows_the_servers_message_and_is_not_retried(page: Page, live: LiveServer) -> None:
    """A final refusal is shown in the server's plain words and dropped from the queue."""
    join(page, live)
    live.open("p1", TEXT)
    limit = MAX_TEXT_LENGTH["text"]
    page.get_by_label("Your answer").fill("x" * (limit + 1))
    expect(page.get_by_text(f"{limit + 1} of {limit} characters")).to_be_visible()
    button(page, "Send").click()
    expect(status(page)).to_have_text(f"That answer is too long: {limit} characters at most")
    assert queued(page) == []
    assert live.rows("p1") == []


@pytest.mark.browser
def test_a_late_joiner_sees_the_open_prompt_and_a_closed_prompt_returns_to_waiting(
    page: Page, live: LiveServer
) -> None:
    """Joining after the prompt opened shows it at once; closing it brings back the waiting screen."""
    live.open("p1", TEXT)
    join(page, live)
    expect(page.get_by_role("heading", name="What went well today?")).to_be_visible()
    live.call(live.server.close_prompt)
    expect(page.get_by_role("heading", name=WAITING)).to_be_visible()
    live.open("p2", CHOICE)
    expect(button(page, "Scared")).to_be_visible()


@pytest.mark.browser
def test_a_reload_shows_the_answer_already_given(page: Page, live: LiveServer) -> None:
    """The device id survives a reload, so the server gives the page its earlier answer back."""
    join(page, live)
    live.open("p1", REFLECTION)
    safe = page.get_by_role("radiogroup", name="How safe did you feel to speak?")
    safe.get_by_role("radio", name="3").click()
    page.get_by_label("Why? (optional)").fill("Mixed feelings")
    button(page, "Send").click()
    expect(status(page)).to_have_text("Received")
    device = device_of(page)

    page.reload()
    first = page.get_by_role("radiogroup", name="How safe did you feel to speak?")
    expect(first.get_by_role("radio", name="3", exact=True)).to_have_attribute("aria-checked", "true")
    expect(page.get_by_label("Why? (optional)")).to_have_value("Mixed feelings")
    expect(status(page)).to_have_text("Received")
    assert device_of(page) == device


# --- Offline, lost acks, retries -------------------------------------------------------------------


@pytest.mark.browser
def test_an_answer_given_offline_is_queued_and_sent_once_back_online(
    context: BrowserContext, page: Page, live: LiveServer
) -> None:
    """Offline: "Saved offline, will send"; online again: resent by itself, "Received", stored once."""
    join(page, live)
    live.open("p1", TEXT)
    expect(page.get_by_label("Your answer")).to_be_visible()

    context.set_offline(True)
    expect(page.get_by_text("Offline", exact=True)).to_be_visible()
    page.get_by_label("Your answer").fill("Written on the train")
    button(page, "Send").click()
    expect(status(page)).to_have_text(QUEUED)
    assert [item["value"] for item in queued(page)] == [{"text": "Written on the train"}]
    assert live.rows("p1") == []

    context.set_offline(False)
    expect(status(page)).to_have_text("Received")
    assert live.rows("p1") == [{"text": "Written on the train"}]
    assert queued(page) == []


@pytest.mark.browser
def test_a_queued_answer_survives_a_reload_while_offline(
    context: BrowserContext, page: Page, live: LiveServer
) -> None:
    """The queue lives in localStorage: a page reloaded offline still sends it once back online."""
    join(page, live)
    live.open("p1", CHOICE)
    expect(button(page, "Calm")).to_be_visible()
    context.set_offline(True)
    button(page, "Calm").click()
    expect(status(page)).to_have_text(QUEUED)
    # Reloading needs the network for the page itself: let it load, but keep the websocket failing.
    blocked = [True]
    page.route_web_socket(re.compile(r"/ws\?"), lambda ws: ws.close() if blocked else ws.connect_to_server())
    context.set_offline(False)
    page.reload()
    expect(status(page)).to_have_text(QUEUED)
    blocked.clear()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status(page)).to_have_text("Received")
    expect(button(page, "Calm")).to_have_attribute("aria-pressed", "true")
    assert live.rows("p1") == [{"option": "Calm"}]


@pytest.mark.browser
def test_an_answer_queued_for_a_question_closed_meanwhile_says_so(
    context: BrowserContext, page: Page, live: LiveServer
) -> None:
    """Back online after the trainer moved on: the server's refusal is shown and the answer dropped."""
    join(page, live)
    live.open("p1", CHOICE)
    expect(button(page, "Calm")).to_be_visible()
    context.set_offline(True)
    button(page, "Calm").click()
    expect(status(page)).to_have_text(QUEUED)
    live.call(live.server.close_prompt)
    context.set_offline(False)
    expect(status(page)).to_have_text("This question is closed: your answer was not saved")
    expect(page.get_by_role("heading", name=WAITING)).to_be_visible()
    assert queued(page) == []
    assert live.rows("p1") == []


@pytest.mark.browser
def test_a_reconnect_keeps_what_the_participant_is_typing(page: Page, live: LiveServer) -> None:
    """The same prompt replayed on reconnect does not redraw the screen or wipe an unsent draft."""
    links: list[WebSocketRoute] = []

    def proxy(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        links.append(ws)
        if len(links) > 1:  # mark the second welcome, so the test sees that it arrived

            def to_page(message: str | bytes) -> None:
                ws.send(str(message).replace('"title":"Team day"', '"title":"Team day, again"'))

            server.on_message(to_page)

    page.route_web_socket(re.compile(r"/ws\?"), proxy)
    join(page, live)
    live.open("p1", TEXT)
    page.get_by_label("Your answer").fill("Half a thought")
    links[0].close()
    expect(page.locator("#title")).to_have_text("Team day, again")
    expect(page.get_by_label("Your answer")).to_have_value("Half a thought")
    expect(page.get_by_label("Your answer")).to_be_focused()
    expect(status(page)).to_have_text("")


@pytest.mark.browser
def test_an_answer_whose_ack_was_lost_is_resent_and_stored_once(page: Page, live: LiveServer) -> None:
    """The connection dies after the store committed but before the ack arrived: same id, one row."""
    lost: list[str] = []
    proxy = losing_the_first_ack(lost)
    page.route_web_socket(re.compile(r"/ws\?"), proxy)
    join(page, live)
    live.open("p1", TEXT)
    page.get_by_label("Your answer").fill("Said once")
    button(page, "Send").click()
    expect(status(page)).to_have_text("Received")
    assert len(lost) == 1
    assert live.rows("p1") == [{"text": "Said once"}]


@pytest.mark.browser
def test_a_silently_dead_connection_is_caught_by_the_ack_watchdog(page: Page, live: LiveServer) -> None:
    """No ack within seconds: the page says it saved the answer offline, reconnects and resends it."""
    swallowed: list[str] = []

    def proxy(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        first = not swallowed

        def to_server(message: str | bytes) -> None:
            if first and '"type":"answer"' in str(message):
                swallowed.append(str(message))  # the link is dead: nothing reaches the server
                return
            server.send(message)

        ws.on_message(to_server)

    page.clock.install()
    page.route_web_socket(re.compile(r"/ws\?"), proxy)
    join(page, live)
    live.open("p1", CHOICE)
    button(page, "Sad").click()
    expect(status(page)).to_have_text("Sending…")
    page.clock.fast_forward(9_000)
    expect(status(page)).to_have_text("Received")
    assert len(swallowed) == 1
    assert live.rows("p1") == [{"option": "Sad"}]


@pytest.mark.browser
def test_a_rate_limited_answer_is_retried_later(browser: Browser, tmp_path: Path) -> None:
    """``too_fast`` is worth retrying: the page shows the message, keeps the answer and sends it again."""
    clock = Frozen()
    live = LiveServer(tmp_path, clock=clock)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.clock.install()
        join(page, live)
        live.open("p1", CHOICE)
        device = device_of(page)

        async def use_up_the_burst() -> None:
            """The same device on a second connection says hello until the server says "too fast"."""
            async with connect(f"ws://127.0.0.1:{live.server.port}/ws?s={live.server.join_code}") as ws:
                for _ in range(3 * int(RATE_BURST)):
                    await ws.send(json.dumps({"type": "hello", "device": device}))
                    if json.loads(await ws.recv()).get("code") == "too_fast":
                        return
            raise AssertionError("the rate limit never applied")

        live.run(use_up_the_burst())
        button(page, "Angry").click()
        expect(status(page)).to_have_text(re.compile(r"^Too many messages at once"))
        assert [item["value"] for item in queued(page)] == [{"option": "Angry"}]
        clock.now += 60
        page.clock.fast_forward(6_000)
        expect(status(page)).to_have_text("Received")
        assert live.rows("p1") == [{"option": "Angry"}]
    finally:
        context.close()
        live.stop()


# --- Safety and accessibility ----------------------------------------------------------------------


@pytest.mark.browser
def test_text_from_the_server_stays_text(page: Page, live: LiveServer) -> None:
    """Markup in a question or an option is shown literally, never parsed as HTML."""
    join(page, live)
    live.open(
        "p1",
        {
            "kind": "choice",
            "question": '<img src=x onerror="window.hacked=1">Why?',
            "options": ["<b>Bold</b>", "Plain"],
        },
    )
    expect(page.get_by_role("heading", name='<img src=x onerror="window.hacked=1">Why?')).to_be_visible()
    button(page, "<b>Bold</b>").click()
    expect(status(page)).to_have_text("Received")
    assert page.locator("main img, main b").count() == 0
    assert page.evaluate("window.hacked") is None


@pytest.mark.browser
@pytest.mark.parametrize("zoom", [1, 2])
def test_every_control_is_named_labelled_and_large_at_any_zoom(
    browser: Browser, live: LiveServer, zoom: int
) -> None:
    """Every button has a name, every box a <label>, one polite status; 48 px targets; no sideways scroll.

    200% zoom on a 390 px wide phone is a 195 CSS px wide layout viewport, where the five rating
    buttons stay in one row: at least 24 CSS px each, which is 48 px on the screen.
    """
    context = browser.new_context(viewport={"width": 390 // zoom, "height": 844 // zoom})
    try:
        page = context.new_page()
        join(page, live)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        live_regions = page.locator("[aria-live]")
        expect(live_regions).to_have_count(1)
        expect(live_regions).to_have_attribute("aria-live", "polite")
        expect(live_regions).to_have_attribute("role", "status")
        for number, (kind, wire) in enumerate(EVERY_KIND.items()):
            live.open(f"p{number}", wire)
            expect(button(page, "Pass")).to_be_visible()
            if kind != "choice":
                expect(button(page, "Send")).to_be_visible()
            if kind == "wordwall":
                page.get_by_label("A word or short phrase").fill("a rather long phrase of jargon")
                button(page, "Add").click()
                expect(button(page, "Remove a rather long phrase of jargon")).to_be_visible()
            # Measured once the view has settled: a control redrawn meanwhile has no box for a moment.
            for control in page.get_by_role("button").all() + page.get_by_role("radio").all():
                expect(control).to_be_visible()
                expect(control).to_have_accessible_name(re.compile(r"\S"))
                box = control.bounding_box()
                assert box is not None
                assert box["width"] * zoom >= 48, (kind, control.text_content(), box)
                assert box["height"] * zoom >= 48, (kind, control.text_content(), box)
            for field in page.locator("textarea, input").all():
                assert field.evaluate("el => el.labels.length") == 1, kind
                expect(field).to_have_accessible_name(re.compile(r"\S"))
                assert field.bounding_box()["height"] >= 48
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, kind
    finally:
        context.close()


# --- Walls that stay open: a tab of their own -------------------------------------------------------

JARGON = {**WORDWALL, "title": "Name the jargon"}  # the controller adds the step's title for its tab


def keep(live: LiveServer, *walls: str) -> None:
    live.call(live.server.keep_open, dict.fromkeys(walls, JARGON))


def tab(page: Page, name: str):
    return page.get_by_role("tab", name=name, exact=True)


@pytest.mark.browser
def test_a_wall_kept_open_is_a_tab_beside_the_next_question(page: Page, live: LiveServer) -> None:
    """Both the open question and the wall take answers; each tab keeps its own."""
    join(page, live)
    live.open("p1", WORDWALL)
    keep(live, "p1")
    expect(page.get_by_role("tablist")).to_be_hidden()  # on its own step it is the question
    live.open("p2", TEXT)
    expect(tab(page, "This question")).to_have_attribute("aria-selected", "true")
    page.get_by_label("Your answer").fill("Listening first")
    button(page, "Send").click()
    expect(status(page)).to_have_text("Received")

    tab(page, "Name the jargon").click()
    expect(page.get_by_role("tabpanel")).to_contain_text("Name the jargon")
    word = page.get_by_label("A word or short phrase")
    word.fill("CPS")
    word.press("Enter")
    button(page, "Send").click()
    expect(status(page)).to_have_text("Received")
    assert live.rows("p1") == [{"words": ["CPS"]}]
    assert live.rows("p2") == [{"text": "Listening first"}]

    tab(page, "This question").press("ArrowRight")  # arrows move between tabs
    expect(tab(page, "Name the jargon")).to_be_focused()
    expect(page.get_by_role("list", name="Your words")).to_contain_text("CPS")  # its own answer


@pytest.mark.browser
def test_a_late_joiner_gets_the_wall_and_a_closed_wall_goes_away(page: Page, live: LiveServer) -> None:
    """The welcome carries the walls kept open; when the trainer closes it the tab goes."""
    live.open("p1", WORDWALL)
    keep(live, "p1")
    live.call(live.server.close_prompt)
    join(page, live)
    tab(page, "Name the jargon").click()
    expect(page.get_by_label("A word or short phrase")).to_be_visible()
    keep(live)
    expect(page.get_by_role("tablist")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting for the next question…")


# --- A paced reflection: one question at a time ------------------------------------------------------

PACED = Prompt(
    StepKind.REFLECTION,
    "Picture that person... & rate",
    ratings=(RatingQuestion("Do you listen?"), RatingQuestion("Do you share power?")),
    pace=60,
).to_wire()


def pace(live: LiveServer, question: int, remaining: float) -> None:
    live.call(live.server.pace, "p1", question, Timer(remaining, running=False))


@pytest.mark.browser
def test_a_paced_reflection_shows_one_question_then_the_next_with_earlier_ones_changeable(
    page: Page, live: LiveServer
) -> None:
    """The phone shows question 1 of 2 and its time; on the trainer's next, question 2 comes on and
    question 1 stays below, still changeable; one Send holds both ratings."""
    join(page, live)
    live.open("p1", PACED)
    pace(live, 0, 60)
    expect(page.get_by_role("timer")).to_have_text("Question 1 of 2 · Time left 1:00, paused")
    expect(page.get_by_role("radiogroup", name="Do you share power?")).to_be_hidden()
    page.get_by_role("radiogroup", name="Do you listen?").get_by_role("radio", name="4").click()
    button(page, "Send").click()
    expect(status(page)).to_have_text("Received")
    pace(live, 1, 45)
    expect(page.get_by_role("timer")).to_have_text("Question 2 of 2 · Time left 0:45, paused")
    page.get_by_role("radiogroup", name="Do you share power?").get_by_role("radio", name="2").click()
    page.get_by_role("radiogroup", name="Do you listen?").get_by_role("radio", name="5").click()
    button(page, "Send").click()
    expect(status(page)).to_have_text("Received")
    assert live.rows("p1")[-1] == {"ratings": [5, 2]}
