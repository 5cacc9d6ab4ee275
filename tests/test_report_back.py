"""Breakouts on the projector: rooms follow the agenda, the links screen, and the report-back's
themes reshaped with keys. The real app under Pilot, the real server, room links over websockets."""

from datetime import datetime

from facilitator.app import make_app
from facilitator.app.screens.links_screen import LinksScreen
from facilitator.app.screens.rename_screen import RenameScreen
from facilitator.app.widgets.report_back import ReportBack
from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.saved_state import SavedState
from facilitator.domain.workshop import Workshop
from facilitator.live.reports import report_data
from participant.io.store import create_session, open_session
from tests.fake_participants import FakeParticipants
from tests.phones import Phone, room_url
from tests.sample_agendas import GOOD, TWO_REPORTED
from tests.workshops import new_store, on_screen

BREAKOUT, REPORTBACK = 1, 7  # in GOOD: "Why we work well together" (4 rooms), "Report back"
NOTES = {
    1: ["Trust built over years", "We trust each other", "Shared goals for families"],
    2: ["Humour keeps us going", "We laugh a lot", "Trust"],
}


async def room(workshop, number) -> Phone:
    device = await Phone(room_url(workshop.server.port, workshop.server.room_path(number))).join()
    workshop.stack.push_async_callback(device.close)
    return device


async def add_notes(workshop):
    for number, texts in NOTES.items():
        device = await room(workshop, number)
        for n, text in enumerate(texts):
            reply = await device.call({"type": "note_add", "id": f"room{number}-note{n}", "text": text})
            assert reply["type"] == "ack"


async def report_back_of(workshop, pilot, write=add_notes):
    """From the start: the breakout, the notes ``write(workshop)`` has the rooms add, then the
    report-back, grouped."""
    await workshop.goto(pilot, BREAKOUT)
    await write(workshop)
    await workshop.goto(pilot, REPORTBACK)
    await workshop.app.background.idle()


async def test_a_breakout_step_opens_the_rooms_with_their_prompts_and_timer(workshop, tmp_path):
    """On the breakout step, room links show the breakout, its prompts and the running timer."""
    app = await workshop.start(new_store(tmp_path))
    async with app.run_test() as pilot:
        device = await room(workshop, 3)
        assert device.welcome["breakout"] is None
        await pilot.press("space")
        await workshop.goto(pilot, BREAKOUT)
        state = await device.receive()
        assert state["breakout"]["title"] == "Why we work well together"
        assert state["breakout"]["prompts"][0] == "Why do you work well together?"
        assert state["timer"] == {"remaining": 900, "running": True}
        await pilot.press("space")
        assert (await device.receive())["timer"]["running"] is False
        await pilot.press("n")
        assert (await device.receive())["breakout"] is None


async def test_the_links_screen_lists_each_room_and_changes_their_number(workshop, tmp_path):
    """l shows one private link per room; + adds a room, and the breakout has it at once."""
    app = await workshop.start(new_store(tmp_path))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LinksScreen)
        assert app.screen.rooms == 4
        await pilot.press("plus")
        assert app.screen.rooms == 5
        await pilot.press("escape")
        await workshop.goto(pilot, BREAKOUT)
        assert workshop.server.board.open.rooms == 5
        assert app.workshop.saved_state().rooms == {BREAKOUT: 5}
        fifth = await room(workshop, 5)
        assert fifth.welcome["breakout"]["rooms"] == 5


async def test_report_back_groups_notes_and_the_trainer_reshapes_them(workshop, tmp_path):
    """Themes across rooms; t shows rooms; m merges, shift+down moves, u undoes, e renames; all saved."""
    store = new_store(tmp_path)
    app = await workshop.start(store)
    async with app.run_test(size=(140, 44)) as pilot:
        await report_back_of(workshop, pilot)
        view = app.query_one(ReportBack)
        assert view.has_focus
        grouping = view.section(BREAKOUT).grouping
        every = sorted(n for g in grouping.groups for n in g.note_ids)
        assert every == sorted(f"room{r}-note{n}" for r, texts in NOTES.items() for n in range(len(texts)))
        trust = next(g for g in grouping.groups if "room1-note0" in g.note_ids)
        assert "room2-note2" in trust.note_ids  # "Trust" from room 2 joins room 1's trust notes

        await pilot.press("t")
        assert view.by_room
        await pilot.press("t")
        before = view.section(BREAKOUT).grouping
        await pilot.press("m")  # merge the first theme with the second
        assert len(view.section(BREAKOUT).grouping.groups) == len(before.groups) - 1
        assert (
            view.section(BREAKOUT).grouping.groups[0].note_ids
            == before.groups[0].note_ids + before.groups[1].note_ids
        )
        await pilot.press("u")
        assert view.section(BREAKOUT).grouping == before

        await pilot.press("down")  # first note of the first theme
        moved = view.lines()[view.cursor][2]
        await pilot.press("shift+down")
        assert view.section(BREAKOUT).grouping == before.move(moved, 1)
        assert view.lines()[view.cursor][2] == moved  # the cursor follows the moved note

        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RenameScreen)
        await pilot.press(*"Reliability", "enter")
        await pilot.pause()
        assert any(g.label == "Reliability" for g in view.section(BREAKOUT).grouping.groups)
        edited = view.section(BREAKOUT).grouping
    await workshop.close_server()
    store.close()
    saved = SavedState.from_store(open_session(store.session.id, data_dir=tmp_path).load_state())
    assert saved.groupings["step-2"] == edited


