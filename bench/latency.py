"""Time from a phone's tap to "Received" and to the projector, with a room of phones answering at once.

Two processes, as in a real room. Process A is the laptop: a fresh session in a scratch data dir,
the participant server on 127.0.0.1 (a free port) and the real projector app, headless
(``app.run_test``), on one event loop exactly as ``facilitate run`` wires them. Process B is the
room: N websocket phones in a process of their own (so they do not share A's loop), spawned by A.

Each run moves the projector to the next step with a prompt (reflection, then choice, then text,
then share in the default agenda). Every phone then taps its answer at a random moment within the
window (a room answering after "go") and, at another random moment, sends a second ``hello``:
the server answers it at once from memory (a ``welcome``), so its round trip is the baseline, a
websocket round trip under the same load, from the same connections. Times are
``time.monotonic()`` in both processes (CLOCK_MONOTONIC, shared by all processes on Linux).

What is measured, per answer:

- tap -> Received: from just before the phone sends the answer to the phone reading its ``ack``
  (sent by the server only after the SQLite commit).
- tap -> projector: when the projector's ``ResultsPanel.results`` first held a count that includes
  the answer (sampled after each ``refresh_results``, i.e. after the app's own 0.1 s coalescing).
  As asked, an answer's place in the count is its rank in ack order, assuming commits are acked
  in commit order. The laptop also logs the true commit order (``Hub.record``), so the same figure
  is given exactly, and how often the assumption was wrong.
- tap -> painted: when ``ResultsPanel.render`` first ran with such a count (the next screen update).
- tap -> counted: when the hub counted the answer, just after its commit (where the time goes).

Also per run: each process's event-loop lag (how late a 5 ms sleep wakes up) during the burst, so a
stall can be told apart: in the laptop's loop only (the product), or in both (the machine).
With ``--profile FILE``, the laptop's process is profiled with cProfile during the bursts (this
slows it down: its latencies are then not the ones to quote).

    python bench/latency.py [--phones 300] [--window 2] [--runs 3] [--timeout 60] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import gzip
import io
import json
import math
import pstats
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AGENDA = ROOT / "agendas" / "working-alliance-mutuality.toml"
HOST = "127.0.0.1"  # the phones only ever connect here
SIZE = (120, 36)
MAX_PHONES = 1000
CONNECT_AT_ONCE = 50  # handshakes in flight while the room joins
REPLY_TIMEOUT = 10.0
SETTLE_SECONDS = 3.0  # after the burst, how long the projector may take to show every answer
GOAL_MS = 250.0
PASS_SHARE = 0.05  # phones that pass instead of answering
LAG_TICK = 0.005  # each process's loop lag is sampled this often


class Collections:
    """The laptop's garbage collections (time, generation, ms): a full one can stall the loop."""

    def __init__(self) -> None:
        self.done: list[tuple[float, int, float]] = []
        self._started = 0.0

    def __enter__(self) -> Collections:
        gc.callbacks.append(self._note)
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.callbacks.remove(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        now = time.monotonic()
        if phase == "start":
            self._started = now
        else:
            self.done.append((now, info["generation"], (now - self._started) * 1000))

    def summary(self, start: float, end: float) -> str:
        during = [(generation, ms) for at, generation, ms in self.done if start <= at <= end]
        counts = [sum(g == generation for g, _ in during) for generation in range(3)]
        longest = {g: max((ms for gen, ms in during if gen == g), default=0.0) for g in range(3)}
        return "laptop garbage collections (generation: count, longest): " + ", ".join(
            f"{g}: {counts[g]}, {longest[g]:.1f} ms" for g in range(3)
        )


class LoopLag:
    """How late this process's event loop wakes a task that sleeps ``LAG_TICK`` (a stall shows here)."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (time, ms late)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def between(self, start: float, end: float) -> list[float]:
        return [late for at, late in self.samples if start <= at <= end]

    async def _run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(LAG_TICK)
            now = time.monotonic()
            self.samples.append((now, (now - before - LAG_TICK) * 1000))


# --- Process B: the phones ---------------------------------------------------------------------


class Phone:
    """One phone: a connection, its device id, the prompt it shows, and the reply it waits for."""

    def __init__(self, url: str, device: str) -> None:
        self.url = url
        self.device = device
        self.prompt: dict[str, Any] | None = None
        self.errors: list[dict[str, Any]] = []
        self._connection: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: asyncio.Future[tuple[float, dict[str, Any]]] | None = None

    async def join(self) -> None:
        from websockets.asyncio.client import connect

        from participant.core.origins import origin_of

        origin = origin_of(self.url.replace("ws://", "http://", 1))  # as from the server's own page
        self._connection = await connect(
            self.url, origin=origin, compression=None, open_timeout=REPLY_TIMEOUT
        )
        self._reader = asyncio.create_task(self._read())
        _, welcome = await self.request({"type": "hello", "device": self.device})
        if welcome["type"] != "welcome":
            raise RuntimeError(f"hello was refused: {welcome}")
        self.prompt = welcome["prompt"]

    async def request(self, message: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        """Send ``message``; (time the reply was read, reply). The server answers a connection in order."""
        future = self._waiting = asyncio.get_running_loop().create_future()
        await self._connection.send(json.dumps(message))
        return await asyncio.wait_for(future, REPLY_TIMEOUT)

    async def _read(self) -> None:
        async for raw in self._connection:
            now = time.monotonic()
            message = json.loads(raw)
            if message["type"] == "prompt":  # the trainer moved on: not a reply
                self.prompt = message["prompt"]
                continue
            if message["type"] == "error":
                self.errors.append(message)
            if self._waiting is not None and not self._waiting.done():
                self._waiting.set_result((now, message))

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        if self._reader is not None:
            self._reader.cancel()


def answer_value(wire: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A valid answer to the prompt, as a participant might give it."""
    if rng.random() < PASS_SHARE:
        return {"pass": True}
    kind = wire["kind"]
    if kind == "reflection":
        value: dict[str, Any] = {"ratings": [rng.randint(1, 5) for _ in wire["ratings"]]}
        if wire.get("comment") and rng.random() < 0.3:
            value["comment"] = rng.choice(["We trust each other", "Not yet", "It depends on the day"])
        return value
    if kind == "choice":
        return {"option": rng.choice(wire["options"])}
    if kind == "wordwall":
        return {"words": rng.sample(["trust", "bond", "vision", "tasks", "mutuality"], k=2)}
    return {"text": rng.choice(["Listening first", "Being transparent", "Asking what they want"])}


async def tap_and_probe(
    phone: Phone, go: float, tap_at: float, probe_at: float, answer: dict[str, Any]
) -> dict[str, Any]:
    """The phone's part in a burst: its answer and its baseline probe, each at its own moment, in turn."""
    record: dict[str, Any] = {"id": answer["id"]}
    for at, what in sorted([(tap_at, "answer"), (probe_at, "probe")]):
        await asyncio.sleep(max(0.0, go + at - time.monotonic()))
        message = answer if what == "answer" else {"type": "hello", "device": phone.device}
        sent = time.monotonic()
        try:
            replied, reply = await phone.request(message)
        except TimeoutError:
            replied, reply = math.nan, {"type": "timeout"}
        record[what] = {"sent": sent, "reply": replied, "type": reply["type"]}
    return record


async def burst(
    phones: list[Phone], command: dict[str, Any], rng: random.Random, lag: LoopLag
) -> dict[str, Any]:
    """Wait until every phone shows the prompt, then let the room answer within the window."""
    prompt_id, window = command["prompt"], command["window"]
    waited_until = time.monotonic() + REPLY_TIMEOUT
    while any((phone.prompt or {}).get("id") != prompt_id for phone in phones):
        if time.monotonic() > waited_until:
            raise RuntimeError(f"not every phone received prompt {prompt_id}")
        await asyncio.sleep(0.01)
    go = time.monotonic() + 0.1
    jobs = []
    for phone in phones:
        answer = {
            "type": "answer",
            "id": secrets.token_hex(8),
            "prompt": prompt_id,
            "value": answer_value(command["wire"], rng),
        }
        at, probe_at = rng.uniform(0, window), rng.uniform(0, window)
        jobs.append(tap_and_probe(phone, go, at, probe_at, answer))
    records = await asyncio.gather(*jobs)
    errors = [error for phone in phones for error in phone.errors]
    for phone in phones:
        phone.errors.clear()
    return {
        "event": "burst",
        "go": go,
        "end": time.monotonic(),
        "records": records,
        "errors": errors[:5],
        "error_count": len(errors),
        "lag": lag.between(go, time.monotonic()),
    }


async def the_room(args: argparse.Namespace) -> None:
    """Process B: join every phone, then answer a burst for each command read from stdin."""
    from participant.core.wire import WS_PATH

    url = f"ws://{HOST}:{args.port}{WS_PATH}?s={args.code}"
    rng = random.Random(args.seed)
    phones = [Phone(url, f"bench-{n:04}-{secrets.token_hex(6)}") for n in range(args.phones)]
    limit = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def join(phone: Phone) -> None:
        async with limit:
            await phone.join()

    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)

    def say(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    lag = LoopLag()
    lag.start()
    async with asyncio.timeout(args.timeout):
        try:
            started = time.monotonic()
            await asyncio.gather(*(join(phone) for phone in phones))
            say({"event": "ready", "phones": len(phones), "join_seconds": time.monotonic() - started})
            while line := await stdin.readline():
                command = json.loads(line)
                if command["cmd"] == "quit":
                    break
                say(await burst(phones, command, rng, lag))
        finally:
            lag.stop()
            await asyncio.gather(*(phone.close() for phone in phones), return_exceptions=True)


# --- Process A: the laptop ---------------------------------------------------------------------


@dataclass
class Recorder:
    """What the laptop saw, each with ``time.monotonic()``: counts the projector was handed and
    painted, and answers as the hub counted them (after their commit)."""

    set_counts: list[tuple[float, int, int]] = field(default_factory=list)  # (time, step, count)
    painted: list[tuple[float, int, int]] = field(default_factory=list)
    counted: list[tuple[float, str, str]] = field(default_factory=list)  # (time, prompt id, answer id)
    answer_ids: dict[str, str] = field(default_factory=dict)  # hub answer key -> answer id

    def install(self, app: Any, server: Any) -> None:
        """Wrap the app's results tick, the panel's render and the hub's record (the product is unchanged)."""
        from facilitator.app.widgets.results_panel import ResultsPanel

        hub = server.hub
        refresh, receive, record = app.refresh_results, hub.receive, hub.record
        panels: list[Any] = []

        def count_of(panel: Any) -> int:
            return panel.results.count if panel.results is not None else 0

        def refresh_results() -> None:
            refresh()
            if not panels:
                panels.append(app.query_one(ResultsPanel))
            count = count_of(panels[0])
            if not self.set_counts or self.set_counts[-1][1:] != (app.workshop.runner.index, count):
                self.set_counts.append((time.monotonic(), app.workshop.runner.index, count))

        render = ResultsPanel.render

        def painted(panel: Any) -> Any:
            shown = render(panel)
            count = count_of(panel)
            if not self.painted or self.painted[-1][1:] != (app.workshop.runner.index, count):
                self.painted.append((time.monotonic(), app.workshop.runner.index, count))
            return shown

        def receive_and_note(device: str, answer: Any) -> Any:
            response = receive(device, answer)
            if response is not None:
                self.answer_ids[response.answer_key] = answer.id
            return response

        def record_and_note(response: Any, seq: int) -> bool:
            new = record(response, seq)
            if new:
                answer_id = self.answer_ids.get(response.answer_key, "?")
                self.counted.append((time.monotonic(), response.prompt_id, answer_id))
            return new

        app.refresh_results = refresh_results  # before mount: on_mount schedules this attribute
        ResultsPanel.render = painted  # type: ignore[method-assign]
        hub.receive, hub.record = receive_and_note, record_and_note


def first_at_least(samples: list[tuple[float, int]], count: int, not_before: float) -> float:
    """When the sampled count first reached ``count`` (no earlier than ``not_before``); nan if never."""
    for at, shown in samples:
        if shown >= count and at >= not_before:
            return at
    return math.nan


@dataclass
class RunResult:
    step: int
    kind: str
    phones: int
    series: dict[str, list[float]]  # name -> latencies in ms
    notes: list[str]


def analyse(
    step: int, prompt: str, kind: str, reply: dict[str, Any], recorder: Recorder, laptop_lag: list[float]
) -> RunResult:
    """Per answer latencies of one burst, from the phones' times and the laptop's."""
    records = reply["records"]
    acked = [r for r in records if r["answer"]["type"] == "ack"]
    set_counts = [(at, count) for at, index, count in recorder.set_counts if index == step]
    painted = [(at, count) for at, index, count in recorder.painted if index == step]
    counted = [(at, answer_id) for at, prompt_id, answer_id in recorder.counted if prompt_id == prompt]
    commit_rank = {answer_id: rank for rank, (_, answer_id) in enumerate(counted, 1)}
    counted_at = {answer_id: at for at, answer_id in counted}

    series: dict[str, list[float]] = {
        "tap -> Received (ack)": [],
        "tap -> projector (ack order)": [],
        "tap -> projector (commit order)": [],
        "tap -> painted (commit order)": [],
        "tap -> counted by hub": [],
        "baseline round trip": [],
        "loop lag, laptop (5 ms ticks)": laptop_lag,
        "loop lag, phones (5 ms ticks)": reply["lag"],
    }
    inverted = earlier = 0
    by_ack = sorted(acked, key=lambda r: r["answer"]["reply"])
    for rank, r in enumerate(by_ack, 1):
        tap, ack = r["answer"]["sent"], r["answer"]["reply"]
        series["tap -> Received (ack)"].append((ack - tap) * 1000)
        shown = first_at_least(set_counts, rank, -math.inf)
        if shown < tap:  # the count reached this rank before the answer was even sent
            earlier += 1
            shown = first_at_least(set_counts, rank, tap)
        series["tap -> projector (ack order)"].append((shown - tap) * 1000)
        true_rank = commit_rank.get(r["id"])
        if true_rank is None:
            continue
        inverted += true_rank != rank
        series["tap -> projector (commit order)"].append(
            (first_at_least(set_counts, true_rank, tap) - tap) * 1000
        )
        series["tap -> painted (commit order)"].append((first_at_least(painted, true_rank, tap) - tap) * 1000)
        series["tap -> counted by hub"].append((counted_at[r["id"]] - tap) * 1000)
    for r in records:
        probe = r["probe"]
        if probe["type"] == "welcome":
            series["baseline round trip"].append((probe["reply"] - probe["sent"]) * 1000)
    notes = [
        f"{len(acked)} of {len(records)} answers acked, {len(counted)} counted by the hub, "
        f"{reply['error_count']} errors on phones",
        f"ack order differed from commit order for {inverted} answers"
        + (f"; for {earlier} the count reached their ack rank before they were sent" if earlier else ""),
    ]
    if reply["errors"]:
        notes.append(f"first errors: {reply['errors']}")
    missing = sum(math.isnan(value) for values in series.values() for value in values)
    if missing:
        notes.append(f"{missing} latencies never reached the projector within {SETTLE_SECONDS} s (left out)")
    series = {name: [v for v in values if not math.isnan(v)] for name, values in series.items()}
    return RunResult(step, kind, len(records), series, notes)


async def next_prompt_step(app: Any, pilot: Any) -> int:
    """Press n until the projector is on a step with a prompt; its index."""
    while app.workshop.runner.index < len(app.agenda.steps) - 1:
        before = app.workshop.runner.index
        await pilot.press("n")
        if app.workshop.runner.index == before:
            raise RuntimeError(f"n did not move the projector on from step {before + 1}")
        if app.workshop.runner.step.prompt is not None:
            return app.workshop.runner.index
    raise RuntimeError("the agenda has no more steps with a prompt: use fewer --runs")


async def wait_for_count(recorder: Recorder, step: int, count: int, seconds: float) -> None:
    """Until the projector has been handed and has painted ``count`` answers on ``step``, or ``seconds``."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        shown = [c for _, index, c in recorder.set_counts if index == step]
        drawn = [c for _, index, c in recorder.painted if index == step]
        if shown and drawn and shown[-1] >= count and drawn[-1] >= count:
            return
        await asyncio.sleep(0.05)


class Room:
    """Process B as the laptop drives it: commands go in as JSON lines, results come out as JSON lines."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdin is not None
        assert process.stdout is not None
        self._stdin, self._stdout = process.stdin, process.stdout

    async def say(self, command: dict[str, Any]) -> None:
        self._stdin.write((json.dumps(command) + "\n").encode())
        await self._stdin.drain()

    async def hear(self) -> dict[str, Any]:
        line = await self._stdout.readline()
        if not line:
            raise RuntimeError("the phones' process stopped (see its error above)")
        return json.loads(line)


async def laptop(args: argparse.Namespace, profile: cProfile.Profile | None) -> list[RunResult]:
    """Process A: the session, the server and the projector on one loop; spawns the room and runs bursts."""
    from facilitator.app import make_app
    from facilitator.domain.agenda import step_id as prompt_id
    from facilitator.domain.agenda_loader import parse_agenda
    from facilitator.domain.clock import SystemClock
    from facilitator.domain.workshop import Workshop
    from facilitator.live.participants import ServerParticipants
    from participant.io.server import ParticipantServer
    from participant.io.store import create_session

    data = Path(tempfile.mkdtemp(prefix="facilitate-latency-"))
    room_process: asyncio.subprocess.Process | None = None
    results: list[RunResult] = []
    lag = LoopLag()
    collections = Collections().__enter__()
    try:
        source = AGENDA.read_text(encoding="utf-8")
        agenda = parse_agenda(source)
        with create_session(agenda.title, source, AGENDA, data_dir=data) as store:
            server = ParticipantServer(store)
            await server.start(HOST, 0)
            try:
                base_url = f"http://{HOST}:{server.port}"
                participants = ServerParticipants(server, store, base_url)
                workshop = Workshop(agenda, SystemClock(), participants)
                app = make_app(workshop, join_url=f"{base_url}{server.join_path}")
                recorder = Recorder()
                recorder.install(app, server)
                async with app.run_test(size=SIZE) as pilot:
                    lag.start()
                    if args.gc_freeze:  # an experiment: what the product would gain from gc.freeze()
                        gc.freeze()
                    room_process = await asyncio.create_subprocess_exec(
                        sys.executable,
                        __file__,
                        "--role=room",
                        f"--port={server.port}",
                        f"--code={server.join_code}",
                        f"--phones={args.phones}",
                        f"--seed={args.seed}",
                        f"--timeout={args.timeout}",
                        stdin=asyncio.subprocess.PIPE,
                        stdout=asyncio.subprocess.PIPE,
                        limit=1 << 26,
                    )
                    room = Room(room_process)
                    ready = await room.hear()
                    print(
                        f"{ready['phones']} phones joined in {ready['join_seconds']:.2f} s "
                        f"(projector: {server.connected} connected)",
                        file=sys.stderr,
                    )
                    for run in range(args.runs):
                        step = await next_prompt_step(app, pilot)
                        wire = app.workshop.runner.step.prompt.to_wire()
                        command = {
                            "cmd": "burst",
                            "prompt": prompt_id(step),
                            "wire": wire,
                            "window": args.window,
                        }
                        await room.say(command)
                        if profile is not None:
                            profile.enable()
                        reply = await room.hear()
                        acked = sum(r["answer"]["type"] == "ack" for r in reply["records"])
                        await wait_for_count(recorder, step, acked, SETTLE_SECONDS)
                        if profile is not None:
                            profile.disable()
                        laptop_lag = lag.between(reply["go"], reply["end"])
                        result = analyse(step, prompt_id(step), wire["kind"], reply, recorder, laptop_lag)
                        result.notes.append(collections.summary(reply["go"], reply["end"]))
                        results.append(result)
                        print(f"run {run + 1}: step {step + 1} ({wire['kind']}) done", file=sys.stderr)
                    await room.say({"cmd": "quit"})
                    await asyncio.wait_for(room_process.wait(), 10)
            finally:
                await server.close()
    finally:
        collections.__exit__()
        lag.stop()
        if room_process is not None and room_process.returncode is None:
            room_process.kill()
            await room_process.wait()
        shutil.rmtree(data, ignore_errors=True)
    return results


# --- Report ----------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p99 of 300 values is the 297th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def stats_row(name: str, values: Sequence[float]) -> str:
    cells = [
        percentile(values, 50),
        percentile(values, 95),
        percentile(values, 99),
        max(values, default=math.nan),
    ]
    return f"  {name:<34}" + "".join(f"{cell:>9.1f}" for cell in cells) + f"{len(values):>7}"


def table(title: str, series: dict[str, list[float]]) -> list[str]:
    lines = [title, f"  {'ms':<34}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}{'n':>7}"]
    lines += [stats_row(name, values) for name, values in series.items()]
    base = percentile(series["baseline round trip"], 99)
    for name in ("tap -> projector (ack order)", "tap -> Received (ack)"):
        lines.append(f"  p99({name}) / p99(baseline round trip) = {percentile(series[name], 99) / base:.1f}")
    return lines


def page_size() -> str:
    from participant.io.server import PAGE, with_limits

    body = with_limits(PAGE.read_bytes())
    packed = gzip.compress(body, compresslevel=9)
    return f"{PAGE.relative_to(ROOT)} as served: {len(body)} bytes, {len(packed)} bytes gzip -9"


def report(args: argparse.Namespace, results: list[RunResult]) -> str:
    lines = [
        f"{args.phones} phones in a separate process, each tapping at a random moment within "
        f"{args.window:g} s; projector headless {SIZE[0]}x{SIZE[1]}, server and app on one loop, 127.0.0.1.",
        "Projector times are when ResultsPanel.results was handed a count including the answer "
        "(after the app's 0.1 s coalescing); 'painted' when the panel next rendered it.",
        "'ack order': an answer's rank in the count is its rank in ack order (assumes commits are acked "
        "in commit order); 'commit order' uses the hub's true commit order, logged in the laptop's process.",
        "Baseline: a second 'hello' from the same connections during the burst, answered from memory.",
        "",
    ]
    pooled: dict[str, list[float]] = {}
    for number, result in enumerate(results, 1):
        lines += table(
            f"run {number}: step {result.step + 1} ({result.kind}), {result.phones} phones", result.series
        )
        lines += [f"  {note}" for note in result.notes] + [""]
        for name, values in result.series.items():
            pooled.setdefault(name, []).extend(values)
    if len(results) > 1:
        lines += [*table(f"all {len(results)} runs pooled", pooled), ""]
    worst = percentile(pooled["tap -> projector (ack order)"], 99)
    verdict = "meets" if worst < GOAL_MS else "misses"
    lines.append(
        f"p99 tap -> projector {worst:.1f} ms: {verdict} the goal of {GOAL_MS:.0f} ms "
        f"with {args.phones} phones"
    )
    lines.append(page_size())
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=300, help="phones in the room (default 300)")
    parser.add_argument("--window", type=float, default=2.0, help="seconds within which every phone taps")
    parser.add_argument(
        "--runs", type=int, default=3, help="bursts, each on the next prompt step (default 3)"
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="abort after this many seconds (default 60)"
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed for tap times and answers")
    parser.add_argument(
        "--profile", metavar="FILE", help="cProfile the laptop's process during bursts into FILE"
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="experiment: gc.freeze() in the laptop's process once the projector is up",
    )
    parser.add_argument("--role", choices=["laptop", "room"], default="laptop", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.phones <= MAX_PHONES:
        parser.error(f"--phones goes from 1 to {MAX_PHONES}")
    if args.window < 0 or args.runs < 1 or args.timeout <= 0:
        parser.error("--window must be 0 or more, --runs and --timeout more than 0")
    if args.seed is None:
        args.seed = secrets.randbelow(1 << 30)
    if args.role == "room":
        asyncio.run(the_room(args))
        return 0
    profile = cProfile.Profile() if args.profile else None

    async def bounded() -> list[RunResult]:
        async with asyncio.timeout(args.timeout):
            return await laptop(args, profile)

    started = time.monotonic()
    try:
        results = asyncio.run(bounded())
    except TimeoutError:
        print(f"aborted: the benchmark took longer than {args.timeout:g} s", file=sys.stderr)
        return 1
    except RuntimeError as error:
        print(f"aborted: {error}", file=sys.stderr)
        return 1
    print(f"seed {args.seed}, {time.monotonic() - started:.1f} s in all")
    print(report(args, results))
    if profile is not None:
        profile.dump_stats(args.profile)
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
