"""Agenda files: every broken agenda gets one line per problem that says how to fix it."""

from datetime import time
from textwrap import dedent

import pytest

from facilitator.domain.agenda import DEFAULT_SHARE_QUESTION, StepKind
from facilitator.domain.agenda_loader import AgendaError, agenda_warnings, load_agenda, parse_agenda
from tests.sample_agendas import GOOD, NOTED, NOTES, UNREPORTED


def problems(text: str) -> list[str]:
    with pytest.raises(AgendaError) as caught:
        parse_agenda(text)
    return caught.value.lines("a.toml")


def with_step(fields: str, *, top: str = 'title = "W"\n') -> str:
    return top + "[[steps]]\n" + dedent(fields)


def test_good_agenda_reads_every_kind():
    """A valid agenda becomes steps with their kind-specific parts."""
    agenda = parse_agenda(GOOD)
    assert agenda.title == "Working alliances"
    assert agenda.start == time(8)
    kinds = [step.kind for step in agenda.steps]
    assert kinds[:4] == [StepKind.TALK, StepKind.BREAKOUT, StepKind.REFLECTION, StepKind.CHOICE]
    breakout = agenda.steps[1].breakout
    assert breakout is not None
    assert breakout.rooms == 4
    assert len(breakout.prompts) == 2
    reflection = agenda.steps[2].prompt
    assert reflection is not None
    assert [(r.low, r.high) for r in reflection.ratings] == [
        ("Not at all", "Completely"),
        ("None", "Full trust"),
    ]
    assert reflection.comment
    assert agenda.steps[3].prompt.options == ("Scared", "Happy", "Sad")
    assert agenda.steps[4].locked
    assert agenda.steps[-1].prompt.question == DEFAULT_SHARE_QUESTION
    assert agenda.planned_offsets[:3] == (0, 600, 1500)
    assert agenda.total_duration == sum(step.duration for step in agenda.steps)


def test_prompt_to_wire_is_plain_data():
    """The participant side receives prompts as JSON-ready dicts."""
    wire = parse_agenda(GOOD).steps[2].prompt.to_wire()
    assert wire["kind"] == "reflection"
    assert wire["scale"] == [1, 2, 3, 4, 5]
    assert wire["ratings"][0] == {
        "text": "How well are we collaborating?",
        "low": "Not at all",
        "high": "Completely",
    }


def test_every_prompt_carries_its_question_to_the_phones():
    """Each prompt kind has its ``question`` on the wire; a reflection's is its optional framing."""
    agenda = parse_agenda(GOOD)
    wires = [step.prompt.to_wire() for step in agenda.steps if step.prompt is not None]
    assert [wire["kind"] for wire in wires] == ["reflection", "choice", "wordwall", "text", "share"]
    assert all(wire["question"] for wire in wires[1:])
    assert wires[0]["question"] == ""
    framed = with_step(
        """\
        title = "Safe environment"
        kind = "reflection"
        duration = "5m"
        question = "How true is each of these in our partnership today?"
        questions = ["Listening without judgement"]
        """
    )
    prompt = parse_agenda(framed).steps[0].prompt
    assert prompt is not None
    assert prompt.to_wire()["question"] == "How true is each of these in our partnership today?"


def test_toml_syntax_error_names_the_line_and_hints_at_quotes():
    """A missing quote is a one-line error with the line number, never a traceback."""
    (line,) = problems('title = "W"\n[[steps]]\ntitle = "A"\nduration = 10m\n')
    assert line.startswith("a.toml: line 4, column 14: not valid TOML:")
    assert 'duration = "10m"' in line


