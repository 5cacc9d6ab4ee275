"""The phones' server on its own thread and loop: calls cross between the two loops in order, the
projector answers keys while the server's loop is busy, and reads never see a change half made."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from facilitator.live.loop_door import LoopDoor
from facilitator.live.room_thread import RoomThread
from participant.core.hub import Response
from participant.core.wire import Choice
from tests.workshops import CHOICE, ROOM_THREAD, new_store


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


@pytest.mark.parametrize("workshop", [ROOM_THREAD], indirect=True)
async def test_results_read_while_the_server_records_are_never_half_made(workshop, tmp_path):
    """The projector's thread reads a prompt's results while the server's counts answers."""
    app = await workshop.start(new_store(tmp_path))
    async with app.run_test() as pilot:
        await workshop.goto(pilot, CHOICE)
        phone = await workshop.phone()  # after the prompt opened on the server's loop
        assert phone.welcome["prompt"]["id"] == "step-4"
        server, options = workshop.server, ["Scared", "Happy", "Sad"]

        def record_many() -> None:  # as the server's loop does when answers are committed
            for n in range(20_000):
                response = Response("step-4", f"respondent-{n}", f"key-{n}", Choice(options[n % 3]))
                with server.lock:
                    server.hub.record(response, n)

        recording = threading.Thread(target=record_many)
        recording.start()
        reads = 0
        while recording.is_alive():
            results = server.results("step-4")
            assert results is not None
            assert sum(count for _, count in results.choices) == results.count
            reads += 1
            await asyncio.sleep(0)
        assert reads > 1
        assert server.results("step-4").count == 20_000
