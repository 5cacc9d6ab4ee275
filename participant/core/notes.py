"""Breakout notes: what each room's facilitator writes, one idea per note, for the report-back.

Pure and synchronous, like the hub: the server feeds it what a room's link sends, stores what it
returns, and only then applies it (:meth:`Board.apply`), so a note is on disk before it counts.

A breakout is one agenda step that splits the room; the trainer opens it with its title, its
discussion prompts and its number of rooms (:class:`OpenBreakout`). Each room writes through its own
link (see :func:`room_token`); several devices may share one link. Notes are added exactly once (the
page makes each note's id; a resend is acknowledged again), edited and deleted by revision: a device
that edits or deletes a note another device has changed since is refused and sent the latest notes.
The messages of a room link are in :mod:`participant.core.wire`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from participant.core.text import theme_key
from participant.core.wire import (
    MAX_NOTES_PER_ROOM,
    MAX_ROOMS,
    MAX_STARS_PER_ROOM,
    ROOM_PREFIX,
    ROOM_TOKEN_LENGTH,
    ErrorCode,
    NoteAdd,
    NoteDelete,
    NoteEdit,
    NoteMessage,
    ProtocolError,
    encode_message,
)

_CHANGED_ELSEWHERE = "This note was changed on another device: here are the latest notes"
_DELETED_ELSEWHERE = "This note was deleted on another device"
_NOT_IN_ROOM = "That note is not among this room's notes: here are the latest notes"
_NO_BREAKOUT = "No breakout is running now: notes open when the trainer starts one"
_ID_TAKEN = "That note's id belongs to another room's note: reload the page"


def room_token(secret: bytes, room: int) -> str:
    """The token in room ``room``'s link: derived from the session secret, so it need not be stored."""
    digest = hmac.new(secret, json.dumps(["room", room]).encode(), hashlib.sha256).hexdigest()
    return digest[:ROOM_TOKEN_LENGTH]


def room_of_token(secret: bytes, token: str) -> int | None:
    """The room whose link carries ``token``, or None (compared in constant time)."""
    found = None
    for room in range(1, MAX_ROOMS + 1):
        if hmac.compare_digest(room_token(secret, room).encode(), token.encode("utf-8", "replace")):
            found = room
    return found


def room_path(secret: bytes, room: int) -> str:
    """The path of room ``room``'s private notes link, from the session's secret."""
    if not 1 <= room <= MAX_ROOMS:
        raise ValueError(f"rooms go from 1 to {MAX_ROOMS}")
    return f"{ROOM_PREFIX}{room_token(secret, room)}"


@dataclass(frozen=True)
class OpenBreakout:
    """A breakout as rooms see it: which step, its title and prompts, how many rooms."""

    id: str
    title: str
    prompts: tuple[str, ...]
    rooms: int

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "prompts": list(self.prompts), "rooms": self.rooms}


@dataclass(frozen=True)
class Note:
    """One note of one room. ``rev`` counts its versions; a deleted note keeps its id, with no text.

    ``prompt`` is the index of the breakout prompt it answers (the first by default); ``theme`` is
    the theme its facilitator filed it under ("" when unsorted); ``starred`` marks one of the room's
    points to report.
    """

    breakout: str
    room: int
    id: str
    text: str
    rev: int = 1
    deleted: bool = False
    prompt: int = 0
    theme: str = ""
    starred: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "rev": self.rev,
            "prompt": self.prompt,
            "theme": self.theme,
            "starred": self.starred,
        }


