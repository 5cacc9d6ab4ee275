"""Slow work off the event loop: the controller's grouping jobs run in a separate process.

The projector and the participant server share one event loop, so grouping 800 notes on it (seconds
of pure Python) would freeze the screen and delay every phone's ack. A thread would not be enough:
it holds the GIL while it computes. One worker process, started when the first job comes, runs the
jobs one at a time; its results come back to the loop, where the controller folds them in.

Bursts coalesce: every change only schedules one look at the controller a moment later, the
controller hands out at most one job per breakout until its result is back, and a new job waits
``REST_SECONDS`` after the last one ended. The worker runs at a lower priority (``nice``), so on a
busy two-core laptop the projector and the phones' acks come first.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor

from facilitator.domain.workshop import Event, GroupingJob, Workshop

log = logging.getLogger(__name__)

COALESCE_SECONDS = 0.05
"""Changes within this long of each other lead to one look for work."""
REST_SECONDS = 0.5
"""The worker's pause between two jobs, so a room editing without pause cannot keep it busy."""
WORKER_NICENESS = 10
"""How much lower the worker's scheduling priority is than the projector's."""
PR_SET_PDEATHSIG = 1
"""Linux's prctl option: the signal a process gets when its parent dies (linux/prctl.h)."""


def start_worker() -> None:
    """In the worker, before any job: a lower priority, and (on Linux) to be ended with its parent,
    so a projector killed with ``kill -9`` leaves no worker, nor multiprocessing's resource tracker
    (it ends when the last process holding its pipe does), behind."""
    os.nice(WORKER_NICENESS)
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl: nobody will send the signal
            os._exit(0)


class Background:
    """Runs the workshop's grouping jobs in a worker process and hands their themes back."""

    def __init__(self, workshop: Workshop, *, on_error: Callable[[str], None] | None = None) -> None:
        self._workshop = workshop
        self._on_error = on_error
        # Made now, before the Textual app runs: making it starts multiprocessing's resource
        # tracker, which hands the tracker our stderr, and while an app runs Textual's stand-in
        # stderr has no file descriptor. The worker process itself starts with the first job.
        self._executor: Executor | None = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_worker,
        )
        self._pending: asyncio.TimerHandle | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._rest_until = 0.0
        self._unsubscribe = workshop.subscribe(self._changed)

    def _changed(self, _: Event) -> None:
        self.wake()

    def wake(self) -> None:
        """Look for work a moment from now (at once is never needed: bursts are better coalesced),
        and not before the worker's rest after its last job."""
        if self._pending is None:
            loop = asyncio.get_running_loop()
            delay = max(COALESCE_SECONDS, self._rest_until - loop.time())
            self._pending = loop.call_later(delay, self._look)

    def _look(self) -> None:
        self._pending = None
        job = self._workshop.grouping_job()
        if job is not None:
            task = asyncio.get_running_loop().create_task(self._run(job))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, job: GroupingJob) -> None:
        if self._executor is None:  # closed
            return
        loop = asyncio.get_running_loop()
        themes = None
        try:
            themes = await loop.run_in_executor(self._executor, job.run)
        except Exception as error:
            log.exception("grouping the notes of step %d failed", job.breakout + 1)
            if self._on_error is not None:
                self._on_error(f"Could not group the notes into themes: {error}")
        finally:
            self._rest_until = loop.time() + REST_SECONDS
        self._workshop.themes_ready(job, themes)
        self.wake()  # for notes that changed meanwhile

    def export(self, job: Callable[[], list[str]]) -> None:
        """Write the reports in a thread (the store is read through its own thread; rendering is
        quick next to grouping) and tell the controller where they are, or why not."""

        async def run() -> None:
            try:
                paths = await asyncio.to_thread(job)
            except Exception as error:
                log.exception("could not write the reports")
                self._workshop.reports_written((), f"Could not write the reports: {error}")
            else:
                self._workshop.reports_written(paths)

        task = asyncio.get_running_loop().create_task(run())
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def idle(self) -> None:
        """Wait until no job is waiting or running (for tests and orderly shutdown)."""
        while self._pending is not None or self._running:
            if self._running:
                await asyncio.gather(*self._running, return_exceptions=True)
            else:
                await asyncio.sleep(COALESCE_SECONDS)

    def close(self) -> None:
        """Stop listening and stop the worker process without waiting for a job in progress."""
        self._unsubscribe()
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
