"""The session database: one SQLite file per session, written by one thread.

A session's file holds everything needed to continue it after a crash: the session (its join code,
its secret, the agenda source as run), the trainer's runner state, the prompts opened, and every
response. Nothing in it names a person: responses are keyed by HMAC hashes (see
:class:`participant.core.hub.Keys`), never by device id, and no IP address or user agent is kept.

Durability before ack: every write goes to one writer thread that owns the connection. It takes
whatever jobs are waiting (up to :data:`MAX_BATCH`), runs each in its own savepoint, commits them
in one transaction, and only then resolves their futures; the server acks an answer when its future
resolves, so an acked answer is on disk. The asyncio loop never waits on the disk: it only puts a job
on a queue and awaits a future. Batching costs no latency: jobs that arrive while a commit runs go
into the next one, and no job waits for others to arrive.

The read methods (:meth:`Store.load_state`, :meth:`Store.prompts`, ...) run on the same thread,
after the writes submitted before them, and block the caller: call them at start-up or through
``asyncio.to_thread``.
"""

from __future__ import annotations

import json
import logging
import queue
import secrets
import sqlite3
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from participant.core.hub import Hub, Response
from participant.core.notes import Note
from participant.core.wire import DEFAULT_MIN_RESPONSES, OpenPrompt, stored_answer_value

log = logging.getLogger(__name__)

SUFFIX = ".sqlite3"
SCHEMA_VERSION = 1
MAX_BATCH = 500
"""Most jobs committed in one transaction."""
JOIN_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""Lower-case letters and digits that cannot be mistaken for one another (no 0/o, 1/l/i)."""
JOIN_CODE_LENGTH = 10
"""About 49 bits: a code cannot be guessed, and can still be typed from the projector."""
SECRET_BYTES = 32

_SCHEMA = """
CREATE TABLE session (
    id TEXT PRIMARY KEY,
    join_code TEXT NOT NULL,
    secret BLOB NOT NULL,
    title TEXT NOT NULL,
    created TEXT NOT NULL,
    agenda_source TEXT NOT NULL,
    agenda_path TEXT
);
CREATE TABLE state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE prompts (
    id TEXT PRIMARY KEY,
    step INTEGER,
    wire TEXT NOT NULL,
    opened TEXT NOT NULL,
    closed TEXT
);
CREATE TABLE responses (
    seq INTEGER PRIMARY KEY,
    prompt_id TEXT NOT NULL REFERENCES prompts (id),
    respondent TEXT NOT NULL,
    answer_key TEXT NOT NULL UNIQUE,
    value TEXT NOT NULL
);
CREATE INDEX responses_by_respondent ON responses (prompt_id, respondent, seq);
CREATE TABLE notes (
    breakout TEXT NOT NULL,
    room INTEGER NOT NULL,
    id TEXT NOT NULL,
    text TEXT NOT NULL,
    rev INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    added TEXT NOT NULL,
    PRIMARY KEY (breakout, room, id)
);
"""
# respondent = HMAC(secret, prompt id + device id); answer_key = HMAC(secret, device id + answer id).
# The client's answer id is hashed too: a page could build it from the device id, which would link
# one person's answers across prompts.

T = TypeVar("T")


def default_data_dir() -> Path:
    """Where sessions are kept unless told otherwise: the platform's user data directory."""
    return Path(platformdirs.user_data_dir("facilitate"))


def _now() -> datetime:
    return datetime.now().astimezone()


def _connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """A connection to a session database; :class:`SessionNotFound` if ``path`` is not one."""
    mode = "rwc" if create else "rw"
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as error:
        raise SessionNotFound(f"Cannot open {path}: {error}") from None
    try:
        # Check before changing anything: another program's database is left as it was.
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        if not create and version != SCHEMA_VERSION:
            raise SessionNotFound(f"{path} is not a facilitate session database")
        connection.execute("PRAGMA journal_mode = WAL")
        # In WAL mode, synchronous=NORMAL makes a commit a write() into the WAL file, with no fsync: a
        # crash of this process (kill -9) loses nothing committed, since the operating system holds the
        # written pages. Only a power cut or an OS crash could lose the last commits, and FULL (an fsync
        # per commit) would cost each batch several milliseconds on a laptop disk.
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA busy_timeout = 5000")
    except sqlite3.Error as error:
        connection.close()
        raise SessionNotFound(f"{path} is not a facilitate session database ({error})") from None
    except SessionNotFound:
        connection.close()
        raise
    return connection


