"""The workshop controller without any screen: every trainer action, its events, undo and resume.

A fake port stands in for the phones and rooms; time is a manual clock. No event loop, no Textual.
"""

from datetime import datetime

import pytest

from facilitator.domain.agenda import step_id
from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.runner import Phase
from facilitator.domain.saved_state import SavedState
from facilitator.domain.workshop import (
    AnswersChanged,
    Event,
    GroupingJob,
    Refused,
    RevealChanged,
    RoomsChanged,
    StepChanged,
    StorageChanged,
    ThemesChanged,
    TimeRanOut,
    TimerChanged,
    Workshop,
)
from participant.core.wire import MAX_ROOMS
from tests.fake_participants import FakeParticipants
from tests.sample_agendas import GOOD, TWO_REPORTED

# Steps in GOOD: 0 talk, 1 breakout (4 rooms), 2 reflection, 3 choice, 4 break, 5 wordwall, 6 text,
# 7 report-back, 8 share.
BREAKOUT, REFLECTION, CHOICE, REPORTBACK, SHARE = 1, 2, 3, 7, 8


class Recorder:
    def __init__(self, workshop: Workshop) -> None:
        self.events: list[Event] = []
        workshop.subscribe(self.events.append)

    def take(self) -> list[Event]:
        """The events since the last take."""
        events = list(self.events)
        self.events.clear()
        return events


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 22, 8, 0))


@pytest.fixture
def phones():
    return FakeParticipants()


@pytest.fixture
def workshop(clock, phones):
    return Workshop(parse_agenda(GOOD), clock, phones)


def goto(workshop: Workshop, index: int) -> None:
    while workshop.index < index:
        workshop.next()


def group_now(workshop: Workshop) -> GroupingJob:
    """Run the pending grouping job here, as the worker would."""
    job = workshop.grouping_job()
    assert job is not None
    workshop.themes_ready(job, job.run())
    return job


def write_notes(phones: FakeParticipants) -> None:
    for room, note_id, text in [
        (1, "a", "Trust built over years"),
        (1, "b", "We trust each other"),
        (2, "c", "Humour keeps us going"),
        (3, "d", "We laugh a lot"),  # humour across rooms: one room's notes are not alike alone
        (3, "e", "Trust"),
        (4, "f", "Shared goals for families"),
    ]:
        phones.write("step-2", room, note_id, text)


# -- the timer and the agenda -----------------------------------------------------------------------


def test_toggle_timer_starts_and_pauses_with_events(workshop, clock):
    """Start then pause: the phase changes, and each change is one TimerChanged event."""
    events = Recorder(workshop)
    workshop.toggle_timer()
    assert workshop.runner.phase is Phase.RUNNING
    clock.advance(30)
    workshop.toggle_timer()
    assert workshop.runner.phase is Phase.PAUSED
    assert events.take() == [TimerChanged(Phase.RUNNING, 600), TimerChanged(Phase.PAUSED, 570)]


def test_next_and_back_move_the_step_and_open_its_prompt(workshop, phones):
    """next opens the reflection's prompt on the phones; back closes it again."""
    events = Recorder(workshop)
    goto(workshop, REFLECTION)
    assert phones.open == "step-3"
    assert StepChanged(REFLECTION, Phase.READY) in events.take()
    workshop.back()
    assert phones.open is None
    assert events.take()[0] == StepChanged(BREAKOUT, Phase.READY)


def test_back_on_the_first_step_is_refused_in_words(workshop):
    """A refused action raises Refused with a sentence, and changes nothing."""
    events = Recorder(workshop)
    with pytest.raises(Refused, match="first step"):
        workshop.back()
    assert events.take() == []


def test_minutes_change_the_current_step(workshop):
    """+1 and -1 minute change the time left; never below nothing."""
    workshop.add_minute()
    assert workshop.runner.remaining() == 660
    for _ in range(15):
        workshop.remove_minute()
    assert workshop.runner.remaining() == 0


