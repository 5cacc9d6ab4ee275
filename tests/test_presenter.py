"""The presenter view under Pilot, connected over the real trainer link to a real server and the
workshop controller behind it: what it shows, and its keys moving the workshop."""

from __future__ import annotations

import asyncio

from textual.widgets import Static

from facilitator.app.presenter import make_presenter
from facilitator.app.widgets.big_clock import BigClock
from facilitator.live.trainer_client import TrainerClient
from participant.io.store import create_session
from tests.sample_agendas import NOTED, NOTES
from tests.workshops import recording_notices

SIZE = (120, 36)


def text_of(app, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def until(pilot, condition, timeout: float = 5) -> None:
    """Let the app run until ``condition()`` holds (views arrive over a real socket)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await pilot.pause(0.02)


async def presenter_for(workshop, tmp_path, agenda=NOTED):
    """The presenter for a running session; ``app.notices`` records every notification it shows."""
    await workshop.start(create_session("Working alliances", agenda, data_dir=tmp_path / "data"))
    workshop.trainer_link()
    return recording_notices(make_presenter(TrainerClient(workshop.store.path)))


async def test_the_presenter_shows_the_step_its_notes_whats_next_and_the_rooms(workshop, tmp_path):
    """The step and its time left, a Next: line with the planned length, the presenter notes, the
    next breakout's room links with their note counts, and the phones joined."""
    app = await presenter_for(workshop, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.view is not None)
        assert text_of(app, "#step") == "Welcome"
        assert app.query_one(BigClock).value == "10:00"
        assert text_of(app, "#next") == "Next: Why we work well together · 15 min"
        assert text_of(app, "#notes-text") == NOTES
        rooms = text_of(app, "#rooms")
        assert rooms.startswith("Rooms for Why we work well together")
        assert f"room 4 · 0 notes · http://127.0.0.1:{workshop.server.port}/r/" in rooms
        await workshop.phone()
        await until(pilot, lambda: "1 phone joined" in text_of(app, "#answers"))


async def test_the_presenters_keys_move_the_workshop_through_the_controller(workshop, tmp_path):
    """n, space, +, p are commands the running session carries out; the presenter redraws from
    what it sends back; a refusal is shown in words; the countdown runs while the timer does."""
    app = await presenter_for(workshop, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.view is not None)
        await pilot.press("n")
        await until(pilot, lambda: workshop.workshop.index == 1)
        await until(pilot, lambda: text_of(app, "#next") == "Next: Rate the alliance · 5 min")
        assert text_of(app, "#notes-text") == "No presenter notes for this step"
        await pilot.press("space")
        await until(pilot, lambda: app.view is not None and app.view.running)
        await pilot.press("plus")
        await until(pilot, lambda: app.view is not None and app.view.remaining > 15 * 60)
        await pilot.press("p", "p")
        await until(pilot, lambda: "Back: already at the first step" in app.notices)
        assert workshop.workshop.index == 0


async def test_the_presenter_previews_answers_only_it_sees(workshop, tmp_path):
    """Three answers show as a tally marked not revealed yet; after r, revealed. Closing the
    presenter leaves the workshop where it was."""
    app = await presenter_for(workshop, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.view is not None)
        for _ in range(3):
            await pilot.press("n")
        await until(pilot, lambda: workshop.workshop.index == 3)
        for option in ("Scared", "Happy", "Happy"):
            phone = await workshop.phone()
            await phone.answer("step-4", {"option": option})
        await until(pilot, lambda: "Happy: 2" in text_of(app, "#answers"))
        assert "not revealed yet: only you see this" in text_of(app, "#answers")
        await pilot.press("r")
        await until(pilot, lambda: "revealed to the room" in text_of(app, "#answers"))
    assert workshop.workshop.index == 3
    assert workshop.workshop.results().revealed


async def test_w_and_c_from_the_presenter_show_and_close_a_wall_kept_open(workshop, tmp_path):
    """With "Name the jargon" kept open, w puts it on the projector's stage and c closes it; with
    none, w is refused in words, named as the key is."""
    jargon = 'question = "Which words do we use that others may not know?"'
    app = await presenter_for(workshop, tmp_path, NOTED.replace(jargon, f"{jargon}\nstay_open = true"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.view is not None)
        await pilot.press("w")
        await until(
            pilot, lambda: any(notice.startswith("Wall: no wall stays open") for notice in app.notices)
        )
        while workshop.workshop.index < 6:  # past the word wall, onto the text step
            await pilot.press("n")
            await until(pilot, lambda: app.view is not None and app.view.index == workshop.workshop.index)
        await pilot.press("w")
        await until(pilot, lambda: workshop.workshop.results().wall == 5)
        await pilot.press("c")
        await until(pilot, lambda: workshop.server.hub.staying == ())
