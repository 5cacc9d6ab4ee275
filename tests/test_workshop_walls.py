"""The controller and walls that stay open (``stay_open``): answerable from later steps, shown on
the stage from any step without moving the agenda, closed by the trainer or by the end."""

from datetime import datetime
from textwrap import dedent

import pytest

from facilitator.domain.agenda import step_id
from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.saved_state import SavedState
from facilitator.domain.workshop import Event, Refused, WallChanged, Workshop
from participant.core.tallies import tally
from participant.core.wire import OpenPrompt, Words
from tests.fake_participants import FakeParticipants

AGENDA = dedent(
    """\
    title = "W"
    [[steps]]
    title = "Name the jargon"
    kind = "wordwall"
    duration = "5m"
    question = "Which words do we use that others may not know?"
    stay_open = true
    [[steps]]
    title = "Talk"
    kind = "talk"
    duration = "10m"
    [[steps]]
    title = "Feelings"
    kind = "choice"
    duration = "2m"
    question = "How do you feel?"
    options = ["Scared", "Happy"]
    [[steps]]
    title = "Questions for later"
    kind = "text"
    duration = "2m"
    question = "What would you like to ask later?"
    stay_open = true
    [[steps]]
    title = "Close"
    kind = "talk"
    duration = "5m"
    """
)
JARGON, TALK, FEELINGS, LATER, CLOSE = range(5)


@pytest.fixture
def phones() -> FakeParticipants:
    return FakeParticipants()


@pytest.fixture
def workshop(phones: FakeParticipants) -> Workshop:
    return Workshop(parse_agenda(AGENDA), ManualClock(datetime(2026, 11, 22, 9, 0)), phones)


def test_a_stay_open_wall_stays_answerable_through_later_steps(workshop, phones):
    """Leaving its step does not close it: phones keep it beside each later step's prompt."""
    assert (phones.open, phones.staying) == (step_id(JARGON), ())
    workshop.next()
    assert (phones.open, phones.staying) == (None, (step_id(JARGON),))
    workshop.next()
    assert (phones.open, phones.staying) == (step_id(FEELINGS), (step_id(JARGON),))
    workshop.next()
    workshop.next()
    assert phones.staying == (step_id(JARGON), step_id(LATER))


def test_w_shows_each_kept_wall_over_the_step_then_puts_it_away(workshop, phones):
    """The wall comes onto the stage revealed, the agenda stays where it is, and w cycles back."""
    phones.answers[step_id(JARGON)] = tally(
        OpenPrompt(step_id(JARGON), {"kind": "wordwall"}), [Words(("CPS",))] * 3, 3
    )
    for _ in range(LATER + 1):
        workshop.next()
    events: list[Event] = []
    workshop.subscribe(events.append)
    assert workshop.show_wall() == JARGON
    view = workshop.results()
    assert (view.wall, view.revealed, view.results.words) == (JARGON, True, (("CPS", 3),))
    assert workshop.index == CLOSE
    assert workshop.show_wall() == LATER
    assert workshop.show_wall() is None
    assert workshop.results().wall is None
    assert events == [WallChanged(JARGON), WallChanged(LATER), WallChanged(None)]


def test_moving_the_agenda_takes_the_wall_off_the_stage(workshop):
    """The stage belongs to the new step once the room moves on."""
    workshop.next()
    workshop.show_wall()
    workshop.next()
    assert workshop.results().wall is None


def test_c_closes_the_wall_on_the_stage_to_new_answers(workshop, phones):
    """Closed, it leaves the phones but stays on the stage with its answers."""
    workshop.next()
    workshop.show_wall()
    workshop.close_wall()
    assert phones.staying == ()
    assert workshop.results().wall == JARGON
    with pytest.raises(Refused, match="press w"):
        workshop.reveal()
    workshop.next()
    assert phones.staying == ()


def test_walls_are_refused_in_words_where_there_are_none(workshop):
    """No kept wall but the current step's own: w and c say what to do instead."""
    with pytest.raises(Refused, match="stay_open = true"):
        workshop.show_wall()
    with pytest.raises(Refused, match="Press w"):
        workshop.close_wall()


def test_the_end_closes_every_wall_and_back_reopens_them(workshop, phones):
    """Finished: phones answer nothing more; back to the last step keeps the walls open again."""
    for _ in range(CLOSE + 1):
        workshop.next()
    assert phones.staying == ()
    with pytest.raises(Refused):
        workshop.show_wall()
    workshop.back()
    assert phones.staying == (step_id(JARGON), step_id(LATER))


def test_kept_walls_survive_resume(workshop, phones):
    """The walls still open are saved with the session and reopened by --resume."""
    workshop.next()
    saved = SavedState.from_store(workshop.saved_state().to_store())
    again = FakeParticipants()
    resumed = Workshop(parse_agenda(AGENDA), ManualClock(datetime(2026, 11, 22, 9, 30)), again, saved)
    assert again.staying == (step_id(JARGON),)
    assert resumed.show_wall() == JARGON


def test_hiding_on_a_shown_wall_hides_on_that_wall(workshop, phones):
    """h and u act on the wall on the stage, not on the step underneath."""
    phones.answers[step_id(JARGON)] = tally(
        OpenPrompt(step_id(JARGON), {"kind": "wordwall"}), [Words(("CPS", "ISP"))] * 3, 3
    )
    workshop.next()
    workshop.show_wall()
    workshop.hide("CPS")
    assert workshop.results().hidden == {"CPS"}
    assert workshop.saved_state().hidden == {JARGON: ("CPS",)}
    assert workshop.unhide() == "CPS"
