"""A workshop as tests run it: a session on disk, the real server on a free port, the projector app
under Pilot, and phones over websockets. The ``workshop`` fixture (tests/conftest.py) gives one."""

from contextlib import AsyncExitStack
from datetime import datetime

import pytest
from rich.console import Console

from facilitator.app import make_app
from facilitator.app.widgets.results_panel import ResultsPanel
from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.themes import suggest
from facilitator.domain.workshop import Workshop
from facilitator.live.participants import ServerParticipants
from facilitator.live.room_thread import ServerThread
from facilitator.live.trainer_desk import WorkshopDesk
from participant.core.trainer import trainer_path
from participant.io.server import ParticipantServer
from participant.io.store import create_session
from participant.io.trainer_link import TokenFile, save_address, trainer_token
from tests.phones import Phone, ws_url
from tests.sample_agendas import GOOD

ROOM_THREAD = "room thread"
BOTH_LOOPS = pytest.mark.parametrize("workshop", ["same loop", ROOM_THREAD], indirect=True)
"""A test of the ``workshop`` fixture, run with the server on the test's loop and on its own thread."""

# Steps in GOOD: 1 talk, 2 breakout, 3 reflection, 4 choice, 5 break, 6 wordwall, 7 text, ...
REFLECTION, CHOICE, WORDWALL, TEXT = 2, 3, 5, 6


def shown(panel: ResultsPanel) -> str:
    """The results panel as the room reads it."""
    console = Console(width=100, record=True, color_system=None)
    console.print(panel.render())
    return console.export_text()


class LiveWorkshop:
    """A session on disk, its server on a free port, the workshop controller and the projector app."""

    def __init__(self, tmp_path, stack: AsyncExitStack, *, threaded: bool = False) -> None:
        """``threaded``: the server on its own thread and loop, as ``facilitate run`` has it; else on
        the test's loop, where every change the projector makes reaches the server at once."""
        self.data = tmp_path
        self.stack = stack
        self.threaded = threaded
        self.clock = ManualClock(datetime(2026, 11, 22, 8, 0))

    async def start(self, store, saved=None):
        self.store = store

        def make():
            return ParticipantServer(store, trainer_token=TokenFile(store.path).current, suggest=suggest)

        if self.threaded:
            threaded = await ServerThread.start(make, "127.0.0.1", 0)
            self.server, self.door, self.close_server = threaded.server, threaded.door, threaded.close
        else:
            self.server, self.door = make(), None
            await self.server.start("127.0.0.1", 0)
            self.close_server = self.server.close
        self.stack.push_async_callback(self.close_server)  # close_server(): a test may close it first
        base_url = f"http://127.0.0.1:{self.server.port}"
        self.participants = ServerParticipants(self.server, store, base_url, server_door=self.door)
        agenda = parse_agenda(store.session.agenda_source)
        self.workshop = Workshop(agenda, self.clock, self.participants, saved)
        self.app = make_app(self.workshop, join_url=f"{base_url}{self.server.join_path}")
        return self.app

    def trainer_link(self) -> str:
        """Give the session its trainer link, as ``facilitate run`` does; returns the remote's URL."""
        token = trainer_token(self.store.path)
        base_url = f"http://127.0.0.1:{self.server.port}"
        save_address(self.store.path, base_url)
        trainer = self.server.trainer
        self.desk = WorkshopDesk(self.workshop, trainer, export=self.app.action_export, server_door=self.door)
        self.stack.callback(self.desk.close)
        return f"{base_url}{trainer_path(token)}"

    async def phone(self, device=None) -> Phone:
        phone = await Phone(ws_url(self.server.port, self.server.join_code), device).join()
        self.stack.push_async_callback(phone.close)
        return phone

    async def goto(self, pilot, index):
        while self.workshop.index < index:
            await pilot.press("n")

    def results(self) -> str:
        self.app.refresh_results()
        return shown(self.app.query_one(ResultsPanel))


def recording_notices(app):
    """``app``, with ``app.notices`` recording every notification it shows."""
    app.notices = []
    notify = app.notify

    def record(message, **options):
        app.notices.append(message)
        notify(message, **options)

    app.notify = record
    return app


def on_screen(widget) -> str:
    """The rows a Line API widget shows now, as plain text."""
    return "\n".join(widget.render_line(y).text.rstrip() for y in range(widget.size.height))


def new_store(tmp_path):
    return create_session("Working alliances", GOOD, data_dir=tmp_path)
