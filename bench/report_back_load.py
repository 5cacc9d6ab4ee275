"""The projector under a flood of breakout notes: frame gaps and note acks at the report-back.

What it measures. Entering a report-back groups every note of the breakout into themes, and every
change to a note regroups them. When that work runs on the event loop the projector and the
websocket server share, the projector stops drawing and the rooms' notes wait for their acks. This
benchmark shows how long, against a baseline measured in the same run.

How. Two processes, as in a real room:

- The laptop (this process): a fresh session in a scratch data dir with a two-step agenda written
  here (a breakout with ``--rooms`` rooms and two prompts, then its report-back), the real
  participant server on 127.0.0.1 (a free port) and the real projector app built by the app factory,
  headless (``app.run_test(size=(120, 35))``), the server on a thread and loop of its own, exactly
  as ``facilitate run`` does (:func:`build_projector`, the one place that knows the factory). The
  trainer starts the timer. A callback on ``app.set_interval(0.05)`` records when it runs: a
  *frame gap* is the time between two of its runs (50 ms when the loop is free; a stall of the loop
  shows as one long gap). Screen updates are counted too, where the app's ``_display`` can be
  wrapped (the compositor still renders a headless app's updates; it just does not write them out).
- The rooms (this file again, ``--role load``, a subprocess driven over its stdin/stdout by JSON
  lines): websocket clients on the rooms' private links (``/ws?r=<token>``, the token of
  ``server.room_path(room)``), each sending ``hello``, then notes.

Phase 1 (baseline, at the breakout step, where nothing groups notes): ``--notes`` notes, spread over
the rooms, texts drawn from ``tests/fixtures/breakout_notes.json``; each room sends its next note as
soon as its previous one is acked (the rooms send at once). The server allows a device a burst of 20
messages, then 2 a second, so each room sends through several devices sharing its link, 18 notes
each: the flood is limited by acks, never refused. After phase 1 each room keeps one device open.
Phase 1's frame gaps are taken from its first note to its last ack, or over 1 s if that is shorter
(the projector stays on the breakout that long, so a ``--smoke`` run has a baseline too).
Then the laptop presses ``n`` through Pilot to enter the report-back (``enter_gap_ms`` is the longest
frame gap in the 2 s from that moment) and, 2 s after entering, tells the rooms to go on. Phase 2:
room 1 edits one of its notes every 0.2 s for ``--edit-seconds`` (an open loop: an edit does not wait
for the previous ack; the edits rotate over 3 editor devices, so the rate limit is never hit), the
other rooms stay idle. Times are ``time.monotonic()`` in both processes (one clock on Linux).
Afterwards the laptop waits (at most 20 s) for the report-back to show every note with its last
text, quits the app, closes the store and reads the SQLite file to check every acked change is in it.

The figures are reported, never judged: nothing here asserts a timing.

Run it from a checkout (about 20 s with the defaults here, under 10 s with ``--smoke``)::

    .venv/bin/python bench/report_back_load.py [--notes 800] [--rooms 4] [--edit-seconds 10]
                                               [--smoke] [--json] [--timeout 180] [--seed 1]

The last line printed is one JSON object (with ``--json``, the only one). Times in milliseconds;
null where there was nothing to measure:

- ``notes``, ``rooms``, ``edit_seconds``: the load; ``devices``: websocket clients in phase 1.
- ``enter_gap_ms``: the longest frame gap in the 2 s after pressing ``n`` into the report-back;
  ``enter_press_ms``: how long that key press took to be handled.
- ``max_gap_ms``, ``p99_gap_ms``: frame gaps during phase 2 (the edits, until their last ack);
  ``baseline_max_gap_ms``, ``baseline_p99_gap_ms``: the same during phase 1 (at least 1 s of it).
- ``ack_p50_ms``, ``ack_p99_ms``, ``ack_max_ms``: send -> ack of the edits of phase 2;
  ``baseline_ack_p50_ms``, ``baseline_ack_p99_ms``: send -> ack of the notes added in phase 1. A
  change with no reply within 60 s counts as 60000 ms there (a lower bound), and in ``errors``.
- ``ack_ratio``: ack_p99_ms / baseline_ack_p99_ms; ``gap_ratio``: max_gap_ms / baseline_max_gap_ms.
- ``acked``: notes added and acked; ``edits_sent``, ``edits_acked``: phase 2's edits;
  ``errors``: changes not acked, by the error code of the reply, or ``timeout`` (no reply in 60 s),
  ``closed`` (the connection closed first), ``no note free to edit`` (all had an edit on the way).
- ``lost``: acked changes missing from the session file at the end (an acked note not there, or an
  acked edit whose revision is not there); 0 is the only right answer.
- ``paints``, ``max_paint_gap_ms``: screen updates during phase 2 and the longest time without one
  (the countdown changes every second, so about 1000 ms is normal); ``baseline_paints``,
  ``baseline_max_paint_gap_ms``: the same in phase 1 (null when updates could not be counted).
- ``themes_shown``: whether the report-back showed themes at the end (its widget's ``grouping``;
  null if the widget has none); ``themes``: how many; ``report_back_current``: whether, within 20 s
  of the end of phase 2, it showed every acked note with its last acked text (or the text of a later
  edit that got no reply), each in a theme; ``catch_up_ms``: how long after the end it got there.
- ``load_max_gap_ms``, ``baseline_load_max_gap_ms``: the longest gap of the same 50 ms probe in the
  rooms' process during phase 2 and phase 1: a stall there too means the machine, not the projector.
- ``phase1_seconds``, ``seconds``: wall time of phase 1 and of the whole run; ``cpus`` and
  ``load_avg``: the machine's CPUs and its 1-minute load average at the end (how noisy it was).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import math
import os
import random
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from participant.core.wire import MAX_NOTES_PER_ROOM, MAX_ROOMS, ROOM_PREFIX, WS_PATH  # noqa: E402

if TYPE_CHECKING:
    from textual.app import App
    from websockets.asyncio.client import ClientConnection

    from participant.io.server import ParticipantServer
    from participant.io.store import Store

HOST = "127.0.0.1"  # the rooms only ever connect here
SIZE = (120, 35)
FIXTURE = ROOT / "tests" / "fixtures" / "breakout_notes.json"
PROMPTS = ("Why do you work well together?", "What is your relationship like?")
TICK_SECONDS = 0.05  # the frame probe's interval
ENTER_WINDOW = 2.0  # enter_gap_ms looks this long after pressing n into the report-back
BASELINE_MIN_SECONDS = 1.0  # phase 1's frame gaps are taken over at least this long (short runs)
EDIT_EVERY = 0.2  # seconds between two edits of phase 2
EDITORS = 3  # devices of room 1 taking turns at the edits (each then sends 1.7 a second, under 2)
NOTES_PER_DEVICE = 18  # the server allows a device a burst of 20 messages (hello included), then 2/s
ACK_TIMEOUT = 60.0  # a change with no reply after this long counts as a "timeout" error
SETTLE_SECONDS = 20.0  # how long the report-back may take to show the last edits
DEFAULT_TIMEOUT = 180.0
SMOKE_NOTES, SMOKE_EDIT_SECONDS = 50, 2.0


def agenda_source(rooms: int) -> str:
    """The agenda of the run: a breakout with ``rooms`` rooms and two prompts, then its report-back."""
    prompts = ", ".join(json.dumps(prompt) for prompt in PROMPTS)
    return (
        'title = "Report-back under load"\n\n'
        '[[steps]]\ntitle = "Why we work well together"\nkind = "breakout"\nduration = "15m"\n'
        f"rooms = {rooms}\nprompts = [{prompts}]\n\n"
        '[[steps]]\ntitle = "Report back"\nkind = "reportback"\nduration = "10m"\n'
    )


REPORT_BACK_STEP = 1  # the index of the report-back in that agenda


# --- The one place that knows how the product is wired --------------------------------------------


@dataclass
class Projector:
    """What the benchmark needs of the laptop's side, built by :func:`build_projector`."""

    app: App[Any]
    """The projector app, not yet running (the benchmark runs it with ``run_test``)."""
    server: ParticipantServer
    """The participant server, listening on ``HOST`` at ``server.port``."""
    step: Callable[[], int]
    """The index of the step the projector is on."""
    close: Callable[[], Awaitable[None]]
    """Close the server, and its thread."""


