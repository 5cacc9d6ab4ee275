"""The session database: one SQLite file per session, written by one thread.

A session's file holds everything needed to continue it after a crash: the session (its join code,
its secret, the agenda source as run), the trainer's runner state, the prompts opened, each
respondent's latest answer to each prompt, and the breakout notes. Nothing in it names a person:
responses are keyed by HMAC hashes (see :class:`participant.core.hub.Keys`), never by device id, and
no IP address or user agent is kept.

Durability before ack: every write goes to one writer thread that owns the connection. It takes
whatever jobs are waiting (up to :data:`MAX_BATCH`), runs them (the responses among them as one
insert), commits them in one transaction, and only then resolves their futures; the server acks an
answer when its future resolves, so an acked answer is on disk. A job that fails is isolated: the
batch is rolled back and run again with each job in its own savepoint. The asyncio loop never waits
on the disk: it only puts a job on a queue and awaits a future of its own, and each commit wakes it
once. Batching costs no latency: jobs that arrive while a commit runs go into the next one, and no
job waits for others to arrive.

Deleted means deleted: a changed answer replaces the old row (only its hashed key is kept, so a resend
of it is still recognised), an edited or deleted note's old text is overwritten, ``secure_delete``
zeroes what was removed, and the WAL file is checkpointed and emptied within :data:`SCRUB_INTERVAL`.

A write that fails (disk full, read-only, locked) fails its futures with a :class:`StoreError` that
says what to do, and :meth:`Store.on_write_health` tells the trainer's side until writes work again.

The read methods (:meth:`Store.load_state`, :meth:`Store.prompts`, ...) run on the same thread,
after the writes submitted before them, and block the caller: call them at start-up or through
``asyncio.to_thread``. They check what they read: a damaged or hand-edited file raises
:class:`SessionDamaged` with one line naming the file and the problem.
"""

from __future__ import annotations

import errno
import json
import logging
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from participant.core.hub import Hub, Response, check_prompt
from participant.core.notes import Note
from participant.io.places import default_data_dir

if TYPE_CHECKING:
    import asyncio  # only the event loop's callers use it: `facilitate --help` and `check` need not load it
from participant.core.wire import (
    DEFAULT_MIN_RESPONSES,
    MAX_PROMPTS,
    MAX_ROOMS,
    OpenPrompt,
    ProtocolError,
    parse_answer_value,
)
from participant.io.trainer_link import delete_trainer_folder

log = logging.getLogger(__name__)

SUFFIX = ".sqlite3"
SCHEMA_VERSION = 4
"""1: the first format; 2 keeps one answer per respondent and prompt; 3 counts the phones that
joined and keeps when each answer came; 4 keeps which prompt each note answers, the theme it is
filed under and its star. Older files are upgraded when opened."""
MAX_BATCH = 500
"""Most jobs committed in one transaction."""
SCRUB_INTERVAL = 1.0
"""Seconds at most between a change that removed participant text and the WAL checkpoint that
empties the WAL file of it (longer only while another process reads the file)."""
JOIN_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""Lower-case letters and digits that cannot be mistaken for one another (no 0/o, 1/l/i)."""
JOIN_CODE_LENGTH = 10
"""About 49 bits: a code cannot be guessed, and can still be typed from the projector."""
SECRET_BYTES = 32

_REPLACED_ANSWERS = """
CREATE TABLE replaced_answers (
    answer_key TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
) WITHOUT ROWID
"""
# An answer replaced by a later one of the same respondent leaves only its key and sequence number
# here: a resend of it is acked again without storing anything, and its (lower) sequence number
# cannot make it win over the answer that replaced it. About 80 bytes per replaced answer, against
# the answer itself (up to 500 characters of text).

_JOINED = """
CREATE TABLE IF NOT EXISTS joined (
    key TEXT PRIMARY KEY
) WITHOUT ROWID
"""
# One row per phone that joined the session, to count them: a keyed hash of its random id, which
# cannot be linked to its answers (those are keyed per prompt, see below).

_NOTE_FILING = (
    "prompt INTEGER NOT NULL DEFAULT 0, theme TEXT NOT NULL DEFAULT '', starred INTEGER NOT NULL DEFAULT 0"
)
"""A note's prompt index, the theme it is filed under and its star (version 4)."""
_SCHEMA = f"""
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
    value TEXT NOT NULL,
    received TEXT
);
CREATE INDEX responses_by_respondent ON responses (prompt_id, respondent, seq);
{_REPLACED_ANSWERS};
{_JOINED};
CREATE TABLE notes (
    breakout TEXT NOT NULL,
    room INTEGER NOT NULL,
    id TEXT NOT NULL,
    text TEXT NOT NULL,
    rev INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    added TEXT NOT NULL,
    {_NOTE_FILING},
    PRIMARY KEY (breakout, room, id)
);
"""
# respondent = HMAC(secret, prompt id + device id); answer_key = HMAC(secret, device id + answer id).
# The client's answer id is hashed too: a page could build it from the device id, which would link
# one person's answers across prompts.