def test_unterminated_string():
    """An unclosed quote is reported on its line."""
    (line,) = problems('title = "W\n')
    assert line.startswith("a.toml: line 1,")
    assert "closing quote" in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 'a.toml: title: missing; add a line like title = "..."'),
        ('title = "W"', "a.toml: steps: none found; add at least one step under a [[steps]] header"),
        ('title = "W"\n[steps]\ntitle = "A"', "a.toml: steps: written as [steps]; write each step under"),
        ('title = 3\n[[steps]]\ntitle="A"\nkind="talk"\nduration="1m"', "a.toml: title: is the number 3;"),
        ('title = "W"\nstart = "8"\n[[steps]]\ntitle="A"\nkind="talk"\nduration="1m"', "a.toml: start:"),
        (
            'title = "W"\ntitel = "x"\n[[steps]]\ntitle="A"\nkind="talk"\nduration="1m"',
            'did you mean "title"',
        ),
    ],
)
def test_workshop_level_mistakes(text, expected):
    """Mistakes outside the steps name the field and say what to write."""
    assert any(line.startswith("a.toml: ") and expected in line for line in problems(text)), problems(text)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ('kind = "talk"\nduration = "5m"', 'step 1: title: missing; add a line like title = "..."'),
        ('title = "  "\nkind = "talk"\nduration = "5m"', "step 1: title: is empty"),
        (
            'title = """A\nB"""\nkind = "talk"\nduration = "5m"',
            "title: runs over several lines; keep it on one line",
        ),
        ('title = "A"\nduration = "5m"', 'step 1 "A": kind: missing'),
        ('title = "A"\nkind = "lecture"\nduration = "5m"', 'kind: "lecture" is not a kind of step'),
        ('title = "A"\nkind = "wordwal"\nduration = "5m"', 'did you mean "wordwall"?'),
        ('title = "A"\nkind = "talk"', 'step 1 "A": duration: missing; add a line like duration = "10m"'),
        ('title = "A"\nkind = "talk"\nduration = 10', "duration: is the number 10; write it in quotes"),
        ('title = "A"\nkind = "talk"\nduration = "10 mins"', 'write it like "10m"'),
        ('title = "A"\nkind = "talk"\nduration = "9h"', "a step lasts from 1 second to 8 hours"),
        ('title = "A"\nkind = "talk"\nduration = "0m"', "a step lasts from 1 second to 8 hours"),
        ('title = "A"\nkind = "talk"\nduration = "5m"\nlocked = "yes"', "locked: is the text"),
        ('title = "A"\nkind = "talk"\nduration = "5m"\nlocked = true', "locked: needs the workshop start"),
        ('title = "A"\nkind = "talk"\nduration = "5m"\ninstruction = "x"', 'did you mean "instructions"?'),
        (
            'title = "A"\nkind = "talk"\nduration = "5m"\ninstructions = "a\\u001b[2J"',
            "control character (U+001B)",
        ),
        ('title = "A"\nkind = "talk"\nduration = "5m"\noptions = ["a", "b"]', "options: is only for choice"),
        (
            'title = "A"\nkind = "talk"\nduration = "5m"\nquestion = "Q"',
            "question: is only for reflection and choice",
        ),
        ('title = "A"\nkind = "breakout"\nduration = "5m"', "rooms: missing"),
        ('title = "A"\nkind = "breakout"\nduration = "5m"\nrooms = 0', "rooms: is 0; it must be from 1"),
        ('title = "A"\nkind = "breakout"\nduration = "5m"\nrooms = "4"', "rooms: is the text"),
        ('title = "A"\nkind = "breakout"\nduration = "5m"\nrooms = 2\nprompts = "Why?"', "prompts: is the"),
        ('title = "A"\nkind = "reflection"\nduration = "5m"', "questions: missing"),
        ('title = "A"\nkind = "reflection"\nduration = "5m"\nquestions = []', "questions: is a list;"),
        (
            'title = "A"\nkind = "reflection"\nduration = "5m"\nquestions = [{low="a"}]',
            "questions[1].text: missing",
        ),
        (
            'title = "A"\nkind = "reflection"\nduration = "5m"\nquestions = [{text="Q", hi="x"}]',
            'questions[1].hi: is not a known field; did you mean "high"?',
        ),
        (
            'title = "A"\nkind = "reflection"\nduration = "5m"\nquestions = [3]',
            "questions[1]: is the number 3",
        ),
        (
            'title = "A"\nkind = "reflection"\nduration = "5m"\nquestions = ["Q"]\ncomment = 1',
            "comment: write comment = true",
        ),
        ('title = "A"\nkind = "choice"\nduration = "5m"\noptions = ["a", "b"]', "question: missing"),
        ('title = "A"\nkind = "choice"\nduration = "5m"\nquestion = "Q"', "options: missing"),
        (
            'title = "A"\nkind = "choice"\nduration = "5m"\nquestion = "Q"\noptions = ["a"]',
            "options: has 1 entries; it needs 2 to 12",
        ),
        (
            'title = "A"\nkind = "choice"\nduration = "5m"\nquestion = "Q"\noptions = ["a", "a"]',
            '"a" appears twice',
        ),
        (
            'title = "A"\nkind = "choice"\nduration = "5m"\nquestion = "Q"\noptions = ["a", ""]',
            "has an empty entry",
        ),
        (
            'title = "A"\nkind = "choice"\nduration = "5m"\nquestion = "Q"\noptions = ["a", "'
            + "x" * 41
            + '"]',
            "keep each under 40",
        ),
        ('title = "A"\nkind = "wordwall"\nduration = "5m"', "question: missing"),
        ('title = "A"\nkind = "text"\nduration = "5m"', "question: missing"),
    ],
)
def test_step_mistakes(fields, expected):
    """Each kind of mistake in a step names the step, the field, and how to fix it."""
    lines = problems(with_step(fields))
    assert any(expected in line for line in lines), lines
    assert all(line.startswith("a.toml: step 1") for line in lines), lines


