"""The README's Privacy section holds for a real session: a workshop run through the real server
and projector, phones and a room link over websockets, then the file's tables and bytes read."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path

import pytest

from facilitator import cli
from facilitator.live.reports import RENDERERS, render, report_data
from participant.io.store import create_session, default_data_dir, log_path
from tests.phones import Phone, Trainer, room_url, trainer_ws_url
from tests.sample_agendas import NOTED
from tests.workshops import REFLECTION, TEXT, new_store

README = Path(__file__).resolve().parent.parent / "README.md"
BREAKOUT = 1
DEVICE = "PRIVATE-DEVICE-ID-0001"
REMOVED = [b"COMMENT-PASSED-LATER", b"TEXT-CHANGED-LATER", b"NOTE-DELETED-LATER", b"NOTE-BEFORE-EDIT"]
KEPT = [b"Text kept", b"Note after edit"]


def privacy_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("\n## Privacy\n", 1)[1].split("\n## ", 1)[0]


def claimed_tables() -> dict[str, set[str]]:
    """The tables and columns the README lists: ``- `table`: `column` (...), `column` ...``."""
    return {
        table: set(re.findall(r"`(\w+)`", columns))
        for table, columns in re.findall(r"^- `(\w+)`: (.*)$", privacy_section(), re.MULTILINE)
    }


def session_bytes(path: Path) -> bytes:
    """The database and its WAL file, as they are on disk now."""
    return b"".join(file.read_bytes() for file in (path, Path(f"{path}-wal")) if file.exists())


async def scrubbed(path: Path) -> bytes:
    """The files' bytes once removed text has left them (the store checkpoints within a second)."""
    async with asyncio.timeout(5):
        while any(text in (data := session_bytes(path)) for text in REMOVED):
            await asyncio.sleep(0.05)
    return data


async def test_a_real_session_stores_what_the_readme_says_and_deletes_what_it_replaced(workshop, tmp_path):
    """Tables and columns as listed; no phone id, answer id, phone address or user agent anywhere;
    a passed comment, a changed answer and edited or deleted notes gone from the file and the WAL
    while the app runs; the report holds no hashes; sessions --delete removes every file."""
    data_dir = tmp_path / "data"
    store = new_store(data_dir)
    app = await workshop.start(store)
    async with app.run_test() as pilot:
        await workshop.goto(pilot, BREAKOUT)
        room = await Phone(room_url(workshop.server.port, workshop.server.room_path(1))).join()
        for message in (
            {"type": "note_add", "id": "note-gone-01", "text": "NOTE-DELETED-LATER"},
            {"type": "note_delete", "id": "note-gone-01", "rev": 1},
            {"type": "note_add", "id": "note-edit-01", "text": "NOTE-BEFORE-EDIT"},
            {"type": "note_edit", "id": "note-edit-01", "rev": 1, "text": "Note after edit"},
        ):
            assert (await room.call(message))["type"] == "ack"
        await room.close()
        await workshop.goto(pilot, REFLECTION)
        phone = await workshop.phone(DEVICE)
        step = f"step-{REFLECTION + 1}"
        comment = {"ratings": [4, 5], "comment": "COMMENT-PASSED-LATER"}
        assert (await phone.answer(step, comment, "PRIVATE-ANSWER-0001"))["type"] == "ack"
        assert (await phone.answer(step, {"pass": True}, "PRIVATE-ANSWER-0002"))["type"] == "ack"
        await workshop.goto(pilot, TEXT)
        step = f"step-{TEXT + 1}"
        assert (await phone.answer(step, {"text": "TEXT-CHANGED-LATER"}, "PRIVATE-ANSWER-0003"))[
            "type"
        ] == "ack"
        assert (await phone.answer(step, {"text": "Text kept"}, "PRIVATE-ANSWER-0004"))["type"] == "ack"
        running = await scrubbed(store.path)
        assert all(text in running for text in KEPT)
    store.close()
    everything = b"".join(file.read_bytes() for file in data_dir.iterdir())
    for secret in (*REMOVED, b"PRIVATE-DEVICE-ID", b"PRIVATE-ANSWER", b"websockets/", b"Python/"):
        assert secret not in everything

    database = sqlite3.connect(store.path)
    tables = {
        table: {column for _, column, *_ in database.execute(f"PRAGMA table_info({table})")}
        for (table,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert tables == claimed_tables()  # a table or column added without telling readers fails here
    addresses = [
        (table, row)
        for table in tables
        for row in database.execute(f"SELECT * FROM {table}")
        if "127.0.0.1" in repr(row) and row[0] != "base_url"
    ]
    assert addresses == []  # the laptop's own address, for the room links, is the only one
    hashes = [
        value
        for (value,) in database.execute(
            "SELECT respondent FROM responses UNION SELECT answer_key FROM responses"
            " UNION SELECT answer_key FROM replaced_answers UNION SELECT key FROM joined"
        )
    ]
    assert len(hashes) == 7  # two respondents, the keys of four answers (two replaced), one phone
    database.close()

    report = tmp_path / "report.json"
    assert cli.main(["report", str(store.path), "-o", str(report)]) == 0
    text = report.read_text(encoding="utf-8")
    assert "Note after edit" in text
    assert not [value for value in hashes if value in text]
    assert store.session.secret.hex() not in text

    log_path(store.path).write_text("a problem logged while the session ran\n", encoding="utf-8")
    assert cli.main(["sessions", "--delete", store.session.id, "--data", str(data_dir)]) == 0
    assert list(data_dir.iterdir()) == []  # the log too


def test_the_data_folder_is_shown_by_run_help(capsys):
    """The README sends readers to `facilitate run --help` for the default data folder."""
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    assert str(default_data_dir()) in " ".join(capsys.readouterr().out.split())


async def drained(connection) -> list[str]:
    """Every message a client was sent and has not read yet."""
    frames = []
    while True:
        try:
            async with asyncio.timeout(0.3):
                frames.append(await connection.recv())
        except TimeoutError:
            return frames


async def test_presenter_notes_reach_no_one_but_the_trainer(workshop, tmp_path):
    """Through a whole workshop the notes are never drawn on the projector, sent to a phone or a
    room link, nor written in any report; the trainer link alone carries them."""
    store = create_session("Working alliances", NOTED, data_dir=tmp_path / "data")
    app = await workshop.start(store)
    async with app.run_test(size=(120, 40)) as pilot:
        phone = await workshop.phone()
        room = await Phone(room_url(workshop.server.port, workshop.server.room_path(1))).join()
        workshop.stack.push_async_callback(room.close)
        screens = [app.export_screenshot()]
        for _ in workshop.workshop.agenda.steps:
            await pilot.press("n")
            await pilot.pause()
            screens.append(app.export_screenshot())
        sent = [json.dumps(phone.welcome), *await drained(phone.connection), *await drained(room.connection)]
        trainer = await Trainer(trainer_ws_url(workshop.server.port, workshop.trainer_link())).join()
        workshop.stack.push_async_callback(trainer.close)
        await pilot.press("p", "p", "p")
        while trainer.view["index"] != TEXT or trainer.view["phase"] == "finished":
            await trainer.next_view()
    reports = [render(report_data(store, 3, workshop.workshop.saved_state()), form) for form in RENDERERS]
    assert "Introduce" in screens[0]  # the room's instructions are drawn, and found
    for secret in ("SECRET-CUE", "CUE-TWO"):  # without spaces, which screenshots encode
        assert not any(secret in screen for screen in screens)
        assert not any(secret in frame for frame in sent)
        assert not any(secret in report for report in reports)
    assert trainer.view["notes"] == "CUE-TWO"  # the text step, where the trainer is now
