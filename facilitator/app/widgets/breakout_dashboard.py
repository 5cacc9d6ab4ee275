"""How the rooms are doing during a breakout: each room's number of notes, never their text."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from facilitator.app.flow import flowed

GAP = "    "
"""Between two rooms on a line."""


def room_entry(room: int, notes: int) -> Text:
    """``Room 2  3 notes``: the room in bold, a room with no notes yet dimmed."""
    entry = Text()
    entry.append(f"Room {room}", style="bold")
    entry.append(f" {notes} note{'s' if notes != 1 else ''}", style="" if notes else "dim")
    return entry


def dashboard_lines(notes: tuple[int, ...], width: int) -> list[Text]:
    """A headline, then the rooms flowing across the width; a room's entry is never split."""
    total = sum(notes)
    rooms = len(notes)
    headline = Text(
        f"{total} note{'s' if total != 1 else ''} from {rooms} room{'s' if rooms != 1 else ''} so far",
        style="bold",
    )
    return [headline, *flowed((room_entry(room, count) for room, count in enumerate(notes, 1)), width, GAP)]


class BreakoutDashboard(Widget):
    """The rooms' note counts, redrawn as notes arrive; the notes themselves wait for the report-back."""

    DEFAULT_CSS = """
    BreakoutDashboard {
        height: auto;
    }
    """

    notes: reactive[tuple[int, ...]] = reactive((), layout=True)
    """Notes written so far, one count per room, room 1 first (set by the app)."""

    def render(self) -> Text:
        lines = dashboard_lines(self.notes, max(self.content_size.width, 1))
        for line in lines:
            line.overflow = "fold"
        return Text("\n").join(lines)
