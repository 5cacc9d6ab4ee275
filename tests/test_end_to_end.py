"""The whole product at once: the projector app, the real server, and phones and breakout
facilitators in real Chromium."""

import json
import sqlite3
from contextlib import AsyncExitStack, asynccontextmanager

import pytest
from playwright.async_api import async_playwright, expect

from facilitator.app.widgets.join_url_text import JoinUrlText
from facilitator.app.widgets.report_back import ReportBack
from facilitator.app.widgets.results_panel import ResultsPanel
from facilitator.cli import main
from tests.workshops import REFLECTION, WORDWALL, LiveWorkshop, new_store, on_screen, shown

QUEUED = "Saved offline, will send"


@asynccontextmanager
async def projector(tmp_path, launch_options):
    """A session with its server on a free port, the projector app for it, and a Chromium."""
    async with AsyncExitStack() as stack:
        store = new_store(tmp_path)
        stack.callback(store.close)  # after the server closes (an exit stack unwinds last in, first out)
        app = await LiveWorkshop(tmp_path, stack).start(store)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(**launch_options)
            yield app, browser, store
            await browser.close()


async def step_to(pilot, app, index):
    while app.workshop.runner.index < index:
        await pilot.press("n")


@pytest.mark.browser
async def test_three_phones_answer_live_and_one_comes_back_from_offline(tmp_path, chromium_launch_options):
    """Every answer reaches the projector and the database exactly once, offline phone included."""
    async with (
        projector(tmp_path, chromium_launch_options) as (app, browser, store),
        app.run_test(size=(120, 40)) as pilot,
    ):
        url = app.query_one(JoinUrlText).url  # what a participant types from the projector
        contexts = [await browser.new_context(viewport={"width": 390, "height": 844}) for _ in range(3)]
        phones = [await context.new_page() for context in contexts]
        for phone in phones:
            await phone.goto(url)
            await expect(phone.locator("#title")).to_have_text("Working alliances")

        await pilot.press("space")
        await step_to(pilot, app, REFLECTION)
        for number, phone in enumerate(phones, 1):
            group = phone.get_by_role("radiogroup", name="How well are we collaborating?")
            await group.get_by_role("radio", name=str(number + 2), exact=True).click()
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
        assert "itp 2" in results  # entered first, shown as typed; "ITP" counts with it

    with sqlite3.connect(store.path) as database:
        counts = dict(database.execute("SELECT prompt_id, COUNT(*) FROM responses GROUP BY prompt_id"))
    assert counts == {f"step-{REFLECTION + 1}": 3, f"step-{WORDWALL + 1}": 3}


def shown_results(app) -> str:
    app.refresh_results()
    return shown(app.query_one(ResultsPanel))


ROOM_NOTES = {
    1: ["We trust each other", "Shared goals for the family"],
    2: ["Trust built over years", "Humour keeps us going"],
    3: ["We laugh a lot together", "Clear roles and who does what"],
    4: ["Knowing each other's roles", "Trust"],
}
BREAKOUT, REPORTBACK = 1, 7  # in GOOD: "Why we work well together" (4 rooms), "Report back"


@pytest.mark.browser
async def test_four_rooms_write_notes_and_the_report_back_groups_them(tmp_path, chromium_launch_options):
    """Four facilitators on four browser pages take notes in a timed breakout; the report-back shows
    them by room and as themes; the trainer merges two themes; the JSON report holds rooms and themes."""
    async with (
        projector(tmp_path, chromium_launch_options) as (app, browser, store),
        app.run_test(size=(140, 44)) as pilot,
    ):
        await pilot.press("space")
        await step_to(pilot, app, BREAKOUT)
        pages = {}
        for room, texts in ROOM_NOTES.items():
            page = await (await browser.new_context()).new_page()
            await page.goto(app.workshop.room_links().links[room - 1])
            await expect(page.get_by_role("heading", name=f"Room {room}")).to_be_visible()
            await expect(
                page.get_by_role("listitem").filter(has_text="Why do you work well together?")
            ).to_be_visible()
            for text in texts:
                await page.get_by_label("Note", exact=True).fill(text)
                await page.get_by_role("button", name="Add", exact=True).click()
                await expect(page.get_by_role("status")).to_have_text("Added")
            pages[room] = page

        await step_to(pilot, app, REPORTBACK)
        await app.background.idle()
        view = app.query_one(ReportBack)
        await pilot.press("t")
        by_room = on_screen(view)
        assert all(f"Room {room}" in by_room for room in ROOM_NOTES)
        assert all(text in by_room for texts in ROOM_NOTES.values() for text in texts)
        await pilot.press("t")
        before = view.grouping
        await pilot.press("m")
        assert len(view.grouping.groups) == len(before.groups) - 1

    output = tmp_path / "report.json"
    assert (
        main(["report", store.session.id, "--data", str(tmp_path), "--format", "json", "-o", str(output)])
        == 0
    )
    report = json.loads(output.read_text(encoding="utf-8"))
    written = sorted((room, text) for room, texts in ROOM_NOTES.items() for text in texts)
    assert sorted((r["room"], n["text"]) for r in report["rooms"] for n in r["notes"]) == written
    assert sorted((n["room"], n["text"]) for t in report["themes"] for n in t["notes"]) == written
    assert report["themes"][0]["label"] == before.groups[0].label
    assert len(report["themes"]) == len(before.groups) - 1
