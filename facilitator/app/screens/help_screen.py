"""The key reference, over the projector view."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("space", "start or pause the timer"),
    ("n  →", "next step"),
    ("p  ←", "previous step (it keeps the time it had left)"),
    ("+  -", "add or remove a minute on this step"),
    ("r", "reveal or hide the results of this step"),
    ("l", "the breakout rooms' private links; + and - change the number of rooms"),
    ("t", "report-back: notes by room, or themes across rooms"),
    ("↑  ↓", "report-back: highlight a theme or a note"),
    ("m", "report-back: merge the theme with the one below"),
    ("⇧↑  ⇧↓", "report-back: move the note to the theme above or below"),
    ("s  e", "report-back: split the note into its own theme; rename the theme"),
    ("u", "report-back: undo the last change to the themes"),
    ("PgUp PgDn", "report-back: a screenful up or down; Home and End: the first or last line"),
    ("x", "export the reports (HTML, Markdown, CSV, JSON) beside the session file"),
    ("?", "this help"),
    ("q", "quit (asks first)"),
)


class HelpScreen(ModalScreen[None]):
    """Lists every key; any of escape, ? or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", show=True)]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, meaning in KEYS:
            table.add_row(key, meaning)
        with Vertical(id="help-dialog"):
            yield Static("Keys", classes="dialog-title")
            yield Static(table)
            yield Static("Press escape to close", classes="dialog-hint")
