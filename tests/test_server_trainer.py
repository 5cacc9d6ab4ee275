"""The trainer link over real sockets: the real server, the workshop controller behind it, clients
speaking the websocket protocol. Who may act as the trainer, and what the trainer is told."""

from __future__ import annotations

import asyncio
import os
import stat

import pytest
from websockets.asyncio.client import connect as raw_connect
from websockets.exceptions import InvalidStatus

from facilitator.cli import main
from participant.io.store import create_session, delete_session
from participant.io.trainer_link import new_token, trainer_folder
from tests.phones import Phone, Trainer, connect, http_get, room_url, trainer_ws_url
from tests.sample_agendas import NOTED, NOTES
from tests.workshops import BOTH_LOOPS, new_store


def noted_store(data_dir):
    return create_session("Working alliances", NOTED, data_dir=data_dir)


async def trainer_for(workshop, tmp_path):
    """A running session with its trainer link, and a trainer client connected by it."""
    await workshop.start(noted_store(tmp_path / "data"))
    url = workshop.trainer_link()
    trainer = await Trainer(trainer_ws_url(workshop.server.port, url)).join()
    workshop.stack.push_async_callback(trainer.close)
    return url, trainer


@BOTH_LOOPS
async def test_the_trainer_is_told_the_step_its_notes_and_whats_next(workshop, tmp_path):
    """On connecting: the step, the presenter notes and the next step's title and planned length."""
    _, trainer = await trainer_for(workshop, tmp_path)
    view = trainer.view
    assert (view["step"], view["index"], view["phase"]) == ("Welcome", 0, "ready")
    assert view["notes"] == NOTES
    assert view["next_line"] == "Next: Why we work well together · 15 min"
    assert [room["number"] for room in view["rooms"]] == [1, 2, 3, 4]
    assert view["rooms"][0]["url"].startswith(f"http://127.0.0.1:{workshop.server.port}/r/")


@BOTH_LOOPS
async def test_each_command_is_a_controller_call_and_every_trainer_sees_the_result(workshop, tmp_path):
    """Next, Start, +1 min, -1 min, Back move the workshop itself; a second trainer client follows."""
    url, trainer = await trainer_for(workshop, tmp_path)
    other = await Trainer(trainer_ws_url(workshop.server.port, url)).join()
    workshop.stack.push_async_callback(other.close)
    assert (await trainer.command("next"))["type"] == "done"
    assert workshop.workshop.index == 1
    assert (await other.next_view())["step"] == "Why we work well together"
    assert (await trainer.command("toggle_timer"))["type"] == "done"
    assert (await trainer.next_view())["phase"] == "running"
    before = workshop.workshop.runner.remaining()
    assert (await trainer.command("add_minute"))["type"] == "done"
    assert workshop.workshop.runner.remaining() == before + 60
    assert (await trainer.command("remove_minute"))["type"] == "done"
    assert (await trainer.command("back"))["type"] == "done"
    assert (await trainer.next_view())["step"] == "Welcome"
    assert workshop.workshop.index == 0


@BOTH_LOOPS
async def test_a_refusal_comes_back_in_words_naming_the_button(workshop, tmp_path):
    """Back on the first step and Reveal on a talk are refused with a sentence; nothing moves."""
    _, trainer = await trainer_for(workshop, tmp_path)
    back = await trainer.command("back")
    assert (back["type"], back["code"]) == ("error", "refused")
    assert back["message"] == "Back: already at the first step"
    reveal = await trainer.command("reveal")
    assert reveal["message"] == "Reveal: this step has no answers to reveal"
    assert workshop.workshop.index == 0


@BOTH_LOOPS
async def test_answers_reach_the_trainer_as_a_private_preview_before_the_reveal(workshop, tmp_path):
    """Phones answering a choice: the trainer sees the count at once and the tally from three
    answers, while the results stay hidden from the room."""
    _, trainer = await trainer_for(workshop, tmp_path)
    while workshop.workshop.index < 3:
        await trainer.command("next")
    for option in ("Scared", "Happy", "Happy"):
        phone = await workshop.phone()
        assert (await phone.answer("step-4", {"option": option}))["type"] == "ack"
    async with asyncio.timeout(5):
        while trainer.view.get("answered") != 3:
            await trainer.next_view()
    assert trainer.view["revealed"] is False
    assert "Happy: 2" in trainer.view["preview"]
    assert workshop.workshop.results().revealed is False


