"""The workshop controller: where every trainer action is decided, once.

A :class:`Workshop` owns the runner and everything the trainer can change during a session: which
results are revealed, how many rooms each breakout has, the report-back's themes with their undo
history, and the state saved for ``facilitate run --resume``. Each trainer action is one
synchronous method (:meth:`Workshop.next`, :meth:`Workshop.reveal`, :meth:`Workshop.merge`, ...).
A refused action raises :class:`Refused` with a sentence for the trainer; an accepted one tells
every subscriber with a typed :class:`Event`. Views (the projector's keys, and any other screen)
only call these methods and draw what the read methods return; they decide nothing.

The controller reaches phones and rooms through a small port, :class:`Participants`, so it never
touches a server or a database; tests hand it a fake. Pure and synchronous: slow work (grouping
many notes into themes) is handed out as a :class:`GroupingJob` for a worker to run, and its result
comes back through :meth:`Workshop.themes_ready`; at most one job per breakout is out at a time, so a
burst of note edits costs one regrouping, not one per edit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from facilitator.domain.agenda import Agenda, StepKind, step_id
from facilitator.domain.clock import Clock
from facilitator.domain.grouping import Edits, Grouping, reconcile
from facilitator.domain.pacing import Pacing
from facilitator.domain.runner import Phase, Runner, RunnerError, Status, time_ran_out
from facilitator.domain.saved_state import SavedState
from facilitator.domain.themes import Theme, group_notes, label_for
from participant.core.notes import Note, Timer, distinct_ids
from participant.core.tallies import Results, entry_hidden
from participant.core.wire import MAX_ROOMS, PromptKind

SAVE_SECONDS = 5.0
"""While the timer runs, its state is saved this often, so a crash loses at most this much time."""


class Refused(Exception):
    """A trainer action that cannot be done now; the message says why, for the trainer's screen."""


