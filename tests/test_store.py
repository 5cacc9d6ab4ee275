"""The session database: durable before ack, exactly once, anonymous, resumable (real SQLite files)."""

import asyncio
import errno
import hashlib
import hmac
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from participant.core.hub import Hub, Response
from participant.core.notes import Note
from participant.core.wire import Answer, Choice, OpenPrompt, Text
from participant.io.store import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    SCHEMA_VERSION,
    SessionDamaged,
    SessionNotFound,
    StoreError,
    create_session,
    find_session,
    list_sessions,
    open_session,
    scan_sessions,
)

ROOT = Path(__file__).resolve().parent.parent
CHOICE = {"kind": "choice", "question": "How do you feel?", "options": ["Scared", "Curious", "Fine"]}
TEXT = {"kind": "text", "question": "What went well?"}
DEVICE = "device-0123456789abcdef"


class Clock:
    """Wall-clock times handed to the store, moved by hand."""

    def __init__(self) -> None:
        self.time = datetime(2026, 11, 22, 8, 0).astimezone()

    def __call__(self) -> datetime:
        self.time += timedelta(seconds=1)
        return self.time


@pytest.fixture
def store(tmp_path):
    store = create_session(
        "Workshop", 'title = "Workshop"\n', "agendas/w.toml", data_dir=tmp_path, now=Clock()
    )
    yield store
    store.close()


def respond(store, hub: Hub, device: str, answer_id: str, prompt: str, value: dict) -> int:
    """Answer as the server does: check with the hub, commit, then record."""
    response = hub.receive(device, Answer(answer_id, prompt, value))
    seq = store.add_response(response).result(timeout=5)
    hub.record(response, seq)
    return seq


def opened(store, prompt_id: str, wire: dict, step: int = 1) -> Hub:
    store.prompt_opened(OpenPrompt(prompt_id, wire), step).result(timeout=5)
    return store.load_hub()


def rows(path: Path, sql: str) -> list[tuple]:
    """Read the file through a fresh connection, as another process would."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


# --- Sessions ----------------------------------------------------------------------------------------


def test_a_new_session_is_one_file_in_the_data_dir(store, tmp_path):
    """The database is named after the session id and holds the agenda as run."""
    assert store.path == tmp_path / f"{store.session.id}.sqlite3"
    assert store.session.title == "Workshop"
    assert store.session.agenda_source == 'title = "Workshop"\n'
    assert store.session.agenda_path == "agendas/w.toml"
    assert store.session.created.tzinfo is not None


def test_join_codes_and_secrets_are_unguessable(tmp_path):
    """Each session gets its own random join code (unambiguous characters) and 32-byte secret."""
    sessions = [create_session(f"S{i}", "", data_dir=tmp_path) for i in range(5)]
    try:
        codes = {session.session.join_code for session in sessions}
        secrets_ = {session.session.secret for session in sessions}
        assert len(codes) == len(secrets_) == 5
        for code in codes:
            assert len(code) == JOIN_CODE_LENGTH
            assert set(code) <= set(JOIN_CODE_ALPHABET)
        assert all(len(secret) == 32 for secret in secrets_)
        assert repr(sessions[0].session.secret) not in repr(sessions[0].session)
    finally:
        for session in sessions:
            session.close()


def test_the_database_runs_in_wal_mode(store):
    """WAL lets the report read while the server writes, and makes commits cheap."""
    assert rows(store.path, "PRAGMA journal_mode") == [("wal",)]


def test_sessions_are_listed_with_their_response_counts(tmp_path):
    """list_sessions gives id, title, creation time and how many answers each holds, oldest first."""
    clock = Clock()
    first = create_session("First", "", data_dir=tmp_path, now=clock)
    second = create_session("Second", "", data_dir=tmp_path, now=clock)
    hub = opened(second, "p1", TEXT)
    respond(second, hub, "device-aaaaaaaaaaaaaaaa", "answer-01", "p1", {"text": "a"})
    respond(second, hub, "device-aaaaaaaaaaaaaaaa", "answer-02", "p1", {"text": "changed"})
    respond(second, hub, "device-bbbbbbbbbbbbbbbb", "answer-03", "p1", {"text": "b"})
    (tmp_path / "notes.sqlite3").write_text("not a database")
    first.close()
    second.close()
    listed = list_sessions(tmp_path)
    assert [(s.id, s.title, s.responses) for s in listed] == [
        (first.session.id, "First", 0),
        (second.session.id, "Second", 2),
    ]
    assert listed[0].created < listed[1].created


def test_a_session_is_found_by_id_path_or_latest(tmp_path):
    """SESSION may be an id, a path to the file, or 'latest'."""
    clock = Clock()
    older = create_session("Older", "", data_dir=tmp_path, now=clock)
    newer = create_session("Newer", "", data_dir=tmp_path, now=clock)
    older.close()
    newer.close()
    assert find_session("latest", tmp_path) == newer.path
    assert find_session(older.session.id, tmp_path) == older.path
    assert find_session(str(older.path), tmp_path) == older.path
    with open_session("latest", data_dir=tmp_path) as reopened:
        assert reopened.session == newer.session


def test_a_missing_session_says_where_it_looked(tmp_path):
    """Unknown ids and empty data dirs raise SessionNotFound with a plain message."""
    with pytest.raises(SessionNotFound, match="No sessions yet in"):
        find_session("latest", tmp_path)
    with pytest.raises(SessionNotFound, match="No session '20260101-000000-abcd' in"):
        find_session("20260101-000000-abcd", tmp_path)


def test_a_file_that_is_not_a_session_is_refused_and_left_alone(tmp_path):
    """Text files and other programs' SQLite databases are refused without being changed."""
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.close()
    for path in (text, other, tmp_path / "missing.sqlite3"):
        with pytest.raises(SessionNotFound):
            open_session(path, data_dir=tmp_path)
    assert text.read_text() == "not a database"
    assert rows(other, "PRAGMA journal_mode") == [("delete",)]


