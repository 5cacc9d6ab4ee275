"""Thousands of phones on one laptop, against a bare websockets server in the same run.

Three processes, as in a real room. The orchestrator (this script) starts a server process and a
phones process, once for each of two targets, one after the other:

- ``baseline``: a bare websockets server written here. A ``hello`` gets the open prompt; an
  ``answer`` goes to a writer thread that inserts each batch of waiting answers into SQLite (WAL,
  ``synchronous=NORMAL`` as the product), commits, and only then acks. Nothing else.
- ``product``: the real thing as ``facilitate run`` wires it: a fresh session (the store committing
  to SQLite), the participant server with its hub and budgets, the workshop controller and the
  projector app, headless (``App.run_test``); the server on a thread and event loop of its own,
  the controller and the projector on the main one. The controller opens the prompt (``n`` is
  pressed until a step asks one) and the countdown runs (``space``).

The phones process speaks the real protocol over its own minimal websocket client (the handshake,
masked frames, pongs), so that it costs far less CPU per message than either server and the
server, not the phones, sets the pace. Phones come from 127.0.0.2, 127.0.0.3, ... (50 per address,
as a room's phones come from many addresses) and connect to 127.0.0.1 only.

- ``--mode think``: each phone answers once, at a random moment within ``--window`` seconds (10).
- ``--mode burst``: each phone answers ``BURST_ANSWERS`` times, each as soon as the last is acked,
  then resends its first answer (as after a reconnect): it must be acked again and stored once.

Measured, per target: send to ack (p50, p99); durable answers a second (acked answers over the
time from the first send to the last ack); the server's CPU (% of one core) and peak RSS; its
event-loop lag and longest full garbage collection; and after the server is killed with SIGKILL,
``lost`` (acked, but not in the session file) and ``duplicates`` (answers stored more than once).
For the product also: send to the tally the projector shows (the first paint of the results panel
after the answer was counted, or, when the tally shown did not change, the refresh that counted it),
the time from opening the prompt until every phone has it, how long the projector takes to answer
a key (``j``, pressed every ``KEY_EVERY`` s during the load: until its action runs) and whether the
countdown ever skipped a second. Times are ``time.monotonic()`` (one clock for every process on
Linux).

Each process raises its soft open-files limit to the hard one (``resource.setrlimit``): every
phone is one socket in the phones process and one in the server.

    python bench/load.py [--phones 2000] [--mode think|burst] [--window 10] [--json]
                         [--only product|baseline] [--profile FILE]

With ``--json`` the last line printed is one JSON object with every figure (``ratio`` is
``throughput / baseline_throughput``). ``--profile FILE``: py-spy samples the product's server
process during the load (its figures are then not the ones to quote).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import ipaddress
import itertools
import json
import math
import os
import random
import resource
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facilitator.live.event_loop import loop_factory  # noqa: E402

AGENDA = ROOT / "agendas" / "working-alliance-mutuality.toml"
HOST = "127.0.0.1"  # the only address the phones connect to
FIRST_SOURCE = ipaddress.IPv4Address("127.0.0.2")  # phones come from here on, in 127.0.0.0/8
PHONES_PER_ADDRESS = 50
CONNECTING_AT_ONCE = 200  # handshakes in flight while the room joins
BURST_ANSWERS = 10  # within every budget: 50 phones x 12 messages < an address's burst of 1,000
"""Enough for a burst of several seconds at 2,000 phones: a shorter one let a single hiccup of the
machine move a round's ratio by a third."""
PASS_SHARE = 0.05
KEY_EVERY = 0.5  # often enough for a p99 over a few seconds of burst, rarely enough not to load it
JOINS_SETTLE = 3.0  # the trainer opens the prompt a little after the room joined
SETTLE_SECONDS = 5.0  # after the last ack, how long the projector may take to show every answer
SIZE = (120, 36)
TIMEOUT = 300.0
SERVER_FIGURES = (
    "cpu_pct", "rss_mb", "lag_p99_ms", "lag_max_ms", "gc_full", "gc_full_max_ms", "gc_collections", "gc_ms"
)  # fmt: skip
BASELINE_FIGURES = ("p50_ms", "p99_ms", "cpu_pct", "cpu_us_per_answer", "rss_mb", "lost", "duplicates")


