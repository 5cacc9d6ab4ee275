"""kill -9 of the trainer's process loses no acknowledged answer; --resume continues the session.

The real console script in a pseudo-terminal, real phones over websockets on 127.0.0.1."""

import sqlite3
import sys
from pathlib import Path

from participant.io.store import list_sessions
from tests.phones import Phone, ws_url
from tests.terminal import Terminal

FACILITATE = str(Path(sys.executable).parent / "facilitate")
AGENDA = Path(__file__).resolve().parent.parent / "agendas" / "person-centred-partnership.toml"
URL = rb"http://127\.0\.0\.1:(\d+)\s*/j/([a-z0-9]+)"
WORDWALL_STEP = 4  # "Name the jargon"


def start(*args: str) -> tuple[Terminal, int, str]:
    """facilitate run ... on 127.0.0.1 with a free port; returns the terminal, port and join code."""
    terminal = Terminal([FACILITATE, "run", *args, "--host", "127.0.0.1", "--port", "0"], size=(160, 48))
    terminal.wait_for(b"/j/", b"Quit")
    match = terminal.find(URL)
    return terminal, int(match[1]), match[2].decode()


async def test_kill_9_then_resume_keeps_every_acked_answer(tmp_path):
    """Answers acked before SIGKILL are all in the database, once each, and the room carries on."""
    first, port, code = start(str(AGENDA), "--data", str(tmp_path))
    try:
        first.press("n" * (WORDWALL_STEP - 1))
        first.wait_for(b"Word wall")  # the kind of the current step, drawn once the keys are handled
        phones = [Phone(ws_url(port, code), f"phone-number-{n:08}") for n in range(3)]
        for phone in phones:
            await phone.join()
            assert phone.welcome["prompt"]["id"] == "step-4"
        acks = [
            await phone.answer("step-4", {"words": [f"jargon {n}", "ITP"]}) for n, phone in enumerate(phones)
        ]
        assert [ack["type"] for ack in acks] == ["ack"] * 3
        # Phone 1 changes its answer: the new one replaces the old in the file.
        assert (await phones[1].answer("step-4", {"words": ["changed"]}))["type"] == "ack"
    finally:
        first.kill()
        for phone in phones:
            await phone.close()

    (session,) = list_sessions(tmp_path)
    with sqlite3.connect(session.path) as database:
        assert database.execute("SELECT COUNT(*) FROM responses WHERE prompt_id = 'step-4'").fetchone() == (
            3,
        )

    second, port, code_again = start("--resume", "--data", str(tmp_path))
    try:
        assert code_again == code  # the QR code and URL in the room stay valid
        back = await Phone(ws_url(port, code), "phone-number-00000000").join()
        assert back.welcome["prompt"]["id"] == "step-4"
        assert back.welcome["answer"] == {"words": ["jargon 0", "ITP"]}
        # The resend of an answer acked before the crash is acked again and stored once.
        again = await back.answer("step-4", {"words": ["jargon 0", "ITP"]}, answer_id=acks[0]["id"])
        assert again == acks[0]
        await back.close()
        # The resend of an answer replaced before the crash is acked, and brings the old one back nowhere.
        changed = await Phone(ws_url(port, code), "phone-number-00000001").join()
        late = await changed.answer("step-4", {"words": ["jargon 1", "ITP"]}, answer_id=acks[1]["id"])
        assert late == acks[1]
        await changed.close()
        rejoined = await Phone(ws_url(port, code), "phone-number-00000001").join()
        assert rejoined.welcome["answer"] == {"words": ["changed"]}
        await rejoined.close()
    finally:
        second.kill()
    with sqlite3.connect(session.path) as database:
        assert database.execute("SELECT COUNT(*) FROM responses").fetchone() == (3,)
