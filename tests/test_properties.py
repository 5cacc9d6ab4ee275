"""Properties of everything that reads untrusted input, for any input (hypothesis): the wire decoders
give a message or a ProtocolError, the answer checks a value or a ProtocolError, and the agenda loader
an Agenda or an AgendaError of one-line problems. (The session loader: tests/test_damaged_sessions.py.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar
from unicodedata import category

from hypothesis import example, given, settings
from hypothesis import strategies as st

from facilitator.domain.agenda import Agenda, StepKind
from facilitator.domain.agenda_loader import AgendaError, parse_agenda
from participant.core.wire import (
    Answer,
    Hello,
    NoteAdd,
    NoteDelete,
    NoteEdit,
    ProtocolError,
    parse_answer_value,
    parse_client_message,
    parse_room_message,
)
from tests.sample_agendas import GOOD

EXAMPLES = settings(max_examples=200, deadline=None)
"""Modest, so the suite stays fast."""
T = TypeVar("T")

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
MESSAGE_TYPES = ["hello", "answer", "note_add", "note_edit", "note_delete", "welcome", "", "HELLO"]
FIELDS = ["type", "device", "id", "prompt", "value", "text", "rev"]
ids = st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True)
messages = st.dictionaries(st.sampled_from(FIELDS), json_values | ids, max_size=6).flatmap(
    lambda fields: st.sampled_from(MESSAGE_TYPES).map(lambda kind: {**fields, "type": kind})
)
frames = (
    st.binary(max_size=64)
    | st.text(max_size=200)
    | json_values.map(json.dumps)
    | messages.map(json.dumps)
    | st.sampled_from(['{"type": "hello", "device": NaN}', "[" * 5000, '{"a": 1e999}', "\ud800"])
)


def outcome(parse: Callable[..., T], *args: Any) -> T | ProtocolError:
    """What ``parse`` returns, or the ProtocolError it raised; any other exception fails the test."""
    try:
        return parse(*args)
    except ProtocolError as error:
        return error


@EXAMPLES
@given(frames)
def test_a_phones_frame_is_a_message_or_a_protocol_error(frame):
    """Whatever a phone sends, the decoder answers with a message or a ProtocolError."""
    message = outcome(parse_client_message, frame)
    assert isinstance(message, Hello | Answer) or message.message


@EXAMPLES
@given(frames)
def test_a_room_links_frame_is_a_message_or_a_protocol_error(frame):
    """Whatever a room link sends, the decoder answers with a message or a ProtocolError."""
    message = outcome(parse_room_message, frame)
    assert isinstance(message, Hello | NoteAdd | NoteEdit | NoteDelete) or message.message


PROMPTS = [step.prompt.to_wire() for step in parse_agenda(GOOD).steps if step.prompt is not None]
answer_values = json_values | st.fixed_dictionaries(
    {},
    optional={
        "ratings": st.lists(st.none() | st.integers(-1, 7) | scalars, max_size=3),
        "comment": json_values,
        "option": st.sampled_from(["Scared", "Happy", "Sad"]) | json_values,
        "text": json_values,
        "words": st.lists(st.text(max_size=50) | scalars, max_size=7) | json_values,
        "pass": json_values,
    },
)


@EXAMPLES
@given(st.sampled_from(PROMPTS), answer_values)
def test_an_answer_value_fits_its_prompt_or_is_a_protocol_error(prompt, value):
    """Any value for any kind of prompt is an answer, or a ProtocolError for the phone; an answer
    reads back as itself (the store reads stored answers with the same check)."""
    answer = outcome(parse_answer_value, prompt, value)
    if isinstance(answer, ProtocolError):
        assert answer.message
    else:
        assert parse_answer_value(prompt, json.loads(json.dumps(answer.to_wire()))) == answer


def toml_value(value: Any) -> str:
    """A value as TOML: JSON's string escapes are TOML's too."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)} = {toml_value(item)}" for key, item in value.items()) + "}"
    return str(value)


toml_scalars = st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(max_size=40)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
WORDS = st.sampled_from(["Welcome", "", "  ", "A\nB", "tab\there", "\x1b[2J", "x" * 120, "\u2028"])
REQUIRED = {
    "title": WORDS | toml_values,
    "kind": st.sampled_from([kind.value for kind in StepKind] + ["lecture", "BREAK", ""]) | toml_values,
    "duration": st.sampled_from(["10m", "90s", "1h15m", "0s", "9h", "15", "1\n2", "\x07"]) | toml_values,
}
OPTIONAL = {
    "rooms": st.integers(-3, 60) | toml_values,
    "prompts": st.lists(WORDS, max_size=3) | toml_values,
    "questions": st.lists(
        WORDS | st.dictionaries(st.sampled_from(["text", "low", "high", "x"]), WORDS), max_size=3
    )
    | toml_values,
    "options": st.lists(WORDS, max_size=4) | toml_values,
    **dict.fromkeys(
        ["question", "low", "high", "comment", "locked", "instructions", "colour"], WORDS | toml_values
    ),
}
steps = st.fixed_dictionaries(REQUIRED, optional=OPTIONAL)
agendas = st.fixed_dictionaries(
    {"title": REQUIRED["title"], "steps": st.lists(steps, min_size=1, max_size=4)},
    optional={"start": st.sampled_from(["08:00", "1:30pm", "25:00", "13pm", "8\n00"]) | toml_values},
)


def agenda_text(agenda: dict[str, Any]) -> str:
    lines = [f"{json.dumps(key)} = {toml_value(value)}" for key, value in agenda.items() if key != "steps"]
    for step in agenda["steps"]:
        lines.append("[[steps]]")
        lines.extend(f"{json.dumps(key)} = {toml_value(value)}" for key, value in step.items())
    return "\n".join(lines) + "\n"


def assert_agenda_or_one_line_problems(text: str) -> None:
    try:
        assert isinstance(parse_agenda(text), Agenda)
    except AgendaError as error:
        lines = error.lines("a.toml")
        assert lines
        for line in lines:
            assert line.startswith("a.toml: ")
            assert line.splitlines() == [line], line
            assert not {category(char) for char in line} & {"Cc", "Cf", "Zl", "Zp"}, line


@EXAMPLES
@given(agendas.map(agenda_text))
@example('title = "W"\n[[steps]]\ntitle = "A\\nB"\nkind = "talk"\nduration = "\\u001b[2J"\n')  # found by it
def test_an_agenda_loads_or_every_problem_is_one_line(text):
    """Agendas shaped like the real thing, with any values: an Agenda, or one printable line per
    problem naming the file."""
    assert_agenda_or_one_line_problems(text)


@EXAMPLES
@given(st.text(max_size=300) | st.lists(st.sampled_from(GOOD.splitlines()), max_size=40).map("\n".join))
def test_any_text_loads_or_every_problem_is_one_line(text):
    """Any text at all, and the lines of a good agenda shuffled: an Agenda or one-line problems."""
    assert_agenda_or_one_line_problems(text)