_UPGRADES: dict[int, tuple[str, ...]] = {
    1: (
        _REPLACED_ANSWERS,
        "INSERT INTO replaced_answers SELECT answer_key, seq FROM responses AS r WHERE seq <"
        " (SELECT MAX(seq) FROM responses WHERE prompt_id = r.prompt_id AND respondent = r.respondent)",
        "DELETE FROM responses WHERE answer_key IN (SELECT answer_key FROM replaced_answers)",
    ),
    2: (_JOINED, "ALTER TABLE responses ADD COLUMN received TEXT"),
    3: tuple(f"ALTER TABLE notes ADD COLUMN {column}" for column in _NOTE_FILING.split(", ")),
}
"""From each older version to the next: version 1 kept every changed answer (keep only each
respondent's latest); version 2 did not count the phones that joined, nor keep when an answer came
(both are kept from now on)."""

T = TypeVar("T")


def _now() -> datetime:
    return datetime.now().astimezone()


class SessionNotFound(LookupError):
    """No session matches what was asked for; the message says where it looked."""


class SessionDamaged(SessionNotFound):
    """A file that cannot be read as a session: damaged, edited by hand, or no session at all.

    Its message is one line: the file, then the problem.
    """

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = " ".join(problem.split())
        super().__init__(f"{path}: {self.problem}")


class StoreError(RuntimeError):
    """A write could not be committed (disk full, read-only, locked, ...); the message says what to do."""


def _damaged(path: Path, problem: str) -> SessionDamaged:
    return SessionDamaged(path, f"damaged session file: {problem}")


_READ_ERRORS = (sqlite3.Error, UnicodeDecodeError)
"""What reading a damaged file raises (SQLite hands some damaged text over undecoded)."""
_DAMAGE = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
"""SQLite's result codes for a damaged file."""


def _sqlite_problem(error: Exception) -> str:
    # "Could not decode to UTF-8 column 'x' with text '...'" would print the undecodable text.
    return f"SQLite cannot read it ({str(error).split(' with text ', 1)[0]})"


def _connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """A connection to a session database; :class:`SessionDamaged` if ``path`` holds none."""
    mode = "rwc" if create else "rw"
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as error:
        raise SessionNotFound(f"Cannot open {path}: {error}") from None
    try:
        # Check before changing anything: another program's database is left as it was.
        try:
            (version,) = connection.execute("PRAGMA user_version").fetchone()
        except _READ_ERRORS as error:
            raise SessionDamaged(path, f"not a facilitate session file ({error})") from None
        if not create and version > SCHEMA_VERSION:
            raise SessionDamaged(path, "written by a newer facilitate; update facilitate to open it")
        if not create and version < 1:
            raise SessionDamaged(path, "not a facilitate session file (another program's database)")
        connection.execute("PRAGMA journal_mode = WAL")
        # In WAL mode, synchronous=NORMAL makes a commit a write() into the WAL file, with no fsync: a
        # crash of this process (kill -9) loses nothing committed, since the operating system holds the
        # written pages. Only a power cut or an OS crash could lose the last commits, and FULL (an fsync
        # per commit) would cost each batch several milliseconds on a laptop disk.
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA busy_timeout = 5000")
        connection.execute("PRAGMA secure_delete = ON")  # deleted rows are zeroed, not left in free space
    except _READ_ERRORS as error:
        connection.close()
        raise _damaged(path, _sqlite_problem(error)) from None
    except SessionDamaged:
        connection.close()
        raise
    return connection