def test_every_problem_is_reported_not_just_the_first():
    """Trainers fix a file in one pass: all problems in all steps come at once."""
    text = with_step('title = "A"\nkind = "talk"\nduration = "x"\n') + dedent(
        """\
        [[steps]]
        title = "B"
        kind = "choice"
        duration = "5m"
        """
    )
    lines = problems(text)
    assert lines[0].startswith('a.toml: step 1 "A": duration:')
    assert [line.split(": ")[2] for line in lines[1:]] == ["question", "options"]
    assert all(line.startswith('a.toml: step 2 "B"') for line in lines[1:])


def test_step_that_is_not_a_table():
    """A step given as a plain value is explained."""
    (line,) = problems('title = "W"\nsteps = [1]\n')
    assert line == "a.toml: step 1: is not a table; start each step with [[steps]]"


def test_load_agenda_file_errors(tmp_path):
    """Missing files, folders and non-UTF-8 files are one-line errors too."""
    with pytest.raises(AgendaError, match="no such file"):
        load_agenda(tmp_path / "missing.toml")
    with pytest.raises(AgendaError, match="is a folder"):
        load_agenda(tmp_path)
    latin = tmp_path / "latin.toml"
    latin.write_bytes('title = "Caf\xe9"'.encode("latin-1"))
    with pytest.raises(AgendaError, match="not UTF-8"):
        load_agenda(latin)


def test_load_agenda_reads_a_file(tmp_path):
    """A good file on disk loads."""
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert len(load_agenda(path).steps) == 9


def test_a_report_back_reports_every_breakout_since_the_last_one():
    """Two breakouts in a row come back together at the report-back after them."""
    agenda = parse_agenda(UNREPORTED)
    assert agenda.reported_breakouts(2) == (0, 1)
    assert agenda.reported_breakouts(0) == ()
    assert parse_agenda(GOOD).reported_breakouts(7) == (1,)


def test_a_breakout_with_no_report_back_after_it_is_a_warning():
    """The agenda still loads; the warning names the step and says what to add."""
    lines = [warning.format("a.toml") for warning in agenda_warnings(parse_agenda(UNREPORTED))]
    assert lines == [
        'a.toml: step 4 "Last talk": kind: warning: this breakout has no report-back after it, so its'
        ' notes never reach the projector; add a step with kind = "reportback" after it'
    ]
    assert agenda_warnings(parse_agenda(GOOD)) == []


