"""The agendas bundled in agendas/: they load, and they keep the seed workshops' exact content."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from facilitator.domain.agenda import Agenda, StepKind
from facilitator.domain.agenda_loader import agenda_warnings, load_agenda

AGENDAS = Path(__file__).resolve().parent.parent / "agendas"
BUNDLED = sorted(AGENDAS.glob("*.toml"))

# The agenda table of the UC Davis participant guide "Developing Working Partnerships"
# (../shared/seeds/developing-working-partnerships-guide.txt, page 3), copied here so the tests
# do not read the seeds at run time. The guide's "10:00 - 10:45 p.m." means a.m.
PARTNERSHIPS_TABLE = [
    ("08:00", "Welcome and Introductions"),
    ("08:30", "Who Are My Partners and What Ways Do We Work Together?"),
    ("09:00", "Understanding Your Partners’ Roles, Responsibilities and Method of Intervention"),
    ("09:45", "Break"),
    ("10:00", "Common Rifts and Conflicts Among Partner Agencies and Their Effect on Families"),
    ("10:45", "Collaboration and Conflict Resolution"),
    ("11:45", "Summary, Action Plan, and Evaluation"),
]
PARTNERSHIPS_END = "12:00"

# The five 1-5 ratings of the Thresholds slides (working-alliance-mutuality-slides.txt), in the
# slides' numbered order; the "keep it simple" client questions of the RICH slides
# (therapeutic-alliance-rich-slides.txt); the nine feelings of the feelings chart, row by row.
ALLIANCE_QUESTIONS = [
    "How well are we collaborating? To what extent do we both feel that it is a true collaboration?",
    "How much do I experience trust in this alliance? Does the other person trust me? Why or why not?",
    "How authentic am I able to be with this person? Can I be myself? What do I keep from this person?"
    " How authentic is this person during our interactions? Why?",
    "How empathetic do I feel with/towards this person? When am I not empathetic? Does this person"
    " empathize with me? Does this person feel validated by me? Why or why not?",
    "To what extent are we companions? How close do I feel to this person? Would this person feel the"
    " same way? Why or why not?",
]
KEEP_IT_SIMPLE = [
    "Do you feel comfortable talking to your therapist?",
    "Are you able to talk freely in sessions?",
    "Do you feel relieved after you've been to therapy?",
    "Do you want to come back?",
    "Do you feel like you and your therapist work on your problems together?",
    "Do you feel like your therapist is trying to understand and is on your side?",
]
FEELINGS = ["Scared", "Happy", "Sad", "Angry", "Excited", "Worried", "Surprised", "Silly", "Frustrated"]


def load(name: str) -> Agenda:
    return load_agenda(AGENDAS / name)


def clock(agenda: Agenda, seconds: int) -> str:
    assert agenda.start is not None
    return (datetime.combine(datetime(2000, 1, 1), agenda.start) + timedelta(seconds=seconds)).strftime(
        "%H:%M"
    )


def test_one_agenda_per_seed_workshop():
    """agendas/ holds the five bundled workshops."""
    assert [path.name for path in BUNDLED] == [
        "collaborative-alliance.toml",
        "developing-working-partnerships.toml",
        "person-centred-partnership.toml",
        "therapeutic-alliance-rich.toml",
        "working-alliance-mutuality.toml",
    ]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.name)
def test_bundled_agenda_loads(path):
    """Every bundled agenda passes the loader's checks and has a closing "share one thing" step."""
    agenda = load_agenda(path)
    assert any(step.kind is StepKind.SHARE for step in agenda.steps[-3:])


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.name)
def test_bundled_agenda_has_no_warnings(path):
    """Every breakout of a bundled agenda comes back at a report-back."""
    assert agenda_warnings(load_agenda(path)) == []


def test_partnerships_report_back_brings_back_both_breakouts():
    """The roles breakout (step 8) has no report-back of its own: the one after the rifts breakout
    reports both, each under its own title."""
    agenda = load("developing-working-partnerships.toml")
    (report_back,) = [i for i, step in enumerate(agenda.steps) if step.kind is StepKind.REPORTBACK]
    titles = [agenda.steps[i].title for i in agenda.reported_breakouts(report_back)]
    assert titles == ["Understanding the world of our partners", "Rifts, Turf Wars and Other Flare-Ups"]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.name)
def test_every_bundled_reflection_asks_its_framing_question(path):
    """Each reflection has its own ``question`` (the phones' heading), never only instructions."""
    for step in load_agenda(path).steps:
        if step.kind is StepKind.REFLECTION:
            assert step.prompt is not None
            assert step.prompt.question
            assert step.prompt.question not in step.instructions


def test_person_centred_jargon_wall_stays_open():
    """The module keeps the "name the jargon" paper up all session: only that wall stays open."""
    agenda = load("person-centred-partnership.toml")
    assert [step.title for step in agenda.steps if step.prompt and step.prompt.stay_open] == [
        "Name the jargon"
    ]


def test_partnerships_agenda_follows_the_guides_timed_table():
    """Each row of the guide's agenda table begins at its listed time, and the workshop ends at 12:00."""
    agenda = load("developing-working-partnerships.toml")
    steps = zip(agenda.steps, agenda.planned_offsets, strict=True)
    starts = {step.title: clock(agenda, offset) for step, offset in steps}
    assert [(starts.get(title), title) for _, title in PARTNERSHIPS_TABLE] == PARTNERSHIPS_TABLE
    assert agenda.steps[0].title == PARTNERSHIPS_TABLE[0][1]
    assert clock(agenda, agenda.total_duration) == PARTNERSHIPS_END


def test_partnerships_break_is_locked():
    """The 9:45 break keeps its clock time when the room runs early or late."""
    agenda = load("developing-working-partnerships.toml")
    (locked,) = [step for step in agenda.steps if step.locked]
    assert (locked.title, locked.kind) == ("Break", StepKind.BREAK)


def test_working_alliance_holds_the_five_alliance_questions_in_order():
    """The alliance reflection asks the slides' five 1-5 questions, word for word, in order."""
    agenda = load("working-alliance-mutuality.toml")
    (reflection,) = [step for step in agenda.steps if step.kind is StepKind.REFLECTION]
    assert reflection.prompt is not None
    assert [rating.text for rating in reflection.prompt.ratings] == ALLIANCE_QUESTIONS
    assert reflection.duration == 5 * 60
    assert reflection.prompt.pace == 60  # "1 minute to self-reflect on each"


def test_working_alliance_feelings_chart_has_the_nine_feelings():
    """The feelings chart is a choice between the chart's nine feelings."""
    agenda = load("working-alliance-mutuality.toml")
    (chart,) = [step for step in agenda.steps if step.title == "Feelings chart"]
    assert chart.kind is StepKind.CHOICE
    assert chart.prompt is not None
    assert list(chart.prompt.options) == FEELINGS


def test_working_alliance_closes_with_share_one_thing():
    """The last step asks the slides' closing question."""
    last = load("working-alliance-mutuality.toml").steps[-1]
    assert last.kind is StepKind.SHARE
    assert last.prompt is not None
    assert last.prompt.question == "Share 1 thing you learned or you will try when you leave here"


def test_rich_agenda_asks_the_keep_it_simple_client_questions():
    """The RICH workshop rates the slides' six "keep it simple" client questions, word for word."""
    agenda = load("therapeutic-alliance-rich.toml")
    (reflection,) = [step for step in agenda.steps if step.kind is StepKind.REFLECTION]
    assert reflection.prompt is not None
    assert [rating.text for rating in reflection.prompt.ratings] == KEEP_IT_SIMPLE
