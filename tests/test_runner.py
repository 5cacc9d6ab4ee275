"""The runner: a pure state machine driven by a manual clock (no test here sleeps)."""

from datetime import datetime, timedelta
from textwrap import dedent

import pytest

from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.runner import Phase, Runner, RunnerError, RunnerState, Stage, stage_of, time_ran_out

MORNING = datetime(2026, 11, 22, 7, 55)
MIN = 60


def agenda(start: str | None = None, *, locked_break: bool = False):
    top = f'title = "W"\nstart = "{start}"\n' if start else 'title = "W"\n'
    return parse_agenda(
        top
        + dedent(
            f"""\
            [[steps]]
            title = "Welcome"
            kind = "talk"
            duration = "30m"
            [[steps]]
            title = "Partners"
            kind = "activity"
            duration = "30m"
            [[steps]]
            title = "Roles"
            kind = "activity"
            duration = "45m"
            [[steps]]
            title = "Break"
            kind = "break"
            duration = "15m"
            locked = {str(locked_break).lower()}
            [[steps]]
            title = "Rifts"
            kind = "activity"
            duration = "45m"
            """
        )
    )


@pytest.fixture
def clock():
    return ManualClock(MORNING)


def test_ready_until_started(clock):
    """A new runner waits on the first step with its full time; the clock does not run."""
    runner = Runner(agenda(), clock)
    clock.advance(300)
    assert runner.phase is Phase.READY
    assert runner.remaining() == 30 * MIN


def test_start_counts_down_and_pause_holds(clock):
    """The timer runs only between start and pause."""
    runner = Runner(agenda(), clock)
    runner.start()
    clock.advance(90)
    assert runner.remaining() == 30 * MIN - 90
    runner.pause()
    clock.advance(600)
    assert runner.remaining() == 30 * MIN - 90
    runner.toggle()
    clock.advance(10)
    assert runner.phase is Phase.RUNNING
    assert runner.remaining() == 30 * MIN - 100


def test_illegal_moves_raise_with_a_message(clock):
    """Moves that make no sense are refused with a message for the trainer."""
    runner = Runner(agenda(), clock)
    with pytest.raises(RunnerError, match="not running"):
        runner.pause()
    with pytest.raises(RunnerError, match="first step"):
        runner.previous()
    runner.start()
    with pytest.raises(RunnerError, match="already running"):
        runner.start()


def test_overtime_counts_below_zero(clock):
    """Past its time a step keeps counting, into negative numbers."""
    runner = Runner(agenda(), clock)
    runner.start()
    clock.advance(31 * MIN)
    assert runner.remaining() == -MIN
    assert runner.status().stage is Stage.OVERTIME


def test_next_keeps_running_and_previous_restores_remaining_time(clock):
    """Going back is an undo: the step comes back with the time it had left."""
    runner = Runner(agenda(), clock)
    runner.start()
    clock.advance(10 * MIN)
    runner.next()
    assert runner.index == 1
    assert runner.phase is Phase.RUNNING
    clock.advance(5 * MIN)
    assert runner.remaining() == 25 * MIN
    runner.previous()
    assert runner.index == 0
    assert runner.remaining() == 20 * MIN
    clock.advance(MIN)
    runner.next()
    assert runner.remaining() == 25 * MIN


def test_next_past_the_last_step_finishes_and_previous_reopens(clock):
    """After the last step the workshop is finished; p goes back to it."""
    runner = Runner(agenda(), clock)
    runner.start()
    for _ in range(4):
        runner.next()
    clock.advance(MIN)
    runner.next()
    assert runner.phase is Phase.FINISHED
    with pytest.raises(RunnerError, match="over"):
        runner.next()
    with pytest.raises(RunnerError, match="over"):
        runner.adjust(MIN)
    clock.advance(MIN)
    runner.previous()
    assert runner.phase is Phase.PAUSED
    assert runner.index == 4
    assert runner.remaining() == 44 * MIN


def test_adjust_adds_and_removes_minutes_never_below_zero(clock):
    """+ and - change the current step's time; removing can push it into overtime."""
    runner = Runner(agenda(), clock)
    runner.start()
    runner.adjust(MIN)
    assert runner.remaining() == 31 * MIN
    clock.advance(30 * MIN)
    runner.adjust(-2 * MIN)
    assert runner.remaining() == -MIN
    runner.adjust(-60 * MIN)
    assert runner.status().allotted == 0


