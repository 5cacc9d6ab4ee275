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

from facilitator.domain.workshop import RoomLinks


def links_table(links: RoomLinks) -> Table:
    """``room N  URL``, one line per room; a URL too long for the width folds, never cut."""
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for room, url in enumerate(links.links, 1):
        table.add_row(f"room {room}", Text(url))
    return table


class LinksScreen(ModalScreen[None]):
    """The links of one breakout; + and - ask for a room more or less (the app's controller decides)."""

    BINDINGS = [
        Binding("escape,l,q", "dismiss", "Close", show=True),
        Binding("plus,equals_sign", "rooms(1)", "Add a room", key_display="+"),
        Binding("minus", "rooms(-1)", "Remove a room", key_display="-"),
    ]

    links: reactive[RoomLinks | None] = reactive(None)
    """What the screen shows; the app sets it again after the number of rooms changed."""

    def __init__(self, links: RoomLinks, change_rooms: Callable[[int], None]) -> None:
        super().__init__()
        self._change_rooms = change_rooms
        self.set_reactive(LinksScreen.links, links)

    def compose(self) -> ComposeResult:
        assert self.links is not None
        with Vertical(id="links-dialog", classes="dialog"):
            yield Static("Breakout links: private, one per room", classes="dialog-title")
            yield Static(Text(self.links.title, style="bold"), id="links-breakout")
            yield Static(links_table(self.links), id="links-table")
            yield Static(
                "Send each room's facilitator their link; anyone with it can write that room's notes.\n"
                "+ / -: rooms    escape: close (mute the projector before opening this)",
                classes="dialog-hint",
            )

    def watch_links(self, links: RoomLinks | None) -> None:
        if links is not None and self.is_mounted:
            self.query_one("#links-table", Static).update(links_table(links))

    @property
    def rooms(self) -> int:
        """How many rooms the screen lists."""
        return 0 if self.links is None else len(self.links.links)

    def action_rooms(self, change: int) -> None:
        self._change_rooms(change)
