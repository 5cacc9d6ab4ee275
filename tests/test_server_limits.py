"""Floods and crowds on the real server (port 0, real sockets): budgets by network address, the
connection cap under a low open files limit, and what a phone is told when it is over one.

Phones from another address connect from 127.0.0.2 (all of 127/8 is this machine on Linux)."""

import asyncio
import json
import os
import resource
import sys
import textwrap
import time
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from participant.core.budgets import TOO_MANY_PHONES, Limits
from participant.core.wire import PER_ADDRESS_DEVICES
from participant.io.server import ROOM_FULL, ParticipantServer
from participant.io.store import create_session
from tests.phones import connect, http_get, ws_url

ROOT = Path(__file__).resolve().parent.parent
CHOICE = {"kind": "choice", "question": "How do you feel?", "options": ["Scared", "Curious", "Fine"]}
ELSEWHERE = ("127.0.0.2", 0)
TIMEOUT = 10


class Time:
    """The server's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def serve(tmp_path, stack: AsyncExitStack, limits: Limits | None = None):
    store = stack.enter_context(create_session("Workshop", "", data_dir=tmp_path))
    time_ = Time()
    server = ParticipantServer(store, clock=time_, limits=limits)
    await server.start("127.0.0.1", 0)
    stack.push_async_callback(server.close)
    server.open_prompt("p1", CHOICE)
    return server, time_


async def call(phone, message: dict) -> dict:
    """Send ``message``; the reply to it (prompts that arrive meanwhile are skipped)."""
    await phone.send(json.dumps(message))
    async with asyncio.timeout(TIMEOUT):
        while True:
            reply = json.loads(await phone.recv())
            if reply["type"] != "prompt":
                return reply


async def pose_as(url: str, device: str, **options) -> tuple[dict, dict | None]:
    """One made-up phone: join as ``device`` and answer; the replies to both (None: no answer sent)."""
    async with connect(url, **options) as phone:
        welcome = await call(phone, {"type": "hello", "device": device})
        if welcome["type"] != "welcome":
            return welcome, None
        answer = {"type": "answer", "id": f"a-{device}", "prompt": "p1", "value": {"option": "Fine"}}
        return welcome, await call(phone, answer)


async def test_one_process_posing_as_3000_phones_counts_as_its_address_budget(tmp_path):
    """3,000 made-up device ids from one address, slowly enough for every rate: only
    PER_ADDRESS_DEVICES join and answer; the rest are told why; a phone elsewhere joins as usual."""
    async with AsyncExitStack() as stack:
        server, time_ = await serve(tmp_path, stack)
        url = ws_url(server.port, server.join_code)
        replies = []
        for batch in range(10):
            time_.now += 60  # a minute between batches: no rate limit is what stops them
            replies += await asyncio.gather(
                *(pose_as(url, f"flood-{batch:02}-{n:03}-xxxxxxxx") for n in range(300))
            )
        welcomed = [answer for welcome, answer in replies if welcome["type"] == "welcome"]
        refused = [welcome for welcome, _ in replies if welcome["type"] == "error"]
        assert len(welcomed) == PER_ADDRESS_DEVICES < len(replies) == 3000
        assert all(answer["type"] == "ack" for answer in welcomed)
        assert {(r["code"], r["message"]) for r in refused} == {("too_many", TOO_MANY_PHONES)}
        assert server.results("p1").count == PER_ADDRESS_DEVICES
        welcome, answer = await pose_as(url, "a-phone-on-another-network", local_addr=ELSEWHERE)
        assert (welcome["type"], answer["type"]) == ("welcome", "ack")


async def test_answers_from_one_address_are_bounded_by_its_rate_however_many_devices(tmp_path):
    """Ten devices from one address answer as fast as each may: together they get the address's
    burst and then its rate, told in words; another address is not slowed down."""
    async with AsyncExitStack() as stack:
        server, time_ = await serve(tmp_path, stack, Limits(rate=2))  # a burst of 40, then 2 a second
        url = ws_url(server.port, server.join_code)
        phones = [await stack.enter_async_context(connect(url)) for _ in range(10)]
        for number, phone in enumerate(phones):
            assert (await call(phone, {"type": "hello", "device": f"device-{number:02}-xxxxxxxxxx"}))[
                "type"
            ] == "welcome"
        replies = []
        for round_ in range(15):
            for number, phone in enumerate(phones):
                answer_id = f"answer-{number:02}-{round_:02}"
                message = {"type": "answer", "id": answer_id, "prompt": "p1", "value": {"option": "Fine"}}
                replies.append(await call(phone, message))
        acked = [reply for reply in replies if reply["type"] == "ack"]
        assert len(acked) == 40  # the ten hellos spent from another allowance
        refusals = {reply["message"] for reply in replies if reply["type"] == "error"}
        assert refusals == {"Too many answers from this network at once: wait a few seconds and try again"}
        time_.now += 1
        again = await call(
            phones[0], {"type": "answer", "id": "later-01", "prompt": "p1", "value": {"pass": True}}
        )
        assert again["type"] == "ack"
        welcome, answer = await pose_as(url, "a-phone-on-another-network", local_addr=ELSEWHERE)
        assert (welcome["type"], answer["type"]) == ("welcome", "ack")


async def test_an_address_holds_only_so_many_connections(tmp_path):
    """Past CONNECTIONS_PER_DEVICE x its devices, an address's next websocket gets 429 in words; a
    closed one frees its place; another address connects as usual."""
    async with AsyncExitStack() as stack:
        server, _ = await serve(tmp_path, stack, Limits(devices=2))
        url = ws_url(server.port, server.join_code)
        held = [await stack.enter_async_context(connect(url)) for _ in range(4)]
        with pytest.raises(InvalidStatus) as refused:
            await stack.enter_async_context(connect(url))
        assert refused.value.response.status_code == 429
        assert refused.value.response.body == b"Too many connections from this network: ask the trainer"
        await stack.enter_async_context(connect(url, local_addr=ELSEWHERE))
        await held[0].close()
        async with asyncio.timeout(TIMEOUT):
            while True:
                try:
                    await stack.enter_async_context(connect(url))
                    break
                except InvalidStatus:
                    await asyncio.sleep(0.01)  # the server has not seen the close yet


# --- Open files and the connection cap -----------------------------------------------------------

SERVER_UNDER_A_LOW_LIMIT = textwrap.dedent(
    """
    import asyncio, resource, sys
    from participant.core.budgets import Limits
    from participant.io.server import ParticipantServer
    from participant.io.store import create_session

    async def main():
        store = create_session("Crowded", "", data_dir=sys.argv[1])
        server = ParticipantServer(store, limits=Limits(devices=1000))
        await server.start("127.0.0.1", 0)
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        print(server.port, server.join_code, server.max_connections, soft, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)
SOFT, HARD = 128, 256