async def build_projector(store: Store, source: str) -> Projector:
    """The participant server and the projector app over ``store``, wired as ``facilitate run``
    wires them (``facilitator.cli._serve``). Adapt this function when the app factory changes."""
    from facilitator.app import make_app
    from facilitator.domain.agenda_loader import parse_agenda
    from facilitator.domain.clock import SystemClock
    from facilitator.domain.saved_state import SavedState
    from facilitator.domain.workshop import Workshop
    from facilitator.live.participants import ServerParticipants
    from facilitator.live.room_thread import ServerThread
    from participant.core.budgets import Limits
    from participant.io.server import ParticipantServer

    def make() -> ParticipantServer:
        # The rooms' flood comes from one address: the budget of notes per address would refuse it.
        return ParticipantServer(store, limits=Limits(note_rate=1000))

    threaded = await ServerThread.start(make, HOST, 0)
    server = threaded.server
    try:
        base = f"http://{HOST}:{server.port}"
        participants = ServerParticipants(server, store, base, server_door=threaded.door)
        saved = SavedState.from_store(store.load_state())
        workshop = Workshop(parse_agenda(source), SystemClock(), participants, saved)
        app = make_app(workshop, join_url=f"{base}{server.join_path}")
    except BaseException:
        await threaded.close()
        raise
    return Projector(app, server, lambda: workshop.index, threaded.close)