def paced(pace: str, duration: str = "5m") -> str:
    return with_step(
        f"""\
        title = "Rate"
        kind = "reflection"
        duration = "{duration}"
        pace = "{pace}"
        questions = ["One?", "Two?", "Three?", "Four?", "Five?"]
        """
    )


def test_a_reflection_can_pace_its_questions():
    """pace = "1m" gives each question a minute; phones get it on the wire, in seconds."""
    prompt = parse_agenda(paced("1m")).steps[0].prompt
    assert prompt is not None
    assert prompt.pace == 60
    assert prompt.to_wire()["pace"] == 60
    unpaced = parse_agenda(GOOD).steps[2].prompt
    assert unpaced is not None
    assert "pace" not in unpaced.to_wire()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (paced("5s"), 'pace: is 5 seconds; give each question at least 10 seconds, like pace = "1m"'),
        (
            paced("1m", "4m"),
            'pace: 5 questions at "1m" each need "5m", but the step lasts "4m";'
            ' make duration at least "5m" or pace shorter',
        ),
        (paced("soon"), 'pace: "soon" is not a duration'),
        (
            with_step('title = "A"\nkind = "text"\nduration = "5m"\nquestion = "Q"\npace = "1m"'),
            "pace: is only for reflection steps",
        ),
    ],
)
def test_pace_mistakes(text, expected):
    """A pace too short, too long for the step, malformed, or on another kind is one clear line."""
    (line,) = problems(text)
    assert line.startswith('a.toml: step 1 "')
    assert expected in line


def test_a_text_or_word_wall_can_stay_open():
    """stay_open = true marks a wall that stays answerable; off unless set."""
    wall = with_step('title = "Jargon"\nkind = "wordwall"\nduration = "5m"\nquestion = "Q"\nstay_open = true')
    prompt = parse_agenda(wall).steps[0].prompt
    assert prompt is not None
    assert prompt.stay_open
    assert not any(step.prompt.stay_open for step in parse_agenda(GOOD).steps if step.prompt)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            'kind = "text"\nquestion = "Q"\nstay_open = "yes"',
            'stay_open: is the text "yes"; write stay_open = true or stay_open = false',
        ),
        (
            'kind = "choice"\nquestion = "Q"\noptions = ["a", "b"]\nstay_open = true',
            "is only for text and wordwall",
        ),
        ('kind = "talk"\nstay_open = true', "stay_open: is only for text and wordwall steps"),
    ],
)
def test_stay_open_mistakes(fields, expected):
    """stay_open must be true or false, and only on text and word wall steps."""
    (line,) = problems(with_step(f'title = "A"\nduration = "5m"\n{fields}'))
    assert expected in line


def test_presenter_notes_are_an_optional_text_on_any_step():
    """``notes`` is read as the trainer's text (lines kept), on every kind of step; absent, it is empty."""
    agenda = parse_agenda(NOTED)
    assert agenda.steps[0].notes == NOTES
    assert agenda.steps[1].notes == ""
    notes = 'notes = """Hold the space here.\nThen ask: who has tried it?"""'
    step = parse_agenda(
        with_step(f'title = "A"\nkind = "breakout"\nduration = "5m"\nrooms = 2\n{notes}')
    ).steps[0]
    assert step.notes == "Hold the space here.\nThen ask: who has tried it?"


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ("notes = 3", 'step 1 "A": notes: is the number 3; write it as text in quotes, like notes = "..."'),
        ('notes = "a\\u001b[2J"', 'step 1 "A": notes: has an invisible control character (U+001B)'),
        (f'notes = "{"x" * 2001}"', 'step 1 "A": notes: is 2001 characters long; keep it under 2000'),
        ('note = "x"', 'step 1 "A": note: is not a known field; did you mean "notes"?'),
    ],
)
def test_presenter_notes_mistakes(notes, expected):
    """facilitate check names the step and the field and says what to write instead."""
    found = problems(with_step(f'title = "A"\nkind = "talk"\nduration = "5m"\n{notes}'))
    assert any(line.startswith(f"a.toml: {expected}") for line in found), found
