"""The projector: the Textual app the trainer runs a workshop from, keyboard only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from facilitator.app.screens.help_screen import HelpScreen
from facilitator.app.screens.links_screen import LinksScreen
from facilitator.app.screens.quit_screen import QuitScreen
from facilitator.app.screens.rename_screen import RenameScreen
from facilitator.app.widgets.agenda_list import AgendaList, AgendaRow
from facilitator.app.widgets.big_clock import BigClock
from facilitator.app.widgets.join_panel import JoinPanel
from facilitator.app.widgets.report_back import ReportBack, ShownNote
from facilitator.app.widgets.results_panel import ResultsPanel
from facilitator.app.widgets.status_bar import StatusBar
from facilitator.app.widgets.step_panel import StepPanel, step_body
from facilitator.app.widgets.timer_hint import TimerHint
from facilitator.domain.agenda import Agenda, StepKind, step_id
from facilitator.domain.clock import Clock, SystemClock
from facilitator.domain.durations import format_countdown, format_offset
from facilitator.domain.grouping import Edits, reconcile
from facilitator.domain.runner import Phase, Runner, RunnerError, Stage, Status, time_ran_out
from facilitator.domain.themes import Note, group_notes
from facilitator.live.live_session import LiveSession, SavedState, rooms_of
from participant.core.notes import MAX_ROOMS

TICK_SECONDS = 0.2
RESULTS_SECONDS = 0.1  # live results redraw at most ten times a second, however fast answers come
SAVE_SECONDS = 5.0  # while the timer runs, its state is saved this often for --resume
FLASHES = 3
FLASH_SECONDS = 0.35
STAGE_CLASSES = {stage: f"-{stage.value}" for stage in Stage}
TIMER_HINTS = {
    Phase.READY: "Press space to start",
    Phase.PAUSED: "Paused · space resumes",
    Phase.FINISHED: "Workshop complete · p goes back · q quits",
}
STAGE_HINTS = {Stage.WRAP_UP: "Time to wrap up", Stage.FINAL: "Last moments", Stage.OVERTIME: "Time is up"}


@dataclass(frozen=True)
class ProjectorOptions:
    """Choices made on the command line."""

    bell: bool = True
    flash: bool = True


def clock_time(moment: datetime | None) -> str:
    """``8:05`` or ``13:30``: short, and the same in every locale."""
    return f"{moment.hour}:{moment.minute:02}" if moment else ""


class ProjectorApp(App[None]):
    """Shows the agenda, the countdown, the step's instructions and how to join; moves on keys."""

    CSS_PATH = "projector.tcss"
    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS = [
        Binding("space", "toggle_timer", "Start/pause", key_display="space"),
        Binding("n,right", "next_step", "Next", key_display="n"),
        Binding("p,left", "previous_step", "Back", key_display="p"),
        Binding("plus,equals_sign", "add_minute", "+1 min", key_display="+"),
        Binding("minus,underscore", "remove_minute", "-1 min", key_display="-"),
        Binding("r", "reveal", "Reveal", key_display="r"),
        Binding("l", "links", "Links", key_display="l"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "request_quit", "Quit", key_display="q"),
    ]

    def __init__(
        self,
        runner: Runner,
        join_url: str,
        options: ProjectorOptions,
        *,
        live: LiveSession | None = None,
        saved: SavedState | None = None,
    ) -> None:
        super().__init__()
        self.runner = runner
        self.join_url = join_url
        self.base_url = join_url.rsplit("/j/", 1)[0]
        self.options = options
        self.live = live
        self.revealed = saved.revealed if saved else frozenset()
        self.rooms = dict(saved.rooms) if saved else {}
        self.edits = {key: Edits(grouping) for key, grouping in (saved.groupings if saved else {}).items()}
        self._notes_seen: tuple[tuple[str, int, str], ...] | None = None
        self._last: Status | None = None
        self._shown_step: int | None = None
        self._results_stale = True
        self._saved_at = 0.0

    @property
    def agenda(self) -> Agenda:
        return self.runner.agenda

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="body"):
            with Vertical(id="agenda-pane"):
                yield AgendaList(id="agenda")
            with Vertical(id="main"):
                yield StepPanel(id="step")
                yield Static(id="upcoming", markup=False)
                yield BigClock(id="clock")
                yield TimerHint(id="timer-hint")
                with VerticalScroll(id="details"):
                    yield Static(id="details-text", markup=False)
                yield ReportBack(id="report-back")
                yield ResultsPanel(id="results")
            yield JoinPanel(self.join_url, id="join")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # Looked up once: the ticks below may still fire while the app shuts down and its widgets
        # are gone, and a query per widget per tick would be wasted work anyway.
        self._status_bar = self.query_one(StatusBar)
        self._countdown = self.query_one(BigClock)
        self._hint = self.query_one(TimerHint)
        self._agenda_list = self.query_one(AgendaList)
        self._results = self.query_one(ResultsPanel)
        self._join = self.query_one(JoinPanel)
        self._report_back = self.query_one(ReportBack)
        self._step_panel = self.query_one(StepPanel)
        self._details = self.query_one("#details-text", Static)
        self._upcoming = self.query_one("#upcoming", Static)
        self.title = self.agenda.title
        self._status_bar.title = self.agenda.title
        self._follow()
        self.refresh_status()
        self.set_interval(TICK_SECONDS, self.refresh_status)
        self.set_interval(RESULTS_SECONDS, self.refresh_results)

    def answers_changed(self) -> None:
        """Called by the participant server on every change; drawn on the next results tick."""
        self._results_stale = True

    def refresh_results(self) -> None:
        """Hand the results panel the open prompt's tallies, if anything changed since last time."""
        if not self._results_stale:
            return
        self._results_stale = False
        panel = self._results
        panel.revealed = self.runner.index in self.revealed
        if self.live is None:
            return
        panel.results = self.live.results()
        panel.connected = self.live.connected
        panel.min_responses = self.live.min_responses
        self._join.joined = self.live.connected
        if self.runner.step.kind is StepKind.REPORTBACK:
            self._show_report_back()

    def _show_report_back(self) -> None:
        """The report-back's notes and themes; regrouped only when the notes changed."""
        assert self.live is not None
        breakout = self.agenda.breakout_for(self.runner.index)
        view = self._report_back
        if breakout is None:
            view.notes, view.grouping = {}, None
            return
        key = step_id(breakout)
        notes = self.live.server.notes(key)
        seen = tuple((note.id, note.room, note.text) for note in notes)
        if seen == self._notes_seen:
            return
        self._notes_seen = seen
        plan = self.agenda.steps[breakout]
        prompts = plan.breakout.prompts if plan.breakout else ()
        themes = group_notes([Note(note.room, note.text, note.id) for note in notes], prompts=prompts)
        edits = self.edits.setdefault(key, Edits(reconcile(None, themes)))
        edits.grouping = reconcile(edits.grouping, themes)
        view.rooms = rooms_of(self.agenda, breakout, self.rooms)
        view.notes = {note.id: ShownNote(note.room, note.text) for note in notes}
        view.grouping = edits.grouping

    def _report_back_edits(self) -> Edits | None:
        breakout = self.agenda.breakout_for(self.runner.index)
        return None if breakout is None else self.edits.get(step_id(breakout))

    def on_report_back_edited(self, message: ReportBack.Edited) -> None:
        edits = self._report_back_edits()
        if edits is not None and edits.apply(message.grouping):
            self._report_back.grouping = edits.grouping
            self._save()

    def on_report_back_undo_requested(self, _: ReportBack.UndoRequested) -> None:
        edits = self._report_back_edits()
        if edits is None or not edits.undo():
            self.notify("Nothing to undo", timeout=2)
            return
        self._report_back.grouping = edits.grouping
        self._save()

    def on_report_back_rename_requested(self, message: ReportBack.RenameRequested) -> None:
        def rename(label: str | None) -> None:
            edits = self._report_back_edits()
            if label is not None and edits is not None:
                self.post_message(ReportBack.Edited(edits.grouping.rename(message.index, label)))

        self.push_screen(RenameScreen(message.label), rename)

    def refresh_status(self) -> None:
        """Read the runner once and hand each widget what it shows (attributes down)."""
        status = self.runner.status()
        if self._last is not None and time_ran_out(self._last, status):
            self._time_is_up()
        self._last = status
        self._show_status_bar(status)
        self._show_clock(status)
        self._show_agenda(status)
        if self._shown_step != status.index:
            self._shown_step = status.index
            self._show_step(status)
        self._results.display = status.step.prompt is not None
        running = status.phase is Phase.RUNNING
        if running and self._clock_seconds() - self._saved_at >= SAVE_SECONDS:
            self._save()

    # -- actions (keys) ------------------------------------------------------------------------------

    def action_toggle_timer(self) -> None:
        self._move(self.runner.toggle)

    def action_next_step(self) -> None:
        self._move(self.runner.next)

    def action_previous_step(self) -> None:
        self._move(self.runner.previous)

    def action_add_minute(self) -> None:
        self._move(lambda: self.runner.adjust(60))

    def action_remove_minute(self) -> None:
        self._move(lambda: self.runner.adjust(-60))

    def action_reveal(self) -> None:
        if self.runner.step.prompt is None:
            self.notify("This step has no answers to reveal", severity="warning", timeout=3)
            return
        self.revealed ^= {self.runner.index}
        self._save()
        self._results_stale = True
        self.refresh_results()

    def action_links(self) -> None:
        """The rooms' private links for the current or next breakout (a screen for the trainer)."""
        breakout = self.agenda.next_breakout(self.runner.index)
        if breakout is None or self.live is None:
            self.notify("No breakout ahead in this agenda", severity="warning", timeout=3)
            return
        live = self.live

        def change(step: int) -> int:
            rooms = min(max(rooms_of(self.agenda, breakout, self.rooms) + step, 1), MAX_ROOMS)
            self.rooms[breakout] = rooms
            self._follow()
            return rooms

        def link(room: int) -> str:
            return live.room_url(self.base_url, room)

        rooms = rooms_of(self.agenda, breakout, self.rooms)
        self.push_screen(LinksScreen(self.agenda.steps[breakout].title, rooms, link, change))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_request_quit(self) -> None:
        def quit_if_sure(sure: bool | None) -> None:
            if sure:
                self.exit()

        self.push_screen(QuitScreen("The timer stops; answers so far are kept."), quit_if_sure)

    # -- internals -----------------------------------------------------------------------------------

    def _move(self, move: Callable[[], None]) -> None:
        try:
            move()
        except RunnerError as error:
            self.notify(str(error), severity="warning", timeout=3)
            return
        self._follow()
        self.refresh_status()

    def _follow(self) -> None:
        """Open the current step's prompt and breakout, and save the state (with a live session)."""
        if self.live is not None:
            self.live.follow(self.runner, self.saved_state())
            self._saved_at = self._clock_seconds()
        self._results_stale = True
        self.refresh_results()

    def _save(self) -> None:
        if self.live is not None:
            self.live.save(self.saved_state())
            self._saved_at = self._clock_seconds()

    def saved_state(self) -> SavedState:
        """Everything --resume needs besides answers and notes."""
        groupings = {key: edits.grouping for key, edits in self.edits.items()}
        return SavedState(self.runner.state(), self.revealed, self.rooms, groupings, self.base_url)

    def _clock_seconds(self) -> float:
        return self.runner.clock.monotonic()

    def _time_is_up(self) -> None:
        if self.options.bell:
            self.bell()
        if self.options.flash:
            # On and off FLASHES times, ending off; the first toggle now (set_timer rejects 0).
            self.screen.add_class("-flash")
            for toggle in range(1, FLASHES * 2):
                self.set_timer(toggle * FLASH_SECONDS, lambda: self.screen.toggle_class("-flash"))

    def _show_status_bar(self, status: Status) -> None:
        bar = self._status_bar
        facts = [clock_time(status.now), f"step {status.index + 1} of {len(self.agenda.steps)}"]
        if status.offset is not None:
            facts.append(format_offset(status.offset))
        facts.append(f"ends {clock_time(status.projected_end)}")
        bar.summary = tuple(facts)
        bar.behind = status.offset is not None and status.offset >= 30

    def _show_clock(self, status: Status) -> None:
        clock = self._countdown
        clock.value = format_countdown(status.remaining)
        for stage, css_class in STAGE_CLASSES.items():
            clock.set_class(stage is status.stage and status.phase is not Phase.READY, css_class)
        self._hint.text = TIMER_HINTS.get(status.phase) or STAGE_HINTS.get(status.stage, "")

    def _show_agenda(self, status: Status) -> None:
        rows = []
        for step, timing in zip(self.agenda.steps, status.timings, strict=True):
            state = "done" if timing.done else "current" if timing.current else "next"
            if state == "next" and timing.projected:
                actual = f"~{clock_time(timing.projected)}"
            else:
                actual = clock_time(timing.actual)
            minutes = str(round(timing.allotted / 60))
            rows.append(AgendaRow(clock_time(timing.planned), actual, step.title, minutes, state))
        self._agenda_list.rows = tuple(rows)

    def _show_step(self, status: Status) -> None:
        panel = self._step_panel
        panel.step = status.step
        following = self.agenda.steps[status.index + 1 :]
        self._upcoming.update(f"Next: {following[0].title}" if following else "")
        self._details.update(step_body(status.step))
        self.query_one("#details", VerticalScroll).scroll_home(animate=False)
        report_back = status.step.kind is StepKind.REPORTBACK
        self.query_one("#details").display = not report_back
        view = self._report_back
        view.display = report_back
        if report_back:
            self._notes_seen = None
            view.focus()


def make_app(
    agenda: Agenda,
    *,
    join_url: str,
    clock: Clock | None = None,
    options: ProjectorOptions | None = None,
    saved: SavedState | None = None,
    live: LiveSession | None = None,
) -> ProjectorApp:
    """The one way to build the projector, used by the CLI and the tests alike.

    With ``live``, the participant server's changes reach the app through ``answers_changed``.
    """
    runner = Runner(agenda, clock or SystemClock(), saved.runner if saved else None)
    app = ProjectorApp(runner, join_url, options or ProjectorOptions(), live=live, saved=saved)
    if live is not None:
        live.server.on_change = app.answers_changed
    return app
