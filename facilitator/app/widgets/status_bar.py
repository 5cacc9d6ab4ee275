"""The top line: the workshop, the time of day, and how the room stands against its plan."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatusBar(Widget):
    """Title on the left; clock, step count, offset and projected end on the right."""

    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
    }
    """

    title: reactive[str] = reactive("")
    """The workshop's title (plain text, never markup)."""
    summary: reactive[tuple[str, ...]] = reactive(())
    """Short facts, joined with a dot: ``("09:12", "step 3 of 9", "+4 min behind", "ends 12:04")``."""
    behind: reactive[bool] = reactive(False)
    """Whether the room is behind its plan; the offset is highlighted then."""

    def render(self) -> Text:
        right = Text(" · ").join(
            Text(part, style="bold" if self.behind and "behind" in part else "") for part in self.summary
        )
        left = Text(self.title, overflow="ellipsis", no_wrap=True)
        room = max(self.content_size.width - right.cell_len - 2, 0)
        left.truncate(room, overflow="ellipsis")
        gap = max(self.content_size.width - left.cell_len - right.cell_len, 1)
        return Text.assemble(left, " " * gap, right)
