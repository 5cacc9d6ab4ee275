"""The report-back: each breakout's notes under its title, grouped into themes across rooms, or
listed by room.

A report-back reports every breakout since the previous one: one section per breakout, in agenda
order, each under a heading with the breakout's title; the highlight moves across all of them.

The trainer reshapes the themes with keys; each key posts what the trainer asked for (a merge, a
move, ...) and the app hands it to the workshop controller, which decides, keeps the undo history
and saves it; the new themes come back down as ``grouping``.

Hundreds of notes must not slow the projector, so this is a Line API widget: the notes are wrapped
into rows once per change (each note's rows are kept until its text or the width changes), and
only the rows on screen are drawn. The highlight scrolls into view as it moves. Notes are
participant text: turned into rows through ``Text`` objects only, never read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from facilitator.domain.grouping import Grouping
from facilitator.domain.workshop import ReportBackSection
from participant.core.notes import Note


def starred_first(section: ReportBackSection, note_ids: tuple[str, ...]) -> list[str]:
    """A theme's notes with the rooms' starred points first, otherwise in their order."""
    starred = {note.id for note in section.notes if note.starred}
    return sorted(note_ids, key=lambda note_id: note_id not in starred)


NOTE_INDENT = 5
"""Columns before a note's text in the themes view: its room number sits there."""
EMPTY = "No notes yet: the rooms' notes appear here as their facilitators add them."
GROUPING = "Grouping the notes into themes…"
NO_BREAKOUT = "No breakout before this report-back: nothing to report."
HIGHLIGHT = Style(reverse=True)
TITLE = Style(bold=True, underline=True)

Line = tuple[int, int, str | None]
"""A line of the themes view: (breakout, theme index, None) for a theme's heading, (breakout,
theme index, note id) for a note. A breakout's title is no line of its own: it scrolls with the
breakout's first line."""


@dataclass(frozen=True)
class _Row:
    """One screen row; ``line`` is the themes-view line it belongs to (None in the rooms view);
    ``highlight``: drawn highlighted when that line is (a title row above it is not)."""

    strip: Strip
    line: int | None = None
    highlight: bool = True


