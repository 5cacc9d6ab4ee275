"""Where the trainer link's token is kept: beside the session, readable by the laptop's user only.

``SESSION.trainer/`` (mode 0700) beside ``SESSION.sqlite3`` holds two files (mode 0600): ``token``,
the trainer link's secret (see :mod:`participant.core.trainer`), and ``address``, where the running
``facilitate run`` listens on this machine, for ``facilitate presenter``. Files are replaced
whole (written aside, then renamed), so a reader never sees half a token. ``facilitate remote
--new`` writes a new token; the running server notices (:class:`TokenFile`) and refuses the old
one at once.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from participant.core.trainer import TOKEN_BYTES

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def trainer_folder(session_path: Path) -> Path:
    """The folder of a session's trainer link: ``SESSION.trainer`` beside ``SESSION.sqlite3``."""
    return session_path.with_suffix(".trainer")


def _folder(session_path: Path) -> Path:
    folder = trainer_folder(session_path)
    folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
    os.chmod(folder, FOLDER_MODE)  # mkdir's mode is masked by the umask, and the folder may be older
    return folder


def _write(path: Path, text: str) -> None:
    aside = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(aside, path)
    except BaseException:
        aside.unlink(missing_ok=True)
        raise


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def new_token(session_path: Path) -> str:
    """Give the session a new trainer token (every earlier link stops working); returns it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    _write(_folder(session_path) / "token", token)
    return token


def trainer_token(session_path: Path) -> str:
    """The session's trainer token, made now if it has none yet."""
    return _read(trainer_folder(session_path) / "token") or new_token(session_path)


def save_address(session_path: Path, url: str) -> None:
    """Where the running session listens on this machine (``http://127.0.0.1:8765``)."""
    _write(_folder(session_path) / "address", url)


def read_address(session_path: Path) -> str | None:
    """Where the session last listened on this machine, or None if it never ran with a trainer link."""
    return _read(trainer_folder(session_path) / "address")


def delete_trainer_folder(session_path: Path) -> Path | None:
    """Remove a session's trainer folder; returns it, or None if it had none."""
    folder = trainer_folder(session_path)
    if not folder.is_dir():
        return None
    shutil.rmtree(folder)
    return folder


class TokenFile:
    """The running server's view of the token file: read again only when the file changed, so a
    rotation is seen by the next check. Each check is a ``stat``: call it off the event loop."""

    def __init__(self, session_path: Path) -> None:
        self._path = trainer_folder(session_path) / "token"
        self._seen: tuple[int, int, int] | None = None
        self._token: str | None = None

    def current(self) -> str | None:
        """The token now (None: the session has no trainer link)."""
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            self._seen, self._token = None, None
            return None
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            self._seen, self._token = seen, _read(self._path)
        return self._token