def _upgrade(connection: sqlite3.Connection, path: Path) -> None:
    """Bring a file written by an older version to :data:`SCHEMA_VERSION`."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if version == SCHEMA_VERSION:
        return
    try:
        connection.execute("BEGIN IMMEDIATE")
        for step in range(version, SCHEMA_VERSION):
            for statement in _UPGRADES[step]:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except sqlite3.Error as error:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise SessionDamaged(path, f"cannot be upgraded to this version's format ({error})") from None


# --- Reading what is stored, trusting nothing -------------------------------------------------------


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _json(path: Path, text: object, what: str) -> Any:
    if not isinstance(text, str | bytes):
        raise _damaged(path, f"{what} is {_shown(text)}, not JSON text")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise _damaged(path, f"{what} is not valid JSON") from None


def _date(path: Path, text: object, what: str) -> datetime:
    try:
        if isinstance(text, str):
            return datetime.fromisoformat(text)
    except ValueError:
        pass
    raise _damaged(path, f"{what} {_shown(text)} is not a date and time")


def _session_info(path: Path, row: tuple[Any, ...] | None) -> SessionInfo:
    if row is None:
        raise _damaged(path, "it holds no session")
    session_id, join_code, title, created, source, agenda_path, secret = row
    for value, what in ((session_id, "id"), (title, "title"), (source, "agenda")):
        if not isinstance(value, str):
            raise _damaged(path, f"the session's {what} is {_shown(value)}, not text")
    if agenda_path is not None and not isinstance(agenda_path, str):
        raise _damaged(path, f"the session's agenda path is {_shown(agenda_path)}, not text")
    if (
        not isinstance(join_code, str)
        or len(join_code) != JOIN_CODE_LENGTH
        or not set(join_code) <= set(JOIN_CODE_ALPHABET)
    ):
        raise _damaged(path, f"the session's join code {_shown(join_code)} is not one facilitate makes")
    if not isinstance(secret, bytes) or len(secret) != SECRET_BYTES:
        size = f"{len(secret)} bytes" if isinstance(secret, bytes) else _shown(secret)
        raise _damaged(path, f"the session's secret is {size}, not {SECRET_BYTES} bytes")
    when = _date(path, created, "the session's creation time")
    return SessionInfo(session_id, join_code, title, when, source, agenda_path, secret)


def _prompt_record(path: Path, row: tuple[Any, ...]) -> PromptRecord:
    prompt_id, step, wire, opened, closed = row
    what = f"prompt {_shown(prompt_id)}"
    data = _json(path, wire, what)
    if not isinstance(data, dict):
        raise _damaged(path, f"{what} is {_shown(data)}, not a question")
    if step is not None and type(step) is not int:
        raise _damaged(path, f"{what} has the step {_shown(step)}, not a number")
    try:
        prompt = check_prompt(prompt_id, data)
    except (ValueError, TypeError) as error:
        raise _damaged(path, f"{what} cannot be asked: {error}") from None
    return PromptRecord(
        prompt,
        step,
        _date(path, opened, f"{what}'s opening time"),
        None if closed is None else _date(path, closed, f"{what}'s closing time"),
    )


def _response(path: Path, row: tuple[Any, ...], prompts: Mapping[str, OpenPrompt]) -> tuple[int, Response]:
    seq, prompt_id, respondent, answer_key, value = row
    what = f"answer {_shown(seq)}"
    if type(seq) is not int or not isinstance(respondent, str) or not isinstance(answer_key, str):
        raise _damaged(path, f"{what} has no proper number or keys")
    prompt = prompts.get(prompt_id)
    if prompt is None:
        raise _damaged(path, f"{what} is to prompt {_shown(prompt_id)}, which was never opened")
    data = _json(path, value, what)
    try:
        # The rules phones' answers were checked by when they were stored.
        answer = parse_answer_value(prompt.wire, data)
    except (ProtocolError, ValueError, TypeError, AttributeError):
        raise _damaged(path, f"{what} ({_shown(data)}) is no answer to prompt {prompt.id!r}") from None
    return seq, Response(prompt.id, respondent, answer_key, answer)


def _note(path: Path, row: tuple[Any, ...]) -> Note:
    breakout, room, note_id, text, rev, deleted, prompt, theme, starred = row
    if not (
        isinstance(breakout, str)
        and isinstance(note_id, str)
        and isinstance(text, str)
        and type(room) is int
        and 1 <= room <= MAX_ROOMS
        and type(rev) is int
        and rev >= 1
        and deleted in (0, 1)
        and type(prompt) is int
        and 0 <= prompt < MAX_PROMPTS
        and isinstance(theme, str)
        and starred in (0, 1)
    ):
        raise _damaged(path, f"note {_shown(note_id)} of room {_shown(room)} is not well formed")
    return Note(breakout, room, note_id, text, rev, bool(deleted), prompt, theme, bool(starred))


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
    # Readable by the laptop's user only: it holds the secret the room links are made from (SQLite
    # gives its -wal and -shm files the same mode).
    path.touch(mode=0o600, exist_ok=False)
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


def _read_summary(path: Path) -> SessionSummary:
    connection = _connect(path)
    try:
        row = connection.execute("SELECT id, title, created FROM session").fetchone()
        (responses,) = connection.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT prompt_id, respondent FROM responses)"
        ).fetchone()
    except _READ_ERRORS as error:
        raise _damaged(path, _sqlite_problem(error)) from None
    finally:
        connection.close()
    if row is None:
        raise _damaged(path, "it holds no session")
    session_id, title, created = row
    if not isinstance(session_id, str) or not isinstance(title, str):
        raise _damaged(path, "the session's id or title is not text")
    return SessionSummary(
        session_id, title, _date(path, created, "the session's creation time"), responses, path
    )


def _modified(path: Path) -> float:
    """When the session last changed: its WAL file is written first, the database at checkpoints."""
    times = [file.stat().st_mtime for file in (path, Path(f"{path}-wal")) if file.exists()]
    return max(times, default=0.0)


def scan_sessions(data_dir: Path | None = None) -> tuple[list[SessionSummary], list[SessionDamaged]]:
    """The sessions in ``data_dir``, oldest first, and the session files there that cannot be read."""
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    if not directory.is_dir():
        return [], []
    summaries, unreadable = [], []
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        try:
            summaries.append(_read_summary(path))
        except SessionDamaged as error:
            unreadable.append(error)
    return sorted(summaries, key=lambda summary: summary.created), unreadable


def list_sessions(data_dir: Path | None = None) -> list[SessionSummary]:
    """The sessions in ``data_dir``, oldest first. Files that cannot be read as sessions are skipped."""
    return scan_sessions(data_dir)[0]


def log_path(session_path: Path) -> Path:
    """Where a running session logs what went wrong (``SESSION.log`` beside ``SESSION.sqlite3``)."""
    return session_path.with_suffix(".log")


def find_session(ref: str | Path = "latest", data_dir: Path | None = None) -> Path:
    """The database of a session given as an id, a path, or ``latest``; :class:`SessionNotFound` if none.

    ``latest`` is refused with :class:`SessionDamaged` when a session file changed after the latest
    readable session cannot be read: continuing an older session by mistake would mix two workshops.
    """
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    if str(ref) == "latest":
        sessions, unreadable = scan_sessions(directory)
        newest = _modified(sessions[-1].path) if sessions else float("-inf")
        damaged = [error for error in unreadable if _modified(error.path) > newest]
        if damaged:
            raise max(damaged, key=lambda error: _modified(error.path))
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


def delete_session(ref: str | Path, data_dir: Path | None = None) -> list[Path]:
    """Delete a stored session (an id, a path, or ``latest``): its file, its -wal and -shm files, its
    log, and its trainer link's folder.

    Returns the files deleted. A file given by path must be a session, or a damaged file named like
    one in the data directory: nothing else is deleted (:class:`SessionNotFound`).
    """
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    path = find_session(ref, directory)
    if path.suffix != SUFFIX or path.resolve().parent != directory.resolve():
        try:
            _read_summary(path)
        except SessionDamaged as error:
            raise SessionNotFound(f"{error}; nothing deleted") from None
    deleted = []
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), log_path(path)):
        try:
            file.unlink()
        except FileNotFoundError:
            continue
        deleted.append(file)
    trainer = delete_trainer_folder(path)
    return deleted if trainer is None else [*deleted, trainer]


# --- The writer thread ----------------------------------------------------------------------------


_Job = tuple[Callable[[sqlite3.Connection], Any], "Future[Any]"]


@dataclass(slots=True)
class _Answer:
    """A response waiting for the writer, the future to resolve with its sequence number, and what
    to call with that number first (even if the future's awaiter gave up). Not frozen: one is made
    for every answer, and a frozen dataclass's ``__init__`` costs three times as much."""

    response: Response
    future: Future[int] | asyncio.Future[int]
    committed: Callable[[int], None] | None = None


_Outcome = tuple["Future[Any] | asyncio.Future[Any] | _Answer", Any, "BaseException | None"]
"""What to resolve (a job's future, or an answer), with its result or its error."""
WriteHealth = Callable[["StoreError | None"], None]
"""Told when writing starts failing (the error) and when it works again (``None``)."""

_CANNOT_WRITE = {
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_PERM,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_IOERR,
}
"""SQLite's result codes for a file that cannot be written now (rather than a refused row)."""


def _cannot_write(error: BaseException) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, OSError) or (isinstance(code, int) and code & 0xFF in _CANNOT_WRITE)