async def test_notes_are_shown_as_typed(workshop, tmp_path):
    """Markup in a note is shown literally in both views."""
    app = await workshop.start(new_store(tmp_path))
    async with app.run_test(size=(140, 44)) as pilot:
        await workshop.goto(pilot, BREAKOUT)
        device = await room(workshop, 1)
        await device.call({"type": "note_add", "id": "note-markup", "text": "[bold red]loud[/] \x1b[2J"})
        await workshop.goto(pilot, REPORTBACK)
        await app.background.idle()
        view = app.query_one(ReportBack)
        assert "[bold red]loud[/] [2J" in on_screen(view)
        await pilot.press("t")
        assert "[bold red]loud[/] [2J" in on_screen(view)


async def test_the_report_back_scrolls_to_keep_the_highlight_on_screen():
    """With more themes than fit at 80x24, moving the highlight (arrows, PageDown, End, Home)
    scrolls so the highlighted line is always on screen."""
    phones = FakeParticipants()
    workshop = Workshop(parse_agenda(GOOD), ManualClock(datetime(2026, 11, 22, 8, 0)), phones)
    topics = ["trust", "humour", "roles", "goals", "listening", "respect", "time", "feedback"]
    for n in range(48):
        phones.write("step-2", n % 4 + 1, f"note{n:02}", f"{topics[n % 8]} matters, note {n}")
    app = make_app(workshop, join_url="http://127.0.0.1:8765/j/code")
    async with app.run_test(size=(80, 24)) as pilot:
        while workshop.index < REPORTBACK:
            await pilot.press("n")
        await app.background.idle()
        await pilot.pause()
        view = app.query_one(ReportBack)
        assert len(view.lines()) > view.size.height

        def highlighted_on_screen() -> bool:
            breakout, theme, note_id = view.lines()[view.cursor]
            groups = view.section(breakout).grouping.groups
            wanted = groups[theme].label if note_id is None else None
            return (wanted or view.notes[note_id].text) in on_screen(view)

        for key in ["end", "home", *["down"] * 20, "pagedown", "pagedown", "pageup"]:
            await pilot.press(key)
            assert highlighted_on_screen(), key
        await pilot.press("end")
        assert view.cursor == len(view.lines()) - 1
        await pilot.press("pageup")
        assert 0 < view.cursor < len(view.lines()) - 1


async def test_a_report_back_shows_each_breakout_since_the_last_under_its_title(workshop, tmp_path):
    """Two breakouts before one report-back: both show, each under its own title with its notes,
    in agenda order; the earlier report-back's breakout does not; an edit in the second breakout
    changes only its themes and is saved."""
    works, in_the_way, both = 2, 4, 5  # in TWO_REPORTED
    store = create_session("Two breakouts, one report-back", TWO_REPORTED, data_dir=tmp_path)
    app = await workshop.start(store)
    written = {
        works: {1: ["Trust built over years"], 2: ["Shared goals for families"]},
        in_the_way: {1: ["Too little time"], 2: ["Staff turnover"]},
    }
    async with app.run_test(size=(140, 44)) as pilot:
        for breakout, rooms in written.items():
            await workshop.goto(pilot, breakout)
            for number, texts in rooms.items():
                device = await room(workshop, number)
                for n, text in enumerate(texts):
                    reply = await device.call(
                        {"type": "note_add", "id": f"step{breakout}-room{number}-note{n}", "text": text}
                    )
                    assert reply["type"] == "ack"
        await workshop.goto(pilot, both)
        await app.background.idle()
        await app.background.idle()
        await pilot.pause()
        view = app.query_one(ReportBack)
        assert [s.breakout for s in view.sections] == [works, in_the_way]
        assert all(s.grouping is not None for s in view.sections)
        shown = on_screen(view)
        order = ["What works", "Trust built over years", "What gets in the way", "Too little"]
        positions = [shown.index(text) for text in order]
        assert positions == sorted(positions)
        assert positions[0] < shown.index("Shared goals") < positions[2]
        assert "Staff turnover" in shown
        assert "Warm-up pairs" not in shown  # reported at the first report-back
        assert "3 rooms" in shown  # the breakout's heading says how many rooms it had

        before = view.section(works).grouping
        while view.lines()[view.cursor][0] != in_the_way:
            await pilot.press("down")
        assert view.lines()[view.cursor][2] is None  # the second breakout's first theme
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RenameScreen)
        await pilot.press(*"Barriers", "enter")
        await pilot.pause()
        assert view.section(in_the_way).grouping.groups[0].label == "Barriers"
        assert view.section(works).grouping == before
        assert "Barriers" in on_screen(view)
        edited = view.section(in_the_way).grouping
    await workshop.close_server()
    store.close()
    saved = SavedState.from_store(open_session(store.session.id, data_dir=tmp_path).load_state())
    assert saved.groupings["step-5"] == edited
    assert saved.groupings["step-3"] == before