class SessionNotFound(LookupError):
    """No session matches what was asked for; the message says where it looked."""


class StoreError(RuntimeError):
    """A write could not be committed (disk full, database damaged, ...)."""


@dataclass(frozen=True)
class SessionInfo:
    """The session row. ``secret`` keys the hashes that stand in for devices; it never leaves the file."""

    id: str
    join_code: str
    title: str
    created: datetime
    agenda_source: str
    agenda_path: str | None
    secret: bytes = field(repr=False)


@dataclass(frozen=True)
class SessionSummary:
    """One line of the session list: ``responses`` counts each respondent's answer to a prompt once."""

    id: str
    title: str
    created: datetime
    responses: int
    path: Path


@dataclass(frozen=True)
class PromptRecord:
    """A prompt as it was opened: at which step, with what data, when (``closed`` None: still open)."""

    prompt: OpenPrompt
    step: int | None
    opened: datetime
    closed: datetime | None


# --- Sessions in a data directory ------------------------------------------------------------------


def new_join_code() -> str:
    """An unguessable join code for a session's URL."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def create_session(
    title: str,
    agenda_source: str,
    agenda_path: str | Path | None = None,
    *,
    data_dir: Path | None = None,
    now: Callable[[], datetime] = _now,
) -> Store:
    """Create a new session's database in ``data_dir`` and open it."""
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    created = now()
    while True:
        session_id = f"{created:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        path = directory / f"{session_id}{SUFFIX}"
        if not path.exists():
            break
    connection = _connect(path, create=True)
    try:
        connection.executescript(_SCHEMA)
        connection.execute("BEGIN")
        connection.execute(
            "INSERT INTO session VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                new_join_code(),
                secrets.token_bytes(SECRET_BYTES),
                title,
                created.isoformat(),
                agenda_source,
                None if agenda_path is None else str(agenda_path),
            ),
        )
        # The version is set last: a file whose creation was interrupted is not taken for a session.
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    finally:
        connection.close()
    return Store(path, now=now)


def _read_summary(path: Path) -> SessionSummary | None:
    try:
        connection = _connect(path)
    except SessionNotFound:
        return None
    try:
        session_id, title, created = connection.execute("SELECT id, title, created FROM session").fetchone()
        (responses,) = connection.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT prompt_id, respondent FROM responses)"
        ).fetchone()
    except (sqlite3.Error, TypeError):
        return None
    finally:
        connection.close()
    return SessionSummary(session_id, title, datetime.fromisoformat(created), responses, path)


def list_sessions(data_dir: Path | None = None) -> list[SessionSummary]:
    """The sessions in ``data_dir``, oldest first. Files that are not session databases are skipped."""
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    if not directory.is_dir():
        return []
    summaries = (_read_summary(path) for path in sorted(directory.glob(f"*{SUFFIX}")))
    return sorted((summary for summary in summaries if summary), key=lambda summary: summary.created)


def find_session(ref: str | Path = "latest", data_dir: Path | None = None) -> Path:
    """The database of a session given as an id, a path, or ``latest``; :class:`SessionNotFound` if none."""
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    if str(ref) == "latest":
        sessions = list_sessions(directory)
        if not sessions:
            raise SessionNotFound(f"No sessions yet in {directory}")
        return sessions[-1].path
    path = Path(ref)
    if path.is_file():
        return path
    by_id = directory / f"{ref}{SUFFIX}"
    if by_id.is_file() and path.name == str(ref):
        return by_id
    raise SessionNotFound(f"No session {str(ref)!r} in {directory}: `facilitate sessions` lists them")


def open_session(ref: str | Path = "latest", *, data_dir: Path | None = None) -> Store:
    """Open a stored session given as an id, a path, or ``latest``."""
    return Store(find_session(ref, data_dir))


