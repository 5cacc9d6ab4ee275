"""The report: pure building from a session's data, and the real commands on a real session."""

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.grouping import Grouping
from facilitator.domain.report import build_report
from facilitator.domain.themes import Theme
from participant.core.notes import Note
from participant.core.tallies import tally
from participant.core.wire import OpenPrompt, Ratings
from tests.sample_agendas import GOOD
from tests.test_report_back import NOTES, report_back_of
from tests.workshops import new_store

FACILITATE = str(Path(sys.executable).parent / "facilitate")
AGENDA = parse_agenda(GOOD)
NOTE_LIST = [
    Note("step-2", 1, "a", "Trust built over years"),
    Note("step-2", 1, "b", "Shared goals"),
    Note("step-2", 3, "c", "We trust each other"),
]


def report(**overrides):
    arguments = {
        "session": "20261122-080000-abcd",
        "created": datetime(2026, 11, 22, 8, 0),
        "results": {},
        "notes": NOTE_LIST,
        "groupings": {},
        "rooms": {},
        "min_responses": 3,
    }
    return build_report(AGENDA, **{**arguments, **overrides})


def test_rooms_and_themes_hold_every_note_exactly_once():
    """Notes appear under their room, and in exactly one theme, with their room."""
    data = report()
    assert [(r["room"], [n["text"] for n in r["notes"]]) for r in data["rooms"]] == [
        (1, ["Trust built over years", "Shared goals"]),
        (2, []),
        (3, ["We trust each other"]),
        (4, []),
    ]
    in_themes = [(n["room"], n["text"]) for theme in data["themes"] for n in theme["notes"]]
    assert sorted(in_themes) == sorted((n.room, n.text) for n in NOTE_LIST)
    assert all(theme["label"] and theme["breakout"] == "step-2" for theme in data["themes"])
    assert data["breakouts"] == [
        {
            "id": "step-2",
            "step": 2,
            "title": "Why we work well together",
            "prompts": ["Why do you work well together?", "What is your relationship like?"],
            "rooms": 4,
        },
    ]


def test_the_trainers_grouping_wins_over_the_automatic_one():
    """A grouping edited at the report-back is the one reported; rooms changed live are kept."""
    edited = Grouping.from_themes([Theme("Everything", ("a", "b", "c"))]).rename(0, "All of it")
    data = report(groupings={"step-2": edited}, rooms={1: 2})
    assert [(t["label"], t["rooms"]) for t in data["themes"]] == [("All of it", [1, 3])]
    assert [r["room"] for r in data["rooms"]] == [1, 2, 3]


def test_results_below_the_threshold_show_only_their_count():
    """Fewer real answers than min_responses: counts, no details."""
    results = {
        "step-3": {"count": 2, "passes": 0, "ratings": [{"question": "q", "average": 4.0}]},
        "step-4": {"count": 4, "passes": 1, "choices": [{"option": "Happy", "count": 3}]},
    }
    prompts = {p["step"]: p for p in report(results=results)["prompts"]}
    assert (prompts[3]["answers"], prompts[3]["shown"], prompts[3]["results"]) == (2, False, None)
    assert prompts[4]["results"] == {"choices": [{"option": "Happy", "count": 3}]}
    assert prompts[7]["answers"] == 0


def test_a_reflection_question_rated_by_too_few_shows_only_its_count():
    """In a reflection four answered but one skipped question 2: the report gives question 2's
    count only, question 1 its distribution and average (rounded as on the projector)."""
    prompt = OpenPrompt("step-3", parse_agenda(GOOD).steps[2].prompt.to_wire())
    answers = [Ratings((5, 3)), Ratings((4, 4)), Ratings((4, None)), Ratings((2, None))]
    ratings = report(results={"step-3": tally(prompt, answers).to_wire()})["prompts"][0]["results"]["ratings"]
    assert (ratings[0]["average"], ratings[0]["shown"]) == (3.8, True)
    assert ratings[1] == {
        "question": "How much do I experience trust?",
        "low": "None",
        "high": "Full trust",
        "answered": 2,
        "shown": False,
    }


def facilitate(*args):
    return subprocess.run([FACILITATE, *args], capture_output=True, text=True, check=False)


async def test_report_and_links_commands_on_a_real_session(workshop, tmp_path):
    """After a session with answers, notes and an edited grouping: links and the JSON report."""
    store = new_store(tmp_path)
    app = await workshop.start(store)
    async with app.run_test(size=(140, 44)) as pilot:
        await report_back_of(workshop, pilot)
        await pilot.press("m")
        port = workshop.server.port
    await workshop.close_server()
    store.close()
    session = store.session.id

    links = facilitate("links", session, "--data", str(tmp_path))
    assert links.returncode == 0, links.stderr
    lines = links.stdout.splitlines()
    assert len(lines) == 4
    assert all(
        re.fullmatch(rf"room {n} http://127\.0\.0\.1:{port}/r/[0-9a-f]{{24}}", line)
        for n, line in enumerate(lines, 1)
    )

    result = facilitate("report", session, "--data", str(tmp_path), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    noted = sorted((r, t) for r, texts in NOTES.items() for t in texts)
    assert sorted((r["room"], n["text"]) for r in data["rooms"] for n in r["notes"]) == noted
    assert sorted((n["room"], n["text"]) for t in data["themes"] for n in t["notes"]) == noted
    assert len(data["themes"][0]["notes"]) >= 2  # the merge made at the report-back


def test_report_of_a_missing_session(tmp_path):
    """An unknown session is a one-line error."""
    result = facilitate("report", "nope", "--data", str(tmp_path))
    assert result.returncode == 1
    assert "No session 'nope'" in result.stderr


def test_report_of_a_session_whose_rooms_shared_a_note_id(tmp_path):
    """A file from before ids were unique per breakout (two rooms, one id) reports every note once."""
    from facilitator.cli import main

    store = new_store(tmp_path)
    store.save_note(Note("step-2", 1, "same-id", "Trust built over years")).result()
    store.save_note(Note("step-2", 2, "same-id", "Humour keeps us going")).result()
    store.close()
    output = tmp_path / "report.json"
    assert main(["report", store.session.id, "--data", str(tmp_path), "-o", str(output)]) == 0
    data = json.loads(output.read_text(encoding="utf-8"))
    themed = sorted((n["room"], n["text"]) for t in data["themes"] for n in t["notes"])
    assert themed == [(1, "Trust built over years"), (2, "Humour keeps us going")]
