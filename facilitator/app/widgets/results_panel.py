"""Where the room's answers appear: hidden until the trainer reveals them."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class ResultsPanel(Widget):
    """Says whether this step's results are hidden or revealed; the app hides it on other steps."""

    DEFAULT_CSS = """
    ResultsPanel {
        height: auto;
    }
    """

    revealed: reactive[bool] = reactive(False)
    """Whether the trainer has pressed r to show the results."""

    def render(self) -> Text:
        if self.revealed:
            return Text("Results shown · waiting for answers · r hides them")
        return Text("Results hidden · r reveals them", style="dim")