# --- Figures ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p99 of 300 values is the 297th smallest); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ratio(top: float | None, bottom: float | None) -> float | None:
    if top is None or bottom is None or bottom <= 0:
        return None
    return round(top / bottom, 2)


def ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def shown(value: float | None, unit: str = " ms") -> str:
    return "n/a" if value is None else f"{value:.1f}{unit}"


def gaps_within(times: Sequence[float], start: float, end: float) -> list[float]:
    """The gaps (ms) between consecutive ``times`` that overlap ``[start, end]``."""
    return [(b - a) * 1000 for a, b in itertools.pairwise(times) if b > start and a < end]


class FrameProbe:
    """When the projector's loop ran a 50 ms interval callback, and when it updated the screen."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.paints: list[float] = []
        self.counts_paints = False

    def install(self, app: App[Any]) -> None:
        app.set_interval(TICK_SECONDS, self._tick, name="report-back-load frame probe")
        display = getattr(app, "_display", None)
        if display is None:
            return
        paints = self.paints

        def counted(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                paints.append(time.monotonic())
            display(screen, renderable)

        # A private method of Textual's App: it receives every compositor update, headless or not.
        app._display = counted  # type: ignore[method-assign]
        self.counts_paints = True

    def _tick(self) -> None:
        self.ticks.append(time.monotonic())

    def gaps(self, start: float, end: float) -> list[float]:
        return gaps_within(self.ticks, start, end)

    def paint_count(self, start: float, end: float) -> int | None:
        return sum(start <= at <= end for at in self.paints) if self.counts_paints else None

    def paint_gap(self, start: float, end: float) -> float | None:
        if not self.counts_paints:
            return None
        return max(gaps_within([start, *(t for t in self.paints if start < t < end), end], start, end))


class LoopProbe:
    """The rooms' process's own loop: a 50 ms sleep, its wake-ups kept (a machine-wide stall shows)."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            self.ticks.append(time.monotonic())
            await asyncio.sleep(TICK_SECONDS)

    def max_gap(self, start: float, end: float) -> float | None:
        return max(gaps_within([*self.ticks, time.monotonic()], start, end), default=None)


# --- The rooms (the load process) ------------------------------------------------------------------


@dataclass
class SentNote:
    """A note as the rooms know it: its last acked text and revision, and the texts of changes that
    got no reply (the server may have stored them, or not)."""

    room: int
    id: str
    text: str
    rev: int = 1
    acked: bool = True
    maybe: list[str] = field(default_factory=list)
    editing: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {
            "room": self.room,
            "id": self.id,
            "text": self.text,
            "rev": self.rev,
            "acked": self.acked,
            "maybe": self.maybe,
        }


