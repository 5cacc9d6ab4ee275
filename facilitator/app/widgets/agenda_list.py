"""The agenda down the side: planned and actual times, with the current step marked."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


@dataclass(frozen=True)
class AgendaRow:
    """One line of the agenda as shown: times already formatted, ``state`` done/current/next."""

    planned: str
    actual: str
    title: str
    minutes: str
    state: str


class AgendaList(Widget):
    """Every step with its planned time, when it really started (or is projected to), and length."""

    DEFAULT_CSS = """
    AgendaList {
        height: 1fr;
    }
    """

    rows: reactive[tuple[AgendaRow, ...]] = reactive((), layout=True)
    """The agenda lines; set by the app whenever a time or the current step changes."""

    def render(self) -> Table:
        # Agendas without a start time have no planned clock times: the column would stay empty.
        planned = any(row.planned for row in self.rows)
        table = Table(box=None, expand=True, padding=(0, 1, 0, 0), show_edge=False)
        table.add_column("", width=1, no_wrap=True)
        if planned:
            table.add_column("plan", no_wrap=True, style="dim")
        table.add_column("real", no_wrap=True)
        table.add_column("step", ratio=1, overflow="ellipsis", no_wrap=True)
        table.add_column("min", justify="right", no_wrap=True, style="dim")
        marks = {"done": "✓", "current": "▶", "next": " "}
        for row in self.rows:
            style = {"done": "dim", "current": "bold reverse", "next": ""}[row.state]
            actual = Text(row.actual, style="italic" if row.state == "next" else "")
            times = [row.planned, actual] if planned else [actual]
            table.add_row(marks[row.state], *times, Text(row.title), row.minutes, style=style)
        return table
