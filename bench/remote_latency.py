"""Time from a press on the phone remote to the projector showing its effect.

Two processes, as on the day. Process A is the laptop: a fresh session in a scratch data dir, the
participant server on 127.0.0.1 (a free port) with the trainer link, and the real projector app,
headless (``app.run_test``), the server on a thread and loop of its own as ``facilitate run`` wires
them. Process B is the trainer's phone: one websocket client on the trainer link, spawned by A,
pressing Next and Back in turn (the agenda goes to step 2 and back), each press once the previous
one's view came back, a ``--gap`` later (a thumb, not a flood). Times are ``time.monotonic()`` in
both processes (CLOCK_MONOTONIC, shared by all processes on Linux).

press -> projector: from just before B sends the command to the first screen refresh of the
projector after it handled the controller's ``StepChanged`` (``App.call_after_refresh``): the new
step is drawn, not just decided.

    python bench/remote_latency.py [--presses 100] [--gap 0.1] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AGENDA = ROOT / "agendas" / "working-alliance-mutuality.toml"


def client(url: str, presses: int, gap: float) -> None:
    """Process B: press Next and Back in turn; print each press's send time as JSON."""
    from websockets.sync.client import connect

    origin = url.split("/ws", 1)[0].replace("ws://", "http://", 1)
    sent = []
    with connect(url, origin=origin) as connection:  # type: ignore[arg-type]
        json.loads(connection.recv())  # the view on connecting
        for press in range(presses):
            command_id = secrets.token_hex(8)
            message = json.dumps({"type": "command", "id": command_id, "action": ("next", "back")[press % 2]})
            sent.append(time.monotonic())
            connection.send(message)
            replies = [json.loads(connection.recv()) for _ in range(2)]  # done, then the new view
            if {reply["type"] for reply in replies} != {"done", "trainer"}:
                raise SystemExit(f"press {press} was not carried out: {replies}")
            time.sleep(gap)
    print(json.dumps(sent))


async def laptop(presses: int, gap: float) -> tuple[list[float], list[float]]:
    """Process A: the session, server and headless projector; returns each press's latency to the
    projector drawn, and to the controller's decision (seconds)."""
    from facilitator.app import make_app
    from facilitator.domain.agenda_loader import load_agenda
    from facilitator.domain.clock import SystemClock
    from facilitator.domain.workshop import Event, StepChanged, Workshop
    from facilitator.live.participants import ServerParticipants
    from facilitator.live.room_thread import ServerThread
    from facilitator.live.trainer_desk import WorkshopDesk
    from participant.io.server import ParticipantServer
    from participant.io.store import create_session
    from participant.io.trainer_link import TokenFile, trainer_token

    data = Path(tempfile.mkdtemp(prefix="remote-latency-"))
    try:
        agenda = load_agenda(AGENDA)
        store = create_session(agenda.title, AGENDA.read_text(encoding="utf-8"), data_dir=data)
        with store:
            token = trainer_token(store.path)

            def make() -> ParticipantServer:  # on its own thread, as `facilitate run` has it
                return ParticipantServer(store, trainer_token=TokenFile(store.path).current)

            threaded = await ServerThread.start(make, "127.0.0.1", 0)
            server = threaded.server
            base = f"http://127.0.0.1:{server.port}"
            participants = ServerParticipants(server, store, base, server_door=threaded.door)
            workshop = Workshop(agenda, SystemClock(), participants)
            app = make_app(workshop, join_url=f"{base}{server.join_path}")
            desk = WorkshopDesk(workshop, server.trainer, export=app.action_export, server_door=threaded.door)
            painted: list[float] = []
            decided: list[float] = []
            try:
                async with app.run_test(size=(120, 40)):

                    def drawn(
                        event: Event,
                    ) -> None:  # after the projector's own handler (it subscribed first)
                        if isinstance(event, StepChanged):
                            decided.append(time.monotonic())
                            app.call_after_refresh(lambda: painted.append(time.monotonic()))

                    stop = workshop.subscribe(drawn)
                    url = f"ws://127.0.0.1:{server.port}/ws?t={token}"
                    remote = await asyncio.create_subprocess_exec(
                        sys.executable,
                        __file__,
                        "--client",
                        url,
                        "--presses",
                        str(presses),
                        "--gap",
                        str(gap),
                        stdout=asyncio.subprocess.PIPE,
                    )
                    out, _ = await remote.communicate()
                    if remote.returncode != 0:
                        raise SystemExit("the remote's process failed")
                    await asyncio.sleep(0.2)  # the last refresh
                    stop()
            finally:
                desk.close()
                await threaded.close()
        sent = json.loads(out.decode().strip().splitlines()[-1])
        if len(painted) != len(sent) or len(decided) != len(sent):
            raise SystemExit(f"{len(sent)} presses but {len(painted)} steps drawn")
        return [after - before for before, after in zip(sent, painted, strict=True)], [
            after - before for before, after in zip(sent, decided, strict=True)
        ]
    finally:
        shutil.rmtree(data, ignore_errors=True)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between a view and the next press")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--client", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client(args.client, args.presses, args.gap)
        return
    drawn, decided = asyncio.run(laptop(args.presses, args.gap))
    ms = [value * 1000 for value in drawn]
    figures = {
        "presses": len(ms),
        "p50_ms": round(percentile(ms, 0.5), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1),
        "mean_ms": round(statistics.fmean(ms), 1),
        "decided_p50_ms": round(percentile([value * 1000 for value in decided], 0.5), 1),
    }
    print(
        f"remote press -> projector drawn over {figures['presses']} presses: "
        f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms "
        f"(press -> controller decided: p50 {figures['decided_p50_ms']} ms)"
    )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
