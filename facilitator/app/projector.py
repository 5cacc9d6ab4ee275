"""The projector: the Textual app the trainer runs a workshop from, keyboard only.

It decides nothing: each key calls one method of the workshop controller
(:class:`facilitator.domain.workshop.Workshop`), and the screen draws what the controller reports.
Changes come as the controller's events; redraws of answers are coalesced to a few a second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from time import perf_counter

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
from facilitator.app.widgets.breakout_dashboard import BreakoutDashboard
from facilitator.app.widgets.join_panel import JoinPanel
from facilitator.app.widgets.report_back import ReportBack
from facilitator.app.widgets.results_panel import ResultsPanel
from facilitator.app.widgets.stage_line import StageLine
from facilitator.app.widgets.status_bar import StatusBar
from facilitator.app.widgets.step_panel import StepPanel, same_words, step_body
from facilitator.app.widgets.timer_hint import TimerHint
from facilitator.domain.agenda import Agenda, Step, StepKind
from facilitator.domain.durations import format_countdown, format_offset
from facilitator.domain.runner import Phase, Stage, Status, stage_of
from facilitator.domain.workshop import (
    AnswersChanged,
    Event,
    PacedQuestion,
    QuestionChanged,
    Refused,
    ReportsWritten,
    RoomsChanged,
    StorageChanged,
    TimeRanOut,
    Workshop,
)
from facilitator.live.background import Background

TICK_SECONDS = 0.2
RESULTS_SECONDS = 0.1  # live results redraw at most ten times a second, however fast answers come
RESULTS_SHARE = 5  # and no sooner after a tally than five times as long as it took
FLASHES = 3
FLASH_SECONDS = 0.35
CUE_SECONDS = 1.5
STAGE_CLASSES = {stage: f"-{stage.value}" for stage in Stage}
TIMER_HINTS = {
    Phase.READY: "Press space to start",
    Phase.PAUSED: "Paused · space resumes",
}
FINISHED_KEYS = "p goes back · q quits"
STAGE_HINTS = {Stage.WRAP_UP: "Time to wrap up", Stage.FINAL: "Last moments", Stage.OVERTIME: "Time is up"}
MOMENTS = ("-talk", "-question", "-revealed", "-breakout", "-report-back", "-finished")
"""The screen's class for what the room needs now; projector.tcss lays the stage out for each."""


def moment(status: Status, revealed: bool, wall: bool = False) -> str:
    """Which of :data:`MOMENTS` ``status`` is (``wall``: a wall kept open is on the stage): the app
    decides only the layout, from the controller."""
    if status.phase is Phase.FINISHED:
        return "-finished"
    if wall:
        return "-revealed"
    kind = status.step.kind
    if kind is StepKind.REPORTBACK:
        return "-report-back"
    if kind is StepKind.BREAKOUT:
        return "-breakout"
    if status.step.prompt is not None:
        return "-revealed" if revealed else "-question"
    return "-talk"


@dataclass(frozen=True)
class ProjectorOptions:
    """Choices made on the command line."""

    bell: bool = True
    flash: bool = True
    cue: bool = True
    """A soft cue (the question lights up for a moment) when a paced reflection moves on by itself."""


def question_of(paced: PacedQuestion) -> str:
    """``"Question 2 of 5"``, and what n does next."""
    after = "n: next question" if paced.number < paced.of - 1 else "n: next step"
    return f"Question {paced.number + 1} of {paced.of} · {after}"


def clock_time(moment: datetime | None) -> str:
    """``8:05`` or ``13:30``: short, and the same in every locale."""
    return f"{moment.hour}:{moment.minute:02}" if moment else ""


