"""A crowded room on a laptop's open files limit: who gets in, how fast a new phone hears back,
and how fast a room joining at once connects.

What it measures, against the participant server in a subprocess started under an open files
limit (``--soft``/``--hard``; ``ulimit -n 1024`` sets both to 1,024), on 127.0.0.1:

- Crowd: ``--idle`` phones (1,100) connect and say hello, then stay idle. Each is counted as held
  (welcomed) or refused, by status ("This room is full" is 503). Then one more phone asks for the
  page and opens the websocket: the time to its answer (the page, or "full"), which must be under
  1 s and never a hang.
- Burst: against a fresh server, ``--burst`` phones (500) connect at random moments within one
  second, and again all at the same moment: TCP connect plus the websocket handshake, and the
  ``hello`` round trip after it, as p50/p99/max. The baseline is the same burst against a server
  listening with the kernel's usual backlog of 100 instead of ``LISTEN_BACKLOG``, in the same run.

Phones come from 127.0.0.2, 127.0.0.3, ... (100 per address), as a room's phones come from many
addresses; one address alone would meet its own budget first (``PER_ADDRESS_*`` in the wire module).

    .venv/bin/python bench/connections.py [--soft 1024] [--hard 1024] [--idle 1100] [--burst 500]
                                          [--smoke]

The figures are reported, never judged; the last line gives the machine's CPUs and load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402
from websockets.exceptions import InvalidStatus  # noqa: E402

from participant.core.origins import origin_of  # noqa: E402

PER_ADDRESS = 100
TIMEOUT = 30.0
SERVER = textwrap.dedent(
    """
    import asyncio, resource, sys
    import participant.io.server as server_module
    from participant.io.server import ParticipantServer
    from participant.io.store import create_session

    async def main():
        if sys.argv[2] != "default":
            server_module.LISTEN_BACKLOG = int(sys.argv[2])
        store = create_session("Crowded", "", data_dir=sys.argv[1])
        server = ParticipantServer(store)
        await server.start("127.0.0.1", 0)
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        print(server.port, server.join_code, server.max_connections, soft, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


class Server:
    """The participant server in a subprocess, under an open files limit."""

    def __init__(self, soft: int, hard: int, backlog: str = "default") -> None:
        self.limits = (soft, hard)
        self.backlog = backlog
        self.process: asyncio.subprocess.Process | None = None
        self.port = 0
        self.code = ""
        self.cap = 0
        self.soft = 0

    async def __aenter__(self) -> Server:
        data = tempfile.mkdtemp(prefix="facilitate-connections-")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            SERVER,
            data,
            self.backlog,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, self.limits),
        )
        assert self.process.stdout is not None
        async with asyncio.timeout(TIMEOUT):
            port, self.code, cap, soft = (await self.process.stdout.readline()).decode().split()
        self.port, self.cap, self.soft = int(port), int(cap), int(soft)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.process is not None:
            self.process.kill()
            await self.process.wait()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws?s={self.code}"


def address(number: int) -> str:
    return f"127.0.0.{2 + number // PER_ADDRESS}"


async def join(url: str, number: int) -> tuple[Any, float, float, str]:
    """One phone: (its connection or None, connect ms, hello ms, outcome)."""
    started = time.monotonic()
    try:
        connection = await connect(
            url,
            origin=origin_of(url.replace("ws://", "http://", 1)),
            local_addr=(address(number), 0),
            open_timeout=TIMEOUT,
            compression=None,
        )
    except InvalidStatus as refused:
        return None, (time.monotonic() - started) * 1000, 0.0, str(refused.response.status_code)
    except (OSError, TimeoutError) as error:
        return None, (time.monotonic() - started) * 1000, 0.0, type(error).__name__
    connected = time.monotonic()
    await connection.send(json.dumps({"type": "hello", "device": f"bench-phone-{number:05}-x"}))
    reply = json.loads(await asyncio.wait_for(connection.recv(), TIMEOUT))
    hello_ms = (time.monotonic() - connected) * 1000
    return connection, (connected - started) * 1000, hello_ms, reply["type"]


