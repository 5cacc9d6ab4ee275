"""Clocks the runner can be given: the real one, and one that moves only when told to."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Where the runner gets time: a monotonic clock for timers and the wall clock for the plan."""

    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock. ``now`` is local time, naive, as an agenda's start time is."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now()


class ManualClock:
    """A clock that moves only by :meth:`advance`: tests and benchmarks never wait for real time."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._seconds = 0.0

    def monotonic(self) -> float:
        return self._seconds

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._seconds)

    def advance(self, seconds: float) -> None:
        self._seconds += seconds
