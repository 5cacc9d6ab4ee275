"""A compact line under the status bar, for when results or themes take the stage: the time left
and the join URL, small (the URL stays on screen as plain text, a contract)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StageLine(Widget):
    """Time left (or what the timer is doing) on the left; the join URL on the right, never dropped."""

    DEFAULT_CSS = """
    StageLine {
        height: 1;
    }
    """

    time: reactive[str] = reactive("")
    """The countdown, already formatted, e.g. ``"04:12 left"``."""
    hint: reactive[str] = reactive("")
    """What the timer is doing, e.g. ``"Paused · space resumes"``; may be empty."""
    url: reactive[str] = reactive("", layout=True)
    """The join URL."""

    def render(self) -> Text:
        width = self.content_size.width
        url = Text.assemble(("Join ", ""), (self.url, "bold"))
        lefts = [Text(self.time, style="bold"), Text(self.time, style="bold")]
        if self.hint:
            lefts[0].append(f" · {self.hint}")
        rights = [url + Text("  j: QR code", style="dim"), url]
        # One line; when it is short of room the hints go first, never the time or the URL.
        for left, right in ((lefts[0], rights[0]), (lefts[1], rights[0]), (lefts[1], rights[1])):
            if left.cell_len + 2 + right.cell_len <= width:
                return Text.assemble(left, " " * (width - left.cell_len - right.cell_len), right)
        return Text.assemble(lefts[1], "  ", rights[1])