def test_the_default_data_dir_is_the_platforms(monkeypatch, tmp_path):
    """Without --data, sessions live in the user data dir."""
    monkeypatch.setattr("participant.io.store.default_data_dir", lambda: tmp_path / "default")
    with create_session("W", "") as store:
        assert store.path.parent == tmp_path / "default"
    assert [s.title for s in list_sessions()] == ["W"]


# --- Durable before ack, exactly once ----------------------------------------------------------------


def test_an_acked_response_is_visible_to_another_connection(store):
    """When the future resolves, the row is committed: a new connection reads it."""
    hub = opened(store, "p1", CHOICE)
    seq = respond(store, hub, DEVICE, "answer-01", "p1", {"option": "Scared"})
    assert rows(store.path, "SELECT seq, prompt_id, value FROM responses") == [
        (seq, "p1", json.dumps({"option": "Scared"}))
    ]


def test_a_resend_creates_no_second_row(store):
    """Storing the same answer key twice keeps one row and gives back the first sequence number."""
    hub = opened(store, "p1", CHOICE)
    response = hub.receive(DEVICE, Answer("answer-01", "p1", {"option": "Scared"}))
    first = store.add_response(response).result(timeout=5)
    again = store.add_response(response).result(timeout=5)
    assert first == again
    assert rows(store.path, "SELECT COUNT(*) FROM responses") == [(1,)]


def test_a_changed_answer_replaces_the_old_row(store):
    """A device's new answer to a prompt takes the place of its earlier one; other devices' stay."""
    hub = opened(store, "p1", CHOICE)
    respond(store, hub, DEVICE, "answer-01", "p1", {"option": "Scared"})
    respond(store, hub, "device-other-0000000", "answer-02", "p1", {"option": "Curious"})
    latest = respond(store, hub, DEVICE, "answer-03", "p1", {"option": "Fine"})
    assert rows(
        store.path, "SELECT seq, value FROM responses WHERE seq = (SELECT MAX(seq) FROM responses)"
    ) == [(latest, json.dumps({"option": "Fine"}))]
    assert rows(store.path, "SELECT COUNT(*) FROM responses") == [(2,)]
    assert store.load_hub().answer_of(DEVICE, "p1") == Choice("Fine")


