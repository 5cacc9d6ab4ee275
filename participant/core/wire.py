"""The wire between the server and its clients: addresses, typed messages, and every limit.

Every message is one JSON object in one websocket text frame, with a ``"type"``. Two kinds of client
talk to the server, each by its own link (paths below): phones by the session's join link, and each
breakout room's note takers by that room's private link.

Phone to server:

- ``hello``: ``{"type": "hello", "device": ID}``. ``ID`` is the random id the page keeps in its
  localStorage: 16 to 64 of ``A-Z a-z 0-9 _ -``. Sent first on every connection (room links too).
- ``answer``: ``{"type": "answer", "id": ANSWER_ID, "prompt": PROMPT_ID, "value": VALUE}``.
  ``ANSWER_ID`` is made by the page, fresh and random for each answer (8 to 64 of the same
  characters); a resend of the same id is stored once. ``VALUE`` depends on the prompt's kind:

  ===========  ==========================================================================
  reflection   ``{"ratings": [1..5 or null, one per question], "comment": "..."}``
               (``comment`` only when the prompt offers one)
  choice       ``{"option": "one of the prompt's options"}``
  text, share  ``{"text": "..."}``
  wordwall     ``{"words": ["...", ...]}``
  any kind     ``{"pass": true}``
  ===========  ==========================================================================

Room link to server (``NOTE_ID`` is made by the page like ``ANSWER_ID``; ``N`` is the note's
revision the device last saw):

- ``note_add``: ``{"type": "note_add", "id": NOTE_ID, "text": "...", "prompt": P, "theme": "..."}``:
  ``P`` is the index of the breakout prompt the note answers (0 when left out); ``theme`` the theme the
  facilitator files it under ("" or left out: unsorted).
- ``note_edit``: ``{"type": "note_edit", "id": NOTE_ID, "rev": N, "text": "...", "prompt": P,
  "theme": "...", "starred": true|false}``: ``prompt``, ``theme`` and ``starred`` may be left out
  (unchanged). A room stars at most :data:`MAX_STARS_PER_ROOM` notes: its points to report.
- ``note_delete``: ``{"type": "note_delete", "id": NOTE_ID, "rev": N}``
- ``suggest``: ``{"type": "suggest", "text": "...", "prompt": P}``: the note being typed; the reply is
  ``{"type": "suggestions", "text": "...", "themes": ["label", ...]}`` (at most
  :data:`MAX_SUGGESTIONS` of the breakout's themes of that prompt, from every room, that the text
  most resembles, then its largest others; none when the link asks faster than its rate allows).

Server to phone:

- ``welcome``: ``{"type": "welcome", "title": ..., "prompt": PROMPT or null, "answer": VALUE or null}``,
  the reply to ``hello``; ``answer`` is this device's current answer to the open prompt.
- ``prompt``: ``{"type": "prompt", "prompt": PROMPT or null, "answer": VALUE or null}`` when the trainer
  opens a prompt (``null``: no prompt is open). ``PROMPT`` is the trainer's prompt data plus its ``id``.
  ``welcome`` and ``prompt`` also carry ``"staying": [{"prompt": PROMPT, "answer": VALUE or null}]``:
  the walls that stay open beside the open prompt (an agenda's ``stay_open`` steps), each with this
  device's answer; phones may answer them at any time until the trainer closes them.
- ``ack``: ``{"type": "ack", "id": ANSWER_ID}``, sent only once the answer is committed to disk
  (for a room link: ``NOTE_ID``, once the note is).
- ``error``: ``{"type": "error", "code": CODE, "message": "...", "id": ANSWER_ID}`` (``id`` only when
  the refused message was an answer or note whose id could be read). ``message`` is plain words for the
  phone's screen. Only ``too_fast``, ``not_saved`` and ``server_error`` are worth retrying; other
  refusals are final.

Server to room link: ``room``, ``{"type": "room", "room": N, "breakout": {"id", "title", "prompts",
"rooms"} or null, "notes": [{"id", "text", "rev", "prompt", "theme", "starred"}], "themes":
[{"label", "prompt"}], "timer": {"remaining", "running"} or null}``, sent on joining, after every
change in that room, and to every room when a new theme is filed (``themes``: every room's, as
first typed; :class:`participant.core.notes.RoomState`).

Server to phone during a breakout: ``breakout``, ``{"type": "breakout", "breakout": {"title",
"prompts"} or null, "timer": {"remaining", "running"} or null}``, sent after ``welcome`` while one
runs and to every phone when it opens, changes or closes (:class:`BreakoutNow`; never notes or links).

Server to phone during a paced reflection: ``pace``, ``{"type": "pace", "prompt": PROMPT_ID,
"question": N, "timer": {"remaining", "running"}}``: the open reflection shows question ``N`` (from 0)
with its own time left; answers to earlier questions stay changeable (:class:`PaceNow`). Sent after
``welcome`` and whenever the question or its timer changes.

Limits, all named below: a message holds at most :data:`MAX_MESSAGE_BYTES` (larger ones get a
``too_large`` error; above :data:`CLOSE_ABOVE_BYTES` the websocket itself closes with 1009); texts are
limited per kind (:data:`MAX_TEXT_LENGTH`, :data:`MAX_COMMENT_LENGTH`, :data:`MAX_NOTE_LENGTH`), a word
wall takes at most :data:`MAX_WORDS` words of :data:`MAX_WORD_LENGTH` characters per submission, and each
device may send :data:`RATE_PER_SECOND` messages a second after a burst of :data:`RATE_BURST`
(:class:`TokenBucket`), and so may each connection; each network address has budgets of its own
(``PER_ADDRESS_*``, applied by :mod:`participant.core.budgets`). Lengths count Unicode code points
after cleaning (:func:`participant.core.text.clean_text`). The page enforces the same limits before
sending: the server writes :func:`page_limits` into it, so it keeps no copy of them.

This module is pure: no IO, no clock (times are passed in), no websocket or database imports.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from json.encoder import encode_basestring
from typing import Any, TypeGuard

from participant.core.text import clean_text

# --- Addresses -------------------------------------------------------------------------------------

DEFAULT_HOST = "0.0.0.0"
"""The address the server listens on unless told: every interface, so phones on the LAN reach it."""
DEFAULT_PORT = 8765
JOIN_PREFIX = "/j/"
"""Phones join at ``/j/<join code>``: the URL on the projector."""
ROOM_PREFIX = "/r/"
"""A breakout room's private notes link: ``/r/<room token>``."""
WS_PATH = "/ws"
"""The websocket: ``/ws?s=<join code>`` for phones, ``/ws?r=<room token>`` for a room's link."""
HEALTH_PATH = "/healthz"


