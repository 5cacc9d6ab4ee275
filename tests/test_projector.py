"""The projector app driven through Textual's Pilot, every key, with a manual clock."""

from datetime import datetime

import pytest
from textual.widgets import Static

from facilitator.app import ProjectorOptions, make_app
from facilitator.app.screens.help_screen import HelpScreen
from facilitator.app.screens.quit_screen import QuitScreen
from facilitator.app.widgets.agenda_list import AgendaList
from facilitator.app.widgets.big_clock import BigClock
from facilitator.app.widgets.qr_code import QRCode, qr_matrix
from facilitator.app.widgets.results_panel import ResultsPanel
from facilitator.app.widgets.stage_line import StageLine
from facilitator.app.widgets.status_bar import StatusBar
from facilitator.app.widgets.timer_hint import TimerHint
from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.runner import Phase
from facilitator.domain.workshop import Workshop
from participant.core.tallies import tally
from participant.core.wire import OpenPrompt, Text, Words
from tests.fake_participants import FakeParticipants
from tests.sample_agendas import GOOD
from tests.workshops import recording_notices, shown

JOIN_URL = "http://192.168.1.20:8765/j/TESTCODE"
EIGHT = datetime(2026, 11, 22, 8, 0)


def projector(clock, phones=None, **options):
    """The app on the sample agenda; ``app.notices`` records every notification it shows."""
    workshop = Workshop(parse_agenda(GOOD), clock, phones or FakeParticipants())
    return recording_notices(make_app(workshop, join_url=JOIN_URL, options=ProjectorOptions(**options)))


def sharing(clock, texts):
    """The app with as many phones as ``texts``, which are their answers to "Share one thing"."""
    phones = FakeParticipants(connected=len(texts))
    app = projector(clock, phones)
    share = app.workshop.agenda.steps[-1]
    phones.answers["step-9"] = tally(OpenPrompt("step-9", share.prompt.to_wire()), map(Text, texts))
    return app


@pytest.fixture
def clock():
    return ManualClock(EIGHT)


async def test_space_starts_and_pauses_the_timer(clock):
    """space starts the countdown and space again pauses it."""
    app = projector(clock)
    async with app.run_test() as pilot:
        assert app.workshop.runner.phase is Phase.READY
        await pilot.press("space")
        assert app.workshop.runner.phase is Phase.RUNNING
        clock.advance(65)
        app.refresh_status()
        assert app.query_one(BigClock).value == "08:55"
        await pilot.press("space")
        assert app.workshop.runner.phase is Phase.PAUSED


@pytest.mark.parametrize(("forward", "back"), [("n", "p"), ("right", "left")])
async def test_next_and_previous_keys(clock, forward, back):
    """n/right move on, p/left go back with the time the step had left."""
    app = projector(clock)
    async with app.run_test() as pilot:
        await pilot.press("space")
        clock.advance(120)
        await pilot.press(forward)
        assert app.workshop.runner.index == 1
        assert app.query_one(BigClock).value == "15:00"
        await pilot.press(back)
        assert app.workshop.runner.index == 0
        assert app.query_one(BigClock).value == "08:00"


@pytest.mark.parametrize(("key", "shown"), [("plus", "11:00"), ("equals_sign", "11:00"), ("minus", "09:00")])
async def test_plus_and_minus_change_the_step_time(clock, key, shown):
    """+ (or = without shift) adds a minute, - removes one."""
    app = projector(clock)
    async with app.run_test() as pilot:
        await pilot.press(key)
        assert app.query_one(BigClock).value == shown


async def test_r_reveals_and_hides_results_only_on_prompt_steps(clock):
    """r toggles the results of a step phones answer; on other steps it says why not."""
    app = projector(clock)
    async with app.run_test() as pilot:
        assert not app.query_one(ResultsPanel).display
        await pilot.press("r")
        assert "no answers to reveal" in app.notices[-1]
        for _ in range(2):
            await pilot.press("n")
        assert app.workshop.runner.step.title == "Rate the alliance"
        panel = app.query_one(ResultsPanel)
        assert panel.display
        assert not panel.revealed
        await pilot.press("r")
        assert panel.revealed
        await pilot.press("n")
        assert not panel.revealed
        await pilot.press("p")
        assert panel.revealed
        await pilot.press("r")
        assert not panel.revealed


