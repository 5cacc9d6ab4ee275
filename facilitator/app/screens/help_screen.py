"""The key reference, over the projector view."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("space", "start or pause the timer"),
    ("n  →", "next step"),
    ("p  ←", "previous step (with the time it had left)"),
    ("+  -", "a minute more or less on this step"),
    ("r", "reveal or hide this step's results"),
    ("↑↓  h  u", "on a wall: pick an answer, hide, bring back"),
    ("l", "room links; + and - change the number of rooms"),
    ("j", "the join QR code, when results fill the stage"),
    ("w  c", "show a wall kept open; close it to new answers"),
    ("x  ?  q", "export the reports; this help; quit (asks first)"),
)
REPORT_BACK_KEYS = (
    ("t", "notes by room, or themes across rooms"),
    ("↑↓ PgUp PgDn", "highlight a theme or note (Home, End)"),
    ("m", "merge the theme with the one below"),
    ("⇧↑  ⇧↓", "move the note to the theme above or below"),
    ("s  e", "split the note off; rename the theme"),
    ("a  u", "accept the suggested placements (?); undo"),
)


def key_table(keys: tuple[tuple[str, str], ...]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, meaning in keys:
        table.add_row(key, meaning)
    return table


class HelpScreen(ModalScreen[None]):
    """Lists every key; any of escape, ? or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", show=True)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Static("Keys", classes="dialog-title")
            yield Static(key_table(KEYS))
            yield Static("At the report-back", classes="dialog-title")
            yield Static(key_table(REPORT_BACK_KEYS))
            yield Static("Press escape to close", classes="dialog-hint")