@pytest.mark.parametrize(
    ("remaining", "stage"),
    [
        (600, Stage.PLENTY),
        (121, Stage.PLENTY),
        (120, Stage.WRAP_UP),
        (31, Stage.WRAP_UP),
        (30, Stage.FINAL),
        (0.5, Stage.FINAL),
        (0, Stage.OVERTIME),
        (-5, Stage.OVERTIME),
    ],
)
def test_wrap_up_stages_at_20_and_5_percent(remaining, stage):
    """The countdown changes colour at 20% and 5% left, and again at zero."""
    assert stage_of(remaining, 600) is stage


def test_time_ran_out_fires_once_when_crossing_zero(clock):
    """The flash and bell fire on the crossing, not on every tick or on a revisit."""
    runner = Runner(agenda(), clock)
    runner.start()
    clock.advance(30 * MIN - 1)
    before = runner.status()
    clock.advance(2)
    after = runner.status()
    assert time_ran_out(before, after)
    clock.advance(2)
    assert not time_ran_out(after, runner.status())
    runner.next()
    runner.previous()
    assert not time_ran_out(after, runner.status())


def test_offset_without_start_time_is_against_the_actual_start(clock):
    """With no clock start in the agenda, the plan begins when the trainer starts."""
    runner = Runner(agenda(), clock)
    assert runner.status().offset is None
    runner.start()
    clock.advance(34 * MIN)
    status = runner.status()
    assert status.offset == 4 * MIN
    runner.next()
    status = runner.status()
    assert status.offset == 4 * MIN
    assert status.timings[0].actual == MORNING
    assert status.timings[1].actual == MORNING + timedelta(minutes=34)


def test_offset_and_projected_end_against_the_agenda_start(clock):
    """With start = 8:00 a late start shows as behind, and the end moves with it."""
    runner = Runner(agenda("8:00"), clock)
    clock.advance(9 * MIN)  # 08:04
    status = runner.status()
    assert status.offset == 4 * MIN
    assert status.projected_end == datetime(2026, 11, 22, 10, 49)
    assert status.timings[2].planned == datetime(2026, 11, 22, 9, 0)
    runner.start()
    clock.advance(20 * MIN)
    runner.next()  # 08:24: the second step was planned for 08:30
    assert runner.status().offset == -6 * MIN


def test_locked_step_scales_earlier_steps_to_start_on_time(clock):
    """Running behind before a locked break, the next steps shrink so the break starts at 9:45."""
    runner = Runner(agenda("8:00", locked_break=True), clock)
    clock.advance(15 * MIN)  # 08:10, ten minutes late
    runner.start()
    status = runner.status()
    # 105 planned minutes must fit into the 95 left before 9:45: 30m scales to 27m
    assert runner.remaining() == 27 * MIN
    assert status.timings[3].projected == datetime(2026, 11, 22, 9, 45)
    # walk to the break honouring each step's time: the break starts within a minute of 9:45
    for _ in range(3):
        clock.advance(runner.remaining())
        runner.next()
    assert runner.step.title == "Break"
    assert abs(clock.now() - datetime(2026, 11, 22, 9, 45)) <= timedelta(minutes=1)


def test_locked_step_catch_up_is_bounded(clock):
    """Catching up never cuts a step below half its plan; the rest shows as behind."""
    runner = Runner(agenda("8:00", locked_break=True), clock)
    clock.advance(125 * MIN)  # 10:00, the break should have started 15 minutes ago
    runner.start()
    assert runner.remaining() == 15 * MIN
    assert runner.status().timings[3].projected > datetime(2026, 11, 22, 9, 45)


def test_locked_step_waits_when_ahead(clock):
    """Ahead of plan, steps keep their length and the locked step holds its fixed time."""
    runner = Runner(agenda("8:00", locked_break=True), clock)
    runner.start()  # 07:55, five minutes early
    clock.advance(MIN)
    for _ in range(3):
        runner.next()
        clock.advance(MIN)
    runner.previous()
    status = runner.status()
    assert status.timings[3].projected == datetime(2026, 11, 22, 9, 45)
    assert runner.remaining() == 44 * MIN


def test_state_round_trips_and_resumes_paused(clock):
    """The stored state brings back the step, its time and the plan; the clock resumes paused."""
    runner = Runner(agenda("8:00"), clock)
    runner.start()
    clock.advance(12 * MIN)
    runner.next()
    clock.advance(MIN)
    saved = RunnerState.from_dict(runner.state().to_dict())
    revived = Runner(agenda("8:00"), ManualClock(clock.now()), saved)
    assert revived.phase is Phase.PAUSED
    assert revived.index == 1
    assert revived.remaining() == runner.remaining()
    assert revived.status().timings[0].actual == runner.status().timings[0].actual