@dataclass(frozen=True)
class FiledTheme:
    """A theme facilitators filed notes under: its label as first typed, the prompt it answers, and
    the texts of its notes (labels alike but for case, spacing or punctuation are one theme)."""

    label: str
    prompt: int
    texts: tuple[str, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {"label": self.label, "prompt": self.prompt}


Suggester = Callable[[str, Sequence[FiledTheme], Sequence[str]], Sequence[str]]
"""Given a note's text, the filed themes of its prompt and the breakout's prompts, the labels it most
resembles, best first."""


def filed_themes(notes: Iterable[Note]) -> tuple[FiledTheme, ...]:
    """The themes the live ``notes`` are filed under, per prompt, in the order first filed."""
    found: dict[tuple[int, str], FiledTheme] = {}
    for note in notes:
        if note.deleted or not theme_key(note.theme):
            continue
        key = (note.prompt, theme_key(note.theme))
        theme = found.get(key) or FiledTheme(note.theme, note.prompt)
        found[key] = replace(theme, texts=(*theme.texts, note.text))
    return tuple(found.values())


@dataclass(frozen=True)
class Timer:
    """The breakout's time as the trainer's runner had it ``at`` (a monotonic time) when it last changed."""

    remaining: float
    running: bool
    at: float = field(default=0.0, compare=False)

    def left(self, now: float) -> float:
        """Seconds left at ``now``: a running timer counts down from when it was set."""
        return self.remaining - (now - self.at) if self.running else self.remaining

    def to_wire(self, now: float) -> dict[str, Any]:
        return {"remaining": round(self.left(now)), "running": self.running}


@dataclass(frozen=True)
class RoomState:
    """The ``room`` message: what every device on a room's link shows, at ``now``."""

    room: int
    breakout: OpenBreakout | None
    notes: tuple[Note, ...]
    timer: Timer | None
    now: float = 0.0
    themes: tuple[FiledTheme, ...] = ()
    """Every room's themes of the breakout, so each room can file under them."""

    def encode(self) -> str:
        return encode_message(
            {
                "type": "room",
                "room": self.room,
                "breakout": None if self.breakout is None else self.breakout.to_wire(),
                "notes": [note.to_wire() for note in self.notes],
                "themes": [theme.to_wire() for theme in self.themes],
                "timer": None if self.timer is None else self.timer.to_wire(self.now),
            }
        )


@dataclass
class Board:
    """Every breakout's notes, and which breakout is open for writing."""

    open: OpenBreakout | None = None
    timer: Timer | None = None
    _notes: dict[tuple[str, int, str], Note] = field(default_factory=dict)
    _id_rooms: dict[tuple[str, str], int] = field(default_factory=dict)
    """The room that first used each note id in each breakout: ids are unique per breakout."""

    def open_breakout(self, breakout: OpenBreakout, timer: Timer | None = None) -> None:
        self.open = breakout
        self.timer = timer

    def close_breakout(self) -> None:
        self.open = None
        self.timer = None

    def notes(self, breakout: str, room: int | None = None) -> tuple[Note, ...]:
        """The live notes of a breakout (of one room, or all), in the order they were added."""
        return tuple(
            note
            for (step, note_room, _), note in self._notes.items()
            if step == breakout and not note.deleted and (room is None or note_room == room)
        )

    def state(self, room: int, now: float = 0.0) -> RoomState:
        """What room ``room``'s link shows at ``now`` (the clock the timer was set by)."""
        if self.open is None:
            return RoomState(room, None, (), None, now)
        themes = filed_themes(self.notes(self.open.id))
        return RoomState(room, self.open, self.notes(self.open.id, room), self.timer, now, themes)

    def themes(self) -> tuple[FiledTheme, ...]:
        """The open breakout's filed themes, every room's (none when no breakout is open)."""
        return filed_themes(self.notes(self.open.id)) if self.open else ()

    def check(self, room: int, message: NoteMessage) -> Note | None:
        """The note to store for ``message`` from room ``room``, or None if it is already stored.

        Raises :class:`ProtocolError` when no breakout is open, the room is not in it, or the note
        changed on another device since this one saw it.
        """
        if self.open is None:
            raise ProtocolError(ErrorCode.NOT_OPEN, _NO_BREAKOUT, message.id)
        if not 1 <= room <= self.open.rooms:
            raise ProtocolError(
                ErrorCode.NOT_OPEN,
                f"This breakout has {self.open.rooms} rooms: room {room} is not in it",
                message.id,
            )
        current = self._notes.get((self.open.id, room, message.id))
        if isinstance(message, NoteAdd):
            if current is not None:
                return None  # a resend: the note is stored (even if edited or deleted since)
            if self._id_rooms.get((self.open.id, message.id), room) != room:
                # Ids are the pages' own; one another room already used could only be copied.
                raise ProtocolError(ErrorCode.BAD_MESSAGE, _ID_TAKEN, message.id)
            if len(self.notes(self.open.id, room)) >= MAX_NOTES_PER_ROOM:
                raise ProtocolError(
                    ErrorCode.TOO_MANY,
                    f"This room has {MAX_NOTES_PER_ROOM} notes: that is the most",
                    message.id,
                )
            self._check_prompt(message.prompt, message.id)
            return Note(
                self.open.id, room, message.id, message.text, prompt=message.prompt, theme=message.theme
            )
        if current is not None and current.rev == message.rev + 1 and self._same_change(current, message):
            return None  # a resend of the change that made the current version
        if current is None:  # another room's note, an earlier breakout's, or none ever
            raise ProtocolError(ErrorCode.CONFLICT, _NOT_IN_ROOM, message.id)
        if current.deleted:
            raise ProtocolError(ErrorCode.CONFLICT, _DELETED_ELSEWHERE, message.id)
        if current.rev != message.rev:
            raise ProtocolError(ErrorCode.CONFLICT, _CHANGED_ELSEWHERE, message.id)
        if isinstance(message, NoteEdit):
            return self._edited(current, message)
        return replace(current, text="", rev=current.rev + 1, deleted=True)

    def _edited(self, current: Note, edit: NoteEdit) -> Note:
        """The note as ``edit`` changes it: its text, and its prompt, theme and star where given."""
        self._check_prompt(edit.prompt, edit.id)
        if edit.starred and not current.starred:
            starred = [note for note in self.notes(current.breakout, current.room) if note.starred]
            if len(starred) >= MAX_STARS_PER_ROOM:
                raise ProtocolError(
                    ErrorCode.TOO_MANY,
                    f"A room stars {MAX_STARS_PER_ROOM} notes at most: take the star off one first",
                    edit.id,
                )
        return replace(
            current,
            text=edit.text,
            rev=current.rev + 1,
            prompt=current.prompt if edit.prompt is None else edit.prompt,
            theme=current.theme if edit.theme is None else edit.theme,
            starred=current.starred if edit.starred is None else edit.starred,
        )

    def _check_prompt(self, prompt: int | None, note_id: str) -> None:
        assert self.open is not None
        if prompt is not None and prompt >= max(len(self.open.prompts), 1):
            raise ProtocolError(
                ErrorCode.BAD_MESSAGE, "That question is not in this breakout: reload the page", note_id
            )

    @staticmethod
    def _same_change(current: Note, message: NoteMessage) -> bool:
        if isinstance(message, NoteDelete):
            return current.deleted
        if not isinstance(message, NoteEdit) or current.deleted:
            return False
        same = (message.prompt, message.theme, message.starred)
        return current.text == message.text and all(
            given is None or given == now
            for given, now in zip(same, (current.prompt, current.theme, current.starred), strict=True)
        )

    def apply(self, note: Note) -> None:
        """Keep a committed note version (a later revision replaces an earlier one)."""
        key = (note.breakout, note.room, note.id)
        current = self._notes.get(key)
        if current is None or note.rev > current.rev:
            self._notes[key] = note
        self._id_rooms.setdefault((note.breakout, note.id), note.room)

    @classmethod
    def restore(cls, notes: Iterable[Note]) -> Board:
        """A board folded back from the store's note versions."""
        board = cls()
        for note in notes:
            board.apply(note)
        return board


def distinct_ids(notes: Iterable[Note]) -> tuple[Note, ...]:
    """One breakout's notes with ids unique across its rooms, as grouping and edits need.

    The board refuses an id another room used, but sessions stored before it did may hold two
    rooms' notes under one id: the later room's note is then known as ``id@room``.
    """
    seen: set[str] = set()
    distinct = []
    for note in notes:
        if note.id in seen:
            note = replace(note, id=f"{note.id}@{note.room}")
        seen.add(note.id)
        distinct.append(note)
    return tuple(distinct)
