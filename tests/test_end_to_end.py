"""The whole product at once: the projector app, the real server, and three phones in real Chromium.

Three phones join by the URL the projector shows, answer a reflection and a word wall; one goes
offline for the word wall and comes back. The projector and the database then hold every answer
exactly once."""

import sqlite3
from datetime import datetime

import pytest
from playwright.async_api import async_playwright, expect

from facilitator.agenda_loader import parse_agenda
from facilitator.app import make_app
from facilitator.app.widgets.join_url_text import JoinUrlText
from facilitator.app.widgets.results_panel import ResultsPanel
from facilitator.clock import ManualClock
from facilitator.live_session import LiveSession
from participant.server import ParticipantServer
from participant.store import create_session
from tests.sample_agendas import GOOD
from tests.test_live_session import REFLECTION, WORDWALL, shown

QUEUED = "Saved offline, will send"


async def step_to(pilot, app, index):
    while app.runner.index < index:
        await pilot.press("n")


@pytest.mark.browser
async def test_three_phones_answer_live_and_one_comes_back_from_offline(tmp_path, chromium_launch_options):
    """Every answer reaches the projector and the database exactly once, offline phone included."""
    store = create_session("Working alliances", GOOD, data_dir=tmp_path)
    server = ParticipantServer(store)
    await server.start("127.0.0.1", 0)
    app = make_app(
        parse_agenda(GOOD),
        join_url=f"http://127.0.0.1:{server.port}/j/{server.join_code}",
        clock=ManualClock(datetime(2026, 11, 22, 8, 0)),
        live=LiveSession(server, store),
    )
    try:
        async with async_playwright() as playwright, app.run_test(size=(120, 40)) as pilot:
            browser = await playwright.chromium.launch(**chromium_launch_options)
            url = app.query_one(JoinUrlText).url  # what a participant types from the projector
            contexts = [await browser.new_context(viewport={"width": 390, "height": 844}) for _ in range(3)]
            phones = [await context.new_page() for context in contexts]
            for phone in phones:
                await phone.goto(url)
                await expect(phone.locator("#title")).to_have_text("Working alliances")

            await pilot.press("space")
            await step_to(pilot, app, REFLECTION)
            for number, phone in enumerate(phones, 1):
                group = phone.get_by_role("group", name="How well are we collaborating?")
                await group.get_by_role("button", name=str(number + 2), exact=True).click()
                await phone.get_by_role("button", name="Send", exact=True).click()
                await expect(phone.get_by_role("status")).to_have_text("Received")
            await pilot.press("r")
            assert "3 of 3 phones answered" in shown_results(app)
            assert "avg 4.0" in shown_results(app)

            await step_to(pilot, app, WORDWALL)
            words = [phone.get_by_label("A word or short phrase") for phone in phones]
            for word in words:
                await expect(word).to_be_visible()
            await contexts[2].set_offline(True)
            await words[2].fill("ITP")
            await phones[2].get_by_role("button", name="Send", exact=True).click()
            await expect(phones[2].get_by_role("status")).to_have_text(QUEUED)
            for word, text in zip(words[:2], ["itp", "assessment"], strict=True):
                await word.fill(text)
            for phone in phones[:2]:
                await phone.get_by_role("button", name="Send", exact=True).click()
                await expect(phone.get_by_role("status")).to_have_text("Received")
            await contexts[2].set_offline(False)
            await expect(phones[2].get_by_role("status")).to_have_text("Received")
            await pilot.press("r")
            results = shown_results(app)
            assert "3 of 3 phones answered" in results
            assert "ITP 2" in results
            await browser.close()
    finally:
        await server.close()
        store.close()

    with sqlite3.connect(store.path) as database:
        counts = dict(database.execute("SELECT prompt_id, COUNT(*) FROM responses GROUP BY prompt_id"))
    assert counts == {f"step-{REFLECTION + 1}": 3, f"step-{WORDWALL + 1}": 3}


def shown_results(app) -> str:
    app.refresh_results()
    return shown(app.query_one(ResultsPanel))
