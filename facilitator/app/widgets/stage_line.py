"""A compact line under the status bar, for when results or themes take the stage: the time left
and the join URL, small (the URL stays on screen as plain text, a contract)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StageLine(Widget):
    """Time left (or what the timer is doing) on the left; the join URL on the right, never cut."""

    DEFAULT_CSS = """
    StageLine {
        height: auto;
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
        left = Text(self.time, style="bold")
        if self.hint:
            left.append(f" · {self.hint}", style="")
        right = Text.assemble(("Join ", ""), (self.url, "bold"), ("  j: QR code", "dim"))
        if left.cell_len + 2 + right.cell_len <= width:
            gap = width - left.cell_len - right.cell_len
            return Text.assemble(left, " " * gap, right)
        # Too narrow for one line: the URL gets a line of its own (it folds rather than being cut).
        url = Text.assemble(("Join ", ""), (self.url, "bold"))
        url.overflow = "fold"
        return Text("\n").join([left, url])
