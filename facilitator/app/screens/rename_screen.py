"""Asks for a theme's new label."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from facilitator.domain.grouping import MAX_LABEL


class RenameScreen(ModalScreen[str | None]):
    """Dismisses with the new label (enter), or None (escape)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=True)]

    def __init__(self, label: str) -> None:
        super().__init__()
        self._label = label

    def compose(self) -> ComposeResult:
        with Vertical(id="rename-dialog", classes="dialog"):
            yield Static("Rename the theme", classes="dialog-title")
            yield Input(placeholder=self._label, max_length=MAX_LABEL, id="label")
            yield Static("Type the new name. enter: rename    escape: keep it", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
