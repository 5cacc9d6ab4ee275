"""Asks before quitting, so a stray q does not end the workshop."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class QuitScreen(ModalScreen[bool]):
    """Dismisses with True to quit, False to stay."""

    BINDINGS = [
        Binding("y,q", "answer(True)", "Quit", show=True),
        Binding("n,escape", "answer(False)", "Stay", show=True),
    ]

    def __init__(self, detail: str) -> None:
        super().__init__()
        self._detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-dialog"):
            yield Static("Quit the workshop?", classes="dialog-title")
            yield Static(self._detail, markup=False)
            yield Static("y: quit    n: stay", classes="dialog-hint")

    def action_answer(self, quit_app: bool) -> None:
        self.dismiss(quit_app)