@dataclass
class Phase:
    """Send -> ack times (ms), and the replies that were not acks, of one phase."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    start: float = 0.0
    end: float = 0.0

    def to_wire(self) -> dict[str, Any]:
        return {
            "latencies": self.latencies,
            "errors": dict(self.errors),
            "sent": self.sent,
            "start": self.start,
            "end": self.end,
        }


class Device:
    """One device on a room's link: sends ``hello``, then changes; a reader task matches the acks."""

    def __init__(self, room: int, url: str) -> None:
        self.room = room
        self.url = url
        self.device = f"bench-r{room:02}-{secrets.token_hex(8)}"
        self.connection: ClientConnection | None = None
        self.pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.room_messages = 0
        self._reader: asyncio.Task[None] | None = None

    async def join(self) -> None:
        from websockets.asyncio.client import connect

        from participant.core.origins import origin_of

        origin = origin_of(self.url.replace("ws://", "http://", 1))  # as from the server's own page
        self.connection = await connect(self.url, origin=origin, compression=None, open_timeout=ACK_TIMEOUT)
        await self.connection.send(json.dumps({"type": "hello", "device": self.device}))
        welcome = json.loads(await asyncio.wait_for(self.connection.recv(), ACK_TIMEOUT))
        if welcome.get("type") != "room":
            raise RuntimeError(f"room {self.room}'s link answered hello with {welcome}")
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        assert self.connection is not None
        try:
            async for frame in self.connection:
                text = frame if isinstance(frame, str) else frame.decode()
                if text.startswith('{"type":"room"'):  # the room's notes, after every change
                    self.room_messages += 1
                    continue
                reply = json.loads(text)
                waiting = self.pending.pop(str(reply.get("id")), None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(reply)
        except ConnectionClosed:
            pass
        finally:
            for waiting in self.pending.values():
                if not waiting.done():
                    waiting.set_exception(ConnectionError("the connection closed"))

    async def change(self, message: dict[str, Any], phase: Phase) -> str | None:
        """Send one note change; record its send -> ack time, or the error. ``"ack"``, the error's
        code, or None for no reply at all."""
        assert self.connection is not None
        waiting: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[message["id"]] = waiting
        phase.sent += 1
        sent = time.monotonic()
        try:
            await self.connection.send(json.dumps(message))
            reply = await asyncio.wait_for(waiting, ACK_TIMEOUT)
        except TimeoutError:
            phase.errors["timeout"] += 1
            return None
        except ConnectionError:
            phase.errors["closed"] += 1
            return None
        if reply.get("type") == "ack":
            phase.latencies.append((time.monotonic() - sent) * 1000)
            return "ack"
        code = str(reply.get("code", reply.get("type")))
        phase.errors[code] += 1
        return code

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
        if self._reader is not None:
            await self._reader


def fixture_texts(seed: int) -> list[str]:
    """Every note text of the labelled fixture, shuffled (the same order for the same seed)."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    texts = [note["text"] for breakout in data["breakouts"] for note in breakout["notes"]]
    random.Random(seed).shuffle(texts)
    return texts


def per_room(notes: int, rooms: int) -> list[int]:
    """How many notes each room adds: ``notes`` spread as evenly as it goes."""
    return [notes // rooms + (room < notes % rooms) for room in range(rooms)]


class Rooms:
    """The load process's state: every room's devices and the notes they sent."""

    def __init__(self, urls: Sequence[str], notes: int, seed: int) -> None:
        self.texts = fixture_texts(seed)
        self.counts = per_room(notes, len(urls))
        self.adders = {
            room: [Device(room, url) for _ in range(max(1, math.ceil(count / NOTES_PER_DEVICE)))]
            for room, (url, count) in enumerate(zip(urls, self.counts, strict=True), 1)
        }
        self.editors = [Device(1, urls[0]) for _ in range(EDITORS)]
        self.notes: dict[str, SentNote] = {}
        self.rng = random.Random(seed + 1)

    def devices(self) -> list[Device]:
        return [device for devices in self.adders.values() for device in devices] + self.editors

    async def join(self) -> None:
        for device in self.devices():  # one at a time: the handshakes are not what is measured
            await device.join()

    async def add(self) -> Phase:
        """Phase 1: every room adds its notes, each as soon as its previous one is acked."""
        phase = Phase(start=time.monotonic())
        offsets = [sum(self.counts[:room]) for room in range(len(self.counts))]
        await asyncio.gather(
            *(self._add_room(room, offsets[room - 1], phase) for room in self.adders),
        )
        phase.end = time.monotonic()
        for devices in self.adders.values():  # each room keeps one device open through the report-back
            for device in devices[1:]:
                await device.close()
            del devices[1:]
        return phase

    async def _add_room(self, room: int, offset: int, phase: Phase) -> None:
        for number in range(self.counts[room - 1]):
            text = self.texts[(offset + number) % len(self.texts)]
            note = SentNote(room, f"r{room:02}n{number:04}{secrets.token_hex(4)}", text)
            device = self.adders[room][number // NOTES_PER_DEVICE]
            replied = await device.change({"type": "note_add", "id": note.id, "text": text}, phase)
            if replied != "ack":
                note.acked = False
                if replied is None:
                    note.maybe.append(text)
            self.notes[note.id] = note

    async def edit(self, seconds: float) -> Phase:
        """Phase 2: room 1 edits one of its notes every ``EDIT_EVERY`` s for ``seconds``; then every ack."""
        phase = Phase(start=time.monotonic())
        targets = [note for note in self.notes.values() if note.room == 1 and note.acked]
        edits: list[asyncio.Task[None]] = []
        turn = slot = 0
        while targets and (at := phase.start + slot * EDIT_EVERY) < phase.start + seconds:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            device = self.editors[slot % len(self.editors)]
            slot += 1
            for _ in targets:  # the next note with no edit of it on the way
                note, turn = targets[turn % len(targets)], turn + 1
                if not note.editing:
                    edits.append(asyncio.create_task(self._edit(device, note, phase)))
                    break
            else:
                phase.errors["no note free to edit"] += 1
        if edits:
            await asyncio.wait(edits)
        phase.end = time.monotonic()
        return phase

    async def _edit(self, device: Device, note: SentNote, phase: Phase) -> None:
        note.editing = True
        text = self.rng.choice(self.texts)
        message = {"type": "note_edit", "id": note.id, "rev": note.rev, "text": text}
        replied = await device.change(message, phase)
        if replied == "ack":
            note.text, note.rev = text, note.rev + 1
        elif replied is None:
            note.maybe.append(text)
        note.editing = False

    async def close(self) -> None:
        for device in self.devices():
            await device.close()


async def stdin_lines() -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


def tell(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def the_rooms(timeout: float) -> None:
    """The load process: does what the laptop says on stdin, one JSON line each, and answers on stdout."""
    async with asyncio.timeout(timeout):
        commands = await stdin_lines()
        probe = LoopProbe()
        probe.start()
        rooms: Rooms | None = None
        try:
            while line := await commands.readline():
                command = json.loads(line)
                if command["cmd"] == "setup":
                    rooms = Rooms(command["urls"], command["notes"], command["seed"])
                    started = time.monotonic()
                    await rooms.join()
                    tell({"devices": len(rooms.devices()), "join_seconds": time.monotonic() - started})
                elif command["cmd"] in ("add", "edit"):
                    assert rooms is not None
                    phase = await (rooms.add() if command["cmd"] == "add" else rooms.edit(command["seconds"]))
                    tell({**phase.to_wire(), "load_max_gap_ms": probe.max_gap(phase.start, phase.end)})
                elif command["cmd"] == "quit":
                    notes = [] if rooms is None else list(rooms.notes.values())
                    tell({"notes": [note.to_wire() for note in notes]})
                    break
        finally:
            probe.stop()
            if rooms is not None:
                await rooms.close()


# --- The laptop ------------------------------------------------------------------------------------


class LoadProcess:
    """The rooms' process as the laptop drives it: JSON lines in on its stdin, out on its stdout."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdin is not None
        assert process.stdout is not None
        self.process = process
        self._stdin, self._stdout = process.stdin, process.stdout

    @classmethod
    async def spawn(cls, timeout: float) -> LoadProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--role=load",
            f"--timeout={timeout}",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 24,
        )
        return cls(process)

    async def ask(self, command: dict[str, Any]) -> dict[str, Any]:
        self._stdin.write((json.dumps(command) + "\n").encode())
        await self._stdin.drain()
        line = await self._stdout.readline()
        if not line:
            raise RuntimeError("the rooms' process stopped (see its error above)")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def finish(self) -> None:
        """Wait a little for it to exit, else kill it."""
        if self.process.returncode is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.process.wait(), 10)
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


