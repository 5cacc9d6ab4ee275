"""Durations and clock times as trainers write them in agenda files.

Durations are whole seconds: ``"10m"``, ``"90s"``, ``"1h15m"``, ``"1h 15m 30s"``.
Clock times are ``"08:00"``, ``"8:00"``, ``"8:00am"`` or ``"1:30 pm"``.
"""

from __future__ import annotations

import math
import re
from datetime import time

_DURATION = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?$", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})\s*([ap]\.?m\.?)?$", re.IGNORECASE)


def parse_duration(text: str) -> int:
    """Return the number of seconds in ``text``; raise ValueError with a hint if it is malformed."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        raise ValueError(f'"{text}" is not a duration; write it like "10m", "90s" or "1h15m"')
    hours, minutes, seconds = (int(group or 0) for group in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def format_duration(seconds: int) -> str:
    """The agenda-file spelling of ``seconds``: the inverse of :func:`parse_duration`."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", f"{secs}s" if secs else ""]
    return "".join(parts) or "0s"


def parse_clock(text: str) -> time:
    """Return the time of day in ``text``; raise ValueError with a hint if it is malformed."""
    match = _CLOCK.match(text.strip())
    if match is None:
        raise ValueError(f'"{text}" is not a time of day; write it like "08:00" or "1:30pm"')
    hour, minute, meridiem = int(match[1]), int(match[2]), match[3]
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError(f'"{text}" has an hour of {hour}; with am/pm the hour is 1 to 12')
        hour = hour % 12 + (12 if meridiem.lower().startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f'"{text}" is not a time of day; hours go to 23 and minutes to 59')
    return time(hour, minute)


def format_countdown(seconds: float) -> str:
    """``MM:SS`` (or ``H:MM:SS``) for a timer; negative values are overtime and get a minus sign.

    Partial seconds round away from zero, as people read a timer: 0.4 s left shows ``00:01``,
    0.4 s over shows ``-00:01``, so ``00:00`` appears only at the exact moment time runs out.
    """
    whole = math.ceil(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    sign = "-" if seconds < 0 else ""
    return f"{sign}{hours}:{minutes:02}:{secs:02}" if hours else f"{sign}{minutes:02}:{secs:02}"


def format_offset(seconds: float) -> str:
    """How far the room is from its plan, in whole minutes: ``"+4 min behind"``, ``"2 min ahead"``."""
    minutes = round(seconds / 60)
    if minutes == 0:
        return "on time"
    if minutes > 0:
        return f"+{minutes} min behind"
    return f"{-minutes} min ahead"
