"""The breakout rooms' private links: for the trainer's eyes, never on the main projector view."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Static


class LinksScreen(ModalScreen[None]):
    """One line per room, ``room N  URL``; + and - change the number of rooms of this breakout."""

    BINDINGS = [
        Binding("escape,l,q", "dismiss", "Close", show=True),
        Binding("plus,equals_sign", "rooms(1)", "Add a room", key_display="+"),
        Binding("minus", "rooms(-1)", "Remove a room", key_display="-"),
    ]

    rooms: reactive[int] = reactive(1)

    def __init__(
        self, title: str, rooms: int, link: Callable[[int], str], change: Callable[[int], int]
    ) -> None:
        super().__init__()
        self._title = title
        self._link = link
        self._change = change
        self.set_reactive(LinksScreen.rooms, rooms)

    def compose(self) -> ComposeResult:
        with Vertical(id="links-dialog", classes="dialog"):
            yield Static("Breakout links: private, one per room", classes="dialog-title")
            yield Static(Text(self._title, style="bold"), id="links-breakout")
            yield Static(id="links-table")
            yield Static(
                "Send each room's facilitator their link; anyone with it can write that room's notes.\n"
                "+ / -: rooms    escape: close (mute the projector before opening this)",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.watch_rooms()

    def watch_rooms(self) -> None:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for room in range(1, self.rooms + 1):
            table.add_row(f"room {room}", Text(self._link(room)))
        if self.is_mounted:
            self.query_one("#links-table", Static).update(table)

    def action_rooms(self, step: int) -> None:
        self.rooms = self._change(step)
