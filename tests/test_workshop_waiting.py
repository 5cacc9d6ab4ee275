"""The controller around a locked step entered early: it waits, then starts by itself or on a second n."""

from datetime import datetime
from textwrap import dedent

from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.runner import Phase
from facilitator.domain.workshop import Event, StepChanged, TimerChanged, Workshop
from tests.fake_participants import FakeParticipants

AGENDA = dedent(
    """\
    title = "W"
    start = "09:00"
    [[steps]]
    title = "Talk"
    kind = "talk"
    duration = "45m"
    [[steps]]
    title = "Coffee"
    kind = "breakout"
    duration = "15m"
    rooms = 2
    locked = true
    """
)


def early_at_the_locked_step() -> tuple[Workshop, ManualClock, FakeParticipants, list[Event]]:
    """A workshop moved onto its locked 9:45 step at 9:40, with the events from then on."""
    clock = ManualClock(datetime(2026, 11, 22, 9, 0))
    phones = FakeParticipants()
    workshop = Workshop(parse_agenda(AGENDA), clock, phones)
    workshop.toggle_timer()
    clock.advance(40 * 60)
    events: list[Event] = []
    workshop.subscribe(events.append)
    workshop.next()
    return workshop, clock, phones, events


def test_a_locked_step_entered_early_waits_with_its_timer_still():
    """n at 9:40 shows the locked step waiting; its breakout timer does not run on the phones."""
    workshop, _clock, phones, events = early_at_the_locked_step()
    status = workshop.tick()
    assert status.phase is Phase.WAITING
    assert status.waiting_until == datetime(2026, 11, 22, 9, 45)
    assert events == [StepChanged(1, Phase.WAITING), TimerChanged(Phase.WAITING, 15 * 60)]
    assert phones.breakout is not None
    assert phones.breakout.timer is not None
    assert not phones.breakout.timer.running


def test_the_wait_ends_by_itself_on_a_tick_and_tells_everyone():
    """At 9:45 the next tick starts the step: one TimerChanged, and the phones' timer runs."""
    workshop, clock, phones, events = early_at_the_locked_step()
    workshop.tick()
    events.clear()
    clock.advance(5 * 60)
    assert workshop.tick().phase is Phase.RUNNING
    workshop.tick()
    assert events == [TimerChanged(Phase.RUNNING, 15 * 60)]
    assert phones.breakout is not None
    assert phones.breakout.timer is not None
    assert phones.breakout.timer.running
    assert phones.saved[-1].runner.phase is Phase.RUNNING


def test_a_second_next_starts_the_locked_step_now():
    """n while waiting starts the step at once and stays on it."""
    workshop, _clock, _phones, events = early_at_the_locked_step()
    events.clear()
    workshop.next()
    assert workshop.index == 1
    assert events == [TimerChanged(Phase.RUNNING, 15 * 60)]