async def page(port: int, path: str) -> tuple[str, float]:
    """A new phone asks for the page: its status and how long the answer took (ms)."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.250", 0))
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    try:
        async with asyncio.timeout(TIMEOUT):
            data = await reader.read()
    except TimeoutError:
        return "timeout", TIMEOUT * 1000
    finally:
        writer.close()
    status = data.split(b" ", 2)[1].decode() if data else "closed"
    return status, (time.monotonic() - started) * 1000


def tally(outcomes: list[str]) -> dict[str, int]:
    return {outcome: outcomes.count(outcome) for outcome in sorted(set(outcomes))}


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 1), "p99": round(p99, 1), "max": round(ordered[-1], 1)}


async def crowd(soft: int, hard: int, idle: int) -> dict[str, Any]:
    """``idle`` phones join and stay; then a new phone asks for the page and the websocket."""
    async with Server(soft, hard) as server:
        held, outcomes = [], []
        for start in range(0, idle, 10):
            for connection, _, _, outcome in await asyncio.gather(
                *(join(server.url, number) for number in range(start, min(idle, start + 10)))
            ):
                outcomes.append(outcome)
                if connection is not None:
                    held.append(connection)
        status, page_ms = await page(server.port, f"/j/{server.code}")
        _, ws_ms, _, ws_outcome = await join(server.url, 10_000)
        for connection in held:
            await connection.close()
        return {
            "limit": [soft, hard],
            "raised_to": server.soft,
            "cap": server.cap,
            "idle": idle,
            "outcomes": tally(outcomes),
            "new_phone_page": {"status": status, "ms": round(page_ms, 1)},
            "new_phone_websocket": {"outcome": ws_outcome, "ms": round(ws_ms, 1)},
        }


async def burst(soft: int, hard: int, phones: int, backlog: str, spread: float) -> dict[str, Any]:
    """``phones`` join at random moments within ``spread`` seconds (0: all at once)."""
    async with Server(soft, hard, backlog) as server:

        async def later(number: int) -> tuple[Any, float, float, str]:
            await asyncio.sleep(random.uniform(0, spread))
            return await join(server.url, number)

        results = await asyncio.gather(*(later(number) for number in range(phones)))
        for connection, *_ in results:
            if connection is not None:
                await connection.close()
        return {
            "backlog": backlog,
            "spread_s": spread,
            "outcomes": tally([outcome for *_, outcome in results]),
            "connect_ms": percentiles([ms for _, ms, _, outcome in results if outcome == "welcome"]),
            "hello_ms": percentiles([ms for _, _, ms, outcome in results if outcome == "welcome"]),
        }


async def main(args: argparse.Namespace) -> None:
    print(json.dumps({"crowd": await crowd(args.soft, args.hard, args.idle)}), flush=True)
    for spread in (1.0, 0.0):
        for backlog in ("default", "100"):
            figures = await burst(args.soft, args.hard, args.burst, backlog, spread)
            print(json.dumps({"burst": figures}), flush=True)
    # The phones run on this machine too: how busy it was says how far to trust the times.
    print(json.dumps({"cpus": os.cpu_count(), "load_avg": round(os.getloadavg()[0], 2)}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--soft", type=int, default=1024, help="the server's soft open files limit")
    parser.add_argument("--hard", type=int, default=1024, help="the server's hard open files limit")
    parser.add_argument("--idle", type=int, default=1100, help="idle phones held (default 1100)")
    parser.add_argument("--burst", type=int, default=500, help="phones joining at once (default 500)")
    parser.add_argument("--smoke", action="store_true", help="a small, quick run: 120 idle, 50 at once")
    arguments = parser.parse_args()
    if arguments.smoke:
        arguments.soft = arguments.hard = 128
        arguments.idle, arguments.burst = 120, 50
    # This process holds every phone's connection: it needs the files for them.
    _, hard_limit = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard_limit, hard_limit))
    asyncio.run(main(arguments))
