"""The phone remote in headless Chromium against the real server and the workshop controller: every
button, a refusal in words, no HTML from the server's strings, and coming back after a restart."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.async_api import Page, async_playwright, expect

from facilitator.domain.workshop import Workshop
from facilitator.live.participants import ServerParticipants
from facilitator.live.trainer_desk import WorkshopDesk
from participant.io.server import ParticipantServer
from participant.io.store import create_session
from participant.io.trainer_link import TokenFile
from tests.sample_agendas import NOTED, NOTES
from tests.test_page_accessibility import AXE_RUN, axe_report

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@asynccontextmanager
async def remote(workshop, tmp_path, launch_options):
    """A running session with its trainer link, and the remote open on a phone-sized page."""
    await workshop.start(create_session("Working alliances", NOTED, data_dir=tmp_path / "data"))
    url = workshop.trainer_link()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**launch_options)
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        await page.goto(url)
        await expect(page.locator("#step")).to_have_text("Welcome")
        yield page
        await browser.close()
        assert problems == []


def button(page: Page, name: str):
    return page.get_by_role("button", name=name, exact=True)


async def test_every_button_moves_the_workshop_and_the_page_follows(
    workshop, tmp_path, chromium_launch_options
):
    """Next, Start, Pause, +1 min, -1 min, Reveal, Hide and Back each make their controller call;
    the page shows the step, the time left, the notes and the next step as the server says."""
    async with remote(workshop, tmp_path, chromium_launch_options) as page:
        controller = workshop.workshop
        await expect(page.locator("#notes")).to_have_text(NOTES)
        await expect(page.locator("#next")).to_have_text("Next: Why we work well together · 15 min")
        await expect(page.locator("#time")).to_have_text("10:00")
        await button(page, "Next").click()
        await expect(page.locator("#step")).to_have_text("Why we work well together")
        assert controller.index == 1
        await expect(page.locator("#notes")).to_have_text("No presenter notes for this step")
        await button(page, "Start").click()
        await expect(button(page, "Pause")).to_be_visible()
        assert controller.runner.phase.value == "running"
        await button(page, "Pause").click()
        await expect(button(page, "Start")).to_be_visible()
        await button(page, "+1 min").click()
        await expect(page.locator("#time")).to_have_text("16:00")
        await button(page, "-1 min").click()
        await button(page, "-1 min").click()
        await expect(page.locator("#time")).to_have_text("14:00")
        for _ in range(2):
            await button(page, "Next").click()
        await expect(page.locator("#step")).to_have_text("Feelings check-in")
        await button(page, "Reveal").click()
        await expect(button(page, "Hide")).to_be_visible()
        assert controller.results().revealed
        await button(page, "Hide").click()
        await expect(button(page, "Reveal")).to_be_visible()
        assert not controller.results().revealed
        await button(page, "Back").click()
        await expect(page.locator("#step")).to_have_text("Rate the alliance")
        assert controller.index == 2
        if not await page.evaluate("typeof window.axe === 'object'"):
            await page.evaluate(AXE_SCRIPT)
        report = axe_report(await page.evaluate(AXE_RUN))
        assert report == "", f"axe-core found violations:\n{report}"


async def test_a_refusal_is_shown_in_words(workshop, tmp_path, chromium_launch_options):
    """Back on the first step: the page says why, and the workshop stays where it is."""
    async with remote(workshop, tmp_path, chromium_launch_options) as page:
        await button(page, "Back").click()
        await expect(page.locator("#status")).to_have_text("Back: already at the first step")
        await button(page, "Reveal").click()
        await expect(page.locator("#status")).to_have_text("Reveal: this step has no answers to reveal")
        assert workshop.workshop.index == 0


async def test_participant_text_in_the_preview_stays_text(workshop, tmp_path, chromium_launch_options):
    """Answers shown in the remote's preview are never parsed as HTML."""
    async with remote(workshop, tmp_path, chromium_launch_options) as page:
        while workshop.workshop.index < 6:
            workshop.workshop.next()
        markup = "<img src=x onerror=alert(1)><b>bold</b>"
        for text in (markup, "two", "three"):
            phone = await workshop.phone()
            await phone.answer("step-7", {"text": text})
        await expect(page.locator("#preview")).to_contain_text(markup)
        assert await page.locator("#preview img, #preview b").count() == 0


async def test_the_remote_comes_back_after_the_server_restarts(workshop, tmp_path, chromium_launch_options):
    """The laptop's server stops and starts again (as after a crash and --resume) on the same port,
    and the workshop moved meanwhile: the page says it is reconnecting, then shows the current state."""
    async with remote(workshop, tmp_path, chromium_launch_options) as page:
        port, store = workshop.server.port, workshop.store
        saved = workshop.workshop.saved_state()
        workshop.desk.close()
        await workshop.close_server()
        await expect(page.locator("#net")).to_have_text("Reconnecting…")
        server = ParticipantServer(store, trainer_token=TokenFile(store.path).current)
        await server.start("127.0.0.1", port)
        workshop.stack.push_async_callback(server.close)
        participants = ServerParticipants(server, store, f"http://127.0.0.1:{port}")
        resumed = Workshop(workshop.workshop.agenda, workshop.clock, participants, saved)
        resumed.next()
        desk = WorkshopDesk(resumed, server.trainer, export=lambda: None)
        workshop.stack.callback(desk.close)
        await expect(page.locator("#step")).to_have_text("Why we work well together", timeout=15_000)
        await expect(page.locator("#net")).to_be_hidden()
        await button(page, "Next").click()
        await expect(page.locator("#step")).to_have_text("Rate the alliance")
        assert resumed.index == 2