class ReportBack(ScrollView, can_focus=True):
    """Themes across rooms with a highlight to edit them (``t`` shows the notes by room instead)."""

    DEFAULT_CSS = """
    ReportBack {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-gutter: stable;  /* rows are wrapped to one width, scrollbar or not */
    }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
        Binding("t", "toggle_view", "Rooms", show=False),
        Binding("m", "merge", "Merge", show=False),
        # Fewer keys in the footer than the report-back has, so it fits 80 columns; ? lists them all.
        Binding("shift+up", "move(-1)", "Move up", show=False),
        Binding("shift+down", "move(1)", "Move down", show=False),
        Binding("s", "split", "Split", show=False),
        Binding("e", "rename", "Rename", show=False),
        Binding("u,ctrl+z", "undo", "Undo", show=False),
        Binding("a", "accept", "Accept", show=False),
    ]

    sections: reactive[tuple[ReportBackSection, ...]] = reactive(tuple)
    """One per breakout reported, in agenda order: its title, rooms, notes and themes as they
    stand (set by the app after every change)."""
    by_room: reactive[bool] = reactive(False)
    """Show the notes by room instead of by theme."""
    cursor: reactive[int] = reactive(0)
    """The highlighted line of the themes view: a theme's heading or one of its notes."""

    class MergeRequested(Message):
        """Merge theme ``theme`` of breakout step ``breakout`` with the one below it."""

        def __init__(self, breakout: int, theme: int) -> None:
            super().__init__()
            self.breakout = breakout
            self.theme = theme

    class MoveRequested(Message):
        """Move a note of breakout step ``breakout`` ``change`` themes up (negative) or down."""

        def __init__(self, breakout: int, note_id: str, change: int) -> None:
            super().__init__()
            self.breakout = breakout
            self.note_id = note_id
            self.change = change

    class SplitRequested(Message):
        """Give a note of breakout step ``breakout`` a theme of its own."""

        def __init__(self, breakout: int, note_id: str) -> None:
            super().__init__()
            self.breakout = breakout
            self.note_id = note_id

    class RenameRequested(Message):
        """Rename theme ``theme`` of breakout step ``breakout`` (the app asks for the new label;
        ``label`` is the current one)."""

        def __init__(self, breakout: int, theme: int, label: str) -> None:
            super().__init__()
            self.breakout = breakout
            self.theme = theme
            self.label = label

    class UndoRequested(Message):
        """Undo the last change to the themes, whichever breakout it was in."""

    class AcceptRequested(Message):
        """Keep every suggested placement of breakout step ``breakout`` (marked ``?``)."""

        def __init__(self, breakout: int) -> None:
            super().__init__()
            self.breakout = breakout

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._following: tuple[int, str] | None = None
        self._lines: list[Line] = []
        self._rows: list[_Row] = []
        self._first_row: dict[int, int] = {}
        self._wrapped: dict[tuple[str, int, str, int], list[Strip]] = {}

    def lines(self) -> list[Line]:
        """The themes view's lines, in order."""
        return self._lines

    def section(self, breakout: int) -> ReportBackSection:
        """The shown section of breakout step ``breakout``."""
        return next(section for section in self.sections if section.breakout == breakout)

    @property
    def notes(self) -> dict[str, Note]:
        """Every shown note by id, breakout after breakout (for a look at what is on screen)."""
        return {note.id: note for section in self.sections for note in section.notes}

    @property
    def grouping(self) -> Grouping | None:
        """Every shown theme, breakout after breakout, as one grouping (for a look at what is on
        screen); None while no breakout is grouped."""
        groupings = [section.grouping for section in self.sections if section.grouping is not None]
        if not groupings:
            return None
        return Grouping(tuple(group for grouping in groupings for group in grouping.groups))

    # -- watchers ------------------------------------------------------------------------------------

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self._lines) - 1))

    def watch_sections(self, sections: tuple[ReportBackSection, ...]) -> None:
        """Keep the cursor in range, and on a note the trainer just moved."""
        self._lines = [
            line
            for section in sections
            if section.grouping is not None
            for index, group in enumerate(section.grouping.groups)
            for line in [
                (section.breakout, index, None),
                *((section.breakout, index, note_id) for note_id in starred_first(section, group.note_ids)),
            ]
        ]
        if self._following is not None:
            ids = [(breakout, note_id) for breakout, _, note_id in self._lines]
            if self._following in ids:
                self.cursor = ids.index(self._following)
            self._following = None
        self.cursor = self.validate_cursor(self.cursor)
        self._rebuild()

    def watch_by_room(self) -> None:
        self.scroll_home(animate=False)
        self._rebuild()

    def watch_cursor(self) -> None:
        self._show_cursor()
        self.refresh()

    def on_resize(self) -> None:
        self._rebuild()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- rows ----------------------------------------------------------------------------------------

    def _rebuild(self) -> None:
        """Wrap what is shown into rows for the current width (reusing each note's earlier rows)."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        kept, self._wrapped = self._wrapped, {}

        def wrap(kind: str, room: int, text: str, room_width: int) -> list[Strip]:
            key = (kind, room, text, room_width)
            strips = kept.get(key) or self._wrapped.get(key) or self._wrap(kind, room, text, room_width)
            self._wrapped[key] = strips
            return strips

        rows: list[_Row] = []
        self._first_row = {}
        starts: dict[int, int] = {}
        for position, (breakout, _, _) in enumerate(self._lines):
            starts.setdefault(breakout, position)
        if not self.sections:
            rows = [_Row(strip) for strip in self._strips(Text(NO_BREAKOUT, style="dim"), width)]
        for section in self.sections:
            notes = {note.id: note for note in section.notes}
            first = starts.get(section.breakout)
            if rows:
                rows.append(_Row(Strip.blank(0)))
            if first is not None and not self.by_room:
                self._first_row[first] = len(rows)
            title = wrap("title", 0, self._title(section), width)
            rows.extend(_Row(strip, None if self.by_room else first, highlight=False) for strip in title)
            if not notes:
                rows.extend(_Row(strip) for strip in self._strips(Text(EMPTY, style="dim"), width))
            elif self.by_room:
                for room in self._room_numbers(section):
                    rows.append(_Row(Strip([Segment(f"Room {room}", Style(bold=True))])))
                    for note in section.notes:
                        if note.room == room:
                            rows.extend(_Row(strip) for strip in wrap("room", 0, note.text, width))
                    rows.append(_Row(Strip.blank(0)))
            elif section.grouping is None:
                rows.extend(_Row(strip) for strip in self._strips(Text(GROUPING, style="dim"), width))
            else:
                grouping, asked = section.grouping, None
                suggested = {note_id for group in grouping.groups for note_id in group.suggested}
                for position, (breakout, index, note_id) in enumerate(self._lines):
                    if breakout != section.breakout:
                        continue
                    self._first_row.setdefault(position, len(rows))
                    prompt = grouping.groups[index].prompt
                    if note_id is None and len(section.prompts) > 1 and prompt != asked:
                        asked = prompt  # the themes of each question under the question
                        question = section.prompts[prompt] if prompt < len(section.prompts) else ""
                        heading = wrap("prompt", 0, f"{prompt + 1}. {question}", width)
                        rows.extend(_Row(strip, position, highlight=False) for strip in heading)
                    if note_id is None:
                        strips = wrap("heading", 0, self._heading(section, index), width)
                    elif note_id in notes:
                        note = notes[note_id]
                        marks = ("*" if note.starred else "") + ("?" if note_id in suggested else "")
                        strips = wrap(f"theme{marks}", note.room, note.text, width)
                    else:
                        strips = []
                    rows.extend(_Row(strip, position) for strip in strips)
        self._rows = rows
        self.virtual_size = Size(width, len(rows))
        self._show_cursor()
        self.refresh()

    @staticmethod
    def _room_numbers(section: ReportBackSection) -> range:
        return range(1, max(section.rooms, *(note.room for note in section.notes)) + 1)

    @staticmethod
    def _title(section: ReportBackSection) -> str:
        """A breakout's heading: its title, a tab, then how many rooms and notes it has."""
        rooms = "1 room" if section.rooms == 1 else f"{section.rooms} rooms"
        notes = "1 note" if len(section.notes) == 1 else f"{len(section.notes)} notes"
        return f"{section.title}\t{rooms} · {notes}"

    @staticmethod
    def _heading(section: ReportBackSection, index: int) -> str:
        """A theme's heading: its label, a tab, then which rooms wrote it and how many notes it has."""
        assert section.grouping is not None
        group = section.grouping.groups[index]
        notes = {note.id: note for note in section.notes}
        rooms = sorted({notes[n].room for n in group.note_ids if n in notes})
        where = "room " if len(rooms) == 1 else "rooms "
        waiting = f" · {len(group.suggested)} suggested (a accepts)" if group.suggested else ""
        return f"{group.label}\t{where}{', '.join(map(str, rooms))} · {len(group.note_ids)}{waiting}"

    def _wrap(self, kind: str, room: int, text: str, width: int) -> list[Strip]:
        """Rows for a breakout's title (see :meth:`_title`), a theme's heading (see
        :meth:`_heading`), or a note: wrapped with a hanging indent after its room number (themes
        view) or a bullet (rooms view)."""
        if kind == "title":
            title, _, facts = text.partition("\t")
            return self._strips(Text.assemble((title, TITLE), (f"  {facts}", "dim")), width)
        if kind == "heading":
            label, _, facts = text.partition("\t")
            return self._strips(Text.assemble((label, "bold"), (f"  {facts}", "dim")), width)
        if kind == "prompt":
            return self._strips(Text(text, style="bold italic"), width)
        note = Text.assemble(
            ("★ " if "*" in kind else "", "bold"), text, (" ?" if "?" in kind else "", "bold dim")
        )
        body = self._strips(note, max(width - NOTE_INDENT, 1))
        lead = Strip([Segment(f"   {room} " if kind.startswith("theme") else "   • ", Style(dim=True))])
        pad = Strip.blank(NOTE_INDENT)
        return [Strip.join([lead if row == 0 else pad, strip]) for row, strip in enumerate(body)]

    def _strips(self, text: Text, width: int) -> list[Strip]:
        console = self.app.console
        lines = console.render_lines(text, console.options.update(width=width, height=None), pad=False)
        return [Strip(line) for line in lines]

    def render_line(self, y: int) -> Strip:
        row_index = y + round(self.scroll_offset.y)
        if not 0 <= row_index < len(self._rows):
            return Strip.blank(self.scrollable_content_region.width)
        row = self._rows[row_index]
        strip = row.strip
        if row.highlight and row.line == self.cursor and self.has_focus and not self.by_room:
            strip = strip.extend_cell_length(self.scrollable_content_region.width).apply_style(HIGHLIGHT)
        return strip.crop(0, self.scrollable_content_region.width)

    def _show_cursor(self) -> None:
        """Scroll so the highlighted line is on screen, whole."""
        if self.by_room or self.cursor not in self._first_row:
            return
        top = self._first_row[self.cursor]
        end = self._first_row.get(self.cursor + 1, len(self._rows))
        self.scroll_to_region(Region(0, top, 1, max(end - top, 1)), animate=False, immediate=True)

    # -- keys ---------------------------------------------------------------------------------------

    def _here(self) -> Line | None:
        return self._lines[self.cursor] if self._lines and not self.by_room else None

    def action_cursor(self, step: int) -> None:
        if self.by_room:
            self.scroll_relative(y=step, animate=False)
        else:
            self.cursor = self.validate_cursor(self.cursor + step)

    def action_page(self, pages: int) -> None:
        """Move the highlight (in the rooms view, the text) by a screenful."""
        rows = max(self.scrollable_content_region.height - 1, 1) * pages
        if self.by_room:
            self.scroll_relative(y=rows, animate=False)
            return
        target = self._first_row.get(self.cursor, 0) + rows
        below = [line for line, row in self._first_row.items() if row <= target]
        self.cursor = self.validate_cursor(max(below) if below else 0)

    def action_cursor_to(self, line: int) -> None:
        if self.by_room:
            (self.scroll_home if line == 0 else self.scroll_end)(animate=False)
        else:
            self.cursor = self.validate_cursor(line if line >= 0 else len(self._lines) - 1)

    def action_toggle_view(self) -> None:
        self.by_room = not self.by_room

    def action_merge(self) -> None:
        """Merge the highlighted theme with the one below it (in the same breakout)."""
        here = self._here()
        if here is not None:
            self.post_message(self.MergeRequested(here[0], here[1]))

    def action_move(self, change: int) -> None:
        """Move the highlighted note into the theme above or below; the highlight follows it."""
        here = self._here()
        if here is not None and here[2] is not None:
            self._following = (here[0], here[2])
            self.post_message(self.MoveRequested(here[0], here[2], change))

    def action_split(self) -> None:
        """Give the highlighted note a theme of its own."""
        here = self._here()
        if here is not None and here[2] is not None:
            self.post_message(self.SplitRequested(here[0], here[2]))

    def action_rename(self) -> None:
        here = self._here()
        grouping = None if here is None else self._grouping(here[0])
        if here is not None and grouping is not None:
            self.post_message(self.RenameRequested(here[0], here[1], grouping.groups[here[1]].label))

    def action_undo(self) -> None:
        self.post_message(self.UndoRequested())

    def action_accept(self) -> None:
        """Accept the suggested placements of the highlighted breakout (all of them, one key)."""
        here = self._here()
        if here is not None:
            self.post_message(self.AcceptRequested(here[0]))

    def _grouping(self, breakout: int) -> Grouping | None:
        return next((s.grouping for s in self.sections if s.breakout == breakout), None)