def join_path(code: str) -> str:
    """The path of session ``code``'s join URL."""
    return f"{JOIN_PREFIX}{code}"


def split_join_url(url: str) -> tuple[str, str]:
    """A join URL's base (where room links live too) and its join code; ``(url, "")`` if it is none."""
    base, prefix, code = url.rpartition(JOIN_PREFIX)
    return (base, code) if prefix else (url, "")


# --- Limits ----------------------------------------------------------------------------------------

MAX_MESSAGE_BYTES = 16 * 1024
"""Largest message answered normally; a larger one gets a ``too_large`` error."""
CLOSE_ABOVE_BYTES = 4 * MAX_MESSAGE_BYTES
"""Largest frame the websocket accepts at all; above it the connection closes with code 1009."""

MAX_TEXT_LENGTH = {"text": 500, "share": 280}
"""Characters in an answer to an open-text prompt and to a "share one thing" prompt."""
MAX_COMMENT_LENGTH = 500
"""Characters in a reflection's optional comment."""
MAX_WORDS = 5
"""Words in one word-wall submission (a new submission replaces the device's previous one)."""
MAX_WORD_LENGTH = 40
"""Characters in one word (or short phrase) on the word wall."""
MAX_OPTION_LENGTH = 200
"""Characters in a choice's option label as sent by a phone; it must also be one of the prompt's options."""
MAX_PROMPT_ID_LENGTH = 100
RATING_SCALE = (1, 2, 3, 4, 5)
"""The ratings of a reflection question, lowest first."""
DEFAULT_MIN_RESPONSES = 3
"""Fewest answers a prompt's results are shown for, unless the trainer sets another (anonymity)."""

