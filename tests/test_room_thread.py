"""The phones' server on its own thread and loop: calls cross between the two loops in order, the
projector answers keys while the server's loop is busy, and reads never see a change half made."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading

import pytest

from facilitator.live.loop_door import LoopDoor
from facilitator.live.room_thread import RoomThread
from participant.core.hub import Response
from participant.core.wire import Choice
from participant.io.server import ParticipantServer
from tests.workshops import ROOM_THREAD, new_store


@pytest.fixture
def room():
    thread = RoomThread()
    yield thread
    thread.stop()


async def test_a_call_posted_on_its_own_loop_runs_at_once():
    done: list[int] = []
    LoopDoor(asyncio.get_running_loop()).post(done.append, 1)
    assert done == [1]


async def test_calls_posted_from_another_thread_run_there_in_order(room):
    ran: list[tuple[int, bool]] = []
    for number in range(50):
        room.door.post(lambda n=number: ran.append((n, room.door.here())))
    assert await room.run(lambda: asyncio.sleep(0, "flushed")) == "flushed"
    assert ran == [(n, True) for n in range(50)]


def test_ask_brings_back_the_result_or_the_exception(room):
    assert room.door.ask(lambda: threading.current_thread().name) == "room"

    def refuse() -> None:
        raise ValueError("not now")

    with pytest.raises(ValueError, match="not now"):
        room.door.ask(refuse)


def test_a_call_posted_after_the_loop_closed_is_dropped_with_a_warning(room, caplog):
    room.stop()
    with caplog.at_level(logging.WARNING):
        room.door.post(print, "never")
    assert "its event loop has closed" in caplog.text


def test_stopping_ends_the_thread():
    thread = RoomThread(name="room-to-stop")
    thread.stop()
    assert "room-to-stop" not in {t.name for t in threading.enumerate()}
    assert thread.loop.is_closed()


@pytest.mark.parametrize("workshop", [ROOM_THREAD], indirect=True)
async def test_the_projector_answers_keys_while_the_servers_loop_is_stuck(workshop, tmp_path):
    """On one loop, a key waited for every answer ready before it; on two it waits for none."""
    app = await workshop.start(new_store(tmp_path))
    async with app.run_test() as pilot:
        stuck, released = threading.Event(), threading.Event()

        def stick() -> None:
            stuck.set()
            released.wait(10)

        workshop.door.post(stick)
        assert stuck.wait(5)
        try:
            await pilot.press("n")
            await pilot.press("n")
            assert app.workshop.index == 2
            assert not released.is_set()
        finally:
            released.set()
        phone = await workshop.phone()  # the server caught up, in order, once free
        assert phone.welcome["prompt"]["id"] == "step-3"


@pytest.fixture
def switching_often():
    """Threads take turns every microsecond: a read that is not atomic gets interrupted."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


async def test_results_read_while_the_server_records_are_never_half_made(tmp_path, switching_often):
    """The projector's thread reads a prompt's results while the server's thread counts answers,
    under the server's lock as the server does when answers are committed."""
    store = new_store(tmp_path)
    server = ParticipantServer(store)
    server.hub.open_prompt("step-4", {"kind": "choice", "question": "How?", "options": ["A", "B", "C"]})
    answers = 20_000

    def record_many() -> None:
        for n in range(answers):
            response = Response("step-4", f"respondent-{n}", f"key-{n}", Choice("ABC"[n % 3]))
            with server.lock:
                server.hub.record(response, n)

    recording = threading.Thread(target=record_many)
    recording.start()
    try:
        half_made = 0
        while recording.is_alive():
            results = server.results("step-4")
            assert results is not None
            half_made += sum(count for _, count in results.choices) != results.count
        assert half_made == 0
        assert server.results("step-4").count == answers
    finally:
        recording.join()
        store.close()
