"""The session's live state: which prompt is open, which phones are here, what each answered.

Sans-IO and synchronous, like the game logic of websockets' tutorial: the server feeds it what
phones send and what the trainer does, and sends what it returns. It knows nothing of Textual,
agenda files, sockets or SQLite; time plays no part in it.

How an answer flows: :meth:`Hub.receive` checks it (raising :class:`ProtocolError` with a plain
message for a refusal) and returns the :class:`Response` to store, or ``None`` when this answer was
already stored (a resend: ack it again). Once the store has committed the response, the server calls
:meth:`Hub.record` with the sequence number the store gave it; only then does the answer count.

Anonymity: the hub identifies respondents only by keyed hashes (:class:`Keys`): the hash of a
device for one prompt cannot be linked to its hash for another without the session's secret. Raw
device ids live only in memory, to count connected phones.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from participant.core.tallies import Position, Results, RunningTally, without_hidden
from participant.core.wire import (
    DEFAULT_MIN_RESPONSES,
    MAX_PROMPT_ID_LENGTH,
    Answer,
    AnswerValue,
    Closing,
    CurrentPrompt,
    ErrorCode,
    OpenPrompt,
    PromptKind,
    ProtocolError,
    Staying,
    Welcome,
    parse_answer_value,
)


class Keys:
    """The keyed hashes (HMAC-SHA256 with the session's secret) that stand in for device ids."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the session secret must be at least 16 bytes")
        self._keyed = hmac.new(secret, digestmod=hashlib.sha256)  # keyed once: each hash copies it

    def _hash(self, *parts: str) -> str:
        # The bytes of json.dumps(parts, ensure_ascii=False), as stored keys were made, without
        # the encoder's machinery: this runs for every answer.
        message = f"[{', '.join(map(encode_basestring, parts))}]".encode("utf-8", "surrogatepass")
        keyed = self._keyed.copy()
        keyed.update(message)
        return keyed.hexdigest()

    def respondent(self, prompt_id: str, device_id: str) -> str:
        """Who answered a prompt: the same for every answer of a device to that prompt only."""
        return self._hash("respondent", prompt_id, device_id)

    def joined(self, device_id: str) -> str:
        """A phone in the session, to count phones: linked to none of its answers."""
        return self._hash("joined", device_id)

    def answer(self, device_id: str, answer_id: str) -> str:
        """One answer: a resend of the same answer id by the same device gives the same key."""
        return self._hash("answer", device_id, answer_id)


@dataclass(frozen=True)
class Response:
    """One phone's answer to a prompt, as stored: keyed hashes instead of the device and answer ids."""

    prompt_id: str
    respondent: str
    answer_key: str
    value: AnswerValue


@dataclass(slots=True)  # not frozen: one is made for every answer recorded, and this is 3x cheaper
class _Current:
    seq: int
    value: AnswerValue
    number: int
    """The respondent's number among the prompt's respondents, in the order first recorded."""

    @property
    def position(self) -> Position:
        """Where the answer is tallied: by sequence number (equal ones in the order first recorded)."""
        return (self.seq, self.number)


def check_prompt(prompt_id: str, wire: Mapping[str, Any]) -> OpenPrompt:
    """The trainer's prompt data as an :class:`OpenPrompt`; ``ValueError`` if phones could not answer it."""
    if not isinstance(prompt_id, str) or not 0 < len(prompt_id) <= MAX_PROMPT_ID_LENGTH:
        raise ValueError(f"a prompt id is 1 to {MAX_PROMPT_ID_LENGTH} characters of text: {prompt_id!r}")
    data = json.loads(json.dumps(dict(wire)))
    try:
        kind = PromptKind(data.get("kind"))
    except ValueError:
        kinds = ", ".join(kind.value for kind in PromptKind)
        raise ValueError(
            f"prompt {prompt_id}: kind is {data.get('kind')!r}; expected one of {kinds}"
        ) from None
    if kind is PromptKind.CHOICE and not data.get("options"):
        raise ValueError(f"prompt {prompt_id}: a choice needs options")
    if kind is PromptKind.REFLECTION and not all(
        isinstance(rating, dict) and "text" in rating for rating in data.get("ratings") or [None]
    ):
        raise ValueError(f"prompt {prompt_id}: a reflection needs ratings, each with a text")
    return OpenPrompt(prompt_id, data)


class Hub:
    """The state of one session. ``min_responses`` is the anonymity threshold for showing results."""

    def __init__(self, title: str, secret: bytes, *, min_responses: int = DEFAULT_MIN_RESPONSES) -> None:
        self.title = title
        self.keys = Keys(secret)
        self.min_responses = min_responses
        self._prompts: dict[str, OpenPrompt] = {}
        self._open: OpenPrompt | None = None
        self._staying: dict[str, OpenPrompt] = {}
        self._closing: Closing | None = None
        self._devices: Counter[str] = Counter()
        self._answers: dict[str, dict[str, _Current]] = {}
        self._tallies: dict[str, RunningTally] = {}  # prompt id -> the tally of its current answers
        self._stored: set[str] = set()
        self._respondents: dict[str, str] = {}  # device id -> its keyed hash for the open prompt

    # --- The trainer's side --------------------------------------------------------------------

    @property
    def current(self) -> OpenPrompt | None:
        """The open prompt, if any."""
        return self._open

    def open_prompt(self, prompt_id: str, wire: Mapping[str, Any]) -> OpenPrompt:
        """Open a prompt (closing any other). Reopening a prompt keeps its answers."""
        prompt = check_prompt(prompt_id, wire)
        self._prompts[prompt_id] = prompt
        self._answers.setdefault(prompt_id, {})
        self._open = prompt
        self._respondents.clear()
        return prompt

    @property
    def staying(self) -> tuple[OpenPrompt, ...]:
        """The walls that stay open beside the open prompt, in the order the trainer kept them."""
        current = None if self._open is None else self._open.id
        return tuple(prompt for prompt_id, prompt in self._staying.items() if prompt_id != current)

    def keep_open(self, prompts: Mapping[str, Mapping[str, Any]]) -> bool:
        """Keep these prompts (id -> the trainer's prompt data) answerable beside the open prompt,
        and no others; returns whether that changed what phones see. Their answers are kept."""
        staying = {prompt_id: check_prompt(prompt_id, wire) for prompt_id, wire in prompts.items()}
        if staying == self._staying:
            return False
        for prompt_id, prompt in staying.items():
            self._prompts.setdefault(prompt_id, prompt)
            self._answers.setdefault(prompt_id, {})
        self._staying = staying
        return True

    @property
    def closing(self) -> Closing | None:
        """Set while the workshop is over: what every phone shows."""
        return self._closing

    def finish(
        self, shared: Sequence[str] | None, hidden: Mapping[str, Collection[str]] | None = None
    ) -> Closing | None:
        """The workshop is over, and phones may see the results of the ``shared`` prompts (as far
        as the anonymity threshold allows) without the entries the trainer ``hidden`` (per prompt
        id); ``None``: it is not over (any more)."""
        known = [prompt_id for prompt_id in shared or () if prompt_id in self._prompts]
        hidden = hidden or {}
        self._closing = (
            None
            if shared is None
            else Closing(tuple(without_hidden(self.results(p), hidden.get(p, ())).shareable() for p in known))
        )
        return self._closing

    def close_prompt(self) -> OpenPrompt | None:
        """Close the open prompt; returns it (``None`` if none was open)."""
        closed, self._open = self._open, None
        self._respondents.clear()
        return closed

    def prompt(self, prompt_id: str) -> OpenPrompt:
        """A prompt that has been opened in this session; ``KeyError`` otherwise."""
        return self._prompts[prompt_id]

    @property
    def prompt_ids(self) -> tuple[str, ...]:
        """Every prompt opened in this session, in the order first opened."""
        return tuple(self._prompts)

    def respondents(self, prompt_id: str) -> int:
        """How many devices answered the prompt (passes included)."""
        return len(self._answers.get(prompt_id, ()))

    def results(self, prompt_id: str) -> Results:
        """The prompt's results from each respondent's latest answer; ``KeyError`` for an unknown prompt.

        Kept as answers are recorded (see :class:`~participant.core.tallies.RunningTally`): asking
        again before another answer is recorded costs nothing."""
        prompt = self._prompts[prompt_id]
        return self._tally(prompt_id).results(prompt, self.min_responses)

    def _tally(self, prompt_id: str) -> RunningTally:
        running = self._tallies.get(prompt_id)
        if running is None:
            running = self._tallies[prompt_id] = RunningTally()
        return running

    # --- Phones --------------------------------------------------------------------------------

    @property
    def connected(self) -> int:
        """How many distinct devices are connected (a phone with two tabs open counts once)."""
        return len(self._devices)

    def connect(self, device_id: str) -> bool:
        """A connection of this device joined; whether the count of connected devices changed."""
        self._devices[device_id] += 1
        return self._devices[device_id] == 1

    def disconnect(self, device_id: str) -> bool:
        """A connection of this device left; whether the count of connected devices changed."""
        if self._devices[device_id] <= 1:
            self._devices.pop(device_id, None)
            return True
        self._devices[device_id] -= 1
        return False

    def welcome(self, device_id: str) -> Welcome:
        """What a phone that joins is told: the session, the open prompt, its answer to it."""
        answer = self._answer_to_open(device_id)
        return Welcome(self.title, self._open, answer, self._closing, self._staying_for(device_id))

    def current_prompt(self, device_id: str) -> CurrentPrompt:
        """What a connected phone is told when the trainer opens or closes a prompt, or keeps a wall open."""
        return CurrentPrompt(self._open, self._answer_to_open(device_id), self._staying_for(device_id))

    def _staying_for(self, device_id: str) -> Staying:
        return tuple((prompt, self.answer_of(device_id, prompt.id)) for prompt in self.staying)

    def _answer_to_open(self, device_id: str) -> AnswerValue | None:
        return None if self._open is None else self.answer_of(device_id, self._open.id)

    def answer_of(self, device_id: str, prompt_id: str) -> AnswerValue | None:
        """This device's latest stored answer to the prompt, if any."""
        current = self._answers.get(prompt_id, {}).get(self._respondent(prompt_id, device_id))
        return None if current is None else current.value

    def _respondent(self, prompt_id: str, device_id: str) -> str:
        """The device's keyed hash for the prompt, kept in memory while the prompt is open: it is
        asked for each answer, and for every phone when the prompt opens."""
        if self._open is None or prompt_id != self._open.id:
            return self.keys.respondent(prompt_id, device_id)
        respondent = self._respondents.get(device_id)
        if respondent is None:
            respondent = self._respondents[device_id] = self.keys.respondent(prompt_id, device_id)
        return respondent

    def receive(self, device_id: str, answer: Answer) -> Response | None:
        """Check a phone's answer: the :class:`Response` to store, or ``None`` if it is already stored.

        Raises :class:`ProtocolError` when the prompt is not open or the value does not fit it.
        """
        answer_key = self.keys.answer(device_id, answer.id)
        if answer_key in self._stored:
            return None
        prompt = self._answerable(answer.prompt)
        if prompt is None:
            if answer.prompt in self._prompts:
                raise ProtocolError(
                    ErrorCode.CLOSED, "This question is closed: your answer was not saved", answer.id
                )
            raise ProtocolError(ErrorCode.NOT_OPEN, "That question is not open: reload the page", answer.id)
        value = parse_answer_value(prompt.wire, answer.value, answer.id)
        return Response(prompt.id, self._respondent(prompt.id, device_id), answer_key, value)

    def _answerable(self, prompt_id: str) -> OpenPrompt | None:
        """The open prompt or a wall kept open with this id, if there is one."""
        if self._open is not None and self._open.id == prompt_id:
            return self._open
        return self._staying.get(prompt_id)

    def record(self, response: Response, seq: int) -> bool:
        """Count a committed response; ``seq`` orders answers (the latest answer of a respondent wins).

        Recording the same answer twice changes nothing; returns whether this one was new.
        """
        if response.answer_key in self._stored:
            return False
        self._stored.add(response.answer_key)
        answers = self._answers.setdefault(response.prompt_id, {})
        current = answers.get(response.respondent)
        if current is None or seq > current.seq:
            number = len(answers) if current is None else current.number
            latest = answers[response.respondent] = _Current(seq, response.value, number)
            running = self._tally(response.prompt_id)
            if current is not None:
                running.remove(current.position, current.value)
            running.add(latest.position, latest.value)
        return True

    # --- After a crash ---------------------------------------------------------------------------

    @classmethod
    def restore(
        cls,
        title: str,
        secret: bytes,
        prompts: Iterable[OpenPrompt],
        responses: Iterable[tuple[int, Response]],
        open_prompt: str | None = None,
        *,
        min_responses: int = DEFAULT_MIN_RESPONSES,
    ) -> Hub:
        """A hub folded back from the store's records, with ``open_prompt`` open again."""
        hub = cls(title, secret, min_responses=min_responses)
        for prompt in prompts:
            hub.open_prompt(prompt.id, prompt.wire)
        hub.close_prompt()
        for seq, response in responses:
            hub.record(response, seq)
        if open_prompt is not None:
            hub._open = hub._prompts[open_prompt]
        return hub
