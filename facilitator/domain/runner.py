"""The runner: which step the room is on, how much time is left, and how far from the plan it is.

A pure state machine driven by an injected :class:`Clock`, so tests move time by hand.

Each step keeps its own record (time allotted, time run, when it really started), which is what
makes moving undoable: going back to a step restores it with the time it had left.

Locked steps start at a fixed clock time (the coffee arrives at 9:45). When the room is behind and
enters a step that comes before a locked step, that step is shortened so the locked step can still
start on time: in proportion to its planned length, never below half of it, rounded to whole
minutes. Ahead of plan, steps keep their length and the locked step waits for its time: entered
early (``next``, or ``start`` on it), it is current but ``WAITING``, its countdown still, until its
planned start, when it starts by itself (noticed on the next reading of the runner); a second
``next`` or ``start`` while it waits starts it at once. Projected times for the rest of the agenda
follow the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from facilitator.domain.agenda import Agenda, Step
from facilitator.domain.clock import Clock

WRAP_UP_FRACTION = 0.20
FINAL_FRACTION = 0.05
MIN_CATCH_UP_FACTOR = 0.5
MINUTE = 60


class Phase(StrEnum):
    """Where the workshop is. ``READY``: not started yet; ``WAITING``: a locked step entered early
    waits for its planned start, its countdown still; ``FINISHED``: moved past the last step."""

    READY = "ready"
    RUNNING = "running"
    WAITING = "waiting"
    PAUSED = "paused"
    FINISHED = "finished"


class Stage(StrEnum):
    """How close the current step is to its end; the projector colours the countdown by it."""

    PLENTY = "plenty"
    WRAP_UP = "wrap-up"
    FINAL = "final"
    OVERTIME = "overtime"


class RunnerError(Exception):
    """A move the runner refuses, with a message meant for the trainer."""


@dataclass
class StepRecord:
    """What happened to one step. Times in seconds; ``started``/``ended`` are wall-clock times."""

    allotted: float
    elapsed: float = 0.0
    visited: bool = False
    started: datetime | None = None
    ended: datetime | None = None


@dataclass(frozen=True)
class StepTiming:
    """One agenda row: when the step was planned, when it really started, when it will start."""

    planned: datetime | None
    actual: datetime | None
    projected: datetime | None
    allotted: float
    done: bool
    current: bool


@dataclass(frozen=True)
class Status:
    """Everything the projector shows about time, computed at one instant. ``waiting_until`` is when
    a waiting locked step starts by itself (None unless the phase is ``WAITING``)."""

    phase: Phase
    index: int
    step: Step
    remaining: float
    allotted: float
    stage: Stage
    offset: float | None
    projected_end: datetime
    timings: tuple[StepTiming, ...]
    now: datetime
    waiting_until: datetime | None = None


def stage_of(remaining: float, allotted: float) -> Stage:
    """The wrap-up stage for a step with ``remaining`` of ``allotted`` seconds left."""
    if remaining <= 0:
        return Stage.OVERTIME
    fraction = remaining / allotted if allotted > 0 else 0.0
    if fraction <= FINAL_FRACTION:
        return Stage.FINAL
    if fraction <= WRAP_UP_FRACTION:
        return Stage.WRAP_UP
    return Stage.PLENTY


def time_ran_out(before: Status, after: Status) -> bool:
    """Whether the current step's time ran out between two snapshots (once, not on revisits)."""
    return (
        before.index == after.index
        and after.phase is Phase.RUNNING
        and before.remaining > 0 >= after.remaining
    )