def test_finish_ends_the_workshop_and_back_reopens_it(workshop, phones):
    """finish from any step closes every prompt and breakout; back reopens the step it ended on."""
    events = Recorder(workshop)
    goto(workshop, REFLECTION)
    events.take()
    workshop.finish()
    assert workshop.runner.phase is Phase.FINISHED
    assert phones.open is None
    assert phones.breakout is None
    assert StepChanged(REFLECTION, Phase.FINISHED) in events.take()
    with pytest.raises(Refused):
        workshop.next()
    workshop.back()
    assert workshop.runner.phase is Phase.PAUSED
    assert phones.open == "step-3"


def test_at_the_close_phones_get_the_revealed_results_and_back_takes_them_away(workshop, phones):
    """Finishing shares the prompts the trainer revealed, in agenda order; going back ends the close."""
    goto(workshop, CHOICE)
    workshop.reveal()
    goto(workshop, REFLECTION + 1)
    goto(workshop, SHARE)
    workshop.reveal()
    assert phones.closing is None
    workshop.next()
    assert phones.closing == ("step-4", "step-9")
    workshop.back()
    assert phones.closing is None


def test_an_agenda_that_keeps_results_off_the_phones_shares_none_at_the_close(clock, phones):
    """share_results = false: the phones hear the workshop is over, with no results."""
    agenda = parse_agenda(GOOD.replace('start = "8:00"', 'start = "8:00"\nshare_results = false'))
    workshop = Workshop(agenda, clock, phones)
    goto(workshop, CHOICE)
    workshop.reveal()
    workshop.finish()
    assert phones.closing == ()


def test_next_on_the_last_step_finishes(workshop):
    """Past the last step the workshop is finished."""
    goto(workshop, SHARE)
    workshop.next()
    assert workshop.runner.phase is Phase.FINISHED


def test_tick_reports_time_running_out_once(workshop, clock):
    """tick() notices the step's time reaching zero once, not on every tick after."""
    events = Recorder(workshop)
    workshop.toggle_timer()
    workshop.tick()
    clock.advance(601)
    workshop.tick()
    clock.advance(5)
    workshop.tick()
    assert [e for e in events.take() if isinstance(e, TimeRanOut)] == [TimeRanOut(0)]


def test_the_running_timer_is_saved_every_few_seconds(workshop, clock, phones):
    """While the timer runs, tick() saves the state every SAVE_SECONDS, not on every tick."""
    workshop.toggle_timer()
    saves = len(phones.saved)
    clock.advance(1)
    workshop.tick()
    assert len(phones.saved) == saves
    clock.advance(5)
    workshop.tick()
    assert len(phones.saved) == saves + 1
    assert phones.saved[-1].runner.records[0].elapsed == 6


# -- results ------------------------------------------------------------------------------------------


def test_reveal_toggles_on_prompt_steps_only(workshop, phones):
    """reveal shows then hides a prompt's results, saved each time; a talk has none to reveal."""
    with pytest.raises(Refused, match="no answers"):
        workshop.reveal()
    goto(workshop, CHOICE)
    events = Recorder(workshop)
    assert workshop.reveal() is True
    assert workshop.results().revealed
    assert phones.saved[-1].revealed == {CHOICE}
    assert workshop.reveal() is False
    assert events.take() == [RevealChanged(CHOICE, True), RevealChanged(CHOICE, False)]


def test_results_come_from_the_open_prompt(workshop, phones):
    """results() reads the open prompt's results and the phones connected; none on a talk."""
    phones.connected = 7
    assert workshop.results().results is None
    goto(workshop, CHOICE)
    view = workshop.results()
    assert view.connected == 7
    assert view.min_responses == 3
    assert not view.revealed


def test_answers_from_phones_become_an_event(workshop, phones):
    """The server's change callback reaches subscribers as AnswersChanged."""
    events = Recorder(workshop)
    phones.change()
    assert events.take() == [AnswersChanged()]