GOOD_PROMPTS = ("Why do you work well together?", "What is your relationship like?")
FILED = {  # room -> (text, prompt, theme as that room typed it; "" unsorted, starred)
    1: [("Trust built over years", 0, "Trust", True), ("We laugh a lot", 0, "Humour", False)],
    2: [("we trust each other", 0, "trust ", False), ("Humour keeps us going", 0, "HUMOUR!", False)],
    3: [("Shared goals for families", 1, "Shared goals", False), ("Trust", 0, "Trust", False)],
}


async def file_notes(workshop, filed=FILED):
    for number, notes in filed.items():
        device = await room(workshop, number)
        for n, (text, prompt, theme, starred) in enumerate(notes):
            note_id = f"room{number}-note{n}"
            message = {"type": "note_add", "id": note_id, "text": text, "prompt": prompt, "theme": theme}
            assert (await device.call(message))["type"] == "ack"
            if starred:
                star = {"type": "note_edit", "id": note_id, "rev": 1, "text": text, "starred": True}
                assert (await device.call(star))["type"] == "ack"


async def test_three_rooms_file_their_notes_and_the_report_back_and_json_keep_what_they_filed(
    workshop, tmp_path
):
    """Themes filed in three rooms (spelt differently) are the report-back's themes as filed, by
    prompt, starred notes first; the JSON report's themes are exactly what the rooms filed."""
    store = new_store(tmp_path)
    app = await workshop.start(store)
    async with app.run_test(size=(140, 44)) as pilot:
        await report_back_of(workshop, pilot, file_notes)
        view = app.query_one(ReportBack)
        grouping = view.section(BREAKOUT).grouping
        assert [(g.label, g.prompt, sorted(g.note_ids)) for g in grouping.groups] == [
            ("Trust", 0, ["room1-note0", "room2-note0", "room3-note1"]),
            ("Humour", 0, ["room1-note1", "room2-note1"]),
            ("Shared goals", 1, ["room3-note0"]),
        ]
        assert grouping.suggested == 0  # filed notes need no fixes
        shown = on_screen(view)
        assert shown.index("1. Why do you work well together?") < shown.index(
            "2. What is your relationship like?"
        )
        assert "★ Trust built over years" in shown
        report = report_data(store, workshop.participants.min_responses, app.workshop.saved_state())
    themes = [(t["prompt"], t["label"], sorted(n["text"] for n in t["notes"])) for t in report["themes"]]
    assert themes == [
        (0, "Trust", ["Trust", "Trust built over years", "we trust each other"]),
        (0, "Humour", ["Humour keeps us going", "We laugh a lot"]),
        (1, "Shared goals", ["Shared goals for families"]),
    ]
    assert report["themes"][0]["notes"][0] == {
        "room": 1,
        "text": "Trust built over years",
        "starred": True,  # the room's point to report comes first
        "suggested": False,
    }


async def test_unsorted_notes_placed_in_a_filed_theme_are_suggestions_until_a_accepts_them(
    workshop, tmp_path
):
    """An unsorted note that reads like a filed theme joins it marked ?, and a accepts them all."""
    app = await workshop.start(new_store(tmp_path))
    unsorted = {**FILED, 4: [("trust each other completely", 0, "", False)]}
    async with app.run_test(size=(140, 44)) as pilot:
        await report_back_of(workshop, pilot, lambda workshop: file_notes(workshop, unsorted))
        view = app.query_one(ReportBack)
        trust = view.section(BREAKOUT).grouping.groups[0]
        assert (trust.label, trust.suggested) == ("Trust", ("room4-note0",))
        assert "1 suggested (a accepts)" in on_screen(view)
        await pilot.press("a")
        assert view.section(BREAKOUT).grouping.suggested == 0
        await pilot.press("a")  # nothing left to accept: said in words
        assert "suggested (a accepts)" not in on_screen(view)