MAX_NOTE_LENGTH = 300
"""Characters in one note: one idea, as said in the room."""
MAX_PROMPTS = 10
"""Discussion prompts of one breakout (and rating questions of one reflection) at most."""
MAX_THEME_LENGTH = 40
"""A theme's label: a few words, as on a flipchart."""
MAX_STARS_PER_ROOM = 3
"""Notes a room may star as its points to report."""
MAX_SUGGESTIONS = 3
"""Themes offered as "Add to ..." buttons while a note is typed."""
MAX_NOTES_PER_ROOM = 200
"""Notes one room may keep in one breakout."""
MAX_ROOMS = 50
"""Rooms in one breakout (the agenda format's limit too)."""
ROOM_TOKEN_LENGTH = 24
"""Hex characters in a room's link token: 96 bits, unguessable."""

RATE_PER_SECOND = 2.0
"""Messages a device may send per second, sustained."""
RATE_BURST = 20.0
"""Messages a device may send at once, e.g. answers queued offline and resent on reconnect."""

# A device id is the client's to choose, so these budgets go by what it cannot choose: its network
# address (the connection's peer; behind a ``--public-url`` proxy, all phones share the proxy's).
# They are kept in memory only, never stored or logged (see participant.core.budgets).
PER_ADDRESS_DEVICES = 500
"""Distinct devices (phones and room links) one network address may join as. A room behind one NAT
or proxy is one address: 300 phones fit, with room for browsers that lose their id (private tabs)."""
PER_ADDRESS_RATE = 50.0
"""Hellos a second, and answers a second, one network address may send, sustained: a room of 300
answering a few times a minute sends about 15 a second."""
PER_ADDRESS_NOTE_RATE = 10.0
"""Notes (adds, edits, deletes) a second from one network address: they come from at most
:data:`MAX_ROOMS` room links, each writing one every few seconds at most."""
BURST_SECONDS = 20.0
"""An address may spend this many seconds' worth of its rates at once. By default 1,000 hellos or
answers (a room of 300 answering right after a prompt opens, or all reconnecting when the Wi-Fi is
back and resending what they queued) and 200 notes (a room's :data:`MAX_NOTES_PER_ROOM`)."""
CONNECTIONS_PER_DEVICE = 2
"""Open websockets an address may hold per device it may join as: a reloaded page's new connection
while the old one is still closing."""
REMEMBERED_DEVICES = 10_000
"""Devices whose rate limit is kept after they disconnect (a reconnect must not refill the burst)."""
REMEMBERED_ADDRESSES = 10_000
"""Network addresses whose budgets are kept; the longest unseen are forgotten first."""

LISTEN_BACKLOG = 1024
"""Connections the kernel queues until the server accepts them: a room joining in the same second."""
FILES_HEADROOM = 64
"""Open files kept free below the process's limit for the session file, logs and the projector."""
MAX_CONNECTIONS = 12_000
"""Most connections at once however high the open files limit: each one costs memory (10,000 phones
answering kept the whole process under 240 MB, measured with ``bench/load.py``)."""

_ID_CHARACTERS = "[A-Za-z0-9_-]"
_ID_PATTERN = re.compile(f"{_ID_CHARACTERS}+")
DEVICE_ID_LENGTH = (16, 64)
ANSWER_ID_LENGTH = (8, 64)
"""Characters in the id of an answer, and of a note."""


def page_limits() -> dict[str, Any]:
    """The limits the page checks before sending, and the paths it reads its link by and connects
    to, as JSON-ready data the server writes into it."""
    fewest, most = DEVICE_ID_LENGTH
    return {
        "paths": {"join": JOIN_PREFIX, "room": ROOM_PREFIX, "ws": WS_PATH},
        "text": dict(MAX_TEXT_LENGTH),
        "comment": MAX_COMMENT_LENGTH,
        "words": MAX_WORDS,
        "word": MAX_WORD_LENGTH,
        "note": MAX_NOTE_LENGTH,
        "theme": MAX_THEME_LENGTH,
        "stars": MAX_STARS_PER_ROOM,
        "scale": list(RATING_SCALE),
        "device": f"^{_ID_CHARACTERS}{{{fewest},{most}}}$",  # as a JavaScript RegExp: is_id's check
    }


