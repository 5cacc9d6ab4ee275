"""Snapshots of the projector's layout at a small and a large terminal (layout only; behaviour is
tested through the Pilot in test_projector.py). Update with ``pytest --snapshot-update``."""

from datetime import datetime

import pytest

from facilitator.app import make_app
from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.workshop import Workshop
from tests.fake_participants import FakeParticipants
from tests.sample_agendas import GOOD

JOIN_URL = "http://192.168.1.20:8765/j/Xq3vK9pA"


def reflection_running():
    """Two minutes into the reflection step, three minutes after the planned start."""
    clock = ManualClock(datetime(2026, 11, 22, 8, 3))
    app = make_app(Workshop(parse_agenda(GOOD), clock, FakeParticipants()), join_url=JOIN_URL)

    async def run_before(pilot):
        await pilot.press("space", "n", "n")
        clock.advance(120)
        app.refresh_status()

    return app, run_before


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_projector_layout(snap_compare, size):
    """The countdown, instructions, QR code and join URL all fit, at 80x24 and at 200x60."""
    app, run_before = reflection_running()
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_help_screen(snap_compare):
    """The help lists every key over the projector view."""
    app, run_before = reflection_running()

    async def open_help(pilot):
        await run_before(pilot)
        await pilot.press("question_mark")

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_help)
