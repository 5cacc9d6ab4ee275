"""A compact line under the status bar, for when results or themes take the stage: the time left
and the join URL, small (the URL stays on screen as plain text, a contract)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StageLine(Widget):
    """Time left (or what the timer is doing) on the left; the join URL on the right, never dropped."""

    COMPONENT_CLASSES = {"stage-line--time"}
    """The time left: coloured like the big clock (the app sets the same stage classes on both)."""

    DEFAULT_CSS = """
    StageLine {
        height: 1;
    }
    StageLine > .stage-line--time {
        text-style: bold;
        color: $success;
    }
    StageLine.-wrap-up > .stage-line--time {
        color: $warning;
    }
    StageLine.-final > .stage-line--time, StageLine.-overtime > .stage-line--time {
        color: $error;
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
        time = self.get_component_rich_style("stage-line--time")
        lefts = [Text(self.time, style=time), Text(self.time, style=time)]
        if self.hint:
            lefts[0].append(f" · {self.hint}")
        rights = [url + Text("  j: QR code", style="dim"), url]
        # One line; when it is short of room the hints go first, never the time or the URL.
        for left, right in ((lefts[0], rights[0]), (lefts[1], rights[0]), (lefts[1], rights[1])):
            if left.cell_len + 2 + right.cell_len <= width:
                return Text.assemble(left, " " * (width - left.cell_len - right.cell_len), right)
        return Text.assemble(lefts[1], "  ", rights[1])