class PromptKind(StrEnum):
    """The kinds of prompt phones answer (the ``kind`` of the trainer's prompt data)."""

    REFLECTION = "reflection"
    CHOICE = "choice"
    TEXT = "text"
    WORDWALL = "wordwall"
    SHARE = "share"


class ErrorCode(StrEnum):
    """Why a message was refused (the ``code`` of an ``error`` message)."""

    BAD_MESSAGE = "bad_message"
    TOO_LARGE = "too_large"
    TOO_FAST = "too_fast"
    TOO_LONG = "too_long"
    TOO_MANY = "too_many"
    EMPTY = "empty"
    INVALID = "invalid"
    NOT_JOINED = "not_joined"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    REFUSED = "refused"
    NOT_SAVED = "not_saved"
    SERVER_ERROR = "server_error"


class ProtocolError(Exception):
    """A refused message: ``message`` is plain words for the phone's screen."""

    def __init__(self, code: ErrorCode, message: str, answer_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.answer_id = answer_id

    def to_message(self) -> Error:
        """The ``error`` message that tells the phone."""
        return Error(self.code, self.message, self.answer_id)


# --- Checking participant text -------------------------------------------------------------------


def text_field(
    data: Mapping[str, Any],
    name: str,
    *,
    limit: int,
    what: str,
    multiline: bool,
    answer_id: str | None,
) -> str:
    """The cleaned text of ``data[name]``; a plain refusal if it is not text or longer than ``limit``."""
    value = data.get(name)
    if not isinstance(value, str):
        raise ProtocolError(ErrorCode.INVALID, f"The {what} must be text: reload the page", answer_id)
    text = clean_text(value, multiline=multiline)
    if len(text) > limit:
        raise ProtocolError(
            ErrorCode.TOO_LONG, f"That {what} is too long: {limit} characters at most", answer_id
        )
    return text


# --- Answer values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pass:
    """The participant chose not to answer (every prompt offers it)."""

    def to_wire(self) -> dict[str, Any]:
        return {"pass": True}


@dataclass(frozen=True)
class Ratings:
    """A reflection answer: one 1-5 rating or ``None`` per question, and an optional comment."""

    ratings: tuple[int | None, ...]
    comment: str | None = None

    def to_wire(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ratings": list(self.ratings)}
        if self.comment:
            data["comment"] = self.comment
        return data


@dataclass(frozen=True)
class Choice:
    """A choice answer: the label of one of the prompt's options."""

    option: str

    def to_wire(self) -> dict[str, Any]:
        return {"option": self.option}


@dataclass(frozen=True)
class Text:
    """An open-text or "share one thing" answer."""

    text: str

    def to_wire(self) -> dict[str, Any]:
        return {"text": self.text}


@dataclass(frozen=True)
class Words:
    """A word-wall submission: a few short words or phrases, without repeats."""

    words: tuple[str, ...]

    def to_wire(self) -> dict[str, Any]:
        return {"words": list(self.words)}


AnswerValue = Pass | Ratings | Choice | Text | Words


_KINDS = {kind.value: kind for kind in PromptKind}
"""The kinds by name: a lookup for every answer, where calling the enum costs 0.6 µs."""


def prompt_kind(wire: Mapping[str, Any]) -> PromptKind:
    """The kind of a prompt given as the trainer's data; ``ValueError`` if it has none we know."""
    kind = wire.get("kind")
    if not isinstance(kind, str):
        raise ValueError(f"{kind!r} is not a prompt kind")
    return _KINDS.get(kind) or PromptKind(kind)  # the enum's call raises for an unknown kind


def parse_answer_value(wire: Mapping[str, Any], raw: object, answer_id: str | None = None) -> AnswerValue:
    """A phone's answer value checked against the prompt it answers (the trainer's prompt data).

    Raises :class:`ProtocolError` with a plain message for anything the prompt does not accept.
    Parsing an already-clean value gives it back unchanged, so stored values are read with it too.
    """
    if not isinstance(raw, Mapping):
        raise ProtocolError(ErrorCode.INVALID, "That answer is not readable: reload the page", answer_id)
    if raw.get("pass") is True:
        return Pass()
    kind = prompt_kind(wire)
    if kind is PromptKind.REFLECTION:
        return _parse_ratings(wire, raw, answer_id)
    if kind is PromptKind.CHOICE:
        option = text_field(
            raw, "option", limit=MAX_OPTION_LENGTH, what="choice", multiline=False, answer_id=answer_id
        )
        if option not in _clean_options(tuple(str(label) for label in wire.get("options", ()))):
            raise ProtocolError(ErrorCode.INVALID, "Choose one of the options shown", answer_id)
        return Choice(option)
    if kind is PromptKind.WORDWALL:
        return _parse_words(raw, answer_id)
    text = text_field(
        raw, "text", limit=MAX_TEXT_LENGTH[kind], what="answer", multiline=True, answer_id=answer_id
    )
    if not text:
        raise ProtocolError(ErrorCode.EMPTY, "Write something first, or pass", answer_id)
    return Text(text)


@functools.lru_cache(maxsize=64)
def _clean_options(labels: tuple[str, ...]) -> frozenset[str]:
    """A choice's option labels as phones may send them, cleaned once per prompt, not per answer."""
    return frozenset(clean_text(label) for label in labels)


_RATINGS = frozenset(RATING_SCALE)


def _parse_ratings(wire: Mapping[str, Any], raw: Mapping[str, Any], answer_id: str | None) -> Ratings:
    questions = len(wire.get("ratings", ()))
    ratings = raw.get("ratings", [])
    if not isinstance(ratings, list) or len(ratings) != questions:
        raise ProtocolError(ErrorCode.INVALID, "Give one rating per question: reload the page", answer_id)
    for rating in ratings:
        if rating is not None and (type(rating) is not int or rating not in _RATINGS):
            raise ProtocolError(ErrorCode.INVALID, "Ratings go from 1 to 5", answer_id)
    comment = None
    if raw.get("comment") not in (None, ""):
        if "comment" not in wire:
            raise ProtocolError(ErrorCode.INVALID, "This question takes no comment", answer_id)
        comment = text_field(
            raw, "comment", limit=MAX_COMMENT_LENGTH, what="comment", multiline=True, answer_id=answer_id
        )
    if ratings.count(None) == questions and not comment:  # every rating None
        raise ProtocolError(ErrorCode.EMPTY, "Choose a rating first, or pass", answer_id)
    return Ratings(tuple(ratings), comment or None)


def _parse_words(raw: Mapping[str, Any], answer_id: str | None) -> Words:
    words = raw.get("words")
    if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
        raise ProtocolError(ErrorCode.INVALID, "The words must be text: reload the page", answer_id)
    if len(words) > MAX_WORDS:
        raise ProtocolError(ErrorCode.TOO_MANY, f"Too many words: {MAX_WORDS} at most", answer_id)
    kept: dict[str, str] = {}
    for word in words:
        cleaned = clean_text(word)
        if len(cleaned) > MAX_WORD_LENGTH:
            raise ProtocolError(
                ErrorCode.TOO_LONG, f"That word is too long: {MAX_WORD_LENGTH} characters at most", answer_id
            )
        if cleaned:
            kept.setdefault(cleaned.casefold(), cleaned)
    if not kept:
        raise ProtocolError(ErrorCode.EMPTY, "Write a word first, or pass", answer_id)
    return Words(tuple(kept.values()))


# --- Messages from phones --------------------------------------------------------------------------


@dataclass(frozen=True)
class Hello:
    """A phone joins (or rejoins) with its device id."""

    device: str


@dataclass(frozen=True)
class Answer:
    """A phone answers a prompt. ``value`` is checked later, against the prompt it answers."""

    id: str
    prompt: str
    value: Mapping[str, Any]


ClientMessage = Hello | Answer

_UNREADABLE = "The page sent something the server does not understand: reload the page"


def is_id(value: object, length: tuple[int, int]) -> TypeGuard[str]:
    """Whether ``value`` is an id a page made: ``length`` characters of ``A-Z a-z 0-9 _ -``."""
    return (
        isinstance(value, str)
        and length[0] <= len(value) <= length[1]
        and _ID_PATTERN.fullmatch(value) is not None
    )


def _refuse_constant(name: str) -> None:
    """JSON's ``NaN`` and ``Infinity`` are not JSON: refuse them."""
    raise ValueError(name)


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)
"""Made once: ``json.loads`` with an argument builds a new decoder for every frame."""


def decode_frame(frame: str | bytes) -> dict[str, Any]:
    """A frame's JSON object; :class:`ProtocolError` for anything else, however malformed."""
    if isinstance(frame, bytes):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, _UNREADABLE)
    # A character is at most 4 bytes of UTF-8: only a long frame is encoded to count its bytes.
    long = len(frame) > MAX_MESSAGE_BYTES // 4
    if long and len(frame.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        raise ProtocolError(
            ErrorCode.TOO_LARGE, f"That message is too large: {MAX_MESSAGE_BYTES // 1024} KB at most"
        )
    try:
        data = _DECODER.decode(frame)
    except (ValueError, RecursionError):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, _UNREADABLE) from None
    if not isinstance(data, dict):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, _UNREADABLE)
    return data