def test_a_failing_store_is_reported_once_until_it_works_again(workshop, phones):
    """The store's trouble becomes one StorageChanged event, kept until writes succeed again."""
    events = Recorder(workshop)
    problem = "Cannot write /data/s.sqlite3: the disk is full. Free some space."
    phones.storage(problem)
    phones.storage(problem)
    assert workshop.storage_problem == problem
    phones.storage(None)
    assert workshop.storage_problem is None
    assert events.take() == [StorageChanged(problem), StorageChanged(None)]


# -- rooms --------------------------------------------------------------------------------------------


def test_rooms_change_for_the_next_breakout_and_reach_it(workshop, phones):
    """change_rooms works before the breakout; when it starts, the rooms get the new number."""
    events = Recorder(workshop)
    assert workshop.change_rooms(1) == 5
    assert events.take() == [RoomsChanged(BREAKOUT, 5)]
    assert workshop.room_links().links[-1] == "http://192.168.1.20:8765/r/room5"
    goto(workshop, BREAKOUT)
    assert phones.breakout.rooms == 5
    assert phones.breakout.timer.remaining == 900
    assert workshop.saved_state().rooms == {BREAKOUT: 5}


def test_rooms_stay_between_one_and_the_most(workshop):
    """Below 1 or above the maximum is refused, with the bounds in the message."""
    for _ in range(3):
        workshop.change_rooms(-1)
    with pytest.raises(Refused, match=f"1 and {MAX_ROOMS}"):
        workshop.change_rooms(-1)
    assert workshop.rooms(BREAKOUT) == 1


def test_no_links_without_a_breakout_ahead(workshop):
    """After the last breakout, links are refused in words."""
    goto(workshop, SHARE)
    with pytest.raises(Refused, match="No breakout ahead"):
        workshop.room_links()


# -- the report-back ----------------------------------------------------------------------------------


def test_report_back_groups_in_the_background_and_only_when_notes_change(workshop, phones):
    """At the report-back a grouping job is handed out once; none again until the notes change."""
    goto(workshop, BREAKOUT)
    write_notes(phones)
    assert workshop.grouping_job() is None  # no report-back yet
    goto(workshop, REPORTBACK)
    assert workshop.report_back().section(BREAKOUT).grouping is None
    job = workshop.grouping_job()
    assert job is not None
    assert workshop.grouping_job() is None  # one job at a time
    events = Recorder(workshop)
    workshop.themes_ready(job, job.run())
    assert events.take() == [ThemesChanged(BREAKOUT)]
    grouping = workshop.report_back().section(BREAKOUT).grouping
    assert sorted(n for g in grouping.groups for n in g.note_ids) == ["a", "b", "c", "d", "e", "f"]
    assert workshop.grouping_job() is None
    phones.write("step-2", 4, "g", "Shared goals")
    assert workshop.grouping_job().notes[-1].id == "g"


def test_a_failed_grouping_is_not_retried_until_the_notes_change(workshop, phones):
    """A job that failed gives no themes, and no new job until the notes change."""
    goto(workshop, BREAKOUT)
    write_notes(phones)
    goto(workshop, REPORTBACK)
    workshop.themes_ready(workshop.grouping_job(), None)
    assert workshop.report_back().section(BREAKOUT).grouping is None
    assert workshop.grouping_job() is None
    with pytest.raises(Refused, match="still being grouped"):
        workshop.merge(BREAKOUT, 0)
    phones.write("step-2", 4, "g", "Shared goals")
    assert workshop.grouping_job() is not None