def test_state_for_another_agenda_is_refused(clock):
    """A stored state only fits the agenda it was made with."""
    state = Runner(agenda(), clock).state()
    state.records.pop()
    with pytest.raises(ValueError, match="different agenda"):
        Runner(agenda(), clock, state)


def test_locked_step_entered_early_waits_for_its_time_then_starts_by_itself(clock):
    """n before 9:45 makes the break current but waiting; at 9:45 it starts on its own, on time."""
    runner = Runner(agenda("8:00", locked_break=True), clock)
    runner.start()
    for _ in range(3):
        runner.next()
    clock.advance(10 * MIN)  # 08:05, the break is planned for 09:45
    status = runner.status()
    assert runner.step.title == "Break"
    assert status.phase is Phase.WAITING
    assert status.waiting_until == datetime(2026, 11, 22, 9, 45)
    assert status.remaining == 15 * MIN
    assert status.timings[3].projected == datetime(2026, 11, 22, 9, 45)
    assert status.timings[4].projected == datetime(2026, 11, 22, 10, 0)
    assert status.offset == 0
    clock.advance(100 * MIN + 30)  # 09:45:30, noticed half a minute late
    status = runner.status()
    assert status.phase is Phase.RUNNING
    assert status.waiting_until is None
    assert status.remaining == 15 * MIN - 30
    assert status.timings[3].actual == datetime(2026, 11, 22, 9, 45)


def test_second_next_or_space_while_waiting_starts_the_locked_step_now(clock):
    """While the break waits, n (or space) starts it at once instead of moving past it."""
    for press in (Runner.next, Runner.toggle):
        manual = ManualClock(MORNING)
        runner = Runner(agenda("8:00", locked_break=True), manual)
        runner.start()
        for _ in range(3):
            runner.next()
        assert runner.phase is Phase.WAITING
        press(runner)
        assert runner.index == 3
        assert runner.phase is Phase.RUNNING
        manual.advance(MIN)
        assert runner.remaining() == 14 * MIN
        assert runner.status().timings[3].actual == MORNING


def test_waiting_step_can_be_left_back_and_reentered(clock):
    """p while waiting returns to the step before, running; n comes back to the wait."""
    runner = Runner(agenda("8:00", locked_break=True), clock)
    runner.start()
    for _ in range(3):
        runner.next()
    clock.advance(MIN)
    with pytest.raises(RunnerError, match="not running"):
        runner.pause()
    runner.adjust(MIN)
    runner.previous()
    assert runner.phase is Phase.RUNNING
    assert runner.index == 2
    clock.advance(MIN)
    assert runner.remaining() == 44 * MIN
    runner.next()
    assert runner.phase is Phase.WAITING
    assert runner.remaining() == 16 * MIN


def test_locked_step_started_with_space_before_its_time_waits(clock):
    """Starting the timer on a locked step that has not begun, before its time, waits too."""
    runner = Runner(agenda("8:00", locked_break=True), clock)
    for _ in range(3):
        runner.next()
    assert runner.phase is Phase.READY
    runner.start()
    assert runner.phase is Phase.WAITING


def test_locked_step_entered_on_time_or_late_starts_at_once(clock):
    """A locked step whose time has come, or that already ran, never waits."""
    runner = Runner(agenda("8:00", locked_break=True), clock)
    runner.start()
    for _ in range(3):
        runner.next()
    runner.next()  # start the break now, early
    runner.next()
    runner.previous()
    assert runner.phase is Phase.RUNNING
    fresh = Runner(agenda("8:00", locked_break=True), ManualClock(datetime(2026, 11, 22, 9, 46)))
    fresh.start()
    for _ in range(3):
        fresh.next()
    assert fresh.phase is Phase.RUNNING


def test_waiting_survives_resume_and_ends_at_its_time(clock):
    """A saved wait comes back waiting (it is for a clock time, not a running timer)."""
    runner = Runner(agenda("8:00", locked_break=True), clock)
    runner.start()
    for _ in range(3):
        runner.next()
    saved = RunnerState.from_dict(runner.state().to_dict())
    later = ManualClock(clock.now())
    revived = Runner(agenda("8:00", locked_break=True), later, saved)
    assert revived.status().waiting_until == datetime(2026, 11, 22, 9, 45)
    later.advance(110 * MIN)  # 09:45
    assert revived.phase is Phase.RUNNING
    assert revived.remaining() == 15 * MIN


def test_state_saved_before_waiting_existed_still_loads(clock):
    """A state stored by an older version (no waiting) is read as before."""
    data = Runner(agenda("8:00"), clock).state().to_dict()
    assert set(data) == {"index", "phase", "anchor", "records"}
    assert RunnerState.from_dict(data).phase is Phase.READY