def parse_hello(data: Mapping[str, Any]) -> Hello:
    """A decoded ``hello``; :class:`ProtocolError` if its device id is not one a page makes."""
    device = data.get("device")
    if not is_id(device, DEVICE_ID_LENGTH):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "This browser's id is not valid: reload the page")
    return Hello(device)


NOTES_ONLY_BY_ROOM_LINK = "Only a breakout room's own link can write its notes"
ONLY_THE_TRAINER = "Only the trainer's link can move the workshop"


def parse_client_message(frame: str | bytes) -> ClientMessage:
    """A phone's frame as a message; :class:`ProtocolError` for anything else, however malformed."""
    data = decode_frame(frame)
    kind = data.get("type")
    if kind == "hello":
        return parse_hello(data)
    if kind == "answer":
        answer_id = data.get("id")
        if not is_id(answer_id, ANSWER_ID_LENGTH):
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "That answer has no valid id: reload the page")
        prompt = data.get("prompt")
        value = data.get("value")
        if not isinstance(prompt, str) or not 0 < len(prompt) <= MAX_PROMPT_ID_LENGTH:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, _UNREADABLE, answer_id)
        if not isinstance(value, dict):
            raise ProtocolError(ErrorCode.INVALID, "That answer is not readable: reload the page", answer_id)
        return Answer(answer_id, prompt, value)
    if isinstance(kind, str) and kind.startswith("note_"):
        raise ProtocolError(ErrorCode.FORBIDDEN, NOTES_ONLY_BY_ROOM_LINK)
    if kind == "command":
        raise ProtocolError(ErrorCode.FORBIDDEN, ONLY_THE_TRAINER)
    raise ProtocolError(ErrorCode.BAD_MESSAGE, _UNREADABLE)