@dataclass
class ReportBackView:
    """What the report-back widget showed: notes by id with their text, and the themes' note ids."""

    notes: dict[str, str] | None
    themed: set[str] | None
    themes: int | None


def report_back_view(app: App[Any]) -> ReportBackView:
    """Read the report-back widget, whatever of it is there (None for what is not)."""
    try:
        from facilitator.app.widgets.report_back import ReportBack

        view = app.query_one(ReportBack)
    except Exception:
        return ReportBackView(None, None, None)
    shown_notes = getattr(view, "notes", None)
    notes = None if shown_notes is None else {key: str(note.text) for key, note in dict(shown_notes).items()}
    if not hasattr(view, "grouping"):
        return ReportBackView(notes, None, None)
    grouping = view.grouping
    if grouping is None:
        return ReportBackView(notes, set(), 0)
    themed = {note_id for group in grouping.groups for note_id in group.note_ids}
    return ReportBackView(notes, themed, len(grouping.groups))


def up_to_date(view: ReportBackView, sent: Sequence[dict[str, Any]]) -> bool:
    """Whether the report-back shows every acked note with its last acked text (or the text of a later
    change that got no reply), no other note but ones added with no reply, each of them in a theme."""
    if view.notes is None:
        return False
    texts = {note["id"]: {note["text"], *note["maybe"]} for note in sent}
    required = {note["id"] for note in sent if note["acked"]}
    shown = view.notes
    return (
        required <= shown.keys()
        and all(note_id in texts and text in texts[note_id] for note_id, text in shown.items())
        and (view.themed is None or view.themed == shown.keys())
    )


