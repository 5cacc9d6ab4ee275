"""One line under the countdown saying what the timer is doing, or what to press."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class TimerHint(Widget):
    """Shows ``text`` centred; redrawn only when the text changes."""

    DEFAULT_CSS = """
    TimerHint {
        height: 1;
    }
    """

    text: reactive[str] = reactive("")
    """What to say, e.g. ``"Paused · space resumes"``."""

    def render(self) -> Text:
        return Text(self.text, justify="center")