def raise_open_files() -> int:
    """Raise this process's soft open-files limit to the hard one; the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p99 of 2,000 values is the 1,980th smallest); NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def peak_rss_mb() -> float:
    """This process's peak resident memory (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Lines:
    """JSON lines in from stdin, JSON lines out on stdout: how the orchestrator drives a child."""

    def __init__(self) -> None:
        self._reader: asyncio.StreamReader | None = None

    async def read(self) -> dict[str, Any]:
        if self._reader is None:
            self._reader = asyncio.StreamReader(limit=1 << 26)
            loop = asyncio.get_running_loop()
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(self._reader), sys.stdin)
        line = await self._reader.readline()
        return json.loads(line) if line else {"cmd": "quit"}

    @staticmethod
    def say(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def thread_cpu() -> dict[str, float]:
    """CPU seconds so far of each of this process's Python threads, by name (Linux's /proc; else none)."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds: dict[str, float] = {}
    for thread in threading.enumerate():
        try:
            stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()  # after the command's name, which may hold spaces
        name = "store" if thread.name.startswith("store ") else thread.name  # the same in every round
        seconds[name] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return seconds


class Usage:
    """One server's CPU, event-loop lag and full garbage collections between ``start`` and ``stop``."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.lag_times: list[float] = []
        self.full_collections: list[float] = []
        self.collections = [0, 0, 0]
        self.collecting_ms = 0.0
        self._task: asyncio.Task[None] | None = None
        self._started = (0.0, 0.0)
        self._collecting = self._collecting_cpu = 0.0
        self.cpu_pct = 0.0
        self._threads: dict[str, float] = {}

    def start(self) -> None:
        gc.callbacks.append(self._collection)
        self._task = asyncio.create_task(self._sample())
        self._started = (time.monotonic(), time.process_time())
        self._threads = thread_cpu()

    def stop(self) -> dict[str, Any]:
        wall, cpu = time.monotonic() - self._started[0], time.process_time() - self._started[1]
        if self._task is not None:
            self._task.cancel()
        gc.callbacks.remove(self._collection)
        return {
            "cpu_pct": round(100 * cpu / wall, 1),
            "cpu_seconds": round(cpu, 2),
            "thread_cpu_seconds": {
                name: round(seconds - self._threads.get(name, 0.0), 2)
                for name, seconds in thread_cpu().items()
            },
            "rss_mb": round(peak_rss_mb(), 1),
            "lag_p99_ms": round(percentile(self.lags, 99), 1),
            "lag_max_ms": round(max(self.lags, default=0.0), 1),
            "worst_lags": sorted(zip(self.lags, self.lag_times, strict=True), reverse=True)[:5],
            "gc_full": len(self.full_collections),
            "gc_full_max_ms": round(max(self.full_collections, default=0.0), 1),
            "gc_collections": self.collections,
            "gc_ms": round(self.collecting_ms, 1),
        }

    def _collection(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._collecting, self._collecting_cpu = time.perf_counter(), time.thread_time()
            return
        took = (time.perf_counter() - self._collecting) * 1000
        self.collections[info["generation"]] += 1
        self.collecting_ms += (time.thread_time() - self._collecting_cpu) * 1000
        if info["generation"] == 2:
            self.full_collections.append(took)

    async def _sample(self) -> None:
        tick = 0.01
        while True:
            before = time.monotonic()
            await asyncio.sleep(tick)
            now = time.monotonic()
            self.lags.append((now - before - tick) * 1000)
            self.lag_times.append(now - self._started[0])


# --- The baseline: a bare websockets server committing to SQLite ------------------------------------


class BareWriter:
    """A thread that commits each batch of waiting answers, then wakes the loop once to ack them."""

    def __init__(self, path: Path, loop: asyncio.AbstractEventLoop) -> None:
        import queue

        self._loop = loop
        self._jobs: queue.SimpleQueue[tuple[tuple[str, str, str], asyncio.Future[None]]] = queue.SimpleQueue()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("CREATE TABLE answers (id TEXT PRIMARY KEY, device TEXT, value TEXT)")
        threading.Thread(target=self._run, daemon=True).start()

    def add(self, row: tuple[str, str, str]) -> asyncio.Future[None]:
        future = self._loop.create_future()
        self._jobs.put((row, future))
        return future

    def _run(self) -> None:
        while True:
            batch = [self._jobs.get()]
            while not self._jobs.empty():
                batch.append(self._jobs.get())
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR IGNORE INTO answers VALUES (?, ?, ?)", [row for row, _ in batch])
            self._db.execute("COMMIT")
            self._loop.call_soon_threadsafe(_resolve, [future for _, future in batch])


def _resolve(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)


async def baseline_server(args: argparse.Namespace) -> None:
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    pipe = Lines()
    path = Path(args.data) / "baseline.sqlite3"
    writer = BareWriter(path, asyncio.get_running_loop())
    connections: set[ServerConnection] = set()
    prompt: dict[str, Any] | None = None

    async def handle(connection: ServerConnection) -> None:
        connections.add(connection)
        device = ""
        try:
            async for frame in connection:
                message = json.loads(frame)
                if message["type"] == "hello":
                    device = message["device"]
                    await connection.send(json.dumps({"type": "welcome", "prompt": prompt}))
                elif message["type"] == "answer":
                    value = json.dumps(message["value"])
                    await writer.add((message["id"], device, value))
                    await connection.send(json.dumps({"type": "ack", "id": message["id"]}))
        finally:
            connections.discard(connection)

    async with serve(handle, HOST, 0, compression=None, backlog=2048) as server:
        port = server.sockets[0].getsockname()[1]
        pipe.say({"event": "listening", "port": port, "code": "bare", "pid": os.getpid(), "file": str(path)})
        usage = Usage()
        while (command := await pipe.read())["cmd"] != "quit":
            if command["cmd"] == "open":
                prompt_id, wire = first_prompt()
                prompt = {**wire, "id": prompt_id}
                opened_at = time.monotonic()
                broadcast(connections, json.dumps({"type": "prompt", "prompt": prompt, "answer": None}))
                pipe.say({"event": "opened", "prompt": prompt_id, "wire": wire, "at": opened_at})
            elif command["cmd"] == "mark":
                usage.start()
                pipe.say({"event": "marked"})
            elif command["cmd"] == "report":
                pipe.say({"event": "report", **usage.stop()})


def first_prompt() -> tuple[str, dict[str, Any]]:
    """The first prompt of the benchmark's agenda, as the product would open it."""
    from facilitator.domain.agenda import step_id
    from facilitator.domain.agenda_loader import load_agenda

    agenda = load_agenda(AGENDA)
    index = next(i for i, step in enumerate(agenda.steps) if step.prompt is not None)
    prompt = agenda.steps[index].prompt
    assert prompt is not None
    return step_id(index), prompt.to_wire()


# --- The product: session, server (on its own thread), controller and projector -------------------


class Watch:
    """What the product's laptop saw: answers as the hub counted them, the tallies the projector
    was handed and painted, the countdown it drew and how fast it answered keys. The product is
    unchanged: its methods are wrapped, in this process only."""

    def __init__(self, app: Any, server: Any) -> None:
        from facilitator.app.widgets.big_clock import BigClock
        from facilitator.app.widgets.results_panel import ResultsPanel

        self.keys: dict[str, str] = {}  # the hub's answer key -> the phone's answer id
        self.counted: list[str] = []  # answer ids in the order the hub counted them
        self.handed: list[tuple[float, int]] = []  # (time, answers counted) when the panel got results
        self.painted: list[tuple[float, int]] = []  # (time, answers in the tally the panel painted)
        self.clock: list[tuple[float, str]] = []
        self.key_ms: list[float] = []
        self._pressed: float | None = None
        self._handed_count = 0
        hub = server.hub
        receive, record, refresh = hub.receive, hub.record, app.refresh_results

        def receive_and_note(device: str, answer: Any) -> Any:
            response = receive(device, answer)
            if response is not None:
                self.keys[response.answer_key] = answer.id
            return response

        def record_and_note(response: Any, seq: int) -> bool:
            new: bool = record(response, seq)
            if new:
                self.counted.append(self.keys.pop(response.answer_key, "?"))
            return new

        def refresh_and_note() -> None:
            stale, counted = app._results_stale, len(self.counted)  # counted by now, at least
            refresh()
            if stale:
                self._handed_count = counted
                self.handed.append((time.monotonic(), self._handed_count))

        render_results, render_clock = ResultsPanel.render, BigClock.render

        def paint_results(panel: Any) -> Any:
            self.painted.append((time.monotonic(), self._handed_count))
            return render_results(panel)

        def paint_clock(clock: Any) -> Any:
            if not self.clock or self.clock[-1][1] != clock.value:
                self.clock.append((time.monotonic(), clock.value))
            return render_clock(clock)

        toggle = app.action_toggle_join

        def toggle_and_note() -> None:
            if self._pressed is not None:
                self.key_ms.append((time.monotonic() - self._pressed) * 1000)
                self._pressed = None
            toggle()

        hub.receive, hub.record = receive_and_note, record_and_note
        app.refresh_results = refresh_and_note  # before mount: on_mount schedules this attribute
        app.action_toggle_join = toggle_and_note
        ResultsPanel.render = paint_results  # type: ignore[method-assign]
        BigClock.render = paint_clock  # type: ignore[method-assign]

    async def press_keys(self, app: Any) -> None:
        """Press ``j`` every ``KEY_EVERY`` s (it shows or hides the join QR code) until cancelled."""
        from textual import events

        while True:
            await asyncio.sleep(KEY_EVERY)
            if self._pressed is None:
                self._pressed = time.monotonic()
                app.post_message(events.Key("j", "j"))

    def shown_at(self, count: int) -> float:
        """When the projector first showed a tally of at least ``count`` answers (NaN: never)."""
        for at, shown in self.painted:
            if shown >= count:
                return at
        for at, shown in self.handed:
            if shown >= count:
                return at
        return math.nan

    def projector_times(self) -> dict[str, float]:
        """Each counted answer id -> when the projector first showed a tally including it."""
        times: dict[str, float] = {}
        painted, handed = iter(self.painted), iter(self.handed)
        shown_painted = next(painted, (math.inf, math.inf))
        shown_handed = next(handed, (math.inf, math.inf))
        for place, answer_id in enumerate(self.counted, 1):
            while shown_painted[1] < place:
                shown_painted = next(painted, (math.inf, math.inf))
            while shown_handed[1] < place:
                shown_handed = next(handed, (math.inf, math.inf))
            at = min(shown_painted[0], shown_handed[0])
            times[answer_id] = at if math.isfinite(at) else math.nan
        return times

    def clock_skips(self, start: float) -> int:
        """How often the countdown jumped by more than one second between two frames after ``start``."""
        seconds = [_seconds(value) for at, value in self.clock if at >= start]
        return sum(1 for a, b in itertools.pairwise(seconds) if abs(a - b) > 1)


def _seconds(value: str) -> int:
    sign = -1 if value.startswith("-") else 1
    minutes, _, seconds = value.lstrip("-").partition(":")
    return sign * (int(minutes) * 60 + int(seconds or 0))


async def product_server(args: argparse.Namespace) -> None:
    from facilitator.app import make_app
    from facilitator.domain.agenda import step_id
    from facilitator.domain.agenda_loader import parse_agenda
    from facilitator.domain.clock import SystemClock
    from facilitator.domain.runner import Phase
    from facilitator.domain.workshop import Workshop
    from facilitator.live.memory import freeze_when_settled
    from facilitator.live.participants import ServerParticipants
    from facilitator.live.room_thread import ServerThread
    from participant.io.server import ParticipantServer
    from participant.io.store import create_session

    pipe = Lines()
    source = AGENDA.read_text(encoding="utf-8")
    agenda = parse_agenda(source)
    store = create_session(agenda.title, source, AGENDA, data_dir=Path(args.data))

    def join(server: ParticipantServer) -> tuple[str]:
        return (f"http://{HOST}:{server.port}{server.join_path}",)

    # On the server's own thread, as `facilitate run` has it.
    threaded = await ServerThread.start(lambda: ParticipantServer(store), HOST, 0, join)
    server = threaded.server
    base_url = f"http://{HOST}:{server.port}"
    participants = ServerParticipants(server, store, base_url, server_door=threaded.door)
    workshop = Workshop(agenda, SystemClock(), participants)
    app = make_app(workshop, join_url=f"{base_url}{server.join_path}")
    watch = Watch(app, server)
    usage = Usage()
    marked_at = 0.0
    presser: asyncio.Task[None] | None = None
    async with app.run_test(size=SIZE) as pilot:
        freezer = asyncio.create_task(freeze_when_settled(lambda: server.connected))  # as `facilitate run`
        pipe.say(
            {
                "event": "listening",
                "port": server.port,
                "code": server.join_code,
                "pid": os.getpid(),
                "file": str(store.path),
                "secret": store.session.secret.hex(),
            }
        )
        while (command := await pipe.read())["cmd"] != "quit":
            if command["cmd"] == "open":
                opened_at = time.monotonic()
                while workshop.runner.step.prompt is None:
                    opened_at = time.monotonic()
                    await pilot.press("n")
                step = workshop.runner.index
                wire = workshop.runner.step.prompt.to_wire()
                if workshop.runner.phase is not Phase.RUNNING:
                    await pilot.press("space")  # the countdown runs: it must never skip a second
                pipe.say({"event": "opened", "prompt": step_id(step), "wire": wire, "at": opened_at})
            elif command["cmd"] == "mark":
                marked_at = time.monotonic()
                usage.start()
                presser = asyncio.create_task(watch.press_keys(app))
                pipe.say({"event": "marked"})
            elif command["cmd"] == "report":
                if presser is not None:
                    presser.cancel()
                figures = usage.stop()
                until = time.monotonic() + SETTLE_SECONDS
                while time.monotonic() < until and math.isnan(watch.shown_at(len(watch.counted))):
                    await asyncio.sleep(0.05)
                pipe.say(
                    {
                        "event": "report",
                        **figures,
                        "shown": watch.projector_times(),
                        "key_ms": watch.key_ms,
                        "clock_frames": sum(at >= marked_at for at, _ in watch.clock),
                        "clock_skips": watch.clock_skips(marked_at),
                        "connected": server.connected,
                    }
                )
        freezer.cancel()
    # No orderly close: the orchestrator kills this process (kill -9) to check nothing acked is lost.


# --- The phones --------------------------------------------------------------------------------------

MASK = b"\x00\x00\x00\x00"  # a client must mask its frames; the key's value is its own choice


def client_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """One final, masked client frame."""
    size = len(payload)
    if size < 126:
        head = bytes((0x80 | opcode, 0x80 | size))
    elif size < 1 << 16:
        head = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
    return head + MASK + payload


class Phone(asyncio.Protocol):
    """One phone: a websocket opened by hand, so thousands cost the phones' process little CPU."""

    def __init__(self, room: Room, device: str) -> None:
        self.room = room
        self.device = device
        self.prompt: str | None = None
        self.prompt_at = 0.0
        self.welcomed: asyncio.Future[None] = room.loop.create_future()
        self.waiting: dict[str, asyncio.Future[tuple[float, str]]] = {}
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._open = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # uvloop's is no asyncio.Transport
        transport.write(self.room.handshake)

    def connection_lost(self, exc: Exception | None) -> None:
        self._open = False
        for future in [self.welcomed, *self.waiting.values()]:
            if not future.done():
                future.set_exception(ConnectionError("the server closed the connection"))

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self._buffer
        buffer += data
        if not self._open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                status = bytes(buffer[: buffer.find(b"\r\n")]).decode(errors="replace")
                self.welcomed.set_exception(ConnectionError(f"refused: {status}"))
                assert self._transport is not None
                self._transport.close()
                return
            del buffer[: end + 4]
            self._open = True
            self.send({"type": "hello", "device": self.device})
        while len(buffer) >= 2:
            opcode, size, start = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if size == 126:
                size, start = int.from_bytes(buffer[2:4], "big"), 4
            elif size == 127:
                size, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + size:
                return
            payload = bytes(buffer[start : start + size])
            del buffer[: start + size]
            if opcode == 0x1:
                self._message(json.loads(payload), now)
            elif opcode == 0x9:  # ping: the server closes a connection that never pongs
                self._write(client_frame(payload, 0xA))

    def _message(self, message: dict[str, Any], now: float) -> None:
        kind = message["type"]
        if kind in ("ack", "error") and message.get("id") in self.waiting:
            self.waiting.pop(message["id"]).set_result((now, kind))
        elif kind in ("welcome", "prompt"):
            prompt = message.get("prompt")
            self.prompt, self.prompt_at = (None if prompt is None else prompt["id"]), now
            if kind == "welcome" and not self.welcomed.done():
                self.welcomed.set_result(None)
            self.room.saw_prompt(self, now)
        elif kind == "error":
            self.room.errors.append(message)

    def send(self, message: dict[str, Any]) -> None:
        self._write(client_frame(json.dumps(message).encode()))

    def _write(self, frame: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(frame)

    async def answer(self, answer_id: str, prompt: str, value: dict[str, Any]) -> dict[str, Any]:
        """Send one answer; what happened to it (times, and the reply's type)."""
        future = self.room.loop.create_future()
        self.waiting[answer_id] = future
        sent = time.monotonic()
        self.send({"type": "answer", "id": answer_id, "prompt": prompt, "value": value})
        try:
            replied, kind = await asyncio.wait_for(future, 60)
        except (TimeoutError, ConnectionError):
            replied, kind = math.nan, "none"
        return {"id": answer_id, "device": self.device, "sent": sent, "replied": replied, "type": kind}

    def close(self) -> None:
        if self._transport is not None:
            self._transport.abort()


def answer_value(wire: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A valid answer to the prompt, as a participant might give it."""
    if rng.random() < PASS_SHARE:
        return {"pass": True}
    kind = wire["kind"]
    if kind == "reflection":
        return {"ratings": [rng.randint(1, 5) for _ in wire["ratings"]]}
    if kind == "choice":
        return {"option": rng.choice(wire["options"])}
    if kind == "wordwall":
        return {"words": rng.sample(["trust", "bond", "vision", "tasks", "mutuality"], k=2)}
    return {"text": rng.choice(["Listening first", "Being transparent", "Asking what they want"])}


class Room:
    """The phones' process: joins every phone, then answers as the mode says."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.loop = asyncio.get_running_loop()
        self.rng = random.Random(args.seed)
        self.errors: list[dict[str, Any]] = []
        self.phones: list[Phone] = []
        self._target: str | None = None
        self._showing = 0
        self.all_showing: asyncio.Event = asyncio.Event()
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        origin = f"http://{HOST}:{args.port}"  # the server's own page
        self.handshake = (
            f"GET /ws?s={args.code} HTTP/1.1\r\nHost: {HOST}:{args.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {origin}\r\n\r\n"
        ).encode()

    def saw_prompt(self, phone: Phone, now: float) -> None:
        if self._target is not None and phone.prompt == self._target:
            self._showing += 1
            if self._showing >= len(self.phones):
                self.all_showing.set()

    async def join(self) -> float:
        limit = asyncio.Semaphore(CONNECTING_AT_ONCE)

        async def one(number: int) -> None:
            async with limit:
                phone = Phone(self, f"load-{number:05}-{secrets.token_hex(8)}")
                source = str(FIRST_SOURCE + number // PHONES_PER_ADDRESS)
                await self.loop.create_connection(lambda: phone, HOST, self.args.port, local_addr=(source, 0))
                self.phones.append(phone)
                await asyncio.wait_for(phone.welcomed, 60)

        started = time.monotonic()
        await asyncio.gather(*(one(n) for n in range(self.args.phones)))
        return time.monotonic() - started

    def expect(self, prompt: str) -> None:
        self._target = prompt
        self._showing = sum(phone.prompt == prompt for phone in self.phones)
        if self._showing >= len(self.phones):
            self.all_showing.set()

    async def load(self, prompt: str, wire: dict[str, Any]) -> list[dict[str, Any]]:
        go = time.monotonic()
        if self.args.mode == "think":
            return await asyncio.gather(*(self._think(phone, go, prompt, wire) for phone in self.phones))
        runs = await asyncio.gather(*(self._burst(phone, prompt, wire) for phone in self.phones))
        return [record for run in runs for record in run]

    async def _think(self, phone: Phone, go: float, prompt: str, wire: dict[str, Any]) -> dict[str, Any]:
        value = answer_value(wire, self.rng)
        await asyncio.sleep(max(0.0, go + self.rng.uniform(0, self.args.window) - time.monotonic()))
        return await phone.answer(secrets.token_hex(8), prompt, value)

    async def _burst(self, phone: Phone, prompt: str, wire: dict[str, Any]) -> list[dict[str, Any]]:
        records = []
        for _ in range(BURST_ANSWERS):
            records.append(await phone.answer(secrets.token_hex(8), prompt, answer_value(wire, self.rng)))
        resend = await phone.answer(records[0]["id"], prompt, {"pass": True})  # same id: stored once
        records.append({**resend, "resend": True})
        return records


async def phones_process(args: argparse.Namespace) -> None:
    pipe = Lines()
    room = Room(args)
    usage = Usage()
    try:
        joined = await room.join()
        pipe.say({"event": "joined", "seconds": joined})
        command = await pipe.read()
        room.expect(command["prompt"])
        await asyncio.wait_for(room.all_showing.wait(), 60)
        pipe.say({"event": "showing", "at": max(phone.prompt_at for phone in room.phones)})
        command = await pipe.read()
        usage.start()
        records = await room.load(command["prompt"], command["wire"])
        pipe.say({"event": "done", "records": records, "errors": room.errors[:5], **usage.stop()})
        await pipe.read()
    finally:
        for phone in room.phones:
            phone.close()


# --- The orchestrator --------------------------------------------------------------------------------


class Child:
    """A child process of this script, spoken to in JSON lines."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            start_new_session=True,  # a group of its own: kill() takes its worker processes too
        )

    def say(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def hear(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"a child process stopped (exit {self.process.wait()}): see its errors above")
        return json.loads(line)

    def kill(self) -> None:
        """kill -9, as a laptop that crashes: the process and every process it started."""
        with contextlib.suppress(ProcessLookupError):  # already gone, with its group
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def run_target(target: str, args: argparse.Namespace) -> dict[str, Any]:
    """One target under the load: the figures of its server and its phones, and what its file kept."""
    data = Path(tempfile.mkdtemp(prefix=f"facilitate-load-{target}-"))
    loop = ["--asyncio"] if args.asyncio else []
    server = Child("--role", target, "--data", str(data), *loop)
    phones: Child | None = None
    profiler: subprocess.Popen[bytes] | None = None
    try:
        listening = server.hear()
        phones = Child(
            "--role", "phones", "--port", str(listening["port"]), "--code", listening["code"],
            "--phones", str(args.phones), "--mode", args.mode, "--window", str(args.window),
            "--seed", str(args.seed), *loop,
        )  # fmt: skip
        joined = phones.hear()
        time.sleep(JOINS_SETTLE)
        server.say({"cmd": "open"})
        opened = server.hear()
        phones.say({"cmd": "expect", "prompt": opened["prompt"]})
        showing = phones.hear()
        if args.profile and target == "product":
            profiler = subprocess.Popen(
                ["py-spy", "record", "--pid", str(listening["pid"]), "--output", args.profile,
                 "--format", "raw", "--rate", "200", "--nonblocking"],
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(1.0)
        server.say({"cmd": "mark"})
        server.hear()
        phones.say({"cmd": "go", "prompt": opened["prompt"], "wire": opened["wire"]})
        done = phones.hear()
        server.say({"cmd": "report"})
        report = server.hear()
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(30)
        server.kill()  # kill -9: whatever was acked must be in the file all the same
        phones.say({"cmd": "quit"})
        stored = stored_answers(target, Path(listening["file"]), listening.get("secret"), done["records"])
        return figures(target, args, joined, opened, showing, done, report, stored)
    finally:
        server.kill()
        if phones is not None:
            phones.kill()
        shutil.rmtree(data, ignore_errors=True)


def stored_answers(
    target: str, path: Path, secret: str | None, records: list[dict[str, Any]]
) -> dict[str, int]:
    """How many times each answer the phones sent is in the session file (resends are one answer)."""
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        if target == "baseline":
            rows = [key for (key,) in db.execute("SELECT id FROM answers")]
            keys = {record["id"]: record["id"] for record in records}
        else:
            from participant.core.hub import Keys

            assert secret is not None
            hashes = Keys(bytes.fromhex(secret))
            keys = {hashes.answer(record["device"], record["id"]): record["id"] for record in records}
            rows = [key for (key,) in db.execute("SELECT answer_key FROM responses")]
            rows += [key for (key,) in db.execute("SELECT answer_key FROM replaced_answers")]
    finally:
        db.close()
    counts: dict[str, int] = {}
    for key in rows:
        if key in keys:
            counts[keys[key]] = counts.get(keys[key], 0) + 1
    return counts


def figures(
    target: str,
    args: argparse.Namespace,
    joined: dict[str, Any],
    opened: dict[str, Any],
    showing: dict[str, Any],
    done: dict[str, Any],
    report: dict[str, Any],
    stored: dict[str, int],
) -> dict[str, Any]:
    records = done["records"]
    answers = [record for record in records if not record.get("resend")]
    resends = [record for record in records if record.get("resend")]
    acked = [record for record in answers if record["type"] == "ack"]
    latencies = [(record["replied"] - record["sent"]) * 1000 for record in acked]
    elapsed = max(record["replied"] for record in acked) - min(record["sent"] for record in answers)
    acked_ids = {record["id"] for record in acked} | {r["id"] for r in resends if r["type"] == "ack"}
    result = {
        "answers": len(answers),
        "acked": len(acked),
        "resends_acked": sum(record["type"] == "ack" for record in resends),
        "lost": sum(1 for answer_id in acked_ids if stored.get(answer_id, 0) == 0),
        "duplicates": sum(count - 1 for count in stored.values()),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies, default=math.nan), 1),
        "throughput": round(len(acked) / elapsed, 1),
        "cpu_us_per_answer": round(report["cpu_seconds"] * 1e6 / max(1, len(records)), 1),
        "thread_cpu_us_per_answer": {
            name: round(seconds * 1e6 / max(1, len(records)), 1)
            for name, seconds in report["thread_cpu_seconds"].items()
        },
        "join_s": round(joined["seconds"], 2),
        "prompt_reach_ms": round((showing["at"] - opened["at"]) * 1000, 1),
        "phone_errors": len(done["errors"]),
        "first_errors": done["errors"][:3],
        "phones_cpu_pct": done["cpu_pct"],
        "worst_lags": report["worst_lags"],
        **{key: report[key] for key in SERVER_FIGURES},
    }
    if target == "product":
        shown = report["shown"]
        to_projector = [
            (shown[record["id"]] - record["sent"]) * 1000
            for record in answers
            if record["id"] in shown and not math.isnan(shown[record["id"]])
        ]
        result |= {
            "projector_p50_ms": round(percentile(to_projector, 50), 1),
            "projector_p99_ms": round(percentile(to_projector, 99), 1),
            "projector_missing": len(acked) - len(to_projector),
            "key_p99_ms": round(percentile(report["key_ms"], 99), 1),
            "key_max_ms": round(max(report["key_ms"], default=math.nan), 1),
            "keys_pressed": len(report["key_ms"]),
            "clock_frames": report["clock_frames"],
            "clock_skips": report["clock_skips"],
        }
    return result


SUMMED = (
    "answers", "acked", "resends_acked", "lost", "duplicates", "phone_errors", "projector_missing",
    "keys_pressed", "clock_frames", "clock_skips", "gc_full",
)  # fmt: skip
"""Figures added up over the rounds; the others are each round's median (``ratio``: the median of
the rounds' ratios, each of a product run and the baseline run beside it)."""


def combined(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One target's figures over its rounds."""
    result: dict[str, Any] = {}
    for key, value in rounds[0].items():
        values = [each[key] for each in rounds]
        if key in SUMMED:
            result[key] = sum(values)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            result[key] = _median(values)
        elif key == "thread_cpu_us_per_answer":
            result[key] = {name: _median([each.get(name, 0.0) for each in values]) for name in value}
        else:
            result[key] = value
    return result


def _median(values: list[float]) -> float | None:
    finite = [v for v in values if not math.isnan(v)]
    return round(statistics.median(finite), 1) if finite else None  # JSON has no NaN


def summary(
    args: argparse.Namespace, products: list[dict[str, Any]], baselines: list[dict[str, Any]]
) -> dict[str, Any]:
    """The figures asked for, the product's, with the baseline's beside them."""
    product = combined(products)
    result: dict[str, Any] = {"phones": args.phones, "mode": args.mode, "rounds": len(products), **product}
    if baselines:
        baseline = combined(baselines)
        ratios = [p["throughput"] / b["throughput"] for p, b in zip(products, baselines, strict=True)]
        result["baseline_throughput"] = baseline["throughput"]
        result["ratio"] = round(statistics.median(ratios), 2)
        result["ratios"] = [round(ratio, 2) for ratio in ratios]
        result |= {f"baseline_{key}": baseline[key] for key in BASELINE_FIGURES}
    result["cpus"] = os.cpu_count()
    result["load_average"] = [round(value, 2) for value in os.getloadavg()]
    return result


def describe(result: dict[str, Any]) -> str:
    lines = [
        f"{result['phones']} phones, {result['mode']} mode, on 127.0.0.1, "
        f"median of {result['rounds']} rounds; {result['cpus']} CPUs, load average {result['load_average']}",
        f"  answers {result['answers']}, acked {result['acked']}, lost {result['lost']}, "
        f"duplicates {result['duplicates']}, phone errors {result['phone_errors']}",
        f"  send to ack: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
        f"(baseline p50 {result.get('baseline_p50_ms')} ms, p99 {result.get('baseline_p99_ms')} ms)",
        f"  durable answers/s: {result['throughput']} against the baseline's "
        f"{result.get('baseline_throughput')}: ratio {result.get('ratio')} (rounds: {result.get('ratios')})",
        f"  server CPU per answer: {result['cpu_us_per_answer']} us against the baseline's "
        f"{result.get('baseline_cpu_us_per_answer')} us; by thread: "
        + ", ".join(f"{name} {us}" for name, us in result["thread_cpu_us_per_answer"].items() if us),
        f"  server: CPU {result['cpu_pct']}% (baseline {result.get('baseline_cpu_pct')}%), "
        f"peak RSS {result['rss_mb']} MB (baseline {result.get('baseline_rss_mb')} MB), loop lag p99 "
        f"{result['lag_p99_ms']} ms, max {result['lag_max_ms']} ms; {result['gc_full']} full collections, "
        f"longest {result['gc_full_max_ms']} ms; collections by generation {result['gc_collections']}, "
        f"{result['gc_ms']} ms of CPU in all",
    ]
    if "projector_p99_ms" in result:
        lines += [
            f"  send to projector: p50 {result['projector_p50_ms']} ms, p99 {result['projector_p99_ms']} ms "
            f"({result['projector_missing']} never shown)",
            f"  key j: p99 {result['key_p99_ms']} ms, max {result['key_max_ms']} ms over "
            f"{result['keys_pressed']} presses; countdown: {result['clock_frames']} frames, "
            f"{result['clock_skips']} skipped seconds",
            f"  prompt reached every phone in {result['prompt_reach_ms']} ms; joined in {result['join_s']} s",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--phones", type=int, default=2000, help="phones in the room (default 2000)")
    parser.add_argument("--mode", choices=["think", "burst"], default="think")
    parser.add_argument("--window", type=float, default=10.0, help="think mode: seconds to answer in (10)")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON: every figure")
    parser.add_argument("--only", choices=["product", "baseline"], help="measure one target alone")
    parser.add_argument(
        "--rounds", type=int, default=3, help="runs of each target, in turns (default 3): medians are given"
    )
    parser.add_argument("--profile", metavar="FILE", help="py-spy the product's server into FILE")
    parser.add_argument(
        "--asyncio", action="store_true", help="asyncio's own loop everywhere, even with uvloop installed"
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--role", choices=["main", "product", "baseline", "phones"], default="main",
                        help=argparse.SUPPRESS)  # fmt: skip
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.phones <= 15_000 or args.window < 0:
        parser.error("--phones goes from 1 to 15000, --window from 0")
    raise_open_files()
    if args.role != "main":
        role = {"product": product_server, "baseline": baseline_server, "phones": phones_process}[args.role]
        factory = None if args.asyncio else loop_factory()
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(asyncio.wait_for(role(args), TIMEOUT))
        return 0
    if args.seed is None:
        args.seed = secrets.randbelow(1 << 30)
    targets = [args.only] if args.only else ["baseline", "product"]
    runs: dict[str, list[dict[str, Any]]] = {target: [] for target in targets}
    for number in range(args.rounds):
        for target in targets if number % 2 == 0 else targets[::-1]:  # neither always goes first
            runs[target].append(run_target(target, args))
    result = summary(args, runs[targets[-1]], runs["baseline"] if len(targets) == 2 else [])
    print(describe(result), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
