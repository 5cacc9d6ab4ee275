"""Durations and clock times as trainers write them."""

from datetime import time

import pytest

from facilitator.domain.durations import (
    format_countdown,
    format_duration,
    format_offset,
    parse_clock,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10m", 600), ("90s", 90), ("1h15m", 4500), ("1h 15m 30s", 4530), ("2H", 7200), (" 5m ", 300)],
)
def test_parse_duration_reads_trainer_spellings(text, seconds):
    """Hours, minutes and seconds combine in any of the spellings the docs show."""
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "ten minutes", "10 min", "m", "5m10h", "-5m", "1.5h"])
def test_parse_duration_rejects_with_a_hint(text):
    """A malformed duration says how to write one."""
    with pytest.raises(ValueError, match='write it like "10m"'):
        parse_duration(text)


@pytest.mark.parametrize("seconds", [1, 59, 60, 90, 3600, 4530, 7200])
def test_format_duration_round_trips(seconds):
    """Formatting a duration and parsing it back gives the same number of seconds."""
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", time(8)),
        ("8:00", time(8)),
        ("8:00am", time(8)),
        ("12:30 pm", time(12, 30)),
        ("12:00am", time(0)),
        ("1:30 p.m.", time(13, 30)),
        ("23:59", time(23, 59)),
    ],
)
def test_parse_clock(text, expected):
    """24-hour and am/pm times both read as the time of day meant."""
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["8", "24:00", "8:60", "13:00pm", "eight", "8.00"])
def test_parse_clock_rejects(text):
    """Impossible or malformed times are refused with a message."""
    with pytest.raises(ValueError, match=r"time of day|hour"):
        parse_clock(text)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (600, "10:00"),
        (599.2, "10:00"),
        (0.4, "00:01"),
        (0, "00:00"),
        (-0.4, "-00:01"),
        (-75, "-01:15"),
        (3725, "1:02:05"),
    ],
)
def test_format_countdown_rounds_away_from_zero(seconds, shown):
    """00:00 shows only at the exact moment time runs out; overtime is negative."""
    assert format_countdown(seconds) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "on time"), (29, "on time"), (240, "+4 min behind"), (-120, "2 min ahead")],
)
def test_format_offset(seconds, shown):
    """The room's distance from the plan reads in whole minutes."""
    assert format_offset(seconds) == shown
