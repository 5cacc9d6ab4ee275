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
