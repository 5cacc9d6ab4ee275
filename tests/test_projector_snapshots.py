"""Snapshots of the projector's stage at each moment of a workshop, at 80x24, 120x35 and 200x60
(layout only; behaviour is tested through the Pilot in test_projector.py). Update with
``pytest --snapshot-update``, then look at them: nothing the room needs may be cut off or hidden."""

from datetime import datetime

import pytest

from facilitator.app import ProjectorOptions, make_app
from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.workshop import Workshop
from participant.core.tallies import tally
from participant.core.wire import Choice, OpenPrompt, Ratings, Text, Words
from tests.fake_participants import FakeParticipants
from tests.sample_agendas import GOOD

JOIN_URL = "http://192.168.1.20:8765/j/Xq3vK9pA"
SIZES = [(80, 24), (120, 35), (200, 60)]
# Steps in GOOD: 0 talk, 1 breakout, 2 reflection, 3 choice, 4 break, 5 wordwall, 6 text,
# 7 report-back, 8 share.
TALK, BREAKOUT, REFLECTION, CHOICE, WORDWALL, TEXT, REPORTBACK, SHARE = 0, 1, 2, 3, 5, 6, 7, 8

RATINGS = [
    Ratings((4, 5), "We finally talk about the hard cases"),
    Ratings((3, 4)),
    Ratings((5, 4)),
    Ratings((4, 2)),
]
CHOSEN = [Choice("Happy"), Choice("Happy"), Choice("Scared"), Choice("Sad"), Choice("Happy")]
WORDS = [
    Words(("child protection order", "safeguarding", "CIN")),
    Words(("Safeguarding", "LAC", "child protection order")),
    Words(("safeguarding", "section 47", "core group")),
    Words(("strategy discussion", "CIN")),
]
TEXTS = [
    Text("Listening before fixing."),
    Text("That trust is built in small moments, over and over, and lost in one careless one."),
    Text("Naming the power difference out loud."),
    Text("The partnership is the work, not the paperwork around it."),
]
SHARED = [Text(f"I will try idea {n}: ask what matters to them first") for n in range(1, 6)]
NOTES = [
    (1, "We keep our promises, even small ones"),
    (1, "Regular check-ins"),
    (2, "Honest about what we cannot do"),
    (3, "We share the same goal for the family"),
    (3, "Humour helps on hard days"),
    (3, "Keeping promises builds trust"),
]


def answers(phones: FakeParticipants, agenda, index: int, given) -> None:
    prompt = agenda.steps[index].prompt
    phones.answers[f"step-{index + 1}"] = tally(OpenPrompt(f"step-{index + 1}", prompt.to_wire()), given)


def moment(index: int, *, reveal: bool = False, finish: bool = False):
    """The sample workshop started at 8:00, moved to step ``index`` and a minute into it, with
    answers and notes on every step (revealed if ``reveal``; past the last step if ``finish``)."""
    clock = ManualClock(datetime(2026, 11, 22, 8, 0))
    phones = FakeParticipants(connected=5)
    agenda = parse_agenda(GOOD)
    answers(phones, agenda, REFLECTION, RATINGS)
    answers(phones, agenda, CHOICE, CHOSEN)
    answers(phones, agenda, WORDWALL, WORDS)
    answers(phones, agenda, TEXT, TEXTS)
    answers(phones, agenda, SHARE, SHARED)
    for number, (room, text) in enumerate(NOTES):
        phones.write("step-2", room, f"n{number}", text)
    # No flash: a snapshot taken while the stage flashes would depend on timing.
    options = ProjectorOptions(bell=False, flash=False)
    app = make_app(Workshop(agenda, clock, phones), join_url=JOIN_URL, options=options)

    async def run_before(pilot):
        await pilot.press("space")
        while app.workshop.index < index:
            await pilot.press("n")
        clock.advance(60)
        if reveal:
            await pilot.press("r")
        if finish:
            await pilot.press("n")
            clock.advance(60)
        await app.background.idle()
        app.refresh_status()
        await pilot.pause()

    return app, run_before


MOMENTS = {
    "talk": {"index": TALK},
    "question": {"index": CHOICE},
    "ratings": {"index": REFLECTION, "reveal": True},
    "wordwall": {"index": WORDWALL, "reveal": True},
    "choice": {"index": CHOICE, "reveal": True},
    "textwall": {"index": TEXT, "reveal": True},
    "breakout": {"index": BREAKOUT},
    "reportback": {"index": REPORTBACK},
    "finished": {"index": SHARE, "reveal": True, "finish": True},
}


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("name", list(MOMENTS))
def test_stage(snap_compare, name, size):
    """The stage shows what the room needs at this moment, and nothing it needs is cut off."""
    app, run_before = moment(**MOMENTS[name])
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_help_screen(snap_compare):
    """The help lists every key over the projector view."""
    app, run_before = moment(REFLECTION)

    async def open_help(pilot):
        await run_before(pilot)
        await pilot.press("question_mark")

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_help)