def test_a_resend_of_a_replaced_answer_is_acked_and_changes_nothing(store):
    """After a restart, the resend of an answer replaced since is recognised: no row, no old value back."""
    hub = opened(store, "p1", CHOICE)
    respond(store, hub, DEVICE, "answer-01", "p1", {"option": "Scared"})
    respond(store, hub, DEVICE, "answer-02", "p1", {"option": "Fine"})
    store.close()
    with open_session(store.path) as again:
        restored = again.load_hub()
        resent = restored.receive(DEVICE, Answer("answer-01", "p1", {"option": "Scared"}))
        assert resent is not None  # the restored hub keeps only the latest answers' keys
        seq = again.add_response(resent).result(timeout=5)
        restored.record(resent, seq)
        assert restored.answer_of(DEVICE, "p1") == Choice("Fine")
        assert rows(again.path, "SELECT value FROM responses") == [(json.dumps({"option": "Fine"}),)]
        assert again.load_hub().answer_of(DEVICE, "p1") == Choice("Fine")


def test_3000_changes_of_one_answer_leave_one_row_and_grow_the_file_under_1_mb(tmp_path):
    """One device changing its answer 3,000 times: one row, and the file plus its WAL grow < 1 MB."""
    store = create_session("Flood", "", data_dir=tmp_path)
    hub = opened(store, "p1", TEXT)
    store.close()
    before = sum(file.stat().st_size for file in tmp_path.iterdir())
    with open_session(store.path) as store:
        hub = store.load_hub()
        text = "x" * 500
        responses = [
            hub.receive(DEVICE, Answer(f"answer-{n:05d}", "p1", {"text": f"{n} {text}"[:500]}))
            for n in range(3000)
        ]
        for response, future in [(response, store.add_response(response)) for response in responses]:
            hub.record(response, future.result(timeout=30))
        assert hub.results("p1").texts == (f"2999 {text}"[:500],)
        assert rows(store.path, "SELECT COUNT(*) FROM responses") == [(1,)]
        rows(store.path, "PRAGMA wal_checkpoint(TRUNCATE)")
        grown = sum(file.stat().st_size for file in tmp_path.iterdir()) - before
    assert grown < 1_000_000, f"the session's files grew by {grown} bytes"


