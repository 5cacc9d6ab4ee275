"""One line under the countdown saying what the timer is doing, or what to press."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class TimerHint(Widget):
    """Shows ``text`` centred; redrawn only when the text changes."""

    DEFAULT_CSS = """
    TimerHint {
        width: 1fr;
        height: 1;
        text-align: center;
    }
    """

    text: reactive[str] = reactive("")
    """What to say, e.g. ``"Paused · space resumes"``."""

    def render(self) -> Text:
        return Text(self.text)