def _write_failure(path: Path, error: BaseException) -> StoreError:
    """What failed, the file, and what to do, in words for the trainer."""
    code = getattr(error, "sqlite_errorcode", None)
    code = code & 0xFF if isinstance(code, int) else None
    number = error.errno if isinstance(error, OSError) else None
    if code == sqlite3.SQLITE_FULL or number == errno.ENOSPC:
        problem, advice = "the disk is full", "Free some space"
    elif code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM) or number in (errno.EROFS, errno.EACCES):
        problem, advice = "it is read-only", f"Make {path.parent} and the file writable"
    elif code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        problem, advice = "another program has locked it", "Close other programs using it"
    elif code in _DAMAGE:
        problem, advice = f"it is damaged ({error})", "Quit, keep a copy of the file, and start a new session"
    else:
        problem = f"the disk reported an error ({str(error) or type(error).__name__})"
        advice = "Check that the disk is there and has space"
    failure = StoreError(
        f"Cannot write the session file {path}: {problem}. {advice}; answers are refused until then."
    )
    failure.__cause__ = error
    return failure


class _Writer:
    """One thread that owns the connection; jobs run in order, and waiting jobs commit together."""

    def __init__(self, path: Path, now: Callable[[], datetime]) -> None:
        self.path = path
        self._now = now
        self._jobs: queue.SimpleQueue[_Job | _Answer | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._connection = _connect(path)
        try:
            _upgrade(self._connection, path)
            self._connection.execute(_KEEP_LATEST)
        except sqlite3.Error as error:  # a table dropped by hand
            self._connection.close()
            raise _damaged(path, _sqlite_problem(error)) from None
        except SessionDamaged:
            self._connection.close()
            raise
        self.fault: Exception | None = None
        self._failure: StoreError | None = None
        self._on_health: WriteHealth | None = None
        self._erased = False  # the writer thread's own: text was removed since the last scrub
        self._scrubbed_at = float("-inf")
        self._thread = threading.Thread(target=self._run, name=f"store {path.name}", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[sqlite3.Connection], T]) -> Future[T]:
        future: Future[T] = Future()
        self._put((job, future))
        return future

    def add(self, answer: _Answer) -> None:
        """Store a response with the others waiting (see :meth:`_insert`)."""
        self._put(answer)

    def _put(self, item: _Job | _Answer) -> None:
        with self._lock:
            if self._closed:
                raise StoreError("the session database is closed")
            self._jobs.put(item)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._jobs.put(None)
        self._thread.join()

    def erased(self) -> None:
        """Called by a job (on this thread) that removed participant text: scrub the WAL soon."""
        self._erased = True

    # --- Health -------------------------------------------------------------------------------------

    @property
    def failure(self) -> StoreError | None:
        with self._lock:
            return self._failure

    def on_health(self, callback: WriteHealth | None) -> None:
        with self._lock:
            self._on_health = callback

    def _health(self, failure: StoreError | None) -> None:
        with self._lock:
            changed = str(failure) != str(self._failure)
            self._failure, callback = failure, self._on_health
        if not changed:
            return
        if failure is None:
            log.warning("writing to %s works again", self.path)
        else:
            log.error("%s", failure, exc_info=failure.__cause__)
        if callback is not None:
            try:
                callback(failure)
            except Exception:
                log.exception("the write health callback failed")

    # --- The thread --------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                try:
                    batch = [self._jobs.get(timeout=self._until_scrub())]
                except queue.Empty:
                    self._scrub()
                    continue
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(self._jobs.get_nowait())
                    except queue.Empty:
                        break
                self._commit([job for job in batch if job is not None])
                if self._until_scrub() == 0.0:
                    self._scrub()
                if None in batch:
                    return
        finally:
            if self._erased:
                self._scrub()
            self._connection.close()

    def _until_scrub(self) -> float | None:
        if not self._erased:
            return None
        return max(0.0, self._scrubbed_at + SCRUB_INTERVAL - time.monotonic())

    def _scrub(self) -> None:
        """Checkpoint the WAL into the database and empty it: removed text leaves both files."""
        self._scrubbed_at = time.monotonic()
        try:
            (busy, _, _) = self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error:
            log.warning("could not checkpoint %s; trying again", self.path, exc_info=True)
            return
        self._erased = bool(busy)  # another process reading the file: try again later

    def _commit(self, items: list[_Job | _Answer]) -> None:
        """Commit ``items`` in one transaction, then resolve their futures.

        The whole batch runs first without savepoints; only if something in it fails is it rolled
        back and run again with each item in its own savepoint, so a refused item fails alone.
        """
        connection = self._connection
        changes = connection.total_changes
        items = [item for item in items if _claim(item)]
        failure: StoreError | None = None
        try:
            outcomes = self._answers_alone(items)
            if outcomes is None:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    outcomes = self._write_all(items)
                except Exception:
                    connection.execute("ROLLBACK")
                    connection.execute("BEGIN IMMEDIATE")
                    outcomes, failure = self._write_each(items)
                if self.fault is not None:
                    raise self.fault
                connection.execute("COMMIT")
        except Exception as error:
            if connection.in_transaction:
                try:
                    connection.execute("ROLLBACK")
                except sqlite3.Error:
                    log.exception("could not roll back")
            failure = _write_failure(self.path, error)
            outcomes = [(item if isinstance(item, _Answer) else item[1], None, failure) for item in items]
        if failure is not None or connection.total_changes != changes:
            self._health(failure)  # before the acks, so the trainer hears no later than the phones
        _settle(outcomes)

    def _answers_alone(self, items: list[_Job | _Answer]) -> list[_Outcome] | None:
        """A batch of answers alone as one insert outside a transaction, where SQLite commits it
        as the statement ends, all of it or none: one step instead of three (``BEGIN``, insert,
        ``COMMIT``), and each step waits its turn at the interpreter lock while the server's thread
        is busy. None: the batch has other jobs, or the insert failed and wrote nothing (the
        transaction then runs it again, isolating what fails)."""
        answers = [item for item in items if isinstance(item, _Answer)]
        if len(answers) != len(items) or self.fault is not None:
            return None
        try:
            return self._insert(answers)
        except Exception:
            return None

    def _write_all(self, items: list[_Job | _Answer]) -> list[_Outcome]:
        """Run every item; each run of responses is one insert (:meth:`_insert`)."""
        outcomes: list[_Outcome] = []
        answers: list[_Answer] = []
        for item in items:
            if isinstance(item, _Answer):
                answers.append(item)
                continue
            if answers:
                outcomes += self._insert(answers)
                answers = []
            job, future = item
            outcomes.append((future, job(self._connection), None))
        if answers:
            outcomes += self._insert(answers)
        return outcomes

    def _insert(self, answers: list[_Answer]) -> list[_Outcome]:
        """Store responses with one statement; if it skipped any, read every one's number with another.

        The insert skips answers already stored (resends, which get their first copy's number) and
        its trigger moves each respondent's earlier answers to ``replaced_answers``. Few statements
        matter: sqlite3 lets go of the interpreter lock at each step, and while the server's thread
        is busy each step waits its turn. When every row went in, their numbers are known without
        reading: SQLite gives each new row one more than the table's largest (the trigger removes
        only smaller ones), so one insert's rows are numbered in a row, in the order inserted."""
        connection = self._connection
        rows: dict[str, tuple[str, str, str, str]] = {}  # a resend within the batch is stored once
        for answer in answers:
            response, key = answer.response, answer.response.answer_key
            if key not in rows:
                rows[key] = (response.prompt_id, response.respondent, key, _as_json(response.value.to_wire()))
        received = self._now().isoformat(timespec="seconds")
        changes = connection.total_changes
        cursor = connection.execute(_INSERT_RESPONSES, (received, _as_json(list(rows.values()))))
        inserted = cursor.rowcount
        if connection.total_changes - changes > inserted:  # the trigger replaced answers
            self.erased()
        seqs: dict[str, int]
        if inserted == len(rows) and cursor.lastrowid is not None:
            first = cursor.lastrowid - inserted + 1
            seqs = {key: first + index for index, key in enumerate(rows)}
        else:
            (found,) = connection.execute(_SEQS_OF, (_as_json(list(rows)),)).fetchone()
            seqs = json.loads(found)
        return [(answer, seqs[answer.response.answer_key], None) for answer in answers]

    def _write_each(self, items: list[_Job | _Answer]) -> tuple[list[_Outcome], StoreError | None]:
        """Run each item in its own savepoint: one that fails is rolled back alone."""
        connection = self._connection
        outcomes: list[_Outcome] = []
        failure: StoreError | None = None
        for item in items:
            future = _future_of(item)
            connection.execute("SAVEPOINT job")
            try:
                if isinstance(item, _Answer):
                    (outcome,) = self._insert([item])
                else:
                    outcome = (future, item[0](connection), None)
            except Exception as error:
                connection.execute("ROLLBACK TO job")
                if _cannot_write(error):
                    failure = failure or _write_failure(self.path, error)
                    error = failure
                outcome = (item if isinstance(item, _Answer) else future, None, error)
            outcomes.append(outcome)
            connection.execute("RELEASE job")
        return outcomes, failure