# --- The writer thread ----------------------------------------------------------------------------


_Job = tuple[Callable[[sqlite3.Connection], Any], "Future[Any]"]


class _Writer:
    """One thread that owns the connection; jobs run in order, and waiting jobs commit together."""

    def __init__(self, path: Path) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._connection = _connect(path)
        self._thread = threading.Thread(target=self._run, name=f"store {path.name}", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[sqlite3.Connection], T]) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise StoreError("the session database is closed")
            self._jobs.put((job, future))
        return future

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        try:
            while True:
                batch = [self._jobs.get()]
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(self._jobs.get_nowait())
                    except queue.Empty:
                        break
                self._commit([job for job in batch if job is not None])
                if None in batch:
                    return
        finally:
            self._connection.close()

    def _commit(self, jobs: list[_Job]) -> None:
        connection = self._connection
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            connection.execute("BEGIN IMMEDIATE")
            for job, future in jobs:
                if not future.set_running_or_notify_cancel():
                    continue
                connection.execute("SAVEPOINT job")
                try:
                    result = job(connection)
                except Exception as error:
                    connection.execute("ROLLBACK TO job")
                    outcomes.append((future, None, error))
                else:
                    outcomes.append((future, result, None))
                connection.execute("RELEASE job")
            connection.execute("COMMIT")
        except Exception as error:
            log.exception("could not commit %d writes to the session database", len(jobs))
            if connection.in_transaction:
                try:
                    connection.execute("ROLLBACK")
                except sqlite3.Error:
                    log.exception("could not roll back")
            failure = StoreError(f"could not save to the session database: {error}")
            running = {id(future) for future, _, _ in outcomes}
            outcomes = [
                (future, None, failure)
                for _, future in jobs
                if id(future) in running or (not future.done() and future.set_running_or_notify_cancel())
            ]
        for future, result, exception in outcomes:
            if exception is None:
                future.set_result(result)
            else:
                future.set_exception(exception)


# --- One session's database -------------------------------------------------------------------------