def low_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (SOFT, HARD))


async def test_past_the_cap_a_new_phone_is_told_the_room_is_full_at_once(tmp_path):
    """A server started under a soft limit of 128 open files (hard 256) raises it to 256 and holds
    192 connections; with more idle phones than that connected, a new phone gets "This room is
    full" (503) for the websocket and for the page within a second, never a hang."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SERVER_UNDER_A_LOW_LIMIT,
        str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=low_limit,
    )
    try:
        async with asyncio.timeout(30):
            port, code, cap, soft = (await process.stdout.readline()).decode().split()
        assert (int(soft), int(cap)) == (HARD, HARD - 64)
        url = ws_url(int(port), code)
        async with AsyncExitStack() as stack:
            held, full = 0, []
            for number in range(int(cap) + 20):
                try:
                    phone = await stack.enter_async_context(connect(url))
                except InvalidStatus as refused:
                    full.append(refused.response.status_code)
                    continue
                assert (await call(phone, {"type": "hello", "device": f"idle-{number:04}-xxxxxxxx"}))[
                    "type"
                ] == "welcome"
                held += 1
            assert (held, full) == (int(cap), [503] * 20)
            started = time.monotonic()
            with pytest.raises(InvalidStatus) as refused:
                async with asyncio.timeout(1), connect(url):
                    pass
            assert refused.value.response.status_code == 503
            assert refused.value.response.body.decode() == ROOM_FULL
            async with asyncio.timeout(1):
                status, _, body = await http_get(int(port), f"/j/{code}")
            assert (status, body.decode()) == (503, ROOM_FULL)
            assert time.monotonic() - started < 1
    finally:
        process.kill()
        await process.wait()


RATING = {"kind": "reflection", "question": "How safe did it feel?", "ratings": [{"text": "Safe?"}]}


def file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


async def test_a_flood_from_one_address_moves_an_average_only_by_its_budget_and_barely_grows_the_file(
    tmp_path,
):
    """Ten phones on another network rate 2. One process poses as 3,000 phones from one address,
    each rating 5 and changing its answer twice: only the address's device budget counts (the
    average moves no further than 500 phones could move it), and the session file grows < 1 MB."""
    async with AsyncExitStack() as stack:
        server, time_ = await serve(tmp_path, stack)
        server.open_prompt("p2", RATING)
        url = ws_url(server.port, server.join_code)

        async def rate(device: str, ratings: list[int], **options) -> None:
            async with connect(url, **options) as phone:
                if (await call(phone, {"type": "hello", "device": device}))["type"] != "welcome":
                    return
                for n, value in enumerate(ratings):
                    answer = {"type": "answer", "id": f"a{n}-{device}", "prompt": "p2"}
                    await call(phone, {**answer, "value": {"ratings": [value]}})

        for n in range(10):
            await rate(f"honest-phone-{n:02}-xxxxxx", [2], local_addr=ELSEWHERE)
        server.store.flush()
        before = file_bytes(server.store.path)
        for batch in range(10):
            time_.now += 60  # a minute between batches: the budgets, not the rates, are what stop them
            await asyncio.gather(*(rate(f"flood-{batch:02}-{n:03}-xxxxxxxx", [5, 4, 5]) for n in range(300)))
        server.store.flush()
        rating = server.results("p2").ratings[0]
        assert rating.answered == 10 + PER_ADDRESS_DEVICES
        assert rating.average == round((10 * 2 + PER_ADDRESS_DEVICES * 5) / (10 + PER_ADDRESS_DEVICES), 1)
        assert file_bytes(server.store.path) - before < 1_000_000