def test_merge_move_split_rename_and_undo(workshop, phones):
    """Each edit changes the themes and is saved; undo walks them back one at a time."""
    goto(workshop, BREAKOUT)
    write_notes(phones)
    goto(workshop, REPORTBACK)
    group_now(workshop)
    first = workshop.report_back().section(BREAKOUT).grouping
    events = Recorder(workshop)

    workshop.merge(BREAKOUT, 0)
    merged = workshop.report_back().section(BREAKOUT).grouping
    assert merged.groups[0].note_ids == first.groups[0].note_ids + first.groups[1].note_ids
    note = merged.groups[0].note_ids[0]
    workshop.move(BREAKOUT, note, 1)
    assert note in workshop.report_back().section(BREAKOUT).grouping.groups[1].note_ids
    workshop.split(BREAKOUT, note)
    assert workshop.report_back().section(BREAKOUT).grouping.groups[2].note_ids == (note,)
    workshop.rename(BREAKOUT, 0, "  Reliability  ")
    assert workshop.report_back().section(BREAKOUT).grouping.groups[0].label == "Reliability"
    assert phones.saved[-1].groupings["step-2"] == workshop.report_back().section(BREAKOUT).grouping
    assert events.take() == [ThemesChanged(BREAKOUT)] * 4

    for _ in range(4):
        workshop.undo()
    assert workshop.report_back().section(BREAKOUT).grouping == first
    with pytest.raises(Refused, match="Nothing to undo"):
        workshop.undo()


def test_report_back_edits_are_refused_where_they_make_no_sense(workshop, phones):
    """Edits off the report-back, past the last theme, or of a gone note are refused in words."""
    with pytest.raises(Refused, match="report-back"):
        workshop.merge(BREAKOUT, 0)
    goto(workshop, BREAKOUT)
    write_notes(phones)
    goto(workshop, REPORTBACK)
    group_now(workshop)
    last = len(workshop.report_back().section(BREAKOUT).grouping.groups) - 1
    with pytest.raises(Refused, match="no theme below"):
        workshop.merge(BREAKOUT, last)
    with pytest.raises(Refused, match="no theme there"):
        workshop.move(BREAKOUT, "a", -5)
    with pytest.raises(Refused, match="no longer there"):
        workshop.split(BREAKOUT, "gone")
    with pytest.raises(Refused, match="no such theme"):
        workshop.rename(BREAKOUT, 99, "x")


def test_new_notes_join_the_trainers_themes(workshop, phones):
    """Once the trainer edited, a regrouping keeps the trainer's themes and places the new note."""
    goto(workshop, BREAKOUT)
    write_notes(phones)
    goto(workshop, REPORTBACK)
    group_now(workshop)
    workshop.rename(BREAKOUT, 0, "Ours")
    phones.write("step-2", 4, "g", "We trust them")
    group_now(workshop)
    grouping = workshop.report_back().section(BREAKOUT).grouping
    assert grouping.groups[0].label == "Ours"
    assert sorted(n for g in grouping.groups for n in g.note_ids) == ["a", "b", "c", "d", "e", "f", "g"]


# -- resume -------------------------------------------------------------------------------------------


def test_resume_from_saved_state_keeps_everything_the_trainer_did(workshop, phones, clock):
    """A new controller from the saved state has the step, reveals, rooms and themes; paused."""
    workshop.change_rooms(1)
    goto(workshop, BREAKOUT)
    write_notes(phones)
    workshop.toggle_timer()
    goto(workshop, CHOICE)
    workshop.reveal()
    goto(workshop, REPORTBACK)
    group_now(workshop)
    workshop.rename(BREAKOUT, 0, "Ours")
    saved = SavedState.from_store(workshop.saved_state().to_store())

    again = FakeParticipants(written=phones.written)
    resumed = Workshop(parse_agenda(GOOD), clock, again, saved)
    assert resumed.index == REPORTBACK
    assert resumed.runner.phase is Phase.PAUSED
    assert resumed.rooms(BREAKOUT) == 5
    assert again.breakout.rooms == 5  # the rooms are open again for the report-back
    assert resumed.report_back().section(BREAKOUT).grouping.groups[0].label == "Ours"
    resumed.back()
    for _ in range(REPORTBACK - CHOICE - 1):
        resumed.back()
    assert resumed.results().revealed


