"""The report-back: a breakout's notes by room, or grouped into themes across rooms.

The trainer reshapes the themes with keys; each key posts what the trainer asked for (a merge, a
move, ...) and the app hands it to the workshop controller, which decides, keeps the undo history
and saves it; the new themes come back down as ``grouping``. Notes are participant text: shown
through ``Text`` objects only, never as markup.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from facilitator.domain.grouping import Grouping
from participant.core.notes import Note


class ReportBack(Widget, can_focus=True):
    """Notes by room (``t`` toggles) or by theme, with a cursor to edit the themes."""

    DEFAULT_CSS = """
    ReportBack {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("t", "toggle_view", "Rooms"),
        Binding("m", "merge", "Merge"),
        # Fewer keys in the footer than the report-back has, so it fits 80 columns; ? lists them all.
        Binding("shift+up", "move(-1)", "Move up", show=False),
        Binding("shift+down", "move(1)", "Move down", show=False),
        Binding("s", "split", "Split", show=False),
        Binding("e", "rename", "Rename"),
        Binding("u,ctrl+z", "undo", "Undo"),
    ]

    notes: reactive[dict[str, Note]] = reactive(dict, layout=True)
    """The breakout's notes by id, in the order they were added."""
    rooms: reactive[int] = reactive(0)
    """How many rooms the breakout has."""
    grouping: reactive[Grouping | None] = reactive(None, layout=True)
    """The themes as they stand (set by the app after every edit)."""
    by_room: reactive[bool] = reactive(False, layout=True)
    """Show the notes by room instead of by theme."""
    cursor: reactive[int] = reactive(0)
    """The highlighted line of the themes view: a theme's heading or one of its notes."""

    class MergeRequested(Message):
        """Merge theme ``theme`` with the one below it."""

        def __init__(self, theme: int) -> None:
            super().__init__()
            self.theme = theme

    class MoveRequested(Message):
        """Move a note ``change`` themes up (negative) or down."""

        def __init__(self, note_id: str, change: int) -> None:
            super().__init__()
            self.note_id = note_id
            self.change = change

    class SplitRequested(Message):
        """Give a note a theme of its own."""

        def __init__(self, note_id: str) -> None:
            super().__init__()
            self.note_id = note_id

    class RenameRequested(Message):
        """Rename theme ``theme`` (the app asks for the new label; ``label`` is the current one)."""

        def __init__(self, theme: int, label: str) -> None:
            super().__init__()
            self.theme = theme
            self.label = label

    class UndoRequested(Message):
        """Undo the last change to the themes."""

    def lines(self) -> list[tuple[int, str | None]]:
        """The themes view's lines: (theme index, None) for a heading, (theme index, note id) for a note."""
        if self.grouping is None:
            return []
        return [
            line
            for index, group in enumerate(self.grouping.groups)
            for line in [(index, None), *((index, note_id) for note_id in group.note_ids)]
        ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._following: str | None = None

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self.lines()) - 1))

    def watch_grouping(self) -> None:
        """Keep the cursor in range, and on a note the trainer just moved."""
        if self._following is not None:
            lines = [note_id for _, note_id in self.lines()]
            if self._following in lines:
                self.cursor = lines.index(self._following)
            self._following = None
        self.cursor = self.validate_cursor(self.cursor)

    # -- rendering ----------------------------------------------------------------------------------

    def render(self) -> RenderableType:
        if not self.notes:
            return Text(
                "No notes yet: the rooms' notes appear here as their facilitators add them.", style="dim"
            )
        return self._rooms_table() if self.by_room else self._themes()

    def _rooms_table(self) -> Table:
        table = Table(expand=True, show_lines=False, header_style="bold")
        columns = range(1, max(self.rooms, max(note.room for note in self.notes.values())) + 1)
        cells = {room: Text() for room in columns}
        for room in columns:
            table.add_column(f"Room {room}", ratio=1, overflow="fold")
        for note in self.notes.values():
            cells[note.room].append("• ", style="dim").append(note.text).append("\n")
        table.add_row(*(cells[room] for room in columns))
        return table

    def _themes(self) -> Text:
        text = Text()
        for position, (index, note_id) in enumerate(self.lines()):
            style = "reverse" if position == self.cursor and self.has_focus else ""
            if note_id is None:
                group = self.grouping.groups[index]
                rooms = sorted({self.notes[n].room for n in group.note_ids if n in self.notes})
                where = "room " if len(rooms) == 1 else "rooms "
                text.append(group.label, style=f"bold {style}")
                text.append(
                    f"  {where}{', '.join(map(str, rooms))} · {len(group.note_ids)}\n", style=f"dim {style}"
                )
            elif note_id in self.notes:
                note = self.notes[note_id]
                text.append(f"   {note.room} ", style=f"dim {style}")
                text.append(Text(note.text, style=style))
                text.append("\n")
        text.rstrip()
        return text

    # -- keys ---------------------------------------------------------------------------------------

    def _here(self) -> tuple[int, str | None] | None:
        lines = self.lines()
        return lines[self.cursor] if lines and not self.by_room else None

    def action_cursor(self, step: int) -> None:
        self.cursor = self.validate_cursor(self.cursor + step)

    def action_toggle_view(self) -> None:
        self.by_room = not self.by_room

    def action_merge(self) -> None:
        """Merge the highlighted theme with the one below it."""
        here = self._here()
        if here is not None:
            self.post_message(self.MergeRequested(here[0]))

    def action_move(self, change: int) -> None:
        """Move the highlighted note into the theme above or below; the cursor follows it."""
        here = self._here()
        if here is not None and here[1] is not None:
            self._following = here[1]
            self.post_message(self.MoveRequested(here[1], change))

    def action_split(self) -> None:
        """Give the highlighted note a theme of its own."""
        here = self._here()
        if here is not None and here[1] is not None:
            self.post_message(self.SplitRequested(here[1]))

    def action_rename(self) -> None:
        here = self._here()
        if here is not None and self.grouping is not None:
            self.post_message(self.RenameRequested(here[0], self.grouping.groups[here[0]].label))

    def action_undo(self) -> None:
        self.post_message(self.UndoRequested())