class ProjectorApp(App[None]):
    """Shows the agenda, the countdown, the step's instructions and how to join; keys drive the controller."""

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
        Binding("j", "toggle_join", "Join", key_display="j", show=False),  # listed in ?
        Binding("w", "show_wall", "Wall", key_display="w", show=False),  # listed in ?
        Binding("c", "close_wall", "Close wall", key_display="c", show=False),  # listed in ?
        Binding("x", "export", "Export", key_display="x", show=False),  # listed in ? (the footer is full)
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "request_quit", "Quit", key_display="q"),
    ]

    def __init__(self, workshop: Workshop, join_url: str, options: ProjectorOptions) -> None:
        super().__init__()
        self.workshop = workshop
        self.join_url = join_url
        self.options = options
        self._shown_step: tuple[int, int | None] | None = None
        """The step drawn, and the wall kept open drawn over it (if any)."""
        self._wall: int | None = None
        self._results_stale = True
        self._results_due = 0.0
        self._revealed = False
        self._status: Status | None = None
        self._join_shown = False
        """Whether the trainer pressed j to bring the join QR code back while results fill the stage."""
        self._unsubscribe: Callable[[], None] | None = None
        self.background = Background(workshop, on_error=self._warn)

    @property
    def agenda(self) -> Agenda:
        return self.workshop.agenda

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Static(id="storage-problem", markup=False)
        yield StageLine(id="stage-line")
        with Horizontal(id="body"):
            with Vertical(id="agenda-pane"):
                yield AgendaList(id="agenda")
            with Vertical(id="main"):
                yield StepPanel(id="step")
                yield Static(id="upcoming", markup=False)
                yield BigClock(id="clock")
                yield TimerHint(id="timer-hint")
                yield BreakoutDashboard(id="dashboard")
                with VerticalScroll(id="details"):
                    yield Static(id="details-text", markup=False)
                yield ReportBack(id="report-back")
                with VerticalScroll(id="stage-results"):
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
        self._dashboard = self.query_one(BreakoutDashboard)
        self._stage_results = self.query_one("#stage-results", VerticalScroll)
        self._stage_line = self.query_one(StageLine)
        self._stage_line.url = self.join_url
        self._stage = self.screen  # the moment's classes go on the projector's own screen, not a dialog
        self._details = self.query_one("#details-text", Static)
        self._upcoming = self.query_one("#upcoming", Static)
        self.title = self.agenda.title
        self._status_bar.title = self.agenda.title
        self._storage_problem = self.query_one("#storage-problem", Static)
        self._show_storage_problem(self.workshop.storage_problem)
        self._unsubscribe = self.workshop.subscribe(self._on_workshop_event)
        self.background.wake()
        self.refresh_status()
        self.refresh_results()
        self.set_interval(TICK_SECONDS, self.refresh_status)
        self.set_interval(RESULTS_SECONDS, self._results_tick)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.background.close()

    def _on_workshop_event(self, event: Event) -> None:
        self._results_stale = True
        if isinstance(event, TimeRanOut):
            self._time_is_up()
        elif isinstance(event, QuestionChanged):
            self._show_step()
            if event.cue and self.options.cue:
                self._cue()
        elif isinstance(event, StorageChanged):
            self._show_storage_problem(event.problem)
        elif isinstance(event, ReportsWritten):
            self._show_reports(event)
        elif isinstance(event, RoomsChanged) and isinstance(self.screen, LinksScreen):
            self.screen.links = self.workshop.room_links()
        elif not isinstance(event, AnswersChanged):  # answers come fast: drawn on the next results tick
            self.refresh_status()
            self.refresh_results()

    def refresh_results(self) -> None:
        """Draw the current step's results and report-back, if anything changed since last time."""
        if not self._results_stale:
            return
        self._results_stale = False
        started = perf_counter()
        view = self.workshop.results()
        # The view can grow with the room (its texts and entries): while it is slow, draw less
        # often, so the projector's loop spends at most a fifth of its time on it.
        self._results_due = started + RESULTS_SHARE * (perf_counter() - started)
        panel = self._results
        panel.revealed = view.revealed
        panel.results = view.results
        panel.connected = view.connected
        panel.min_responses = view.min_responses
        panel.hidden = view.hidden
        wall = bool(panel.entries()) or (view.revealed and bool(view.hidden))
        if wall != panel.can_focus:  # a revealed wall takes the keys that hide its entries
            panel.can_focus = wall
            if wall:
                panel.highlight = None
                panel.focus()
            elif panel.has_focus:
                self.set_focus(None)
        self._join.joined = view.connected
        self._revealed = view.revealed
        if view.wall != self._wall:
            self._wall = view.wall
            self._show_step()
            if self._status is not None:
                self._show_clock(self._status)
        dashboard = self.workshop.breakout_dashboard()
        if dashboard is not None:
            self._dashboard.notes = dashboard.notes
        self._show_moment()
        report_back = self.workshop.report_back()
        if report_back is not None:
            self._report_back.sections = report_back.sections

    def _results_tick(self) -> None:
        """Answers coming in are drawn on these ticks: after a slow tally, only once it is due."""
        if perf_counter() >= self._results_due:
            self.refresh_results()

    def refresh_status(self) -> None:
        """Read the time once and hand each widget what it shows (attributes down)."""
        status = self.workshop.tick()
        self._status = status
        self._show_moment()
        self._show_status_bar(status)
        self._show_clock(status)
        self._show_agenda(status)
        if self._shown_step != (status.index, self._wall):
            self._show_step()
        self._stage_results.display = self._results.display = self._on_stage().prompt is not None

    # -- actions (keys): each one controller call --------------------------------------------------

    def action_toggle_timer(self) -> None:
        self._do(self.workshop.toggle_timer)

    def action_next_step(self) -> None:
        self._do(self.workshop.next)

    def action_previous_step(self) -> None:
        self._do(self.workshop.back)

    def action_add_minute(self) -> None:
        self._do(self.workshop.add_minute)

    def action_remove_minute(self) -> None:
        self._do(self.workshop.remove_minute)

    def action_reveal(self) -> None:
        self._do(self.workshop.reveal)

    def action_show_wall(self) -> None:
        self._do(self.workshop.show_wall)

    def action_close_wall(self) -> None:
        self._do(self.workshop.close_wall)

    def action_links(self) -> None:
        """The rooms' private links for the current or next breakout (a screen for the trainer)."""
        try:
            links = self.workshop.room_links()
        except Refused as refusal:
            self._warn(str(refusal))
            return
        self.push_screen(LinksScreen(links, self._change_rooms))

    def _change_rooms(self, change: int) -> None:
        self._do(lambda: self.workshop.change_rooms(change))

    def action_toggle_join(self) -> None:
        """Bring the big join QR code back for latecomers, or put it away again (the view's own state)."""
        self._join_shown = not self._join_shown
        self._join.set_class(self._join_shown, "-shown")

    def action_export(self) -> None:
        """Write the reports beside the session file, at any moment, without holding up the room."""
        self.background.export(self.workshop.export_reports())
        self.notify("Writing the reports…", timeout=2)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_request_quit(self) -> None:
        def quit_if_sure(sure: bool | None) -> None:
            if sure:
                self.exit()

        self.push_screen(QuitScreen("The timer stops; answers so far are kept."), quit_if_sure)

    def on_results_panel_hide_requested(self, message: ResultsPanel.HideRequested) -> None:
        self._do(lambda: self.workshop.hide(message.entry))

    def on_results_panel_unhide_requested(self, _: ResultsPanel.UnhideRequested) -> None:
        self._do(self.workshop.unhide)

    def on_report_back_merge_requested(self, message: ReportBack.MergeRequested) -> None:
        self._do(lambda: self.workshop.merge(message.breakout, message.theme))

    def on_report_back_move_requested(self, message: ReportBack.MoveRequested) -> None:
        self._do(lambda: self.workshop.move(message.breakout, message.note_id, message.change))

    def on_report_back_split_requested(self, message: ReportBack.SplitRequested) -> None:
        self._do(lambda: self.workshop.split(message.breakout, message.note_id))

    def on_report_back_undo_requested(self, _: ReportBack.UndoRequested) -> None:
        self._do(self.workshop.undo)

    def on_report_back_accept_requested(self, message: ReportBack.AcceptRequested) -> None:
        self._do(lambda: self.workshop.accept(message.breakout))

    def on_report_back_rename_requested(self, message: ReportBack.RenameRequested) -> None:
        def rename(label: str | None) -> None:
            if label is not None:
                self._do(lambda: self.workshop.rename(message.breakout, message.theme, label))

        self.push_screen(RenameScreen(message.label), rename)

    # -- internals -----------------------------------------------------------------------------------

    def _do(self, action: Callable[[], object]) -> None:
        """Run one controller action; a refusal is explained on screen, never a crash."""
        try:
            action()
        except Refused as refusal:
            self._warn(str(refusal))

    def _show_storage_problem(self, problem: str | None) -> None:
        """A banner while the session cannot be written: the trainer must know answers are refused."""
        self._storage_problem.update(problem or "")
        self._storage_problem.set_class(problem is not None, "-shown")

    def _show_reports(self, written: ReportsWritten) -> None:
        if written.problem is not None:
            self.notify(written.problem, severity="error", timeout=10, markup=False)
        else:
            self.notify("Reports written:\n" + "\n".join(written.paths), timeout=15, markup=False)

    def _warn(self, message: str) -> None:
        self.notify(message, severity="warning", timeout=3)

    def _time_is_up(self) -> None:
        if self.options.bell:
            self.bell()
        if self.options.flash:
            # On and off FLASHES times, ending off; the first toggle now (set_timer rejects 0).
            self.screen.add_class("-flash")
            for toggle in range(1, FLASHES * 2):
                self.set_timer(toggle * FLASH_SECONDS, lambda: self.screen.toggle_class("-flash"))

    def _cue(self) -> None:
        """Softer than time running out: the question lights up for a moment, no bell."""
        self._stage.add_class("-cue")
        self.set_timer(CUE_SECONDS, lambda: self._stage.remove_class("-cue"))

    def _show_moment(self) -> None:
        """Lay the stage out for the moment (one class of :data:`MOMENTS` on the screen)."""
        if self._status is None:
            return
        now = moment(self._status, self._revealed, self._wall is not None)
        if not self._stage.has_class(now):
            self._stage.remove_class(*MOMENTS)
            self._stage.add_class(now)

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
        finished = status.phase is Phase.FINISHED
        waiting = status.waiting_until
        # Finished: the real end time. A locked step entered early: the time until it starts.
        paced = self.workshop.paced()
        stage = status.stage
        if finished:
            clock.value = f"{status.projected_end:%H:%M}"
        elif waiting is not None:
            clock.value = format_countdown((waiting - status.now).total_seconds())
        elif paced is not None:  # each question has its own countdown; the step's is in the top line
            clock.value = format_countdown(paced.left)
            stage = stage_of(paced.left, paced.pace)
        else:
            clock.value = format_countdown(status.remaining)
        for each, css_class in STAGE_CLASSES.items():
            counting = status.phase not in (Phase.READY, Phase.FINISHED, Phase.WAITING)
            clock.set_class(each is stage and counting, css_class)
            self._stage_line.set_class(each is stage and counting, css_class)
        line = self._stage_line
        if finished:
            ended = clock_time(status.projected_end)
            self._hint.text = f"Workshop complete · ended {ended} · {FINISHED_KEYS}"
            line.time, line.hint = f"Ended {ended}", ""
        elif waiting is not None:
            self._hint.text = f"Starts at {clock_time(waiting)} · n or space starts it now"
            line.time, line.hint = f"{clock.value} to start", self._hint.text
        else:
            hint = TIMER_HINTS.get(status.phase) or STAGE_HINTS.get(stage, "")
            if paced is not None:
                hint = " · ".join(filter(None, [question_of(paced), hint]))
            self._hint.text = hint  # set once: each change of the text repaints the screen
            line.time, line.hint = f"{clock.value} left", hint
        if self._wall is not None:  # over the step: say how to give the stage back
            line.hint = "w: next wall or back to the step · c: close this wall"

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

    def _on_stage(self) -> Step:
        """The step the stage shows: a wall kept open that the trainer put up, else the current one."""
        assert self._status is not None
        return self._status.step if self._wall is None else self.agenda.steps[self._wall]

    def _show_step(self) -> None:
        assert self._status is not None
        index = self._status.index
        self._shown_step = (index, self._wall)
        step = self._on_stage()
        self._step_panel.step = step
        following = self.agenda.steps[index + 1 :]
        if self._wall is not None:
            upcoming = f"Open beside {self._status.step.title} · w: next wall or back · c: close it"
        else:
            upcoming = f"Next: {following[0].title}" if following else ""
        self._upcoming.update(upcoming)
        paced = self.workshop.paced() if self._wall is None else None
        self._details.update(step_body(step, None if paced is None else paced.number))
        self.query_one("#details", VerticalScroll).scroll_home(animate=False)
        question = (
            step.prompt.question if step.prompt and not same_words(step.prompt.question, step.title) else ""
        )
        self._results.question = f"{question_of(paced)}: {paced.text}" if paced else question
        if step.kind is StepKind.REPORTBACK:  # shown by projector.tcss at the report-back
            self._report_back.focus()


def make_app(workshop: Workshop, *, join_url: str, options: ProjectorOptions | None = None) -> ProjectorApp:
    """The one way to build the projector, used by the CLI and the tests alike."""
    return ProjectorApp(workshop, join_url, options or ProjectorOptions())