def test_the_breakout_dashboard_counts_each_rooms_notes_and_nothing_else(workshop, phones):
    """During a breakout the dashboard gives one note count per room (rooms with none count 0), no
    text; on any other step there is no dashboard."""
    assert workshop.breakout_dashboard() is None
    goto(workshop, BREAKOUT)
    phones.write("step-2", 1, "a", "Trust takes time")
    phones.write("step-2", 1, "b", "We listen")
    phones.write("step-2", 3, "c", "Shared goals")
    dashboard = workshop.breakout_dashboard()
    assert dashboard is not None
    assert dashboard.title == "Why we work well together"
    assert dashboard.notes == (2, 0, 1, 0)
    assert dashboard.total == 3
    assert "Trust" not in repr(dashboard)
    workshop.next()
    assert workshop.breakout_dashboard() is None


# -- a report-back of two breakouts -----------------------------------------------------------------

# Steps in TWO_REPORTED: 0 breakout, 1 report-back, 2 breakout "What works" (3 rooms), 3 talk,
# 4 breakout "What gets in the way" (2 rooms), 5 report-back, 6 share.
WORKS, IN_THE_WAY, BOTH = 2, 4, 5


@pytest.fixture
def two(clock, phones):
    workshop = Workshop(parse_agenda(TWO_REPORTED), clock, phones)
    phones.write("step-1", 1, "w0", "Warm-up note, reported earlier")
    for room, note_id, text in [
        (1, "a", "Trust built over years"),
        (2, "b", "We trust each other"),
        (3, "c", "Shared goals for families"),
    ]:
        phones.write(step_id(WORKS), room, note_id, text)
    for room, note_id, text in [
        (1, "x", "Too little time"),
        (2, "y", "No time to meet"),
        (2, "z", "Staff turnover"),
    ]:
        phones.write(step_id(IN_THE_WAY), room, note_id, text)
    goto(workshop, BOTH)
    return workshop


def group_all(workshop: Workshop) -> list[int]:
    """Run every pending grouping job, as the worker would; the breakouts grouped, in order."""
    grouped = []
    while (job := workshop.grouping_job()) is not None:
        workshop.themes_ready(job, job.run())
        grouped.append(job.breakout)
    return grouped


def test_a_report_back_shows_every_breakout_since_the_previous_one(two, phones):
    """Both breakouts since the last report-back, each a section under its title, in agenda order;
    the earlier breakout is left to its own report-back; the nearest one's rooms can still write."""
    view = two.report_back()
    assert [(s.breakout, s.title, s.rooms) for s in view.sections] == [
        (WORKS, "What works", 3),
        (IN_THE_WAY, "What gets in the way", 2),
    ]
    assert [n.id for n in view.section(WORKS).notes] == ["a", "b", "c"]
    assert [n.id for n in view.section(IN_THE_WAY).notes] == ["x", "y", "z"]
    assert all(s.grouping is None for s in view.sections)
    assert phones.breakout.id == step_id(IN_THE_WAY)


def test_grouping_jobs_are_handed_out_per_breakout(two, phones):
    """One job per breakout at a time, in agenda order; a note changes only its breakout's job."""
    first, second = two.grouping_job(), two.grouping_job()
    assert (first.breakout, second.breakout) == (WORKS, IN_THE_WAY)
    assert two.grouping_job() is None  # both out
    events = Recorder(two)
    two.themes_ready(second, second.run())
    two.themes_ready(first, first.run())
    assert events.take() == [ThemesChanged(IN_THE_WAY), ThemesChanged(WORKS)]
    assert two.grouping_job() is None
    phones.write(step_id(IN_THE_WAY), 1, "w", "Meetings get cancelled")
    assert group_all(two) == [IN_THE_WAY]
    grouped = two.report_back().section(IN_THE_WAY).grouping
    assert sorted(n for g in grouped.groups for n in g.note_ids) == ["w", "x", "y", "z"]