# --- Messages from room links ---------------------------------------------------------------------


@dataclass(frozen=True)
class NoteAdd:
    """A room link adds a note (a resend of the same id is stored once), answering prompt ``prompt``,
    filed under ``theme`` ("": unsorted)."""

    id: str
    text: str
    prompt: int = 0
    theme: str = ""


@dataclass(frozen=True)
class NoteEdit:
    """A room link changes a note it saw at revision ``rev``; ``None``: that part is unchanged."""

    id: str
    rev: int
    text: str
    prompt: int | None = None
    theme: str | None = None
    starred: bool | None = None


@dataclass(frozen=True)
class NoteDelete:
    """A room link deletes a note it saw at revision ``rev``."""

    id: str
    rev: int


@dataclass(frozen=True)
class Suggest:
    """A room link asks which themes the note being typed resembles."""

    text: str
    prompt: int = 0


@dataclass(frozen=True)
class Suggestions:
    """The reply to :class:`Suggest`: ``themes`` for ``text`` (so a page can drop a stale reply)."""

    text: str
    themes: tuple[str, ...]

    def encode(self) -> str:
        return encode_message({"type": "suggestions", "text": self.text, "themes": list(self.themes)})


NoteMessage = NoteAdd | NoteEdit | NoteDelete


def parse_room_message(frame: str | bytes) -> Hello | NoteMessage | Suggest:
    """A room link's frame as a message; :class:`ProtocolError` for anything else."""
    data = decode_frame(frame)
    kind = data.get("type")
    if kind == "hello":
        return parse_hello(data)
    if kind == "answer":
        raise ProtocolError(
            ErrorCode.FORBIDDEN, "This is a room's notes link: answer questions from the join link"
        )
    if kind == "suggest":
        text = text_field(data, "text", limit=MAX_NOTE_LENGTH, what="note", multiline=True, answer_id=None)
        return Suggest(text, _prompt_index(data, None) or 0)
    if kind == "command":
        raise ProtocolError(ErrorCode.FORBIDDEN, ONLY_THE_TRAINER)
    if kind not in ("note_add", "note_edit", "note_delete"):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, _UNREADABLE)
    note_id = data.get("id")
    if not is_id(note_id, ANSWER_ID_LENGTH):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "That note has no valid id: reload the page")
    if kind == "note_add":
        text = _note_text(data, note_id)
        return NoteAdd(note_id, text, _prompt_index(data, note_id) or 0, _theme(data, note_id) or "")
    rev = data.get("rev")
    if type(rev) is not int or rev < 1:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "That note has no valid version: reload the page", note_id)
    if kind == "note_edit":
        starred = data.get("starred")
        if starred is not None and type(starred) is not bool:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "A star is on or off: reload the page", note_id)
        text = _note_text(data, note_id)
        return NoteEdit(note_id, rev, text, _prompt_index(data, note_id), _theme(data, note_id), starred)
    return NoteDelete(note_id, rev)