async def settle(
    app: App[Any], sent: Sequence[dict[str, Any]], since: float
) -> tuple[ReportBackView, float | None]:
    """Wait (at most ``SETTLE_SECONDS``) for the report-back to be :func:`up_to_date`."""
    until = time.monotonic() + SETTLE_SECONDS
    while True:
        view = report_back_view(app)
        if up_to_date(view, sent):
            return view, (time.monotonic() - since) * 1000
        if view.notes is None or time.monotonic() >= until:
            return view, None
        await asyncio.sleep(0.05)


def stored_notes(path: Path) -> dict[str, int]:
    """Each note's stored revision, read from the session file (after the store is closed)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as database:
        return dict(database.execute("SELECT id, rev FROM notes"))


async def laptop(args: argparse.Namespace, say: Callable[[str], None]) -> dict[str, Any]:
    """The session, the server (on its own thread) and the projector; spawns the rooms and runs both
    phases."""
    from participant.io.store import create_session

    began = time.monotonic()
    data = Path(tempfile.mkdtemp(prefix="facilitate-report-back-"))
    load: LoadProcess | None = None
    probe = FrameProbe()
    result: dict[str, Any] = {}
    try:
        source = agenda_source(args.rooms)
        store = create_session("Report-back under load", source, data_dir=data)
        try:
            projector = await build_projector(store, source)
            app, server = projector.app, projector.server
            gc.freeze()  # as facilitate run does, once everything is imported and built
            try:
                async with app.run_test(size=SIZE) as pilot:
                    probe.install(app)
                    await pilot.press("space")  # the trainer starts the breakout's timer
                    load = await LoadProcess.spawn(args.timeout)
                    urls = [
                        f"ws://{HOST}:{server.port}{WS_PATH}?r={server.room_path(room).removeprefix(ROOM_PREFIX)}"
                        for room in range(1, args.rooms + 1)
                    ]
                    ready = await load.ask(
                        {"cmd": "setup", "urls": urls, "notes": args.notes, "seed": args.seed}
                    )
                    joined = f"{ready['join_seconds']:.1f} s"
                    say(f"{ready['devices']} devices joined the {args.rooms} rooms in {joined}")

                    added = await load.ask({"cmd": "add"})
                    say(f"phase 1: {len(added['latencies'])} of {args.notes} notes acked")
                    await asyncio.sleep(max(0.0, added["start"] + BASELINE_MIN_SECONDS - time.monotonic()))

                    entered = time.monotonic()
                    await pilot.press("n")
                    pressed = time.monotonic()
                    if projector.step() != REPORT_BACK_STEP:
                        raise RuntimeError(
                            f"n took the projector to step {projector.step() + 1}, not the report-back"
                        )
                    await asyncio.sleep(max(0.0, entered + ENTER_WINDOW - time.monotonic()))
                    say(f"report-back entered (n took {pressed - entered:.2f} s); room 1 edits now")

                    edited = await load.ask({"cmd": "edit", "seconds": args.edit_seconds})
                    bye = await load.ask({"cmd": "quit"})
                    await load.finish()
                    view, catch_up = await settle(app, bye["notes"], edited["end"])
            finally:
                await projector.close()
        finally:
            store.close()
        stored = stored_notes(store.path)
        result = figures(args, probe, ready, added, edited, bye, stored, view, catch_up)
        result["enter_gap_ms"] = ms(max(probe.gaps(entered, entered + ENTER_WINDOW), default=None))
        result["enter_press_ms"] = ms((pressed - entered) * 1000)
        result["seconds"] = round(time.monotonic() - began, 1)
        result["cpus"] = os.cpu_count()
        result["load_avg"] = round(os.getloadavg()[0], 2)
    finally:
        if load is not None and load.process.returncode is None:
            load.process.kill()
            await load.process.wait()
        shutil.rmtree(data, ignore_errors=True)
    return result


def figures(
    args: argparse.Namespace,
    probe: FrameProbe,
    ready: dict[str, Any],
    added: dict[str, Any],
    edited: dict[str, Any],
    bye: dict[str, Any],
    stored: dict[str, int],
    view: ReportBackView,
    catch_up: float | None,
) -> dict[str, Any]:
    """The JSON figures of a run (see the module's docstring)."""
    one = (added["start"], max(added["end"], added["start"] + BASELINE_MIN_SECONDS))
    two = (edited["start"], edited["end"])
    gaps_one, gaps_two = probe.gaps(*one), probe.gaps(*two)
    # A change with no reply counts as ACK_TIMEOUT (a lower bound) in the percentiles.
    acks_one = added["latencies"] + [ACK_TIMEOUT * 1000] * added["errors"].get("timeout", 0)
    acks_two = edited["latencies"] + [ACK_TIMEOUT * 1000] * edited["errors"].get("timeout", 0)
    max_gap, base_gap = max(gaps_two, default=None), max(gaps_one, default=None)
    ack_p99, base_ack_p99 = percentile(acks_two, 99), percentile(acks_one, 99)
    lost = sum(stored.get(note["id"], 0) < note["rev"] for note in bye["notes"] if note["acked"])
    errors = Counter(added["errors"]) + Counter(edited["errors"])
    themes_shown = None if view.themed is None else bool(view.themes)
    return {
        "notes": args.notes,
        "rooms": args.rooms,
        "edit_seconds": args.edit_seconds,
        "devices": ready["devices"],
        "enter_gap_ms": None,
        "enter_press_ms": None,
        "max_gap_ms": ms(max_gap),
        "p99_gap_ms": ms(percentile(gaps_two, 99)),
        "baseline_max_gap_ms": ms(base_gap),
        "baseline_p99_gap_ms": ms(percentile(gaps_one, 99)),
        "ack_p50_ms": ms(percentile(acks_two, 50)),
        "ack_p99_ms": ms(ack_p99),
        "ack_max_ms": ms(max(acks_two, default=None)),
        "baseline_ack_p50_ms": ms(percentile(acks_one, 50)),
        "baseline_ack_p99_ms": ms(base_ack_p99),
        "ack_ratio": ratio(ack_p99, base_ack_p99),
        "gap_ratio": ratio(max_gap, base_gap),
        "acked": len(added["latencies"]),
        "edits_sent": edited["sent"],
        "edits_acked": len(edited["latencies"]),
        "errors": dict(errors),
        "lost": lost,
        "paints": probe.paint_count(*two),
        "max_paint_gap_ms": ms(probe.paint_gap(*two)),
        "baseline_paints": probe.paint_count(*one),
        "baseline_max_paint_gap_ms": ms(probe.paint_gap(*one)),
        "themes_shown": themes_shown,
        "themes": view.themes,
        "report_back_current": None if view.notes is None else catch_up is not None,
        "catch_up_ms": ms(catch_up),
        "load_max_gap_ms": ms(edited["load_max_gap_ms"]),
        "baseline_load_max_gap_ms": ms(added["load_max_gap_ms"]),
        "phase1_seconds": round(added["end"] - added["start"], 2),
        "seconds": None,
    }


def report(result: dict[str, Any]) -> list[str]:
    """The human-readable lines of a run."""
    r = result
    themes = {None: "unknown (no grouping on the report-back widget)", True: "yes", False: "no"}
    return [
        f"{r['notes']} notes from {r['rooms']} rooms ({r['devices']} devices), then room 1 edits a note "
        f"every {EDIT_EVERY:g} s for {r['edit_seconds']:g} s; projector headless {SIZE[0]}x{SIZE[1]}, "
        "server on its own thread and loop, 127.0.0.1.",
        f"Frame gap: the time between two runs of a {TICK_SECONDS * 1000:.0f} ms interval on the app.",
        f"phase 1, breakout (baseline): {r['acked']} notes acked in {r['phase1_seconds']:.1f} s",
        f"  ack p50 {shown(r['baseline_ack_p50_ms'])}, p99 {shown(r['baseline_ack_p99_ms'])}; "
        f"frame gap max {shown(r['baseline_max_gap_ms'])}, p99 {shown(r['baseline_p99_gap_ms'])}",
        f"  {r['baseline_paints']} screen updates, longest without one "
        f"{shown(r['baseline_max_paint_gap_ms'])}",
        f"entering the report-back: the key press took {shown(r['enter_press_ms'])}; "
        f"longest frame gap in the next {ENTER_WINDOW:g} s {shown(r['enter_gap_ms'])}",
        f"phase 2, report-back: {r['edits_acked']} of {r['edits_sent']} edits acked",
        f"  ack p50 {shown(r['ack_p50_ms'])}, p99 {shown(r['ack_p99_ms'])}, max {shown(r['ack_max_ms'])}; "
        f"frame gap max {shown(r['max_gap_ms'])}, p99 {shown(r['p99_gap_ms'])}",
        f"  {r['paints']} screen updates, longest without one {shown(r['max_paint_gap_ms'])}",
        f"ratios phase 2 / phase 1: ack p99 {r['ack_ratio']}, max frame gap {r['gap_ratio']}",
        f"rooms' own process, longest loop gap: phase 1 {shown(r['baseline_load_max_gap_ms'])}, "
        f"phase 2 {shown(r['load_max_gap_ms'])}",
        f"report-back: themes shown {themes[r['themes_shown']]} ({r['themes']} themes); "
        f"showed every last edit: {r['report_back_current']} ({shown(r['catch_up_ms'])} after the last ack)",
        f"errors {r['errors'] or 'none'}; acked changes missing from the session file: {r['lost']}",
        f"{r['seconds']} s in all; {r['cpus']} CPUs, load average {r['load_avg']} at the end",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    assert __doc__ is not None
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, help="notes added in phase 1, over all rooms (default 800)")
    parser.add_argument("--rooms", type=int, default=4, help="breakout rooms (default 4)")
    parser.add_argument("--edit-seconds", type=float, help="seconds of edits in phase 2 (default 10)")
    parser.add_argument(
        "--smoke", action="store_true", help=f"a quick run: {SMOKE_NOTES} notes, 2 s of edits"
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--seed", type=int, default=1, help="which fixture texts, in which order (default 1)")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="abort after this many seconds (default 180)"
    )
    parser.add_argument("--role", choices=["laptop", "load"], default="laptop", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "load":
        asyncio.run(the_rooms(args.timeout))
        return 0
    if args.notes is None:
        args.notes = SMOKE_NOTES if args.smoke else 800
    if args.edit_seconds is None:
        args.edit_seconds = SMOKE_EDIT_SECONDS if args.smoke else 10.0
    if not 1 <= args.rooms <= MAX_ROOMS:
        parser.error(f"--rooms goes from 1 to {MAX_ROOMS}")
    if not args.rooms <= args.notes <= args.rooms * MAX_NOTES_PER_ROOM:
        parser.error(
            f"--notes goes from --rooms to {MAX_NOTES_PER_ROOM} per room ({args.rooms * MAX_NOTES_PER_ROOM})"
        )
    if args.edit_seconds <= 0 or args.timeout <= 0:
        parser.error("--edit-seconds and --timeout must be more than 0")

    def say(line: str) -> None:
        if not args.json:
            print(line, file=sys.stderr, flush=True)

    async def bounded() -> dict[str, Any]:
        async with asyncio.timeout(args.timeout):
            return await laptop(args, say)

    try:
        result = asyncio.run(bounded())
    except TimeoutError:
        print(f"aborted: the benchmark took longer than {args.timeout:g} s", file=sys.stderr)
        return 1
    except RuntimeError as error:
        print(f"aborted: {error}", file=sys.stderr)
        return 1
    if not args.json:
        print("\n".join(report(result)))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
