"""Damaged and hand-edited session files: `report`, `links`, `sessions` and `run --resume` answer
with one line naming the file, never a traceback (the CLI's `main`, in process, on real files).

A real session file (answers of every kind, a changed answer, a pass, notes edited and deleted, the
trainer's saved state) is copied and damaged two ways: seeded random bytes over the file, and every
stored JSON field and session column set to values of the wrong type or range."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from facilitator import cli
from facilitator.domain.agenda import step_id
from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.grouping import Group, Grouping
from facilitator.domain.runner import Runner
from facilitator.domain.saved_state import SavedState
from facilitator.domain.workshop import Workshop
from participant.core.notes import Note
from participant.core.wire import Answer, OpenPrompt
from participant.io.server import ParticipantServer
from participant.io.store import create_session
from tests.fake_participants import FakeParticipants
from tests.sample_agendas import GOOD

FACILITATE = str(Path(sys.executable).parent / "facilitate")
ANSWERS = {
    "reflection": [{"ratings": [4, 5], "comment": "We listen"}, {"ratings": [2, None]}, {"pass": True}],
    "choice": [{"option": "Happy"}, {"option": "Sad"}, {"option": "Happy"}],
    "wordwall": [{"words": ["ITP", "CIN"]}, {"words": ["LAC"]}, {"words": ["itp"]}],
    "text": [{"text": "Being heard"}, {"text": "Trust"}, {"pass": True}],
    "share": [{"text": "Ask first"}, {"text": "Slow down"}, {"text": "Listen"}],
}


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Path:
    """A session file as a real run leaves it, closed (its WAL checkpointed into it)."""
    store = create_session("Working alliances", GOOD, data_dir=tmp_path_factory.mktemp("session"))
    agenda = parse_agenda(GOOD)
    for index, step in enumerate(agenda.steps):
        if step.prompt is None:
            continue
        store.prompt_opened(OpenPrompt(step_id(index), step.prompt.to_wire()), index)
        hub = store.load_hub()
        for n, value in enumerate(ANSWERS[step.prompt.kind.value]):
            response = hub.receive(f"device-{n:016d}", Answer(f"answer-{index}-{n}", step_id(index), value))
            hub.record(response, store.add_response(response).result(timeout=5))
    changed = hub.receive("device-0000000000000000", Answer("answer-changed", step_id(index), {"pass": True}))
    store.add_response(changed).result(timeout=5)
    store.prompt_closed(step_id(index))
    notes = [
        Note("step-2", room, f"note-{room}-{n}", f"Note {n} of room {room}")
        for room in (1, 2)
        for n in (1, 2)
    ]
    for note in notes:
        store.save_note(note)
    store.save_note(Note("step-2", 1, "note-1-1", "Edited", 2))
    store.save_note(Note("step-2", 2, "note-2-2", "", 2, deleted=True))
    runner = Runner(agenda, ManualClock(datetime(2026, 11, 22, 8, 0)))
    for _ in range(7):
        runner.next()
    grouping = Grouping((Group("Listening", ("note-1-1", "note-2-1")), Group("Time", ("note-1-2",))), True)
    saved = SavedState(
        runner.state(), frozenset({2, 3}), {1: 3}, {"step-2": grouping}, "http://192.168.1.20:8765"
    )
    store.save_state(saved.to_store()).result(timeout=5)
    store.close()
    return store.path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """facilitate ARGV through cli.main, as the console script runs it; nothing may escape."""
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_handled(capsys, path: Path) -> None:
    """report and links exit 0 or 1; a refusal is exactly one line naming the file."""
    for argv in (["report", str(path), "--format", "json"], ["links", str(path)]):
        status, out, err = run(capsys, *argv)
        assert status in (0, 1), (argv, status, err)
        if status == 1:
            assert len(err.splitlines()) == 1, err
            if "has not run yet" not in err and "No breakout ahead" not in err:
                assert err.startswith(f"{path}: "), err
        elif argv[0] == "report":
            assert json.loads(out)["title"]


@pytest.fixture
def resume_reaches_the_projector(monkeypatch) -> list[str]:
    """`run --resume` without a terminal UI: in place of the projector, what it would build first (the
    server's state, the controller) is built from the store, so a file that passes the checks must start."""
    reached = []

    async def serve(args, store, agenda) -> int:
        server = ParticipantServer(store, min_responses=args.min_responses)
        saved = SavedState.from_store(store.load_state())
        workshop = Workshop(agenda, ManualClock(datetime(2026, 11, 22, 8, 0)), FakeParticipants(), saved)
        workshop.tick()
        server.results()
        reached.append(str(store.path))
        return 0

    monkeypatch.setattr(cli, "_serve", serve)
    return reached


def assert_resume_handled(capsys, path: Path, reached: list[str]) -> None:
    """`run --resume` refuses with one line naming the file before the projector, or starts it."""
    before = len(reached)
    status, _, err = run(capsys, "run", "--resume", str(path))
    if status == 1:
        assert len(err.splitlines()) == 1, err
        assert err.startswith(f"{path}: "), err
        assert len(reached) == before
    else:
        assert (status, reached[before:]) == (0, [str(path)]), err


def test_the_undamaged_session_reports_and_resumes(session, tmp_path, capsys, resume_reaches_the_projector):
    """The file the damage starts from is whole: its report has the answers and notes."""
    copy = shutil.copy(session, tmp_path / session.name)
    status, out, err = run(capsys, "report", str(copy), "--format", "json")
    assert (status, err) == (0, "")
    report = json.loads(out)
    assert [prompt["answers"] for prompt in report["prompts"]] == [3, 3, 3, 3, 3]
    assert sum(len(room["notes"]) for room in report["rooms"]) == 3
    status, out, err = run(capsys, "links", str(copy))
    assert (status, err, len(out.splitlines())) == (0, "", 3)  # the report-back's breakout, 3 rooms
    assert_resume_handled(capsys, copy, resume_reaches_the_projector)
    assert resume_reaches_the_projector == [str(copy)]


def damaged_copies(session: Path, directory: Path, count: int) -> Iterator[Path]:
    """Copies with random bytes written over them: a few single bytes, or runs over whole pages."""
    data = session.read_bytes()
    chance = random.Random(12)
    for n in range(count):
        damaged = bytearray(data)
        if n % 3 == 2:
            start = chance.randrange(len(data))
            damaged[start : start + chance.randrange(1, 8192)] = chance.randbytes(8192)
        else:
            for _ in range(chance.randint(1, 40)):
                damaged[chance.randrange(len(data))] ^= chance.randrange(1, 256)
        copy = directory / f"damaged-{n:03d}.sqlite3"
        copy.write_bytes(bytes(damaged[: len(data)]))
        yield copy


def test_random_bytes_over_the_file_give_one_line_or_a_report(
    session, tmp_path, capsys, resume_reaches_the_projector
):
    """60 seeded copies with bytes flipped or pages overwritten: never a traceback, anywhere."""
    for copy in damaged_copies(session, tmp_path, 60):
        assert_handled(capsys, copy)
        assert_resume_handled(capsys, copy, resume_reaches_the_projector)
    status, out, err = run(capsys, "sessions", "--data", str(tmp_path))
    assert status == 0
    assert len(out.splitlines()) + len(err.splitlines()) == 60


def wrong(value: Any) -> list[Any]:
    """Values of the wrong type, or of the right type out of range, for a stored JSON value."""
    if isinstance(value, bool) or value is None:
        return ["x", 2]
    if isinstance(value, int | float):
        return [-1, 10**12, None, "x"]
    if isinstance(value, str):
        return ["", None, 5, ["x"]]
    return [None, "x", {} if isinstance(value, list) else [], type(value)()]


def edits_of(value: Any) -> Iterator[Any]:
    """``value`` with one place (itself, or anything it holds; lists through their first item) set to
    each wrong value in turn."""
    yield from wrong(value)
    if isinstance(value, dict):
        for key, item in value.items():
            for edited in edits_of(item):
                yield {**value, key: edited}
    elif isinstance(value, list) and value:
        for edited in edits_of(value[0]):
            yield [edited, *value[1:]]


STORED_JSON = {
    "state": "SELECT 'key', key, value FROM state",
    "prompts": "SELECT 'id', id, wire FROM prompts",
    "responses": "SELECT 'seq', seq, value FROM responses WHERE seq IN"
    " (SELECT MIN(seq) FROM responses GROUP BY prompt_id)",  # one answer of each kind
}


def json_edits(session: Path) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(SQL, parameters) that put wrong JSON in one stored JSON field: text that is not JSON, or a
    value with one place wrong."""
    connection = sqlite3.connect(session)
    for table, select in STORED_JSON.items():
        column = "wire" if table == "prompts" else "value"
        for key_column, key, text in connection.execute(select).fetchall():
            update = f"UPDATE {table} SET {column} = ? WHERE {key_column} = ?"
            yield update, ("{", key)
            for edited in edits_of(json.loads(text)):
                yield update, (json.dumps(edited), key)
    connection.close()


def test_every_stored_json_field_with_wrong_values_gives_one_line_or_a_report(
    session, tmp_path, capsys, resume_reaches_the_projector
):
    """State keys, prompt data and answer values, each place set to each wrong value in turn."""
    copy = tmp_path / session.name
    edits = 0
    for sql, parameters in json_edits(session):
        shutil.copy(session, copy)
        connection = sqlite3.connect(copy)
        with connection:
            connection.execute(sql, parameters)
        connection.close()
        assert_handled(capsys, copy)
        assert_resume_handled(capsys, copy, resume_reaches_the_projector)
        edits += 1
    assert edits > 200
    assert 0 < len(resume_reaches_the_projector) < edits  # some edits are harmless, most are not


COLUMN_EDITS = [
    *[
        ("session", column, value)
        for column in ("id", "title", "created", "agenda_source")
        for value in (5, b"\xff", "")
    ],
    ("session", "created", "2026-13-45T08:00"),
    ("session", "agenda_source", 'title = "No steps"'),
    ("session", "join_code", "short"),
    ("session", "join_code", 7),
    ("session", "secret", b"\x01" * 5),
    ("session", "secret", "text, not bytes"),
    ("session", "agenda_path", 5),
    ("prompts", "step", "three"),
    ("prompts", "opened", "soon"),
    ("prompts", "closed", 5),
    ("responses", "respondent", 5),
    ("responses", "prompt_id", "step-99"),
    ("notes", "room", 0),
    ("notes", "room", "one"),
    ("notes", "rev", "x"),
    ("notes", "text", 12),
    ("notes", "deleted", 7),
]


@pytest.mark.parametrize(("table", "column", "value"), COLUMN_EDITS)
def test_session_columns_with_wrong_values_give_one_line(
    session, tmp_path, capsys, resume_reaches_the_projector, table, column, value
):
    """The session row, prompt times, respondents and notes with values of the wrong type or range."""
    copy = shutil.copy(session, tmp_path / session.name)
    connection = sqlite3.connect(copy)
    with connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute(f"UPDATE {table} SET {column} = ?", (value,))
    connection.close()
    assert_handled(capsys, copy)
    assert_resume_handled(capsys, copy, resume_reaches_the_projector)


def test_text_that_is_not_utf_8_gives_one_line_without_the_text(session, tmp_path, capsys):
    """Bytes over the agenda's text: SQLite cannot decode it, and the line does not print it."""
    copy = shutil.copy(session, tmp_path / session.name)
    connection = sqlite3.connect(copy)
    with connection:
        connection.execute("UPDATE session SET agenda_source = CAST(x'ff7469746c65' AS TEXT)")
    connection.close()
    status, _, err = run(capsys, "report", str(copy))
    assert (status, err) == (
        1,
        f"{copy}: damaged session file: SQLite cannot read it"
        " (Could not decode to UTF-8 column 'agenda_source')\n",
    )


@pytest.mark.parametrize("table", ["session", "state", "prompts", "responses", "notes"])
def test_a_missing_table_gives_one_line(session, tmp_path, capsys, resume_reaches_the_projector, table):
    """A table dropped by hand: one line naming the file and the table."""
    copy = shutil.copy(session, tmp_path / session.name)
    connection = sqlite3.connect(copy)
    connection.execute(f"DROP TABLE {table}")
    connection.close()
    status, _, err = run(capsys, "report", str(copy))
    assert (status, err) == (
        1,
        f"{copy}: damaged session file: SQLite cannot read it (no such table: {table})\n",
    )
    assert_handled(capsys, copy)
    assert_resume_handled(capsys, copy, resume_reaches_the_projector)


def test_a_file_that_is_not_sqlite_gives_one_line_everywhere(tmp_path, capsys):
    """Not a database at all: report, links and sessions name it in one line."""
    junk = tmp_path / "20260101-000000-abcd.sqlite3"
    junk.write_bytes(b"not a database, just text\n" * 200)
    expected = f"{junk}: not a facilitate session file (file is not a database)\n"
    assert run(capsys, "report", str(junk)) == (1, "", expected)
    assert run(capsys, "links", str(junk)) == (1, "", expected)
    assert run(capsys, "sessions", "--data", str(tmp_path)) == (0, "", expected)


def test_resume_of_a_damaged_file_is_refused_before_the_projector_starts(session, tmp_path):
    """The console script itself: a bad state is one line and exit 1, with no terminal UI started."""
    copy = shutil.copy(session, tmp_path / session.name)
    connection = sqlite3.connect(copy)
    with connection:
        connection.execute("UPDATE state SET value = '{\"index\": \"two\"}' WHERE key = 'runner'")
    connection.close()
    result = subprocess.run(
        [FACILITATE, "run", "--resume", str(copy), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{copy}: damaged session file: the saved state cannot be read (")
    assert len(result.stderr.splitlines()) == 1