def _prompt_index(data: Mapping[str, Any], note_id: str | None) -> int | None:
    """The prompt a note answers, as an index (None: not said); the board checks the breakout has it."""
    prompt = data.get("prompt")
    if prompt is None:
        return None
    if type(prompt) is not int or not 0 <= prompt < MAX_PROMPTS:
        raise ProtocolError(
            ErrorCode.BAD_MESSAGE, "That note's question is not valid: reload the page", note_id
        )
    return prompt


def _theme(data: Mapping[str, Any], note_id: str) -> str | None:
    """The theme a note is filed under, cleaned ("": unsorted; None: not said)."""
    if data.get("theme") is None:
        return None
    return text_field(data, "theme", limit=MAX_THEME_LENGTH, what="theme", multiline=False, answer_id=note_id)


def _note_text(data: Mapping[str, Any], note_id: str) -> str:
    text = text_field(data, "text", limit=MAX_NOTE_LENGTH, what="note", multiline=True, answer_id=note_id)
    if not text:
        raise ProtocolError(ErrorCode.EMPTY, "Write the note first", note_id)
    return text


# --- Messages to phones ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenPrompt:
    """A prompt as phones see it: the trainer's prompt data and the id answers refer to."""

    id: str
    wire: Mapping[str, Any] = field(hash=False)

    def to_wire(self) -> dict[str, Any]:
        return {**self.wire, "id": self.id}


def encode_message(data: Mapping[str, Any]) -> str:
    """One message as the compact JSON text of a websocket frame."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _answer_wire(answer: AnswerValue | None) -> dict[str, Any] | None:
    return None if answer is None else answer.to_wire()


Staying = tuple[tuple[OpenPrompt, AnswerValue | None], ...]
"""The walls that stay open beside the open prompt, each with one device's answer to it."""


def _staying_wire(staying: Staying) -> list[dict[str, Any]]:
    return [{"prompt": prompt.to_wire(), "answer": _answer_wire(answer)} for prompt, answer in staying]


@dataclass(frozen=True)
class Welcome:
    """The reply to ``hello``: the session, the open prompt, and this device's answer to it."""

    title: str
    prompt: OpenPrompt | None
    answer: AnswerValue | None = None
    closing: Closing | None = None
    """Set once the workshop is over: a late or returning phone sees the close at once."""
    staying: Staying = ()

    def to_wire(self) -> dict[str, Any]:
        prompt = None if self.prompt is None else self.prompt.to_wire()
        closing = None if self.closing is None else self.closing.to_wire()
        return {
            "type": "welcome",
            "title": self.title,
            "prompt": prompt,
            "answer": _answer_wire(self.answer),
            "closing": closing,
            "staying": _staying_wire(self.staying),
        }

    def encode(self) -> str:
        return encode_message(self.to_wire())