_as_json = json.JSONEncoder(ensure_ascii=False).encode
"""``json.dumps(value, ensure_ascii=False)`` from one encoder: ``dumps`` makes one each call."""
_INSERT_RESPONSES = (
    "INSERT INTO responses (prompt_id, respondent, answer_key, value, received)"
    " SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, ?1 FROM json_each(?2)"
    " WHERE NOT EXISTS (SELECT 1 FROM replaced_answers WHERE answer_key = value ->> 2)"
    " ORDER BY key ON CONFLICT (answer_key) DO NOTHING"
)
# Every answer's number, as one JSON object (sqlite3 would hand the lock over for each row): those
# still in ``responses``, and those a later answer replaced (in this batch or before).
_SEQS_OF = (
    "SELECT json_group_object(answer_key, seq) FROM ("
    "SELECT answer_key, seq FROM responses WHERE answer_key IN (SELECT value FROM json_each(?1))"
    " UNION ALL SELECT answer_key, seq FROM replaced_answers"
    " WHERE answer_key IN (SELECT value FROM json_each(?1)))"
)
# Of a new answer's respondent, the earlier answers leave ``responses`` as it is inserted, all in the
# insert's one step. A temporary trigger: the writer's connection alone has it, the file is unchanged.
_KEEP_LATEST = """
CREATE TEMP TRIGGER keep_latest AFTER INSERT ON responses BEGIN
    INSERT INTO replaced_answers SELECT answer_key, seq FROM responses
        WHERE prompt_id = NEW.prompt_id AND respondent = NEW.respondent AND seq < NEW.seq;
    DELETE FROM responses WHERE prompt_id = NEW.prompt_id AND respondent = NEW.respondent AND seq < NEW.seq;
END
"""