def test_edits_address_a_breakout_and_undo_takes_back_the_last_whichever_it_was(two, phones):
    """An edit changes only its breakout's themes (and is saved); undo walks back across breakouts."""
    with pytest.raises(Refused, match='"What works" are still being grouped'):
        two.rename(WORKS, 0, "Ours")
    group_all(two)
    works = two.report_back().section(WORKS).grouping
    in_the_way = two.report_back().section(IN_THE_WAY).grouping
    events = Recorder(two)
    two.rename(IN_THE_WAY, 0, "Not enough hours")
    two.rename(WORKS, 0, "Reliability")
    assert two.report_back().section(IN_THE_WAY).grouping.groups[0].label == "Not enough hours"
    assert phones.saved[-1].groupings[step_id(WORKS)].groups[0].label == "Reliability"
    assert phones.saved[-1].groupings[step_id(IN_THE_WAY)].groups[0].label == "Not enough hours"
    two.undo()
    assert two.report_back().section(WORKS).grouping == works
    assert two.report_back().section(IN_THE_WAY).grouping.groups[0].label == "Not enough hours"
    two.undo()
    assert two.report_back().section(IN_THE_WAY).grouping == in_the_way
    assert events.take() == [ThemesChanged(b) for b in (IN_THE_WAY, WORKS, WORKS, IN_THE_WAY)]
    with pytest.raises(Refused, match="Nothing to undo"):
        two.undo()
    with pytest.raises(Refused, match="not reported here"):
        two.rename(0, 0, "Warm-up")
    with pytest.raises(Refused, match="no longer there"):
        two.move(WORKS, "x", 1)  # a note of the other breakout


def test_undo_stays_with_the_report_back_it_was_made_at(clock, phones):
    """An edit made at an earlier report-back is not undone from a later one."""
    workshop = Workshop(parse_agenda(TWO_REPORTED), clock, phones)
    phones.write("step-1", 1, "w0", "Warm-up note")
    phones.write("step-1", 2, "w1", "Another warm-up note")
    goto(workshop, 1)
    group_all(workshop)
    workshop.rename(0, 0, "Warm")
    goto(workshop, BOTH)
    with pytest.raises(Refused, match="Nothing to undo"):
        workshop.undo()
    while workshop.index > 1:
        workshop.back()
    workshop.undo()
    assert workshop.report_back().section(0).grouping.groups[0].label != "Warm"


# -- hiding one answer ----------------------------------------------------------------------------

WORDWALL, TEXT = 5, 6


def _texts(phones: FakeParticipants, index: int, *texts: str) -> None:
    from participant.core.tallies import Results
    from participant.core.wire import PromptKind

    phones.answers[step_id(index)] = Results(
        step_id(index), PromptKind.SHARE, "Share one thing", len(texts), 0, 3, texts=texts
    )


def _words(phones: FakeParticipants, index: int, *words: tuple[str, int]) -> None:
    from participant.core.tallies import Results
    from participant.core.wire import PromptKind

    count = sum(c for _, c in words)
    phones.answers[step_id(index)] = Results(
        step_id(index), PromptKind.WORDWALL, "Name the jargon", count, 0, 3, words=words
    )


