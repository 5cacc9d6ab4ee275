"""The close: after the last step, every phone shows the room's results the trainer revealed and its
own answers, readable with the network gone. The real projector app, server and Chromium."""

import pytest
from playwright.async_api import expect

from tests.test_end_to_end import projector, step_to
from tests.workshops import CHOICE

SHARE = 8  # in GOOD: "Share one thing", the last step


@pytest.mark.browser
async def test_phones_show_the_revealed_results_and_their_own_answers_at_the_close(
    tmp_path, chromium_launch_options
):
    """Three phones answer the feelings check-in and share one thing; the trainer reveals the
    check-in only and finishes: each phone shows the check-in's counts (not the shared texts) and
    its own answers, and keeps showing them offline."""
    async with (
        projector(tmp_path, chromium_launch_options) as (app, browser, _),
        app.run_test(size=(120, 35)) as pilot,
    ):
        contexts = [await browser.new_context() for _ in range(3)]
        pages = [await context.new_page() for context in contexts]
        for page in pages:
            await page.goto(app.join_url)
        await step_to(pilot, app, CHOICE)
        for page, feeling in zip(pages, ["Happy", "Happy", "Sad"], strict=True):
            await page.get_by_role("button", name=feeling, exact=True).click()
            await expect(page.get_by_role("status")).to_have_text("Received")
        await pilot.press("r")
        await step_to(pilot, app, SHARE)
        for number, page in enumerate(pages):
            await page.get_by_label("Your answer").fill(f"Private idea {number}")
            await page.get_by_role("button", name="Send").click()
            await expect(page.get_by_role("status")).to_have_text("Received")
        await pilot.press("n")  # past the last step: the workshop is complete

        first = pages[0]
        await expect(first.get_by_role("heading", name="Thank you: the workshop is complete")).to_be_visible()
        await expect(first.get_by_text("Happy: 2")).to_be_visible()
        await expect(first.get_by_text("Sad: 1")).to_be_visible()
        await expect(first.get_by_text("Private idea 1")).to_have_count(0)  # not revealed: not shared
        await expect(first.get_by_text("Private idea 0")).to_be_visible()  # its own answer
        await contexts[0].set_offline(True)
        await expect(first.get_by_text("Happy: 2")).to_be_visible()

        late = await (await browser.new_context()).new_page()  # a phone that joins after the close
        await late.goto(app.join_url)
        await expect(late.get_by_text("Sad: 1")).to_be_visible()