@dataclass(frozen=True)
class Closing:
    """The workshop is over. ``results``: the room's results of the prompts the trainer revealed,
    each only as far as it may be shown (see :meth:`participant.core.tallies.Results.shareable`);
    empty when the agenda keeps results off the phones."""

    results: tuple[Mapping[str, Any], ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {"type": "closing", "results": [dict(result) for result in self.results]}

    def encode(self) -> str:
        return encode_message(self.to_wire())


@dataclass(frozen=True)
class BreakoutNow:
    """The breakout phones show instead of "Waiting…": its title, its discussion prompts and the time
    left (``remaining`` seconds, ``None``: not timed now). ``title`` ``None``: no breakout is running.
    Never a note, a room's link or a token: the join link reaches every phone."""

    title: str | None
    prompts: tuple[str, ...] = ()
    remaining: int | None = None
    running: bool = False

    def to_wire(self) -> dict[str, Any]:
        if self.title is None:
            return {"type": "breakout", "breakout": None, "timer": None}
        timer = None if self.remaining is None else {"remaining": self.remaining, "running": self.running}
        breakout = {"title": self.title, "prompts": list(self.prompts)}
        return {"type": "breakout", "breakout": breakout, "timer": timer}

    def encode(self) -> str:
        return encode_message(self.to_wire())


@dataclass(frozen=True)
class PaceNow:
    """The question a paced reflection (``prompt``) is on, from 0, and its time left."""

    prompt: str
    question: int
    remaining: int
    running: bool

    def to_wire(self) -> dict[str, Any]:
        timer = {"remaining": self.remaining, "running": self.running}
        return {"type": "pace", "prompt": self.prompt, "question": self.question, "timer": timer}

    def encode(self) -> str:
        return encode_message(self.to_wire())


@dataclass(frozen=True)
class CurrentPrompt:
    """The trainer opened a prompt (``None``: closed it), or changed the walls that stay open.
    ``answer``: this device's earlier answer; ``staying``: the walls open beside it."""

    prompt: OpenPrompt | None
    answer: AnswerValue | None = None
    staying: Staying = ()

    @property
    def personal(self) -> bool:
        """Whether it holds this device's own answers (else every phone gets the same message)."""
        return self.answer is not None or any(answer is not None for _, answer in self.staying)

    def to_wire(self) -> dict[str, Any]:
        prompt = None if self.prompt is None else self.prompt.to_wire()
        return {
            "type": "prompt",
            "prompt": prompt,
            "answer": _answer_wire(self.answer),
            "staying": _staying_wire(self.staying),
        }

    def encode(self) -> str:
        return encode_message(self.to_wire())


@dataclass(frozen=True)
class Ack:
    """The answer with this id is stored on disk."""

    id: str

    def to_wire(self) -> dict[str, Any]:
        return {"type": "ack", "id": self.id}

    def encode(self) -> str:
        # encode_message's text, without json.dumps' machinery: one goes out for every answer.
        return f'{{"type":"ack","id":{encode_basestring(self.id)}}}'


@dataclass(frozen=True)
class Error:
    """A refusal, in plain words for the phone's screen."""

    code: ErrorCode
    message: str
    id: str | None = None

    def to_wire(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "error", "code": self.code.value, "message": self.message}
        if self.id is not None:
            data["id"] = self.id
        return data

    def encode(self) -> str:
        return encode_message(self.to_wire())


ServerMessage = Welcome | CurrentPrompt | Ack | Error


# --- Rate limit --------------------------------------------------------------------------------------


@dataclass(slots=True)
class TokenBucket:
    """A per-device rate limit: ``burst`` messages at once, refilled at ``rate`` a second.

    Time is passed in (any monotonic clock in seconds), so tests move it by hand. Three are taken
    for every answer: hence slots, and comparisons rather than ``max`` and ``min`` calls.
    """

    now: float
    rate: float = RATE_PER_SECOND
    burst: float = RATE_BURST
    tokens: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self, now: float) -> bool:
        """Whether one more message is allowed at ``now``; counts it if so."""
        if now > self.now:  # a clock that steps back refills nothing
            tokens = self.tokens + (now - self.now) * self.rate
            self.tokens = tokens if tokens < self.burst else self.burst
            self.now = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def too_fast(answer_id: str | None = None) -> ProtocolError:
    """The refusal of a message over the rate limit (the page may send it again a little later)."""
    return ProtocolError(
        ErrorCode.TOO_FAST, "Too many messages at once: wait a few seconds and try again", answer_id
    )