async def test_q_asks_first_and_n_stays(clock):
    """q asks before quitting; n keeps the workshop running."""
    app = projector(clock)
    async with app.run_test() as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen)
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, QuitScreen)
        assert app.is_running


async def test_q_then_y_quits(clock):
    """q then y ends the app."""
    app = projector(clock)
    async with app.run_test() as pilot:
        await pilot.press("q", "y")
        await pilot.pause()
        assert not app.is_running


async def test_question_mark_shows_help_and_escape_closes_it(clock):
    """? lists the keys; escape returns to the projector."""
    app = projector(clock)
    async with app.run_test() as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_refused_moves_are_explained_not_crashes(clock):
    """p on the first step shows a message; the app keeps running."""
    app = projector(clock)
    async with app.run_test() as pilot:
        await pilot.press("p")
        assert "first step" in app.notices[-1]
        assert app.workshop.runner.index == 0


async def test_time_up_flashes_and_rings_once(clock, monkeypatch):
    """At zero the screen flashes and the bell rings, once."""
    rings = []
    app = projector(clock)
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    async with app.run_test() as pilot:
        await pilot.press("space")
        clock.advance(599)
        app.refresh_status()
        clock.advance(2)
        app.refresh_status()
        assert app.screen.has_class("-flash")
        assert app.query_one(BigClock).has_class("-overtime")
        assert app.query_one(BigClock).value == "-00:01"
        clock.advance(2)
        app.refresh_status()
        assert rings == [1]


async def test_bell_and_flash_can_be_switched_off(clock, monkeypatch):
    """--no-bell and --no-flash silence the alarm."""
    rings = []
    app = projector(clock, bell=False, flash=False)
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    async with app.run_test() as pilot:
        await pilot.press("space")
        clock.advance(601)
        app.refresh_status()
        assert rings == []
        assert not app.screen.has_class("-flash")


@pytest.mark.parametrize(("advance", "css_class"), [(481, "-wrap-up"), (571, "-final")])
async def test_wrap_up_colours(clock, advance, css_class):
    """The countdown takes the wrap-up class at 20% left and the final class at 5%, and so does the
    compact line's time (what the room sees once results fill the stage), in another colour."""
    app = projector(clock)
    async with app.run_test() as pilot:
        await pilot.press("space")
        line = app.query_one(StageLine)
        calm = line.get_component_rich_style("stage-line--time").color
        clock.advance(advance)
        app.refresh_status()
        await pilot.pause()
        assert app.query_one(BigClock).has_class(css_class)
        assert line.has_class(css_class)
        assert line.get_component_rich_style("stage-line--time").color != calm


async def test_agenda_list_marks_the_current_step_with_times(clock):
    """The agenda shows planned times, the real start of done steps, and the current mark."""
    app = projector(clock)
    async with app.run_test() as pilot:
        await pilot.press("space")
        clock.advance(12 * 60)
        await pilot.press("n")
        rows = app.query_one(AgendaList).rows
        assert [row.state for row in rows[:3]] == ["done", "current", "next"]
        assert (rows[0].planned, rows[0].actual) == ("8:00", "8:00")
        assert (rows[1].planned, rows[1].actual) == ("8:10", "8:12")
        # Two minutes late, the 15-minute breakout shrinks to 14 to protect the locked break at 8:32.
        assert (rows[1].minutes, rows[2].actual) == ("14", "~8:26")
        assert "+1 min behind" in app.query_one(StatusBar).summary