def _claim(item: _Job | _Answer) -> bool:
    """Whether to write ``item``: a thread's caller may have cancelled its future meanwhile."""
    future = _future_of(item)
    return not isinstance(future, Future) or future.set_running_or_notify_cancel()


def _future_of(item: _Job | _Answer) -> Future[Any] | asyncio.Future[Any]:
    return item.future if isinstance(item, _Answer) else item[1]


def _settle(outcomes: list[_Outcome]) -> None:
    """Resolve the futures of a commit: a thread's at once, an event loop's in one call on that loop."""
    on_loops: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
    for outcome in outcomes:
        future = outcome[0].future if isinstance(outcome[0], _Answer) else outcome[0]
        if isinstance(future, Future):
            _resolve(outcome)
        else:
            on_loops.setdefault(future.get_loop(), []).append(outcome)
    for loop, settled in on_loops.items():
        try:
            loop.call_soon_threadsafe(_resolve_all, settled)
        except RuntimeError:  # the loop is closed: nobody is waiting for these
            log.warning("%d answers were committed after the event loop stopped", len(settled))


def _resolve_all(outcomes: list[_Outcome]) -> None:
    for outcome in outcomes:
        _resolve(outcome)


def _resolve(outcome: _Outcome) -> None:
    future, result, error = outcome
    if isinstance(future, _Answer):
        if error is None and future.committed is not None:
            future.committed(result)
        future = future.future
    if future.done():  # an event loop's future cancelled by its awaiter
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