def test_hide_takes_one_answer_off_a_revealed_wall_and_unhide_brings_it_back(workshop, phones):
    """hide is refused until the results are revealed and for an answer not there; accepted, it is
    saved and told; unhide brings back the last hidden."""
    from facilitator.domain.workshop import HiddenChanged

    goto(workshop, SHARE)
    _texts(phones, SHARE, "We listen", "Ask Sam at 12 Elm St", "Trust takes time")
    with pytest.raises(Refused, match="revealed"):
        workshop.hide("We listen")
    workshop.reveal()
    with pytest.raises(Refused, match="not on the wall"):
        workshop.hide("Something nobody said")
    events = Recorder(workshop)
    workshop.hide("Ask Sam at 12 Elm St")
    workshop.hide("We listen")
    assert workshop.results().hidden == {"Ask Sam at 12 Elm St", "We listen"}
    assert phones.saved[-1].hidden == {SHARE: ("Ask Sam at 12 Elm St", "We listen")}
    with pytest.raises(Refused, match="not on the wall"):
        workshop.hide("We listen")  # already hidden
    assert workshop.unhide() == "We listen"
    assert workshop.results().hidden == {"Ask Sam at 12 Elm St"}
    assert events.take() == [HiddenChanged(SHARE)] * 3
    workshop.unhide()
    with pytest.raises(Refused, match="Nothing hidden"):
        workshop.unhide()
    assert phones.saved[-1].hidden == {}


def test_a_word_wall_entry_is_hidden_whatever_its_case(workshop, phones):
    """Word-wall entries compare folded, as the wall counts them."""
    goto(workshop, WORDWALL)
    _words(phones, WORDWALL, ("Assessment", 3), ("child protection order", 1))
    workshop.reveal()
    workshop.hide("CHILD  protection order")
    assert workshop.results().hidden == {"CHILD  protection order"}


def test_hidden_answers_never_reach_the_closing_summary_and_survive_resume(workshop, phones, clock):
    """The close passes each prompt's hidden entries to the phones; a resumed controller keeps them."""
    goto(workshop, SHARE)
    _texts(phones, SHARE, "We listen", "Ask Sam at 12 Elm St", "Trust takes time")
    workshop.reveal()
    workshop.hide("Ask Sam at 12 Elm St")
    workshop.next()
    assert phones.closing == ("step-9",)
    assert phones.closing_hidden == {"step-9": frozenset({"Ask Sam at 12 Elm St"})}
    workshop.back()
    saved = SavedState.from_store(workshop.saved_state().to_store())
    assert saved is not None
    assert saved.hidden == {SHARE: ("Ask Sam at 12 Elm St",)}
    again = FakeParticipants(answers=phones.answers)
    resumed = Workshop(parse_agenda(GOOD), clock, again, saved)
    assert resumed.results().hidden == {"Ask Sam at 12 Elm St"}
    resumed.unhide()
    resumed.finish()
    assert again.closing_hidden == {}


def test_a_state_saved_before_hiding_existed_still_loads(workshop):
    """Sessions saved without ``hidden`` resume with nothing hidden."""
    stored = workshop.saved_state().to_store()
    stored.pop("hidden")
    saved = SavedState.from_store(stored)
    assert saved is not None
    assert saved.hidden == {}


def test_filed_themes_stay_as_filed_and_placements_wait_for_the_trainer(workshop, phones):
    """Rooms' themes are the report-back's; an unsorted note placed in one is a suggestion until
    accept, which is one edit undo takes back; nothing to accept is refused in words."""
    goto(workshop, BREAKOUT)
    phones.write("step-2", 1, "a", "Trust built over years", theme="Trust")
    phones.write("step-2", 2, "b", "We laugh a lot", theme="humour")
    phones.write("step-2", 3, "c", "families trust us more", theme="TRUST")
    phones.write("step-2", 4, "d", "we trust each other completely")
    goto(workshop, REPORTBACK)
    group_now(workshop)
    grouping = workshop.report_back().section(BREAKOUT).grouping
    trust = grouping.groups[0]
    assert (trust.label, set(trust.note_ids), trust.suggested) == ("Trust", {"a", "c", "d"}, ("d",))
    workshop.accept(BREAKOUT)
    assert workshop.report_back().section(BREAKOUT).grouping.suggested == 0
    with pytest.raises(Refused, match="No suggested placements"):
        workshop.accept(BREAKOUT)
    workshop.undo()
    assert workshop.report_back().section(BREAKOUT).grouping.suggested == 1
