"""The worker process that groups notes off the event loop: results come back to the controller,
bursts of changes coalesce, and a failing job is reported, not retried, and never ends the app."""

import subprocess
import sys
import time
from datetime import datetime

import pytest

from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.clock import ManualClock
from facilitator.domain.themes import Theme
from facilitator.domain.workshop import GroupingJob, ThemesChanged, Workshop
from facilitator.live.background import Background
from tests.fake_participants import FakeParticipants
from tests.sample_agendas import GOOD

BREAKOUT, REPORTBACK = 1, 7


def at_report_back(phones: FakeParticipants) -> Workshop:
    workshop = Workshop(parse_agenda(GOOD), ManualClock(datetime(2026, 11, 22, 8, 0)), phones)
    while workshop.index < REPORTBACK:
        workshop.next()
    return workshop


async def test_themes_come_back_from_the_worker_and_a_burst_is_grouped_in_few_jobs():
    """Forty notes written one after another lead to one or two groupings, not forty."""
    phones = FakeParticipants()
    workshop = at_report_back(phones)
    themes = []
    workshop.subscribe(lambda event: themes.append(event) if isinstance(event, ThemesChanged) else None)
    background = Background(workshop)
    try:
        for n in range(40):
            phones.write("step-2", n % 4 + 1, f"note{n:02}", f"Idea number {n} about trust and roles")
        await background.idle()
    finally:
        background.close()
    grouping = workshop.report_back().section(BREAKOUT).grouping
    assert sorted(n for g in grouping.groups for n in g.note_ids) == [f"note{n:02}" for n in range(40)]
    assert 1 <= len(themes) <= 2


class FailingJob(GroupingJob):
    """A grouping that fails in the worker, as a bug in the grouping would."""

    def run(self) -> list[Theme]:
        raise ValueError("no themes today")


class FailingWorkshop(Workshop):
    def grouping_job(self) -> GroupingJob | None:
        job = super().grouping_job()
        return None if job is None else FailingJob(job.breakout, job.notes, job.prompts)


async def test_a_failing_job_is_reported_and_not_retried():
    """A job that raises reaches the trainer as a sentence; the same notes are not grouped again."""
    phones = FakeParticipants()
    workshop = FailingWorkshop(parse_agenda(GOOD), ManualClock(datetime(2026, 11, 22, 8, 0)), phones)
    while workshop.index < REPORTBACK:
        workshop.next()
    phones.write("step-2", 1, "a", "Trust built over years")
    errors = []
    background = Background(workshop, on_error=errors.append)
    try:
        background.wake()
        await background.idle()
        assert errors == ["Could not group the notes into themes: no themes today"]
        assert workshop.report_back().section(BREAKOUT).grouping is None
        assert workshop.grouping_job() is None
    finally:
        background.close()


async def test_notes_two_rooms_gave_one_id_are_both_grouped():
    """Rooms of a session stored by an older version may share a note id: both notes are grouped,
    each in exactly one theme, and nothing fails."""
    phones = FakeParticipants()
    workshop = at_report_back(phones)
    phones.write("step-2", 1, "same-id", "Trust built over years")
    phones.write("step-2", 2, "same-id", "Humour keeps us going")
    errors = []
    background = Background(workshop, on_error=errors.append)
    try:
        background.wake()
        await background.idle()
    finally:
        background.close()
    assert errors == []
    grouping = workshop.report_back().section(BREAKOUT).grouping
    assert sorted(n for g in grouping.groups for n in g.note_ids) == ["same-id", "same-id@2"]


ORPHAN_SCRIPT = """
import sys, time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing, os
from facilitator.live.background import start_worker

if __name__ == "__main__":
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker)
    print(pool.submit(os.getpid).result(), flush=True)
    time.sleep(60)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_projector_killed_with_kill_9_leaves_no_worker_behind(tmp_path):
    """The worker process ends with its parent, however the parent ends."""
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN_SCRIPT)
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True) as parent:
        try:
            worker = int(parent.stdout.readline())
            assert running(worker)
        finally:
            parent.kill()
    deadline = time.monotonic() + 10
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(worker)


def running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
