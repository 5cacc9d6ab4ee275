"""The controller and a paced reflection (``pace``): one question at a time, each with its own
countdown; the time moves it on with a cue, n and p move it sooner, the phones follow."""

from datetime import datetime
from textwrap import dedent

import pytest

from facilitator.domain.agenda import step_id
from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.saved_state import SavedState
from facilitator.domain.workshop import Event, QuestionChanged, Workshop
from tests.fake_participants import FakeParticipants

AGENDA = dedent(
    """\
    title = "W"
    [[steps]]
    title = "Picture that person... & rate"
    kind = "reflection"
    duration = "3m"
    pace = "1m"
    questions = ["Do you listen?", "Do you share power?", "Do you trust them?"]
    [[steps]]
    title = "Talk"
    kind = "talk"
    duration = "5m"
    """
)
RATE = step_id(0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 22, 9, 0))


@pytest.fixture
def phones() -> FakeParticipants:
    return FakeParticipants()


@pytest.fixture
def workshop(clock, phones) -> Workshop:
    return Workshop(parse_agenda(AGENDA), clock, phones)


def test_the_first_question_comes_with_its_own_minute(workshop, phones):
    """The stage and the phones start on question 1 of 3, with a minute on it."""
    paced = workshop.paced()
    assert (paced.number, paced.of, paced.text, paced.left) == (0, 3, "Do you listen?", 60)
    assert phones.paced[:2] == (RATE, 0)
    assert phones.paced[2].remaining == 60


def test_when_a_questions_minute_is_up_the_next_comes_on_with_a_cue(workshop, phones, clock):
    """At one minute, the tick moves to question 2, tells the phones, and says it was the time."""
    events: list[Event] = []
    workshop.subscribe(events.append)
    workshop.toggle_timer()
    clock.advance(59)
    workshop.tick()
    assert workshop.paced().number == 0
    clock.advance(2)
    workshop.tick()
    assert workshop.paced().number == 1
    assert workshop.paced().left == 59  # its minute began when the first one's ended
    assert QuestionChanged(0, 1, cue=True) in events
    assert phones.paced[:2] == (RATE, 1)


def test_a_paused_timer_pauses_the_question(workshop, clock, phones):
    """No running time, no question time spent; the phones see it paused."""
    workshop.toggle_timer()
    clock.advance(20)
    workshop.toggle_timer()
    clock.advance(300)
    workshop.tick()
    assert (workshop.paced().number, workshop.paced().left) == (0, 40)
    assert not phones.paced[2].running


def test_n_moves_to_the_next_question_sooner_then_to_the_next_step(workshop):
    """n goes through the questions first; after the last one, on to the next step."""
    events: list[Event] = []
    workshop.subscribe(events.append)
    workshop.next()
    assert (workshop.index, workshop.paced().number, workshop.paced().left) == (0, 1, 60)
    assert events == [QuestionChanged(0, 1, cue=False)]
    workshop.next()
    workshop.next()
    assert workshop.index == 1
    assert workshop.paced() is None


def test_p_goes_back_a_question_then_a_step(workshop):
    """Back in a paced reflection is a question back; from the next step, back to its last question."""
    workshop.next()
    workshop.back()
    assert workshop.paced().number == 0
    for _ in range(3):
        workshop.next()
    workshop.back()
    assert (workshop.index, workshop.paced().number) == (0, 2)


def test_the_last_question_waits_for_the_step_to_end(workshop, clock):
    """No question after the last: its countdown runs on into overtime, the step stays."""
    workshop.toggle_timer()
    for _ in range(10):
        clock.advance(30)
        workshop.tick()
    paced = workshop.paced()
    assert (workshop.index, paced.number, paced.left) == (0, 2, -120)  # 300 s in, on since 120 s


def test_the_question_reached_survives_resume(workshop, clock):
    """--resume comes back on the same question with the time it had left."""
    workshop.toggle_timer()
    clock.advance(70)
    workshop.tick()
    saved = SavedState.from_store(workshop.saved_state().to_store())
    again = FakeParticipants()
    resumed = Workshop(parse_agenda(AGENDA), clock, again, saved)
    assert (resumed.paced().number, resumed.paced().left) == (1, 50)
    assert again.paced[:2] == (RATE, 1)