# --- One session's database -------------------------------------------------------------------------


class Store:
    """One session's database. Writes return futures resolved after their commit; reads block."""

    def __init__(self, path: Path, *, now: Callable[[], datetime] = _now) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise SessionNotFound(f"No session database at {self.path}")
        self._now = now
        self._writer = _Writer(self.path, now)
        try:
            self.session = _session_info(self.path, self._read(_session_row))
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
        try:
            return self._writer.submit(job).result()
        except _READ_ERRORS as error:
            raise _damaged(self.path, _sqlite_problem(error)) from None
        except StoreError as error:  # the batch failed: on a damaged file, that is the problem to tell
            cause = error.__cause__
            if isinstance(cause, sqlite3.Error) and cause.sqlite_errorcode & 0xFF in _DAMAGE:
                raise _damaged(self.path, _sqlite_problem(cause)) from None
            raise

    def flush(self) -> None:
        """Block until everything submitted so far is committed."""
        self._read(lambda connection: None)

    # --- Write health ------------------------------------------------------------------------------

    def on_write_health(self, callback: WriteHealth | None) -> None:
        """Call ``callback(error)`` when writes start failing, and ``callback(None)`` once one succeeds.

        ``error`` is a :class:`StoreError` saying what failed, the file and what to do, in one sentence
        for the trainer. The callback runs on the writer thread, after the failed or first successful
        commit and before its futures resolve, and only when the health changes (or the problem does):
        hand it to your event loop (``loop.call_soon_threadsafe``) and return. ``None``: no callback.
        """
        self._writer.on_health(callback)

    @property
    def write_error(self) -> StoreError | None:
        """Why the last commit failed, while writes fail; ``None`` while they work."""
        return self._writer.failure

    def inject_write_failure(self, error: Exception | None) -> None:
        """For tests: fail every later commit with ``error`` (an ``OSError`` or ``sqlite3.Error``, as a
        full disk or a locked file would) until called with ``None``. The real commit path runs: the
        batch rolls back, its futures fail with a :class:`StoreError`, the health callback is told."""
        self._writer.fault = error

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

    def phone_joined(self, key: str) -> Future[None]:
        """Count a phone as joined (``key``: its keyed hash; a phone joining again counts once)."""

        def job(connection: sqlite3.Connection) -> None:
            connection.execute("INSERT OR IGNORE INTO joined VALUES (?)", (key,))

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
        """Store a response once, in place of the respondent's earlier answer to the prompt.

        The future gives its sequence number: for a resend, the first copy's, even when the answer has
        been replaced since (that number is lower than its replacement's, so it changes nothing).
        """
        future: Future[int] = Future()
        self._writer.add(_Answer(response, future))
        return future

    def commit_response(
        self, response: Response, committed: Callable[[int], None] | None = None
    ) -> asyncio.Future[int]:
        """:meth:`add_response` for the running event loop: a future of that loop, which each commit
        wakes once for all the responses it stored (instead of once for each). ``committed`` is called
        on the loop with the sequence number just before the future resolves, even if it was cancelled."""
        import asyncio  # no `from asyncio import`: that runs importlib's Python code on every answer

        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._writer.add(_Answer(response, future, committed))
        return future

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
            note.prompt,
            note.theme,
            int(note.starred),
        )

        def job(connection: sqlite3.Connection) -> None:
            updated = connection.execute(
                "INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (breakout, room, id)"
                " DO UPDATE SET text = excluded.text, rev = excluded.rev, deleted = excluded.deleted,"
                " prompt = excluded.prompt, theme = excluded.theme, starred = excluded.starred"
                " WHERE excluded.rev > notes.rev",
                row,
            ).rowcount
            if updated and note.rev > 1:  # an edit or a deletion overwrote the note's earlier text
                self._writer.erased()

        return self._writer.submit(job)

    # --- Reads ---------------------------------------------------------------------------------------

    def notes(self) -> list[Note]:
        """Every note's newest version (deleted ones too, without text), in the order they were added."""
        rows = self._read(
            lambda connection: connection.execute(
                "SELECT breakout, room, id, text, rev, deleted, prompt, theme, starred FROM notes"
                " ORDER BY added, rowid"
            ).fetchall()
        )
        return [_note(self.path, row) for row in rows]

    def received(self) -> dict[int, datetime]:
        """When each stored answer came, by its sequence number (answers stored before version 3: none)."""
        rows = self._read(
            lambda connection: connection.execute(
                "SELECT seq, received FROM responses WHERE received IS NOT NULL"
            ).fetchall()
        )
        return {int(seq): _date(self.path, at, f"when answer {seq} came") for seq, at in rows}

    def phones_joined(self) -> int:
        """How many phones joined the session."""
        (count,) = self._read(lambda connection: connection.execute("SELECT COUNT(*) FROM joined").fetchone())
        return int(count)

    def load_state(self) -> dict[str, Any]:
        """The trainer's runner state as last saved (empty if never saved)."""
        rows = self._read(lambda connection: connection.execute("SELECT key, value FROM state").fetchall())
        return {str(key): _json(self.path, value, f"the saved state {_shown(key)}") for key, value in rows}

    def prompts(self) -> list[PromptRecord]:
        """Every prompt opened in this session, in the order first opened."""
        rows = self._read(
            lambda connection: connection.execute(
                "SELECT id, step, wire, opened, closed FROM prompts ORDER BY opened, rowid"
            ).fetchall()
        )
        return [_prompt_record(self.path, row) for row in rows]

    def responses(self) -> list[tuple[int, Response]]:
        """Each respondent's latest answer to each prompt, with its sequence number, in the order stored."""
        return self._responses(self.prompts())

    def _responses(self, records: list[PromptRecord]) -> list[tuple[int, Response]]:
        prompts = {record.prompt.id: record.prompt for record in records}
        rows = self._read(
            lambda connection: connection.execute(
                "SELECT seq, prompt_id, respondent, answer_key, value FROM responses ORDER BY seq"
            ).fetchall()
        )
        return [_response(self.path, row, prompts) for row in rows]

    def load_hub(self, *, min_responses: int = DEFAULT_MIN_RESPONSES) -> Hub:
        """The session's hub folded back from the database, with the prompt that was open still open."""
        records = self.prompts()
        still_open = [record.prompt.id for record in records if record.closed is None]
        return Hub.restore(
            self.session.title,
            self.session.secret,
            (record.prompt for record in records),
            self._responses(records),
            still_open[-1] if still_open else None,
            min_responses=min_responses,
        )


def _session_row(connection: sqlite3.Connection) -> tuple[Any, ...] | None:
    row: tuple[Any, ...] | None = connection.execute(
        "SELECT id, join_code, title, created, agenda_source, agenda_path, secret FROM session"
    ).fetchone()
    return row