@dataclass
class RunnerState:
    """The runner's state as plain data, to store a session and resume it after a crash."""

    index: int
    phase: Phase
    anchor: datetime | None
    records: list[StepRecord] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "index": self.index,
            "phase": self.phase.value,
            "anchor": when(self.anchor),
            "records": [
                {
                    "allotted": record.allotted,
                    "elapsed": record.elapsed,
                    "visited": record.visited,
                    "started": when(record.started),
                    "ended": when(record.ended),
                }
                for record in self.records
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunnerState:
        def when(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        records = [
            StepRecord(
                allotted=float(item["allotted"]),
                elapsed=float(item["elapsed"]),
                visited=bool(item["visited"]),
                started=when(item["started"]),
                ended=when(item["ended"]),
            )
            for item in data["records"]
        ]
        return cls(int(data["index"]), Phase(data["phase"]), when(data["anchor"]), records)


class Runner:
    """Moves through an agenda against a clock. Every method is synchronous and does no IO."""

    def __init__(self, agenda: Agenda, clock: Clock, state: RunnerState | None = None) -> None:
        self.agenda = agenda
        self.clock = clock
        self._since: float | None = None
        if state is None:
            self._index, self._phase, self._anchor = 0, Phase.READY, self._planned_anchor()
            self._records = [StepRecord(allotted=step.duration) for step in agenda.steps]
        else:
            if len(state.records) != len(agenda.steps):
                raise ValueError("the stored state is for a different agenda")
            self._index, self._anchor = state.index, state.anchor
            self._records = [replace(record) for record in state.records]
            # A restored clock was not running in this process: resume paused, trainer restarts it.
            # A wait is for a clock time, not a running timer: it goes on (and may be over already).
            self._phase = Phase.PAUSED if state.phase is Phase.RUNNING else state.phase

    # -- reading -------------------------------------------------------------------------------------

    @property
    def phase(self) -> Phase:
        self._wake()
        return self._phase

    @property
    def index(self) -> int:
        return self._index

    @property
    def step(self) -> Step:
        return self.agenda.steps[self._index]

    def remaining(self) -> float:
        """Seconds left on the current step; negative in overtime."""
        self._wake()
        record = self._records[self._index]
        return record.allotted - self._elapsed(record)

    def elapsed(self) -> float:
        """Seconds the current step's timer has run, over all its visits (paused time not counted)."""
        self._wake()
        return self._elapsed(self._records[self._index])

    def state(self) -> RunnerState:
        """A copy of the state, with the running step's time counted up to now."""
        self._wake()
        self._settle()
        records = [replace(record) for record in self._records]
        return RunnerState(self._index, self._phase, self._anchor, records)

    def status(self) -> Status:
        """A snapshot of everything time-related, for the projector."""
        now = self.clock.now()
        record = self._records[self._index]
        remaining = self.remaining()
        waiting_until = self._planned_start(self._index) if self._phase is Phase.WAITING else None
        timings, projected_end = self._timings(now, remaining, waiting_until)
        offset = None
        if self._anchor is not None:
            plan_end = self._planned_start(self._index) + timedelta(seconds=self.step.duration)
            current_end = record.ended if self._phase is Phase.FINISHED and record.ended else None
            expected = current_end or (waiting_until or now) + timedelta(seconds=max(remaining, 0))
            offset = (expected - plan_end).total_seconds()
        return Status(
            phase=self._phase,
            index=self._index,
            step=self.step,
            remaining=remaining,
            allotted=record.allotted,
            stage=stage_of(remaining, record.allotted),
            offset=offset,
            projected_end=projected_end,
            timings=timings,
            now=now,
            waiting_until=waiting_until,
        )

    # -- moving --------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start or resume the timer on the current step; a waiting locked step starts now."""
        self._wake()
        if self._phase is Phase.RUNNING:
            raise RunnerError("The timer is already running")
        if self._phase is Phase.FINISHED:
            raise RunnerError("The workshop is over; press p to go back to the last step")
        if self._phase is Phase.WAITING:
            self._begin(self.clock.now())
            return
        if self._anchor is None:
            self._anchor = self.clock.now()
        self._phase = Phase.RUNNING
        self._since = self.clock.monotonic()
        self._enter(self._index)

    def pause(self) -> None:
        """Stop the timer; the step keeps the time it has left."""
        self._wake()
        if self._phase is not Phase.RUNNING:
            raise RunnerError("The timer is not running")
        self._settle()
        self._since = None
        self._phase = Phase.PAUSED

    def toggle(self) -> None:
        """Start the timer if it is stopped (or waiting), stop it if it runs."""
        if self.phase is Phase.RUNNING:
            self.pause()
        else:
            self.start()

    def next(self) -> None:
        """Move to the next step; after the last one the workshop is finished. While a locked step
        waits for its time, ``next`` starts it now instead."""
        self._wake()
        if self._phase is Phase.FINISHED:
            raise RunnerError("The workshop is over; press p to go back to the last step")
        if self._phase is Phase.WAITING:
            self._begin(self.clock.now())
            return
        if self._index == len(self.agenda.steps) - 1:
            self.finish()
            return
        self._leave()
        self._index += 1
        self._enter(self._index)

    def finish(self) -> None:
        """End the workshop on the current step; :meth:`previous` reopens it."""
        self._wake()
        if self._phase is Phase.FINISHED:
            raise RunnerError("The workshop is already over")
        self._leave()
        self._phase = Phase.FINISHED
        self._since = None

    def previous(self) -> None:
        """Go back a step; it continues with the time it had left when the room moved on (running,
        when leaving a locked step that waits)."""
        self._wake()
        if self._phase is Phase.FINISHED:
            self._phase = Phase.PAUSED
            self._records[self._index].ended = None
            return
        if self._index == 0:
            raise RunnerError("Already at the first step")
        if self._phase is Phase.WAITING:
            self._phase, self._since = Phase.RUNNING, self.clock.monotonic()
        self._leave()
        self._index -= 1
        self._records[self._index].ended = None
        self._enter(self._index)

    def adjust(self, seconds: float) -> None:
        """Give the current step more time (positive) or less (negative); never below nothing."""
        self._wake()
        if self._phase is Phase.FINISHED:
            raise RunnerError("The workshop is over; press p to go back to the last step")
        record = self._records[self._index]
        record.allotted = max(0.0, record.allotted + seconds)

    # -- internals -----------------------------------------------------------------------------------

    def _elapsed(self, record: StepRecord) -> float:
        if self._since is None or record is not self._records[self._index]:
            return record.elapsed
        return record.elapsed + self.clock.monotonic() - self._since

    def _settle(self) -> None:
        """Fold the running time into the current step's record."""
        if self._since is not None:
            now = self.clock.monotonic()
            self._records[self._index].elapsed += now - self._since
            self._since = now

    def _leave(self) -> None:
        self._settle()
        record = self._records[self._index]
        if record.started is not None:
            record.ended = self.clock.now()

    def _enter(self, index: int) -> None:
        """Make ``index`` current while the clock runs: on a first visit, fit it to the plan. A locked
        step that has not started and whose time has not come waits for it."""
        record = self._records[index]
        if self._phase is not Phase.RUNNING:
            return
        now = self.clock.now()
        if record.started is None and self.agenda.steps[index].locked:
            begins = self._planned_start(index)
            if now < begins:
                self._phase, self._since = Phase.WAITING, None
                self._fit(index, begins)
                return
        if record.started is None:
            record.started = now
        self._fit(index, now)

    def _fit(self, index: int, entering: datetime) -> None:
        """On a first visit, give step ``index`` its time for starting at ``entering``."""
        record = self._records[index]
        if not record.visited:
            record.visited = True
            record.allotted = self._catch_up_allotment(index, entering)

    def _begin(self, at: datetime) -> None:
        """End the wait: the current (locked) step runs, its time counted from ``at``."""
        lag = (self.clock.now() - at).total_seconds()
        self._phase, self._since = Phase.RUNNING, self.clock.monotonic() - lag
        self._records[self._index].started = at

    def _wake(self) -> None:
        """A waiting locked step starts by itself at its planned time, whenever that is noticed."""
        if self._phase is Phase.WAITING:
            begins = self._planned_start(self._index)
            if self.clock.now() >= begins:
                self._begin(begins)

    def _planned_anchor(self) -> datetime | None:
        if self.agenda.start is None:
            return None
        return datetime.combine(self.clock.now().date(), self.agenda.start)

    def _planned_start(self, index: int) -> datetime:
        assert self._anchor is not None
        return self._anchor + timedelta(seconds=self.agenda.planned_offsets[index])

    def _next_locked(self, index: int) -> int | None:
        steps = self.agenda.steps
        return next((later for later in range(index + 1, len(steps)) if steps[later].locked), None)

    def _catch_up_allotment(self, index: int, entering: datetime) -> float:
        """Time for step ``index`` entered at ``entering``, shortened to meet the next locked start."""
        duration = self.agenda.steps[index].duration
        locked = self._next_locked(index)
        if locked is None or self._anchor is None or duration < MINUTE:
            return duration
        planned = sum(step.duration for step in self.agenda.steps[index:locked])
        available = (self._planned_start(locked) - entering).total_seconds()
        factor = min(max(available / planned, MIN_CATCH_UP_FACTOR), 1.0)
        return max(MINUTE, round(duration * factor / MINUTE) * MINUTE)

    def _timings(
        self, now: datetime, remaining: float, waiting_until: datetime | None
    ) -> tuple[tuple[StepTiming, ...], datetime]:
        """Planned, actual and projected start of every step, and the projected end of the workshop."""
        finished = self._phase is Phase.FINISHED
        if finished:
            cursor = self._records[self._index].ended or now
        else:
            cursor = (waiting_until or now) + timedelta(seconds=max(remaining, 0))
        timings = []
        for index, (step, record) in enumerate(zip(self.agenda.steps, self._records, strict=True)):
            planned = self._planned_start(index) if self._anchor is not None else None
            upcoming = index > self._index and not finished
            projected = waiting_until if index == self._index else None
            if upcoming:
                if step.locked and planned is not None:
                    cursor = max(cursor, planned)
                projected = cursor
                allot = record.allotted - record.elapsed if record.visited else None
                if allot is None:
                    allot = self._catch_up_allotment(index, cursor)
                cursor = cursor + timedelta(seconds=max(allot, 0))
            timings.append(
                StepTiming(
                    planned=planned,
                    actual=record.started,
                    projected=projected,
                    allotted=record.allotted,
                    done=index < self._index or finished,
                    current=index == self._index and not finished,
                )
            )
        return tuple(timings), cursor