class Store:
    """One session's database. Writes return futures resolved after their commit; reads block."""

    def __init__(self, path: Path, *, now: Callable[[], datetime] = _now) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise SessionNotFound(f"No session database at {self.path}")
        self._now = now
        self._writer = _Writer(self.path)
        try:
            self.session = self._read(_read_session)
        except Exception:
            self._writer.close()
            raise

    def close(self) -> None:
        """Commit what is pending and close the database."""
        self._writer.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _read(self, job: Callable[[sqlite3.Connection], T]) -> T:
        return self._writer.submit(job).result()

    def flush(self) -> None:
        """Block until everything submitted so far is committed."""
        self._read(lambda connection: None)

    # --- Writes ------------------------------------------------------------------------------------

    def save_state(self, state: Mapping[str, Any]) -> Future[None]:
        """Replace the trainer's runner state with ``state`` (JSON-ready, one row per top-level key)."""
        rows = [(str(key), json.dumps(value)) for key, value in state.items()]

        def job(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM state")
            connection.executemany("INSERT INTO state VALUES (?, ?)", rows)

        return self._writer.submit(job)

    def prompt_opened(self, prompt: OpenPrompt, step: int | None = None) -> Future[None]:
        """Record that ``prompt`` opened (and any other open prompt closed). Reopening keeps its answers."""
        at, wire = self._now().isoformat(), json.dumps(dict(prompt.wire), ensure_ascii=False)

        def job(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE prompts SET closed = ? WHERE closed IS NULL AND id != ?", (at, prompt.id)
            )
            connection.execute(
                "INSERT INTO prompts (id, step, wire, opened) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET step = excluded.step, wire = excluded.wire, closed = NULL",
                (prompt.id, step, wire, at),
            )

        return self._writer.submit(job)

    def prompt_closed(self, prompt_id: str) -> Future[None]:
        """Record that the prompt closed."""
        at = self._now().isoformat()

        def job(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE prompts SET closed = ? WHERE id = ? AND closed IS NULL", (at, prompt_id)
            )

        return self._writer.submit(job)

    def add_response(self, response: Response) -> Future[int]:
        """Store a response once; the future gives its sequence number (the first copy's, for a resend)."""
        value = json.dumps(response.value.to_wire(), ensure_ascii=False)
        row = (response.prompt_id, response.respondent, response.answer_key, value)

        def job(connection: sqlite3.Connection) -> int:
            connection.execute(
                "INSERT INTO responses (prompt_id, respondent, answer_key, value) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (answer_key) DO NOTHING",
                row,
            )
            (seq,) = connection.execute(
                "SELECT seq FROM responses WHERE answer_key = ?", (response.answer_key,)
            ).fetchone()
            return int(seq)

        return self._writer.submit(job)

    def save_note(self, note: Note) -> Future[None]:
        """Store a note's newest version (a later revision replaces an earlier one, never the reverse)."""
        row = (
            note.breakout,
            note.room,
            note.id,
            note.text,
            note.rev,
            int(note.deleted),
            self._now().isoformat(),
        )

        def job(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (breakout, room, id) DO UPDATE"
                " SET text = excluded.text, rev = excluded.rev, deleted = excluded.deleted"
                " WHERE excluded.rev > notes.rev",
                row,
            )

        return self._writer.submit(job)

    # --- Reads ---------------------------------------------------------------------------------------

    def notes(self) -> list[Note]:
        """Every note's newest version (deleted ones too), in the order they were added."""
        rows = self._read(
            lambda connection: connection.execute(
                "SELECT breakout, room, id, text, rev, deleted FROM notes ORDER BY added, rowid"
            ).fetchall()
        )
        return [
            Note(breakout, room, note_id, text, rev, bool(deleted))
            for breakout, room, note_id, text, rev, deleted in rows
        ]

    def load_state(self) -> dict[str, Any]:
        """The trainer's runner state as last saved (empty if never saved)."""
        rows = self._read(lambda connection: connection.execute("SELECT key, value FROM state").fetchall())
        return {key: json.loads(value) for key, value in rows}

    def prompts(self) -> list[PromptRecord]:
        """Every prompt opened in this session, in the order first opened."""
        rows = self._read(
            lambda connection: connection.execute(
                "SELECT id, step, wire, opened, closed FROM prompts ORDER BY opened, rowid"
            ).fetchall()
        )
        return [
            PromptRecord(
                OpenPrompt(prompt_id, json.loads(wire)),
                step,
                datetime.fromisoformat(opened),
                None if closed is None else datetime.fromisoformat(closed),
            )
            for prompt_id, step, wire, opened, closed in rows
        ]

    def responses(self) -> list[tuple[int, Response]]:
        """Every stored response with its sequence number, in the order stored (changed answers too)."""
        rows = self._read(
            lambda connection: connection.execute(
                "SELECT seq, prompt_id, respondent, answer_key, value FROM responses ORDER BY seq"
            ).fetchall()
        )
        return [
            (seq, Response(prompt_id, respondent, answer_key, stored_answer_value(json.loads(value))))
            for seq, prompt_id, respondent, answer_key, value in rows
        ]

    def load_hub(self, *, min_responses: int = DEFAULT_MIN_RESPONSES) -> Hub:
        """The session's hub folded back from the database, with the prompt that was open still open."""
        records = self.prompts()
        still_open = [record.prompt.id for record in records if record.closed is None]
        return Hub.restore(
            self.session.title,
            self.session.secret,
            (record.prompt for record in records),
            self.responses(),
            still_open[-1] if still_open else None,
            min_responses=min_responses,
        )


def _read_session(connection: sqlite3.Connection) -> SessionInfo:
    row = connection.execute(
        "SELECT id, join_code, title, created, agenda_source, agenda_path, secret FROM session"
    ).fetchone()
    if row is None:
        raise SessionNotFound("The session database has no session")
    session_id, join_code, title, created, source, agenda_path, secret = row
    return SessionInfo(
        session_id, join_code, title, datetime.fromisoformat(created), source, agenda_path, secret
    )