async def test_a_forged_token_is_refused_before_the_handshake(workshop, tmp_path):
    """A made-up or truncated token, or none, gets 403 on the websocket and 404 for the page."""
    url, _ = await trainer_for(workshop, tmp_path)
    port = workshop.server.port
    token = url.rsplit("/", 1)[1]
    for forged in ("x" * len(token), token[:-1], token + "A", ""):
        with pytest.raises(InvalidStatus) as refused:
            await connect(f"ws://127.0.0.1:{port}/ws?t={forged}")
        assert refused.value.response.status_code == 403
        status, _, body = await http_get(port, f"/t/{forged}")
        assert status == 404
        assert b"not valid" in body
    status, headers, body = await http_get(port, f"/t/{token}")
    assert status == 200
    assert b"+1 min" in body
    assert ("Referrer-Policy", "no-referrer") in headers


async def test_the_trainer_link_is_refused_from_a_foreign_page(workshop, tmp_path):
    """The right token from another site's page (or a file, or no page) gets 403."""
    url, _ = await trainer_for(workshop, tmp_path)
    address = trainer_ws_url(workshop.server.port, url)
    for origin in ("http://evil.example", "null"):
        with pytest.raises(InvalidStatus) as refused:
            await raw_connect(address, origin=origin)
        assert refused.value.response.status_code == 403


async def test_a_join_or_room_link_can_never_act_as_the_trainer(workshop, tmp_path):
    """A phone and a room link sending commands are refused; the agenda does not move; a join code
    or room token passed as a trainer token is refused at the door."""
    url, _ = await trainer_for(workshop, tmp_path)
    server = workshop.server
    phone = await workshop.phone()
    room = await Phone(room_url(server.port, server.room_path(1))).join()
    workshop.stack.push_async_callback(room.close)
    for client in (phone, room):
        for action in ("next", "toggle_timer", "reveal"):
            reply = await client.request({"type": "command", "id": "command-0001", "action": action})
            assert (reply["type"], reply["code"]) == ("error", "forbidden")
    assert workshop.workshop.index == 0
    assert workshop.workshop.runner.phase.value == "ready"
    room_token = server.room_path(1).rsplit("/", 1)[1]
    for token in (server.join_code, room_token):
        with pytest.raises(InvalidStatus):
            await connect(f"ws://127.0.0.1:{server.port}/ws?t={token}")
    token = url.rsplit("/", 1)[1]
    for mixed in (f"s={server.join_code}&t={token}", f"r={room_token}&t={token}", f"t={token}&t={token}"):
        with pytest.raises(InvalidStatus):
            await connect(f"ws://127.0.0.1:{server.port}/ws?{mixed}")


@BOTH_LOOPS
async def test_a_new_link_refuses_every_old_one_at_once(workshop, tmp_path):
    """After ``remote --new``: the old link's open connection is closed (1008) before it can act,
    the old link is refused at the door, and the new one works."""
    url, trainer = await trainer_for(workshop, tmp_path)
    port = workshop.server.port
    token = new_token(workshop.store.path)
    assert token not in url
    assert trainer.connection is not None
    await trainer.connection.send('{"type": "command", "id": "command-0001", "action": "next"}')
    assert await trainer.closed() == 1008
    assert workshop.workshop.index == 0
    with pytest.raises(InvalidStatus):
        await connect(trainer_ws_url(port, url))
    status, _, _ = await http_get(port, url.removeprefix(f"http://127.0.0.1:{port}"))
    assert status == 404
    fresh = await Trainer(f"ws://127.0.0.1:{port}/ws?t={token}").join()
    workshop.stack.push_async_callback(fresh.close)
    assert (await fresh.command("next"))["type"] == "done"


async def test_an_idle_old_link_is_closed_within_a_second(workshop, tmp_path):
    """A remote left open with the old link stops seeing the trainer's view soon after rotation."""
    _, trainer = await trainer_for(workshop, tmp_path)
    new_token(workshop.store.path)
    async with asyncio.timeout(2):
        assert await trainer.closed() == 1008


def test_the_token_is_readable_by_the_laptops_user_only(tmp_path):
    """Folder 0700, files 0600, at least 128 bits; a new token differs; deleting the session removes them."""
    store = new_store(tmp_path)
    store.close()
    first = new_token(store.path)
    folder = trainer_folder(store.path)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for file in folder.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert len(first) * 6 >= 128
    assert new_token(store.path) != first
    assert not [name for name in os.listdir(folder) if name.startswith(".")]
    deleted = delete_session(store.path, tmp_path)
    assert folder in deleted
    assert not folder.exists()


def test_remote_and_presenter_before_the_session_ran(tmp_path, capsys):
    """facilitate remote needs the address the session runs at; presenter needs a session."""
    new_store(tmp_path).close()
    assert main(["remote", "--data", str(tmp_path)]) == 1
    assert "has not run yet" in capsys.readouterr().err
    assert main(["presenter", "--data", str(tmp_path / "empty")]) == 1
    assert "No sessions yet" in capsys.readouterr().err