async def test_join_url_is_plain_text_beside_the_qr_code(clock):
    """The join URL is on screen as text, and the QR code carries the same URL."""
    app = projector(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # 80 columns leave room for 34 characters: the URL breaks before its path, nowhere else.
        assert app.query_one("#join-url").render().plain == JOIN_URL.replace("/j/", "\n/j/")
        qr = app.query_one(QRCode)
        assert qr.data == JOIN_URL
        assert qr.modules == len(qr_matrix(JOIN_URL))


async def test_agenda_text_is_never_markup(clock):
    """Square brackets in an agenda are shown as typed, not read as styles."""
    agenda = parse_agenda(
        'title = "[bold]W[/]"\n[[steps]]\ntitle = "[red]A[/]"\nkind = "talk"\nduration = "5m"\n'
        'instructions = "Use [b]this[/b]"\n'
    )
    app = make_app(Workshop(agenda, clock, FakeParticipants()), join_url=JOIN_URL)
    async with app.run_test() as pilot:
        await pilot.pause()
        details = str(app.query_one("#details-text").render())
        assert "[b]this[/b]" in details
        assert "[red]A[/]" in str(app.query_one("#step").render())
        assert str(app.query_one(StatusBar).render()).startswith("[bold]W[/]")


async def test_a_store_that_cannot_write_shows_a_banner_until_it_can(clock):
    """What failed, where, and what to do stay on screen while writes fail, and go when they work."""
    phones = FakeParticipants()
    app = projector(clock, phones)
    async with app.run_test() as pilot:
        banner = app.query_one("#storage-problem")
        assert not banner.display
        phones.storage("Cannot write /data/x.sqlite3: the disk is full. Free some space.")
        await pilot.pause()
        assert banner.display
        assert "the disk is full" in str(banner.render())
        phones.storage(None)
        await pilot.pause()
        assert not banner.display


async def test_finishing_keeps_the_closing_answers_and_shows_when_it_ended(clock):
    """With "Share one thing" revealed, n past the last step keeps its answers on the stage, stops
    the clock at the real end time and says the workshop is complete."""
    app = sharing(clock, [f"I will try idea {n}" for n in range(6)])
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("space")
        while app.workshop.index < len(app.workshop.agenda.steps) - 1:
            await pilot.press("n")
        await pilot.press("r")
        clock.advance(90)
        await pilot.press("n")
        assert app.workshop.runner.phase is Phase.FINISHED
        clock.advance(300)
        app.refresh_status()
        await pilot.pause()
        assert "I will try idea 5" in shown(app.query_one(ResultsPanel))
        ended = app.workshop.runner.status().projected_end
        assert app.query_one(BigClock).value == f"{ended:%H:%M}"
        assert str(app.query_one(TimerHint).render()).startswith(
            f"Workshop complete · ended {ended.hour}:{ended.minute:02}"
        )


async def test_x_writes_the_reports_and_says_where_or_why_not(clock):
    """x hands the controller's report job to a worker and shows the paths it wrote, or the error."""
    phones = FakeParticipants()
    app = projector(clock, phones)
    async with app.run_test() as pilot:
        await pilot.press("x")
        await app.background.idle()
        await pilot.pause()
        assert "Reports written:\n/data/session.html\n/data/session.md" in app.notices[-1]
        phones.report_problem = "No space left on device"
        await pilot.press("x")
        await app.background.idle()
        await pilot.pause()
        assert app.notices[-1] == "Could not write the reports: No space left on device"


async def test_a_locked_step_entered_early_counts_down_to_its_start(clock):
    """The 8:32 break reached at 8:00 shows "Starts at 8:32" and the time until then; n starts it."""
    app = projector(clock)
    async with app.run_test() as pilot:
        await pilot.press("space")
        while app.workshop.runner.step.title != "Break":
            await pilot.press("n")
        assert app.workshop.runner.phase is Phase.WAITING
        hint = str(app.query_one(TimerHint).render())
        assert hint.startswith("Starts at 8:32")
        assert app.query_one(BigClock).value == "32:00"
        clock.advance(60)
        app.refresh_status()
        assert app.query_one(BigClock).value == "31:00"
        await pilot.press("n")
        assert app.workshop.runner.phase is Phase.RUNNING
        assert app.query_one(BigClock).value == "15:00"


async def test_revealed_results_are_readable_at_80x24(clock):
    """At 80x24 a revealed reflection keeps each question's full text with its average, a choice
    shows each option whole, and a choice step is labelled Choice, not Check-in."""
    from facilitator.app.widgets.step_panel import StepPanel
    from participant.core.wire import Choice, Ratings
    from tests.workshops import on_screen

    phones = FakeParticipants(connected=4)
    app = projector(clock, phones)
    reflection, choice = app.workshop.agenda.steps[2], app.workshop.agenda.steps[3]
    ratings = [Ratings((4, 5)), Ratings((4, 3)), Ratings((4, 4))]
    phones.answers["step-3"] = tally(OpenPrompt("step-3", reflection.prompt.to_wire()), ratings)
    chosen = [Choice("Scared"), Choice("Happy"), Choice("Happy")]
    phones.answers["step-4"] = tally(OpenPrompt("step-4", choice.prompt.to_wire()), chosen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "n", "r")
        await pilot.pause()
        drawn = " ".join(" ".join(on_screen(app.query_one(ResultsPanel)).split()).split("\n"))
        assert "1. How well are we collaborating?" in drawn
        assert "2. How much do I experience trust?" in drawn
        assert "avg 4.0" in drawn
        await pilot.press("n", "r")
        await pilot.pause()
        assert "Choice" in app.query_one(StepPanel).render().plain
        drawn = on_screen(app.query_one(ResultsPanel))
        for option in ("Scared", "Happy", "Sad"):
            assert option in drawn


async def test_revealed_results_take_the_stage_and_the_join_url_stays_as_text(clock):
    """r moves the results to the stage: the big clock and the QR code leave it, the time left and
    the join URL go to the compact line, and the URL stays on screen as plain text."""
    from facilitator.app.widgets.join_panel import JoinPanel
    from facilitator.app.widgets.stage_line import StageLine
    from participant.core.wire import Choice

    phones = FakeParticipants(connected=4)
    app = projector(clock, phones)
    choice = app.workshop.agenda.steps[3]
    chosen = [Choice("Scared"), Choice("Happy"), Choice("Happy")]
    phones.answers["step-4"] = tally(OpenPrompt("step-4", choice.prompt.to_wire()), chosen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "n", "n", "n")
        await pilot.pause()
        assert app.screen.has_class("-question")
        assert app.query_one(JoinPanel).display
        assert app.query_one(BigClock).display
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.has_class("-revealed")
        assert not app.query_one(JoinPanel).display
        assert not app.query_one(BigClock).display
        line = app.query_one(StageLine)
        assert line.display
        assert JOIN_URL in line.render().plain
        assert "02:00 left" in line.render().plain
        assert app.query_one(ResultsPanel).region.height >= 5  # the stage, not a strip
        assert "How are you feeling right now?" in shown(app.query_one(ResultsPanel))


async def test_j_brings_the_join_qr_code_back_and_puts_it_away(clock):
    """With results revealed, j shows the QR code again for latecomers and j hides it; the
    controller is not asked anything."""
    from facilitator.app.widgets.join_panel import JoinPanel

    app = projector(clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("n", "n", "r")
        await pilot.pause()
        saved = len(app.workshop._participants.saved)
        assert not app.query_one(JoinPanel).display
        await pilot.press("j")
        await pilot.pause()
        assert app.query_one(JoinPanel).display
        assert app.query_one(QRCode).region.height > 10
        await pilot.press("j")
        await pilot.pause()
        assert not app.query_one(JoinPanel).display
        assert len(app.workshop._participants.saved) == saved


async def test_the_report_back_keeps_r_l_help_and_quit_in_the_footer_at_80x24(clock):
    """At the report-back the footer at 80 columns still shows r, l, ? and q."""
    from textual.widgets import Footer

    app = projector(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        while app.workshop.runner.step.title != "Report back":
            await pilot.press("n")
        await pilot.pause()
        assert app.screen.has_class("-report-back")
        footer = app.query_one(Footer)
        keys = {key.key_display for key in footer.children if key.region.width and key.region.right <= 80}
        assert {"r", "l", "?", "q"} <= keys


async def test_the_breakout_dashboard_counts_notes_and_never_shows_them(clock):
    """During a breakout the stage counts each room's notes live, and no note's text is on screen."""
    from facilitator.app.widgets.breakout_dashboard import BreakoutDashboard

    phones = FakeParticipants()
    app = projector(clock, phones)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("space", "n")
        await pilot.pause()
        dashboard = app.query_one(BreakoutDashboard)
        assert dashboard.display
        phones.write("step-2", 1, "a", "Secret worry about funding")
        phones.write("step-2", 3, "b", "Another private note")
        await pilot.pause(0.3)
        drawn = dashboard.render().plain
        assert "2 notes from 4 rooms" in drawn
        assert "Room 1 1 note" in drawn
        assert "Room 3 1 note" in drawn
        assert "Room 2 0 notes" in drawn
        screenshot = app.export_screenshot()
        assert "Secret" not in screenshot
        assert "private" not in screenshot
        await pilot.press("n")
        await pilot.pause()
        assert not dashboard.display


async def test_h_hides_the_highlighted_answer_at_once_and_u_brings_it_back(clock):
    """On a revealed text wall, down twice highlights the second answer (newest first), h takes it off the
    screen at once and u brings it back; the controller decides, the panel only draws."""
    phones = FakeParticipants(connected=4)
    app = projector(clock, phones)
    share = app.workshop.agenda.steps[-1]
    texts = [Text("We listen"), Text("Ask Sam at 12 Elm St"), Text("Trust takes time")]
    phones.answers["step-9"] = tally(OpenPrompt("step-9", share.prompt.to_wire()), texts)
    async with app.run_test(size=(120, 35)) as pilot:
        while app.workshop.index < len(app.workshop.agenda.steps) - 1:
            await pilot.press("n")
        await pilot.press("h")  # nothing revealed: h does nothing
        assert app.workshop.results().hidden == frozenset()
        await pilot.press("r")
        await pilot.pause()
        panel = app.query_one(ResultsPanel)
        assert panel.has_focus
        await pilot.press("down", "down")  # the first down highlights the newest answer
        await pilot.press("h")
        await pilot.pause()
        assert app.workshop.results().hidden == {"Ask Sam at 12 Elm St"}
        assert "Ask Sam" not in shown(panel)
        assert "We listen" in shown(panel)
        assert "Trust takes time" in shown(panel)
        await pilot.press("u")
        await pilot.pause()
        assert "Ask Sam at 12 Elm St" in shown(panel)
        assert app.workshop.results().hidden == frozenset()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_w_puts_a_wall_kept_open_on_the_stage_from_a_later_step_and_c_closes_it(clock):
    """Two steps after "Name the jargon", w shows its answers on the stage (the agenda stays put),
    c closes it to new answers, w again gives the stage back to the step."""
    agenda = GOOD.replace(
        'question = "Which words do we use that others may not know?"',
        'question = "Which words do we use that others may not know?"\nstay_open = true',
    )
    phones = FakeParticipants(connected=4)
    workshop = Workshop(parse_agenda(agenda), clock, phones)
    wall = OpenPrompt("step-6", workshop.agenda.steps[5].prompt.to_wire())
    phones.answers["step-6"] = tally(wall, [Words(("CPS", "ISP"))] * 3)
    app = make_app(workshop, join_url=JOIN_URL)
    async with app.run_test(size=(120, 35)) as pilot:
        while workshop.index < 7:  # the report-back, two steps on
            await pilot.press("n")
        assert phones.staying == ("step-6",)
        await pilot.press("w")
        await pilot.pause()
        assert app.screen.has_class("-revealed")
        assert "CPS" in shown(app.query_one(ResultsPanel))
        assert "Name the jargon" in str(app.query_one("#step").render())
        assert "w: next wall or back" in app.query_one(StageLine).hint
        assert workshop.index == 7
        await pilot.press("c")
        assert phones.staying == ()
        await pilot.press("w")
        await pilot.pause()
        assert app.screen.has_class("-report-back")


async def test_a_paced_reflection_shows_one_question_with_its_own_countdown(clock):
    """The big clock counts the question's minute, the stage names only that question, the time
    moves on to the next with a soft cue (unless switched off), and n moves on sooner."""
    agenda = GOOD.replace('low = "Not at all"', 'pace = "1m"\nlow = "Not at all"')
    app = make_app(Workshop(parse_agenda(agenda), clock, FakeParticipants()), join_url=JOIN_URL)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("space", "n", "n")  # the reflection, step 3
        assert app.query_one(BigClock).value == "01:00"
        assert "Question 1 of 2" in app.query_one(TimerHint).text
        details = str(app.query_one("#details-text", Static).render())
        assert "How well are we collaborating?" in details
        assert "How much do I experience trust?" not in details
        clock.advance(61)
        app.refresh_status()
        await pilot.pause()
        assert app.screen.has_class("-cue")
        assert app.query_one(BigClock).value == "00:59"
        assert "How much do I experience trust?" in str(app.query_one("#details-text", Static).render())
        await pilot.press("n")  # after the last question: the next step
        assert app.workshop.index == 3


async def test_a_paced_reflection_does_not_repaint_its_hint_while_the_hint_stays_the_same(clock):
    """Each status tick sets the hint under the clock; a paced question's hint must be set as it
    reads, not first without the question: every change of it repaints the screen."""
    agenda = GOOD.replace('low = "Not at all"', 'pace = "1m"\nlow = "Not at all"')
    app = make_app(Workshop(parse_agenda(agenda), clock, FakeParticipants()), join_url=JOIN_URL)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("space", "n", "n")  # the reflection, step 3
        await pilot.pause()
        hint = app.query_one(TimerHint)
        texts: list[str] = []
        hint.watch(hint, "text", texts.append, init=False)
        for _ in range(3):
            clock.advance(1)
            app.refresh_status()
        await pilot.pause()
        assert texts == []
        assert "Question 1 of 2" in hint.text


async def test_the_highlight_scrolls_a_long_wall_so_the_trainer_hides_what_the_room_sees(clock):
    """40 answers at 80x24: moving the highlight to the oldest scrolls the stage to it."""
    app = sharing(clock, [f"Answer number {n}" for n in range(40)])
    async with app.run_test(size=(80, 24)) as pilot:
        while app.workshop.index < len(app.workshop.agenda.steps) - 1:
            await pilot.press("n")
        await pilot.press("r")
        await pilot.pause()
        for _ in range(40):
            await pilot.press("down")
        await pilot.pause()
        stage = app.query_one("#stage-results")
        panel = app.query_one(ResultsPanel)
        options = app.console.options.update_width(panel.size.width)
        rows = app.console.render_lines(panel.render(), options, pad=False)
        row = next(y for y, line in enumerate(rows) if any(s.style and s.style.underline for s in line))
        assert "Answer number 0" in "".join(segment.text for segment in rows[row])
        assert stage.scroll_y <= row < stage.scroll_y + stage.size.height


async def test_a_question_that_repeats_the_title_is_shown_once(clock):
    """ "Picture that person... & rate" as title and question: the stage says it once."""
    agenda = GOOD.replace(
        'title = "Rate the alliance"', 'title = "Rate the alliance"\nquestion = "Rate the alliance"'
    )
    app = make_app(Workshop(parse_agenda(agenda), clock, FakeParticipants()), join_url=JOIN_URL)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("n", "n")
        assert app.query_one(ResultsPanel).question == ""
        assert "Rate the alliance" not in str(app.query_one("#details-text", Static).render())
        assert "Rate the alliance" in str(app.query_one("#step").render())