def test_writes_from_many_threads_are_batched_and_all_committed(store):
    """Concurrent writers each get their own sequence number; all rows are there."""
    hub = opened(store, "p1", TEXT)
    responses = [
        hub.receive(f"device-{i:016d}", Answer(f"answer-{i:04d}", "p1", {"text": str(i)})) for i in range(200)
    ]
    futures = []
    lock = threading.Lock()

    def submit(chunk):
        for response in chunk:
            future = store.add_response(response)
            with lock:
                futures.append(future)

    threads = [threading.Thread(target=submit, args=(responses[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seqs = [future.result(timeout=5) for future in futures]
    assert len(set(seqs)) == 200
    assert rows(store.path, "SELECT COUNT(*) FROM responses") == [(200,)]


def test_a_failing_write_does_not_fail_the_others_in_its_batch(store):
    """A write refused by the database fails alone; the batch around it commits."""
    hub = opened(store, "p1", TEXT)
    good = hub.receive(DEVICE, Answer("answer-01", "p1", {"text": "ok"}))
    orphan = Response("never-opened", "r" * 64, "k" * 64, Text("orphan"))
    futures = [store.add_response(good), store.add_response(orphan), store.add_response(good)]
    assert futures[0].result(timeout=5) == futures[2].result(timeout=5)
    with pytest.raises(sqlite3.IntegrityError):
        futures[1].result(timeout=5)
    assert rows(store.path, "SELECT value FROM responses") == [(json.dumps({"text": "ok"}),)]


def held_writer(store) -> threading.Event:
    """Keep the writer busy until the event is set, so what is submitted meanwhile commits as one batch."""
    release, holding = threading.Event(), threading.Event()

    def hold(connection: sqlite3.Connection) -> None:
        holding.set()
        release.wait(5)

    store._writer.submit(hold)
    assert holding.wait(5)  # running: jobs submitted from now on wait for the next batch
    return release


def test_one_batch_stores_like_one_answer_at_a_time(store):
    """In one batch: a resend gets its first copy's number, a changed answer replaces the earlier one,
    and an answer the database refuses fails alone."""
    hub = opened(store, "p1", CHOICE)
    first = hub.receive(DEVICE, Answer("answer-01", "p1", {"option": "Scared"}))
    other = hub.receive("device-other-0000000", Answer("answer-02", "p1", {"option": "Curious"}))
    changed = hub.receive(DEVICE, Answer("answer-03", "p1", {"option": "Fine"}))
    orphan = Response("never-opened", "r" * 64, "k" * 64, Text("orphan"))
    release = held_writer(store)
    futures = [store.add_response(r) for r in (first, other, changed, first, orphan)]
    release.set()
    seqs = [future.result(timeout=5) for future in futures[:4]]
    with pytest.raises(sqlite3.IntegrityError):
        futures[4].result(timeout=5)
    assert seqs[0] == seqs[3] < seqs[1] < seqs[2]
    assert rows(store.path, "SELECT seq, value FROM responses ORDER BY seq") == [
        (seqs[1], json.dumps({"option": "Curious"})),
        (seqs[2], json.dumps({"option": "Fine"})),
    ]
    assert rows(store.path, "SELECT answer_key, seq FROM replaced_answers") == [(first.answer_key, seqs[0])]
    assert store.load_hub().answer_of(DEVICE, "p1") == Choice("Fine")


def test_a_phone_changing_its_answer_within_one_batch_is_stored_by_the_batch_insert(store, monkeypatch):
    """Two answers of one phone in one batch: the later replaces the earlier, and both get their
    numbers, without falling back to one savepoint per answer."""

    def one_by_one(items):
        raise AssertionError("the batch fell back to one answer at a time")

    monkeypatch.setattr(store._writer, "_write_each", one_by_one)
    hub = opened(store, "p1", CHOICE)
    first = hub.receive(DEVICE, Answer("answer-01", "p1", {"option": "Scared"}))
    changed = hub.receive(DEVICE, Answer("answer-02", "p1", {"option": "Fine"}))
    release = held_writer(store)
    futures = [store.add_response(r) for r in (first, changed)]
    release.set()
    seqs = [future.result(timeout=5) for future in futures]
    assert seqs[0] < seqs[1]
    assert rows(store.path, "SELECT seq, value FROM responses") == [(seqs[1], json.dumps({"option": "Fine"}))]
    assert rows(store.path, "SELECT answer_key, seq FROM replaced_answers") == [(first.answer_key, seqs[0])]


def test_a_batch_of_answers_alone_is_one_insert_and_gives_the_numbers_stored(store):
    """Answers alone in a batch: one statement, committed as it ends (no BEGIN, COMMIT or read of
    the numbers), and each answer's number is the one stored, while earlier answers are replaced."""
    hub = opened(store, "p1", CHOICE)
    devices = [f"device-{n:016d}" for n in range(5)]

    def answer(device: str, answer_id: str, option: str) -> Response:
        response = hub.receive(device, Answer(answer_id, "p1", {"option": option}))
        assert response is not None
        return response

    for n, device in enumerate(devices[:3]):  # three phones answered before
        store.add_response(answer(device, f"answer-0{n}", "Fine")).result(timeout=5)
    statements: list[str] = []
    trace = store._writer.submit(lambda connection: connection.set_trace_callback(statements.append))
    trace.result(timeout=5)
    release = held_writer(store)
    batch = [answer(device, f"answer-1{n}", "Scared") for n, device in enumerate(devices)]
    batch.append(answer(devices[4], "answer-20", "Curious"))  # changed within the batch
    futures = [store.add_response(response) for response in batch]
    release.set()
    numbers = {
        response.answer_key: future.result(timeout=5) for response, future in zip(batch, futures, strict=True)
    }
    stored = dict(
        rows(store.path, "SELECT * FROM replaced_answers UNION SELECT answer_key, seq FROM responses")
    )
    assert numbers == {key: stored[key] for key in numbers}
    assert len(set(numbers.values())) == 6
    assert rows(store.path, "SELECT COUNT(*) FROM responses") == [(5,)]
    after_held = statements[len(statements) - statements[::-1].index("COMMIT") :]
    # The trace names the insert again for each run of its trigger; the checkpoint scrubs the WAL.
    (statement,) = {sql for sql in after_held if not sql.startswith("PRAGMA wal_checkpoint")}
    assert statement.startswith("INSERT INTO responses")


async def test_a_commit_wakes_the_event_loop_once_for_its_batch(store):
    """commit_response gives futures of the running loop; one commit resolves all of its batch at once."""
    hub = opened(store, "p1", CHOICE)
    responses = [
        hub.receive(f"device-{n:016d}", Answer(f"answer-{n:02d}", "p1", {"option": "Fine"})) for n in range(3)
    ]
    release = held_writer(store)
    futures = [store.commit_response(response) for response in responses]
    release.set()
    first = await futures[0]
    assert all(future.done() for future in futures)
    assert [future.result() for future in futures] == [first, first + 1, first + 2]


async def test_a_committed_answer_is_counted_even_if_its_phone_stopped_waiting(store):
    """commit_response's callback gets the number once committed, even after its future was cancelled."""
    hub = opened(store, "p1", CHOICE)
    response = hub.receive(DEVICE, Answer("answer-01", "p1", {"option": "Fine"}))
    counted: list[int] = []
    release = held_writer(store)
    store.commit_response(response, counted.append).cancel()
    release.set()
    async with asyncio.timeout(5):
        while not counted:
            await asyncio.sleep(0.01)
    assert rows(store.path, "SELECT seq FROM responses") == [(counted[0],)]


def test_a_closed_store_refuses_writes(store):
    """After close, writes fail at once rather than vanish."""
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.save_state({"step": 1})


KILLED_AFTER_ACK = textwrap.dedent(
    """
    import sys, threading
    from participant.core.hub import Hub
    from participant.core.wire import Answer, OpenPrompt
    from participant.io.store import create_session

    store = create_session("Killed", "", data_dir=sys.argv[1])
    store.prompt_opened(OpenPrompt("p1", {"kind": "text", "question": "Q"}), 1)
    hub = store.load_hub()
    response = hub.receive("device-0123456789abcdef", Answer("answer-01", "p1", {"text": "acked"}))
    store.add_response(response).result()
    store.save_state({"step": 3, "timer": {"remaining": 120}})
    print(store.path, flush=True)  # the ack
    threading.Event().wait()
    """
)


def test_an_acked_response_survives_kill_9(tmp_path):
    """A process killed with SIGKILL right after the ack leaves the response in the file."""
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_AFTER_ACK, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        path = Path(process.stdout.readline().strip())
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        process.kill()
        process.stdout.close()
    assert rows(path, "SELECT prompt_id, value FROM responses") == [("p1", json.dumps({"text": "acked"}))]
    with open_session(path) as store:
        hub = store.load_hub()
        assert hub.results("p1").texts == ("acked",)
        assert hub.current == OpenPrompt("p1", {"kind": "text", "question": "Q"})


# --- Anonymity ---------------------------------------------------------------------------------------


def test_no_device_or_answer_id_reaches_the_file(store):
    """The file's bytes (database and WAL) never contain the raw device id or client answer id."""
    hub = opened(store, "p1", TEXT)
    respond(store, hub, "device-NEVER-STORED-42", "answer-NEVER-STORED", "p1", {"text": "hello"})
    store.close()
    data = b"".join(path.read_bytes() for path in store.path.parent.glob(f"{store.path.name}*"))
    assert b"hello" in data
    assert b"NEVER-STORED" not in data


def test_respondents_are_keyed_by_hmac_of_prompt_and_device(store):
    """The stored respondent is HMAC-SHA256(session secret, prompt id + device id)."""
    hub = opened(store, "p1", TEXT)
    respond(store, hub, DEVICE, "answer-01", "p1", {"text": "x"})
    expected = hmac.new(
        store.session.secret, json.dumps(["respondent", "p1", DEVICE]).encode(), hashlib.sha256
    ).hexdigest()
    assert rows(store.path, "SELECT respondent FROM responses") == [(expected,)]


def test_one_device_cannot_be_linked_across_prompts_in_the_file(store):
    """The same phone answering two prompts leaves two unrelated respondent keys."""
    hub = opened(store, "p1", TEXT)
    respond(store, hub, DEVICE, "answer-01", "p1", {"text": "x"})
    hub = opened(store, "p2", TEXT)
    respond(store, hub, DEVICE, "answer-02", "p2", {"text": "y"})
    (first,), (second,) = rows(store.path, "SELECT respondent FROM responses ORDER BY seq")
    assert first != second


def test_the_schema_has_no_place_for_identities(store):
    """No column could hold a name, an IP address or a user agent."""
    columns = {
        column
        for (table,) in rows(store.path, "SELECT name FROM sqlite_master WHERE type = 'table'")
        for (_, column, *_) in rows(store.path, f"PRAGMA table_info({table})")
    }
    assert not columns & {"device", "device_id", "ip", "address", "user_agent", "name", "answer_id"}


# --- Resumable --------------------------------------------------------------------------------------


def test_the_runner_state_is_saved_and_loaded(store):
    """save_state replaces the whole state; load_state gives back the last one."""
    assert store.load_state() == {}
    store.save_state({"step": 2, "timer": {"remaining": 300, "running": True}})
    store.save_state({"step": 3, "history": [1, 2]})
    assert store.load_state() == {"step": 3, "history": [1, 2]}


def test_prompts_record_their_step_and_times(store):
    """Opening a prompt closes the open one; reopening clears its close time and keeps its first opening."""
    store.prompt_opened(OpenPrompt("p1", CHOICE), 2)
    store.prompt_opened(OpenPrompt("p2", TEXT), 4)
    store.prompt_closed("p2")
    store.prompt_opened(OpenPrompt("p1", CHOICE), 2)
    p1, p2 = store.prompts()
    assert (p1.prompt, p1.step, p1.closed) == (OpenPrompt("p1", CHOICE), 2, None)
    assert (p2.prompt, p2.step) == (OpenPrompt("p2", TEXT), 4)
    assert p1.opened < p2.opened < p2.closed


def test_a_reopened_store_rebuilds_the_hub(store):
    """After closing and reopening the file, the hub has the same prompts, answers and open prompt."""
    hub = opened(store, "p1", CHOICE)
    for i, option in enumerate(["Scared", "Fine", "Fine"]):
        respond(store, hub, f"device-{i:016d}", f"answer-{i:04d}", "p1", {"option": option})
    store.prompt_opened(OpenPrompt("p2", TEXT), 2)
    hub.open_prompt("p2", TEXT)
    store.close()
    with open_session(store.path) as again:
        rebuilt = again.load_hub()
        assert rebuilt.results("p1") == hub.results("p1")
        assert rebuilt.current == OpenPrompt("p2", TEXT)
        assert rebuilt.receive("device-0000000000000001", Answer("answer-0001", "p1", {})) is None


def test_a_store_with_no_open_prompt_restores_none(store):
    """A session whose last prompt was closed resumes with no prompt open."""
    store.prompt_opened(OpenPrompt("p1", TEXT), 1)
    store.prompt_closed("p1")
    assert store.load_hub().current is None


def test_a_version_1_file_is_upgraded_to_one_answer_per_respondent(store):
    """A file from before answers were replaced keeps each respondent's latest answer; resends of the
    others are still recognised."""
    hub = opened(store, "p1", CHOICE)
    respond(store, hub, DEVICE, "answer-01", "p1", {"option": "Scared"})
    store.close()
    old = sqlite3.connect(store.path, isolation_level=None)
    old.executescript(
        "DROP TABLE replaced_answers; DROP TABLE joined; ALTER TABLE responses DROP COLUMN received;"
        " ALTER TABLE notes DROP COLUMN prompt; ALTER TABLE notes DROP COLUMN theme;"
        " ALTER TABLE notes DROP COLUMN starred; PRAGMA user_version = 1;"
        "INSERT INTO responses (prompt_id, respondent, answer_key, value)"
        " SELECT prompt_id, respondent, 'k2', '{\"option\": \"Fine\"}' FROM responses;"
    )
    old.close()
    with open_session(store.path) as again:
        assert again.load_hub().answer_of(DEVICE, "p1") == Choice("Fine")
        first = hub.receive(DEVICE, Answer("answer-01", "p1", {"option": "Scared"}))
        assert first is None or again.add_response(first).result(timeout=5) == 1
    assert rows(store.path, "SELECT answer_key FROM responses") == [("k2",)]
    assert rows(store.path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


# --- Write health --------------------------------------------------------------------------------


def test_a_failing_disk_is_reported_once_and_its_recovery_once(store):
    """While commits fail, writes fail with a StoreError for the trainer; the health callback hears of
    the failure once, however many batches fail, and of the recovery once, at the first good commit."""
    heard = []
    store.on_write_health(heard.append)
    store.save_state({"step": 1}).result(timeout=5)
    assert heard == []  # it was working already
    store.inject_write_failure(OSError(errno.ENOSPC, "No space left on device"))
    for step in (2, 3):
        with pytest.raises(StoreError) as failed:
            store.save_state({"step": step}).result(timeout=5)
    assert str(failed.value) == (
        f"Cannot write the session file {store.path}: the disk is full. Free some space;"
        " answers are refused until then."
    )
    assert [str(error) for error in heard] == [str(failed.value)]
    assert store.write_error is not None
    store.inject_write_failure(None)
    store.flush()
    assert len(heard) == 1  # a batch that writes nothing proves nothing
    store.save_state({"step": 4}).result(timeout=5)
    assert heard[1:] == [None]
    assert store.write_error is None
    assert store.load_state() == {"step": 4}


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        (sqlite3.SQLITE_FULL, "the disk is full. Free some space"),
        (sqlite3.SQLITE_READONLY, "it is read-only. Make {dir} and the file writable"),
        (sqlite3.SQLITE_BUSY, "another program has locked it. Close other programs using it"),
        (sqlite3.SQLITE_IOERR_WRITE, "the disk reported an error (disk I/O error). Check that"),
    ],
)
def test_each_kind_of_write_failure_says_what_to_do(store, code, problem):
    """SQLite's result codes are told apart: full, read-only, locked, I/O error."""
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorcode = code
    store.inject_write_failure(error)
    with pytest.raises(StoreError, match=re.escape(problem.format(dir=store.path.parent))):
        store.save_state({"step": 1}).result(timeout=5)


REAL_DISK_FULL = textwrap.dedent(
    """
    import resource, signal, sys
    from participant.core.wire import Answer, OpenPrompt
    from participant.io.store import create_session

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail instead
    store = create_session("Full", "", data_dir=sys.argv[1])
    store.on_write_health(lambda error: print("health:", error, flush=True))
    store.prompt_opened(OpenPrompt("p1", {"kind": "text", "question": "Q"}), 1).result()
    hub = store.load_hub()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (store.path.stat().st_size + 64_000, hard))
    for n in range(1000):
        device = f"device-{n:016d}"
        response = hub.receive(device, Answer(f"answer-{n:04d}", "p1", {"text": "x" * 500}))
        try:
            store.add_response(response).result()
        except Exception as error:
            print("refused:", type(error).__name__, flush=True)
            break
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    store.add_response(response).result()
    print("stored again", flush=True)
    store.close()
    """
)


def test_a_real_write_failure_is_reported_and_so_is_the_recovery(tmp_path):
    """A file-size limit makes the disk refuse writes for real: the answer is refused with a
    StoreError, the health callback says so, and says None once the limit is lifted and a write works."""
    result = subprocess.run(
        [sys.executable, "-c", REAL_DISK_FULL, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"health: Cannot write the session file {tmp_path}")
    assert lines[0].endswith("answers are refused until then.")
    assert lines[1:] == ["refused: StoreError", "health: None", "stored again"]


# --- Damaged files -----------------------------------------------------------------------------


def read_everything(path: Path) -> None:
    with open_session(path) as store:
        store.load_hub()
        store.load_state()
        store.notes()


def edit(path: Path, sql: str) -> None:
    """Change the file by hand, as someone with a database tool might."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.executescript(sql)
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE session SET created = 'yesterday'", "the session's creation time 'yesterday' is not a date"),
        ("UPDATE session SET secret = x'0102'", "the session's secret is 2 bytes, not 32 bytes"),
        (
            "UPDATE session SET agenda_source = CAST(x'ff41' AS TEXT)",
            "SQLite cannot read it (Could not decode",
        ),
        (
            'UPDATE prompts SET wire = \'{"kind": "poll"}\'',
            "prompt 'p1' cannot be asked: prompt p1: kind is 'poll'",
        ),
        ("UPDATE responses SET value = '{\"option\": 5'", "answer 1 is not valid JSON"),
        ('UPDATE responses SET value = \'{"option": "Nope"}\'', "is no answer to prompt 'p1'"),
        ("INSERT INTO state VALUES ('runner', '{')", "the saved state 'runner' is not valid JSON"),
        ("DROP TABLE notes", "SQLite cannot read it (no such table: notes)"),
    ],
)
def test_a_damaged_file_is_one_line_naming_it_and_the_problem(store, sql, problem):
    """Hand edits and damage are refused by the reads with SessionDamaged, never another exception."""
    hub = opened(store, "p1", CHOICE)
    respond(store, hub, DEVICE, "answer-01", "p1", {"option": "Scared"})
    store.close()
    edit(store.path, sql)
    with pytest.raises(SessionDamaged) as damaged:
        read_everything(store.path)
    assert str(damaged.value).startswith(f"{store.path}: damaged session file: ")
    assert problem in str(damaged.value)
    assert "\n" not in str(damaged.value)


def test_sessions_that_cannot_be_read_are_listed_apart_and_latest_will_not_skip_them(tmp_path):
    """scan_sessions lists the readable sessions and the unreadable files; `latest` refuses to pass
    over a newer damaged session to an older one."""
    clock = Clock()
    older = create_session("Older", "", data_dir=tmp_path, now=clock)
    newer = create_session("Newer", "", data_dir=tmp_path, now=clock)
    older.close()
    newer.close()
    edit(newer.path, "UPDATE session SET created = 'soon'")
    os.utime(older.path, (1, 1))
    sessions, unreadable = scan_sessions(tmp_path)
    assert [session.title for session in sessions] == ["Older"]
    assert [error.path for error in unreadable] == [newer.path]
    with pytest.raises(SessionDamaged, match="'soon' is not a date"):
        find_session("latest", tmp_path)
    assert find_session(older.session.id, tmp_path) == older.path


def test_phones_that_joined_are_counted_once_each(tmp_path):
    """A phone joining again (another tab, a reconnect, after a restart) counts once; the count
    survives reopening."""
    store = create_session("W", "", data_dir=tmp_path)
    for key in ("a" * 64, "b" * 64, "a" * 64):
        store.phone_joined(key).result()
    assert store.phones_joined() == 2
    store.close()
    with open_session(store.session.id, data_dir=tmp_path) as again:
        again.phone_joined("b" * 64).result()
        assert again.phones_joined() == 2


def test_a_notes_prompt_theme_and_star_are_stored_and_a_version_3_file_gets_them_unset(store):
    """What a room filed comes back after a restart; notes of an older file answer the first prompt,
    unsorted and unstarred."""
    store.save_note(
        Note("step-2", 1, "note-0001", "We trust each other", prompt=1, theme="Trust", starred=True)
    )
    store.save_note(Note("step-2", 2, "note-0002", "We laugh")).result(timeout=5)
    assert store.notes()[0] == Note(
        "step-2", 1, "note-0001", "We trust each other", 1, False, 1, "Trust", True
    )
    store.close()
    old = sqlite3.connect(store.path, isolation_level=None)
    old.executescript(
        "ALTER TABLE notes DROP COLUMN prompt; ALTER TABLE notes DROP COLUMN theme;"
        " ALTER TABLE notes DROP COLUMN starred; PRAGMA user_version = 3;"
    )
    old.close()
    with open_session(store.path) as again:
        assert [(n.text, n.prompt, n.theme, n.starred) for n in again.notes()] == [
            ("We trust each other", 0, "", False),
            ("We laugh", 0, "", False),
        ]


def test_a_new_session_file_is_readable_by_the_laptops_user_only(store):
    """The session holds the secret room links come from: 0600, and so are SQLite's side files."""
    store.save_state({"step": 1}).result(timeout=5)
    for path in store.path.parent.glob(f"{store.path.name}*"):
        assert path.stat().st_mode & 0o777 == 0o600, path.name