class Participants(Protocol):
    """The controller's port to the phones and the rooms (the participant server and its store)."""

    @property
    def connected(self) -> int:
        """Phones connected now."""

    @property
    def min_responses(self) -> int:
        """The anonymity threshold: no results are shown for fewer real answers."""

    @property
    def base_url(self) -> str:
        """Where phones reach this laptop (kept for ``facilitate links``)."""

    def listen(self, changed: Callable[[], None]) -> None:
        """Call ``changed()`` after any answer, note, or phone joining or leaving."""

    def listen_storage(self, changed: Callable[[str | None], None]) -> None:
        """Call ``changed(problem)`` when writing the session starts failing (``problem`` says what
        failed, where, and what to do) and ``changed(None)`` when writes succeed again."""

    def open_prompt(self, prompt_id: str, wire: Mapping[str, Any], step: int) -> None:
        """Open a prompt on every phone (closing any other)."""

    def close_prompt(self) -> None:
        """Close the open prompt, if any."""

    def keep_open(self, prompts: Mapping[str, Mapping[str, Any]]) -> None:
        """Keep these walls (prompt id -> prompt data) answerable beside the open prompt, and no others."""

    def results(self, prompt_id: str) -> Results | None:
        """A prompt's results, or None when it was never opened."""

    def open_breakout(
        self, breakout_id: str, title: str, prompts: Sequence[str], rooms: int, timer: Timer | None
    ) -> None:
        """Open (or update) the breakout the rooms write notes for."""

    def close_breakout(self) -> None:
        """No breakout is open: rooms cannot write."""

    def pace(self, prompt_id: str, question: int, timer: Timer) -> None:
        """The open prompt is a paced reflection: phones show question ``question`` (from 0) with
        its time left; earlier answers stay changeable."""

    def show_closing(
        self, shared: Sequence[str] | None, hidden: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        """The workshop is over: phones show the results of the ``shared`` prompts (and their own
        answers), without the entries the trainer ``hidden`` (per prompt id). ``None``: the
        workshop goes on."""

    def notes(self, breakout_id: str) -> tuple[Note, ...]:
        """The live notes of a breakout, in the order they were added."""

    def room_url(self, room: int) -> str:
        """Room ``room``'s private notes link."""

    def save(self, state: SavedState) -> None:
        """Keep ``state`` in the session (without waiting for the disk)."""

    def report_job(self, state: SavedState) -> Callable[[], list[str]]:
        """A job writing the session's reports, all formats, with the trainer's ``state``: it reads
        the store and renders, so it runs off the event loop; it returns the paths written."""


# -- events -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepChanged:
    """The room moved to another step, or the workshop finished or reopened."""

    index: int
    phase: Phase


@dataclass(frozen=True)
class TimerChanged:
    """The timer started, paused, or the current step's time changed."""

    phase: Phase
    remaining: float


@dataclass(frozen=True)
class TimeRanOut:
    """The current step's time just reached zero (once per step visit)."""

    index: int


@dataclass(frozen=True)
class RevealChanged:
    """The trainer revealed or hid a step's results."""

    index: int
    revealed: bool


@dataclass(frozen=True)
class HiddenChanged:
    """The trainer hid an entry of a step's revealed results, or brought one back."""

    index: int


@dataclass(frozen=True)
class QuestionChanged:
    """A paced reflection moved to another question: by the trainer, or by itself when the question's
    time ran out (``cue``: views give a soft cue)."""

    index: int
    question: int
    cue: bool


@dataclass(frozen=True)
class WallChanged:
    """A wall that stays open was put on the stage (``shown``: its step), taken off it (None), or
    closed to new answers."""

    shown: int | None


@dataclass(frozen=True)
class RoomsChanged:
    """A breakout's number of rooms changed."""

    breakout: int
    rooms: int


@dataclass(frozen=True)
class ThemesChanged:
    """A breakout's themes changed: an edit, an undo, or a new grouping of its notes."""

    breakout: int


@dataclass(frozen=True)
class StorageChanged:
    """Writing the session started failing (``problem`` says what to do) or works again (None)."""

    problem: str | None


@dataclass(frozen=True)
class ReportsWritten:
    """The reports asked for are written (``paths``), or could not be (``problem``)."""

    paths: tuple[str, ...] = ()
    problem: str | None = None


@dataclass(frozen=True)
class AnswersChanged:
    """Phones answered, joined or left, or rooms changed their notes (views redraw when they can)."""


Event = (
    StepChanged
    | TimerChanged
    | TimeRanOut
    | RevealChanged
    | HiddenChanged
    | QuestionChanged
    | WallChanged
    | RoomsChanged
    | ThemesChanged
    | AnswersChanged
    | StorageChanged
    | ReportsWritten
)


# -- what views draw ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultsView:
    """The current step's answers as the room may see them."""

    results: Results | None
    revealed: bool
    connected: int
    min_responses: int
    hidden: frozenset[str] = frozenset()
    """Entries the trainer hid (as shown; word-wall entries compare folded): never drawn."""
    wall: int | None = None
    """The step of a wall that stays open, when the trainer put it on the stage over the current step."""


@dataclass(frozen=True)
class PacedQuestion:
    """The question a paced reflection is on: ``number`` from 0, ``of`` them, ``left`` seconds."""

    number: int
    of: int
    text: str
    left: float
    pace: float
    running: bool


@dataclass(frozen=True)
class ReportBackSection:
    """One breakout at a report-back: its title, rooms, notes, and their themes (None until first
    grouped)."""

    breakout: int
    title: str
    rooms: int
    notes: tuple[Note, ...]
    grouping: Grouping | None
    prompts: tuple[str, ...] = ()
    """The questions the rooms discussed: themes are grouped by the one their notes answer."""


@dataclass(frozen=True)
class ReportBackView:
    """A report-back: one section per breakout since the previous report-back, in agenda order."""

    sections: tuple[ReportBackSection, ...]

    def section(self, breakout: int) -> ReportBackSection:
        """The section of breakout step ``breakout``; ``KeyError`` when it is not reported here."""
        for section in self.sections:
            if section.breakout == breakout:
                return section
        raise KeyError(breakout)


@dataclass(frozen=True)
class BreakoutDashboard:
    """A breakout as the room may see it while it runs: how many notes each room has written, never
    their text (that waits for the report-back)."""

    breakout: int
    title: str
    notes: tuple[int, ...]
    """Notes written so far, one count per room, room 1 first."""

    @property
    def total(self) -> int:
        return sum(self.notes)


@dataclass(frozen=True)
class RoomLinks:
    """The private links of the current or next breakout, one per room (for the trainer's eyes)."""

    breakout: int
    title: str
    links: tuple[str, ...]


@dataclass(frozen=True)
class GroupingJob:
    """Group one breakout's notes into themes: slow with many notes, so a worker runs it."""

    breakout: int
    notes: tuple[Note, ...]
    prompts: tuple[str, ...]

    def run(self) -> list[Theme]:
        return group_notes(self.notes, prompts=self.prompts)


def rooms_of(agenda: Agenda, breakout: int, changed: Mapping[int, int]) -> int:
    """How many rooms breakout step ``breakout`` has: as the trainer ``changed`` it, else as planned."""
    plan = agenda.steps[breakout].breakout
    if plan is None:
        raise ValueError(f"step {breakout + 1} is not a breakout")
    return changed.get(breakout, plan.rooms)


class Workshop:
    """One session's controller: the runner plus the trainer's choices, behind one set of methods."""

    def __init__(
        self,
        agenda: Agenda,
        clock: Clock,
        participants: Participants,
        saved: SavedState | None = None,
    ) -> None:
        self.agenda = agenda
        self.runner = Runner(agenda, clock, saved.runner if saved else None)
        self._participants = participants
        self._revealed = set(saved.revealed) if saved else set()
        self._rooms = dict(saved.rooms) if saved else {}
        self._hidden = {index: list(entries) for index, entries in (saved.hidden if saved else {}).items()}
        self._kept = list(saved.kept_open) if saved else []
        """Steps whose walls stay open (``stay_open``), in the order reached, until closed."""
        self._wall: int | None = None
        """The kept wall on the stage over the current step, if the trainer put one there."""
        self._pacing = {
            index: Pacing(len(prompt.ratings), prompt.pace, question, began)
            for index, (question, began) in (saved.pacing if saved else {}).items()
            if (prompt := agenda.steps[index].prompt) is not None and prompt.pace is not None
        }
        """Where each paced reflection visited is: its question, and when that question came on."""
        """The entries the trainer hid per step, in the order hidden (unhide brings back the last)."""
        self._edits = {key: Edits(grouping) for key, grouping in (saved.groupings if saved else {}).items()}
        self._listeners: list[Callable[[Event], None]] = []
        self._last: Status | None = None
        self._saved_at = float("-inf")
        self._grouped: dict[int, tuple[Note, ...]] = {}
        self._grouping: set[int] = set()
        self._edited: list[int] = []
        """The breakout of each edit that undo can take back, in the order they were made."""
        self.storage_problem: str | None = None
        """Why the session cannot be written now, for a banner that stays until writes work again."""
        participants.listen(self._participants_changed)
        participants.listen_storage(self._storage_changed)
        self._follow()

    # -- subscribing ---------------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``listener(event)`` after every change; returns a function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)

    # -- reading -------------------------------------------------------------------------------------

    @property
    def index(self) -> int:
        return self.runner.index

    def tick(self) -> Status:
        """The time now, for a view's regular redraw; notices time running out, a waiting locked step
        starting by itself, and saves now and then."""
        status = self.runner.status()
        last, self._last = self._last, status
        if last is not None and time_ran_out(last, status):
            self._emit(TimeRanOut(status.index))
        if last is not None and last.phase is Phase.WAITING and status.phase is not Phase.WAITING:
            self._follow()
            self._emit(TimerChanged(status.phase, status.remaining))
        pacing = self._current_pacing()
        due = pacing.due(self.runner.elapsed()) if pacing and status.phase is Phase.RUNNING else None
        if due is not None:
            self._pace(due, cue=True)
        if status.phase is Phase.RUNNING and self.runner.clock.monotonic() - self._saved_at >= SAVE_SECONDS:
            self._save()
        return status

    def results(self) -> ResultsView:
        """The current step's results (after the last step, the last step's), and whether the room
        may see them."""
        participants, index = self._participants, self._on_stage()
        results = participants.results(step_id(index)) if self.agenda.steps[index].prompt else None
        return ResultsView(
            results,
            index in self._revealed,
            participants.connected,
            participants.min_responses,
            frozenset(self._hidden.get(index, ())),
            self._wall,
        )

    def paced(self) -> PacedQuestion | None:
        """The question the current step is on, when it is a paced reflection (else None)."""
        pacing = self._current_pacing()
        if pacing is None:
            return None
        assert self.runner.step.prompt is not None
        text = self.runner.step.prompt.ratings[pacing.question].text
        left = pacing.left(self.runner.elapsed())
        running = self.runner.phase is Phase.RUNNING
        return PacedQuestion(pacing.question, pacing.questions, text, left, pacing.pace, running)

    def report_back(self) -> ReportBackView | None:
        """The current step's report-back (every breakout since the previous one, each with its
        notes and themes), or None when it is not one."""
        breakouts = self._reported()
        if breakouts is None:
            return None
        sections = []
        for breakout in breakouts:
            edits = self._edits.get(step_id(breakout))
            sections.append(
                ReportBackSection(
                    breakout,
                    self.agenda.steps[breakout].title,
                    self.rooms(breakout),
                    self._notes(breakout),
                    None if edits is None else edits.grouping,
                    self._prompts(breakout),
                )
            )
        return ReportBackView(tuple(sections))

    def breakout_dashboard(self) -> BreakoutDashboard | None:
        """The current breakout's note count per room, or None when the current step is not a breakout."""
        if self.runner.phase is Phase.FINISHED or self.runner.step.kind is not StepKind.BREAKOUT:
            return None
        rooms = self.rooms(self.index)
        counts = [0] * rooms
        for note in self._notes(self.index):
            if not note.deleted and 1 <= note.room <= rooms:
                counts[note.room - 1] += 1
        return BreakoutDashboard(self.index, self.runner.step.title, tuple(counts))

    def rooms(self, breakout: int) -> int:
        """How many rooms breakout step ``breakout`` has now: the trainer's change, or the agenda's."""
        return rooms_of(self.agenda, breakout, self._rooms)

    def room_links(self) -> RoomLinks:
        """The rooms' private links for the current or next breakout."""
        breakout = self._links_breakout()
        links = tuple(self._participants.room_url(room) for room in range(1, self.rooms(breakout) + 1))
        return RoomLinks(breakout, self.agenda.steps[breakout].title, links)

    def saved_state(self) -> SavedState:
        """Everything ``--resume`` needs besides answers and notes."""
        groupings = {key: edits.grouping for key, edits in self._edits.items()}
        return SavedState(
            self.runner.state(),
            frozenset(self._revealed),
            dict(self._rooms),
            groupings,
            self._participants.base_url,
            {index: tuple(entries) for index, entries in self._hidden.items() if entries},
            tuple(self._kept),
            {index: (pacing.question, pacing.began) for index, pacing in self._pacing.items()},
        )

    # -- the timer and the agenda ---------------------------------------------------------------------

    def toggle_timer(self) -> None:
        """Start the timer if it is stopped, pause it if it runs."""
        self._move(self.runner.toggle)

    def next(self) -> None:
        """Move to the next step (after the last one, the workshop is finished); in a paced
        reflection, to its next question first."""
        if not self._pace_by(1):
            self._move(self.runner.next)

    def back(self) -> None:
        """Go back a step, which comes back with the time it had left (so a slip of next is undone);
        in a paced reflection, to its previous question first."""
        if not self._pace_by(-1):
            self._move(self.runner.previous)

    def finish(self) -> None:
        """End the workshop now, from any step (back reopens the step it ended on)."""
        self._move(self.runner.finish)

    def add_minute(self) -> None:
        """One more minute for the current step."""
        self._move(lambda: self.runner.adjust(60))

    def remove_minute(self) -> None:
        """One minute less for the current step (never below nothing)."""
        self._move(lambda: self.runner.adjust(-60))

    # -- results and rooms ----------------------------------------------------------------------------

    def reveal(self) -> bool:
        """Reveal the current step's results, or hide them again; returns whether they are shown."""
        if self._wall is not None:
            raise Refused("A wall is on the stage: press w to put it away first")
        if self.runner.step.prompt is None:
            raise Refused("This step has no answers to reveal")
        revealed = self.index not in self._revealed
        if revealed:
            self._revealed.add(self.index)
        else:
            self._revealed.discard(self.index)
        self._save()
        self._emit(RevealChanged(self.index, revealed))
        return revealed

    def hide(self, entry: str) -> None:
        """Take one entry off the current step's revealed wall at once: a text answer (text, share,
        or a reflection's comment) as shown, or a word-wall entry (compared folded). It stays
        hidden from the phones' closing summary and the reports' default, and across ``--resume``."""
        view = self.results()
        results = view.results
        if not view.revealed or results is None or results.answered < view.min_responses:
            raise Refused("Answers can be hidden once the step's results are revealed")
        word = results.kind is PromptKind.WORDWALL
        entries = [text for text, _ in results.words] if word else list(results.texts)
        shown = [other for other in entries if not entry_hidden(other, view.hidden, word=word)]
        if not any(entry_hidden(entry, (other,), word=word) for other in shown):
            raise Refused("That answer is not on the wall")
        self._hidden.setdefault(self._on_stage(), []).append(entry)
        self._hidden_changed()

    def unhide(self) -> str:
        """Bring back the entry of the wall on the stage hidden last; returns it."""
        index = self._on_stage()
        entries = self._hidden.get(index)
        if not entries:
            raise Refused("Nothing hidden on this step to bring back")
        entry = entries.pop()
        if not entries:
            del self._hidden[index]
        self._hidden_changed()
        return entry

    # -- walls that stay open ------------------------------------------------------------------------

    def show_wall(self) -> int | None:
        """Put the next wall that stays open on the stage, revealed, without moving the agenda; after
        the last one, take it off again. Returns the step whose wall is shown (None: the step's own)."""
        walls = self._other_walls()
        if not walls and self._wall is None:
            raise Refused("No wall stays open now: a text or word wall step with stay_open = true keeps one")
        if self._wall is None:
            self._wall = walls[0]
        else:  # the next wall; after the last one (or one just closed), the step's own stage
            later = walls[walls.index(self._wall) + 1 :] if self._wall in walls else []
            self._wall = later[0] if later else None
        if self._wall is not None:
            self._revealed.add(self._wall)  # the room sees it: it counts as revealed everywhere
            self._save()
        self._emit(WallChanged(self._wall))
        return self._wall

    def close_wall(self) -> None:
        """Stop the wall on the stage taking answers (its answers stay, and it stays on the stage)."""
        if self._wall is None or self._wall not in self._kept:
            raise Refused("Press w to show a wall that stays open: c then closes it to new answers")
        self._kept.remove(self._wall)
        self._follow()
        self._emit(WallChanged(self._wall))

    def change_rooms(self, change: int) -> int:
        """Add (or remove, when negative) rooms to the current or next breakout; returns how many it has."""
        breakout = self._links_breakout()
        rooms = min(max(self.rooms(breakout) + change, 1), MAX_ROOMS)
        if rooms == self.rooms(breakout):
            raise Refused(f"A breakout has between 1 and {MAX_ROOMS} rooms")
        self._rooms[breakout] = rooms
        self._follow()
        self._emit(RoomsChanged(breakout, rooms))
        return rooms

    # -- reports -------------------------------------------------------------------------------------

    def export_reports(self) -> Callable[[], list[str]]:
        """The trainer asks for the reports, at any moment: the job that writes every format beside
        the session file from the workshop as it is now. A worker runs it and hands its outcome to
        :meth:`reports_written`."""
        return self._participants.report_job(self.saved_state())

    def reports_written(self, paths: Sequence[str], problem: str | None = None) -> None:
        """Tell every view where the reports are, or why they could not be written."""
        self._emit(ReportsWritten(tuple(paths), problem))

    # -- the report-back ------------------------------------------------------------------------------

    def merge(self, breakout: int, theme: int) -> None:
        """Merge theme ``theme`` of breakout step ``breakout`` with the one below it, under its label."""
        grouping = self._current_grouping(breakout)
        if not 0 <= theme < len(grouping.groups) - 1:
            raise Refused("There is no theme below this one to merge with")
        self._edit(breakout, grouping.merge(theme, theme + 1))

    def move(self, breakout: int, note_id: str, change: int) -> None:
        """Move a note of breakout step ``breakout`` into the theme ``change`` places above
        (negative) or below (positive) its own."""
        grouping = self._current_grouping(breakout)
        target = self._group_of(grouping, note_id) + change
        if not 0 <= target < len(grouping.groups):
            raise Refused("There is no theme there to move the note to")
        self._edit(breakout, grouping.move(note_id, target))

    def split(self, breakout: int, note_id: str) -> None:
        """Give a note of breakout step ``breakout`` a theme of its own, labelled from its words."""
        grouping = self._current_grouping(breakout)
        self._group_of(grouping, note_id)
        text = next((note.text for note in self._notes(breakout) if note.id == note_id), "")
        split = grouping.split(note_id, label_for(text))
        if split == grouping:
            raise Refused("This note is already a theme of its own")
        self._edit(breakout, split)

    def rename(self, breakout: int, theme: int, label: str) -> None:
        """Give theme ``theme`` of breakout step ``breakout`` a new label (blank keeps the old one)."""
        grouping = self._current_grouping(breakout)
        if not 0 <= theme < len(grouping.groups):
            raise Refused("There is no such theme")
        self._edit(breakout, grouping.rename(theme, label))

    def accept(self, breakout: int) -> None:
        """Keep every note the grouping placed in a room's theme where it is (the trainer agrees)."""
        grouping = self._current_grouping(breakout)
        if not grouping.suggested:
            raise Refused("No suggested placements to accept here: the rooms' own themes are kept as filed")
        self._edit(breakout, grouping.accept())

    def undo(self) -> None:
        """Undo the last change to this report-back's themes, whichever breakout it was in."""
        breakouts = self._reported() or ()
        for position in range(len(self._edited) - 1, -1, -1):
            breakout = self._edited[position]
            if breakout in breakouts:
                del self._edited[position]
                edits = self._edits.get(step_id(breakout))
                if edits is not None and edits.undo():
                    self._save()
                    self._emit(ThemesChanged(breakout))
                    return
        raise Refused("Nothing to undo")

    # -- background grouping --------------------------------------------------------------------------

    def grouping_job(self) -> GroupingJob | None:
        """The next of the report-back's breakouts whose notes changed since last grouped, and are
        not being grouped now (one job per breakout at a time), in agenda order; else None."""
        for breakout in self._reported() or ():
            if breakout in self._grouping:
                continue
            notes = self._notes(breakout)
            if self._grouped.get(breakout) == notes:
                continue
            plan = self.agenda.steps[breakout].breakout
            assert plan is not None
            self._grouping.add(breakout)
            return GroupingJob(breakout, notes, plan.prompts)
        return None

    def themes_ready(self, job: GroupingJob, themes: Sequence[Theme] | None) -> None:
        """Fold a finished job's themes into the trainer's; ``None`` when the job failed."""
        self._grouping.discard(job.breakout)
        self._grouped[job.breakout] = job.notes  # a failed job is not retried until the notes change
        if themes is None:
            return
        key = step_id(job.breakout)
        edits = self._edits.get(key)
        if edits is None:
            self._edits[key] = Edits(reconcile(None, themes))
        else:
            edits.grouping = reconcile(edits.grouping, themes)
        self._emit(ThemesChanged(job.breakout))

    # -- internals -----------------------------------------------------------------------------------

    def _move(self, move: Callable[[], None]) -> None:
        index, finished = self.index, self.runner.phase is Phase.FINISHED
        try:
            move()
        except RunnerError as error:
            raise Refused(str(error)) from None
        self._follow()
        if self.index != index or (self.runner.phase is Phase.FINISHED) != finished:
            self._wall = None  # the room moved on: the stage belongs to the new step
            self._emit(StepChanged(self.index, self.runner.phase))
        self._emit(TimerChanged(self.runner.phase, self.runner.remaining()))

    def _follow(self) -> None:
        """Open the current step's prompt and breakout on the phones and rooms (or close them), and save."""
        runner, participants = self.runner, self._participants
        finished = runner.phase is Phase.FINISHED
        if self._prompt_open():
            assert runner.step.prompt is not None
            participants.open_prompt(step_id(self.index), runner.step.prompt.to_wire(), self.index)
            if runner.step.prompt.stay_open and self.index not in self._kept:
                self._kept.append(self.index)
            self._send_pace()
        else:
            participants.close_prompt()
        participants.keep_open({} if finished else self._kept_prompts())
        breakout = None if finished else self.agenda.breakout_for(self.index)
        if breakout is None:
            participants.close_breakout()
        else:
            plan = self.agenda.steps[breakout]
            assert plan.breakout is not None
            timer = (
                Timer(runner.remaining(), runner.phase is Phase.RUNNING) if breakout == self.index else None
            )
            participants.open_breakout(
                step_id(breakout), plan.title, plan.breakout.prompts, self.rooms(breakout), timer
            )
        participants.show_closing(self._shared() if finished else None, self._hidden_prompts())
        self._save()

    def _current_pacing(self) -> Pacing | None:
        """The current step's pacing, begun on first asking, when it is a paced reflection under way."""
        prompt, runner = self.runner.step.prompt, self.runner
        if prompt is None or prompt.pace is None or runner.phase in (Phase.FINISHED, Phase.WAITING):
            return None
        if self.index not in self._pacing:
            self._pacing[self.index] = Pacing(len(prompt.ratings), prompt.pace, 0, runner.elapsed())
        return self._pacing[self.index]

    def _pace_by(self, change: int) -> bool:
        """The trainer's next or back within a paced reflection; False when it leaves the step instead."""
        pacing = self._current_pacing()
        moved = pacing.moved(change, self.runner.elapsed()) if pacing else None
        if moved is None:
            return False
        self._pace(moved, cue=False)
        return True

    def _pace(self, pacing: Pacing, *, cue: bool) -> None:
        self._pacing[self.index] = pacing
        self._send_pace()
        self._save()
        self._emit(QuestionChanged(self.index, pacing.question, cue))

    def _send_pace(self) -> None:
        paced = self.paced()
        if paced is not None:
            timer = Timer(paced.left, paced.running)
            self._participants.pace(step_id(self.index), paced.number, timer)

    def _kept_prompts(self) -> dict[str, Mapping[str, Any]]:
        kept: dict[str, Mapping[str, Any]] = {}
        for index in self._kept:
            prompt = self.agenda.steps[index].prompt
            assert prompt is not None  # only steps with a prompt are kept open
            kept[step_id(index)] = {**prompt.to_wire(), "title": self.agenda.steps[index].title}  # its tab
        return kept

    def _other_walls(self) -> list[int]:
        """The walls kept open other than the current step's (which is on the stage anyway)."""
        if self.runner.phase is Phase.FINISHED:
            return []
        return [index for index in self._kept if index != self.index]

    def _on_stage(self) -> int:
        """The step whose answers the stage shows: a wall the trainer put up, else the current step."""
        return self.index if self._wall is None else self._wall

    def _prompts(self, breakout: int) -> tuple[str, ...]:
        plan = self.agenda.steps[breakout].breakout
        return () if plan is None else plan.prompts

    def _notes(self, breakout: int) -> tuple[Note, ...]:
        return distinct_ids(self._participants.notes(step_id(breakout)))

    def _shared(self) -> tuple[str, ...]:
        """The prompts whose results the phones see at the close: those revealed, if the agenda shares."""
        if not self.agenda.share_results:
            return ()
        steps = self.agenda.steps
        return tuple(step_id(index) for index in sorted(self._revealed) if steps[index].prompt is not None)

    def _hidden_prompts(self) -> dict[str, frozenset[str]]:
        """The hidden entries per prompt id, for the closing summary and the reports."""
        return {step_id(index): frozenset(entries) for index, entries in self._hidden.items() if entries}

    def _hidden_changed(self) -> None:
        if self.runner.phase is Phase.FINISHED:  # the closing summary on the phones follows at once
            self._participants.show_closing(self._shared(), self._hidden_prompts())
        self._save()
        self._emit(HiddenChanged(self.index))

    def _prompt_open(self) -> bool:
        return self.runner.phase is not Phase.FINISHED and self.runner.step.prompt is not None

    def _save(self) -> None:
        self._participants.save(self.saved_state())
        self._saved_at = self.runner.clock.monotonic()

    def _participants_changed(self) -> None:
        self._emit(AnswersChanged())

    def _storage_changed(self, problem: str | None) -> None:
        if problem != self.storage_problem:
            self.storage_problem = problem
            self._emit(StorageChanged(problem))

    def _reported(self) -> tuple[int, ...] | None:
        """The breakouts the current step reports (None when it is no report-back)."""
        if self.runner.phase is Phase.FINISHED or self.runner.step.kind is not StepKind.REPORTBACK:
            return None
        return self.agenda.reported_breakouts(self.index)

    def _links_breakout(self) -> int:
        breakout = self.agenda.next_breakout(self.index)
        if breakout is None:
            raise Refused("No breakout ahead in this agenda")
        return breakout

    def _current_grouping(self, breakout: int) -> Grouping:
        breakouts = self._reported()
        if breakouts is None:
            raise Refused("Themes can be changed at a report-back")
        if breakout not in breakouts:
            raise Refused("That breakout is not reported here: themes can be changed at its report-back")
        edits = self._edits.get(step_id(breakout))
        if edits is None:
            title = self.agenda.steps[breakout].title
            raise Refused(f'The notes of "{title}" are still being grouped: try again in a moment')
        return edits.grouping

    @staticmethod
    def _group_of(grouping: Grouping, note_id: str) -> int:
        try:
            return grouping.group_of(note_id)
        except KeyError:
            raise Refused("That note is no longer there") from None

    def _edit(self, breakout: int, edited: Grouping) -> None:
        if self._edits[step_id(breakout)].apply(edited):
            self._edited.append(breakout)
            self._save()
            self._emit(ThemesChanged(breakout))
