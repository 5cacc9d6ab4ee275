"""Where the room's answers appear: hidden until the trainer reveals them, and never for fewer
than the anonymity threshold. Participant text is shown through ``Text`` objects only, so a
participant typing ``[bold red]x[/]`` sees exactly that on the projector.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from facilitator.app.flow import flowed
from participant.core.tallies import AVERAGE_DECIMALS, RatingResult, Results, without_hidden
from participant.core.wire import DEFAULT_MIN_RESPONSES, RATING_SCALE, PromptKind

BAR = "█"
LEVELS = " ▁▂▃▄▅▆▇█"
WORD_STYLES = ("bold reverse", "bold", "", "dim")
"""The word wall's emphasis tiers, most given first: a terminal has one font size, so weight shows size."""
GAP = "   "
"""Between two entries of the word wall."""
ROOMY_WALL = 100
"""From this width on, the word wall flows in a band of three fifths of it, a blank line between rows."""
STACK_BELOW = 24
"""A rating question narrower than this many cells goes on its own line, above its bars."""
HIGHLIGHT = "reverse underline"
"""The entry the trainer highlighted to hide (h): underlined too, as the word wall's top tier is
already reversed."""


def headline(results: Results | None, connected: int) -> Text:
    """``"12 of 20 phones answered · 2 passed"``. Answers stay counted when their phones leave, so
    with more answers than phones connected now it says ``"40 answered · 3 phones connected"``."""
    count = results.count if results else 0
    phones = f"{connected} phone{'s' if connected != 1 else ''}"
    words = (
        f"{count} of {phones} answered" if count <= connected else f"{count} answered · {phones} connected"
    )
    line = Text(words, style="bold")
    if results and results.passes:
        line.append(f" · {results.passes} passed", style="dim")
    return line


def _headline_facts(results: Results | None) -> tuple[int, int]:
    return (results.count, results.passes) if results else (0, 0)


def _width(options: ConsoleOptions) -> int:
    return max(options.max_width, 1)


class RatingLine:
    """One reflection question: the question, a five-column histogram of its ratings and the average.

    The question is never cut: it wraps beside the bars, or on its own line above them when the
    width leaves it fewer than :data:`STACK_BELOW` cells. Each column of the histogram grows with the
    width, so the bars use the room at 200 columns and still fit at 40.
    """

    def __init__(self, number: int, rating: RatingResult) -> None:
        self.number = number
        self.rating = rating

    def bars(self, width: int) -> Text:
        rating = self.rating
        if rating.withheld:
            return Text(f"{rating.answered} rated it: too few to show", style="dim")
        cell = max(2, min(8, (width // 2 - 20) // 5 + 2))
        top = max(rating.counts) or 1
        bars = Text()
        for value, count in zip(RATING_SCALE, rating.counts, strict=True):
            level = LEVELS[round(count / top * (len(LEVELS) - 1))] if count else "·"
            bars.append(f"{value}", style="dim").append(level * cell, style="bold").append(" ")
        average = f"avg {rating.average:.{AVERAGE_DECIMALS}f}" if rating.average is not None else "no ratings"
        bars.append(average, style="bold")
        return bars

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = _width(options)
        question = Text(f"{self.number}. {self.rating.question}")
        bars = self.bars(width)
        if width - bars.cell_len - 1 >= STACK_BELOW:
            table = Table.grid(padding=(0, 1), expand=True)
            table.add_column(ratio=1, overflow="fold")
            table.add_column(no_wrap=True, justify="right")
            table.add_row(question, bars)
            yield table
            return
        yield question
        indented = Text("   ") + bars
        indented.overflow = "fold"
        yield indented


def rating_line(number: int, rating: RatingResult) -> RatingLine:
    """One reflection question, laid out for the width it is drawn at (see :class:`RatingLine`)."""
    return RatingLine(number, rating)


class ChoiceBars:
    """A bar per option, in the agenda's order, scaled to the most chosen.

    The label column is as wide as the longest label when that leaves the bars a third of the
    width; otherwise labels wrap (never cut), so every label stays readable at 80 columns.
    """

    def __init__(self, choices: tuple[tuple[str, int], ...]) -> None:
        self.choices = choices

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = _width(options)
        top = max((count for _, count in self.choices), default=0) or 1
        count_width = len(str(top)) + 1
        longest = max((Text(option).cell_len for option, _ in self.choices), default=0)
        label_width = max(min(longest, width - count_width - 1 - max(width // 3, 4)), min(longest, 10))
        room = max(width - label_width - 1 - count_width, 1)
        table = Table.grid(padding=(0, 1))
        table.add_column(width=label_width, overflow="fold")
        table.add_column(no_wrap=True)
        for option, count in self.choices:
            bar = Text(BAR * round(count / top * room), style="bold").append(f" {count}")
            table.add_row(Text(option), bar)
        yield table


def choice_bars(choices: tuple[tuple[str, int], ...]) -> ChoiceBars:
    """The bars of a choice, laid out for the width they are drawn at (see :class:`ChoiceBars`)."""
    return ChoiceBars(choices)


def word_entry(word: str, count: int, top: int, highlighted: bool = False) -> Text:
    """One entry of the word wall as typed, weighted by how many gave it, with its count."""
    tier = min(int((1 - count / top) * len(WORD_STYLES)), len(WORD_STYLES) - 1)
    entry = Text()
    style = WORD_STYLES[tier]
    entry.append(word, style=f"{style} {HIGHLIGHT}" if highlighted else style)
    if count > 1:
        entry.append(f" {count}", style="dim")
    return entry


class WordWall:
    """Entries flowing like a wall, centred, the most given first and strongest, the rarest dim.

    The wall is laid out here, entry by entry, so an entry ("child protection order") is never split
    across lines: a line takes the next entry only if the whole entry fits. An entry wider than the
    whole line (only at a very narrow width) gets a line of its own and folds.
    """

    def __init__(self, words: tuple[tuple[str, int], ...], highlight: int | None = None) -> None:
        self.words = words
        self.highlight = highlight

    def lines(self, width: int) -> list[Text]:
        top = max((count for _, count in self.words), default=1)
        entries = (
            word_entry(word, count, top, position == self.highlight)
            for position, (word, count) in enumerate(self.words)
        )
        return flowed(entries, width, GAP)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = _width(options)
        roomy = width >= ROOMY_WALL
        # On a wide screen a single long row reads as a list: a narrower band, rows apart, is a wall.
        for number, line in enumerate(self.lines(max(ROOMY_WALL, width * 3 // 5) if roomy else width)):
            line.justify, line.overflow = "center", "fold"
            if roomy and number:
                yield Text("")
            yield line


def word_wall(words: tuple[tuple[str, int], ...], highlight: int | None = None) -> WordWall:
    """The word wall, laid out for the width it is drawn at (see :class:`WordWall`)."""
    return WordWall(words, highlight)


def text_wall(texts: tuple[str, ...], highlight: int | None = None) -> Table:
    """Each answer on its own, newest first; a long answer wraps under its own first word.
    ``highlight``: the position (newest first) of the answer the trainer highlighted."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    for position, text in enumerate(reversed(texts)):
        table.add_row(Text("•", style="dim"), Text(text, style=HIGHLIGHT if position == highlight else ""))
    return table


def wall_entries(results: Results) -> tuple[str, ...]:
    """The entries of a wall the trainer can highlight and hide, in the order drawn: text answers
    (text, share, a reflection's comments) newest first, or word-wall entries; none for a choice."""
    if results.kind is PromptKind.CHOICE:
        return ()
    if results.kind is PromptKind.WORDWALL:
        return tuple(word for word, _ in results.words)
    return tuple(reversed(results.texts))


def results_body(results: Results, highlight: int | None = None) -> RenderableType:
    """The revealed results of one prompt, by kind; ``highlight`` is a position in :func:`wall_entries`."""
    if results.kind is PromptKind.REFLECTION:
        parts: list[RenderableType] = [
            rating_line(number, rating) for number, rating in enumerate(results.ratings, 1)
        ]
        if results.texts:
            parts.extend([Text(""), text_wall(results.texts, highlight)])
        return Group(*parts)
    if results.kind is PromptKind.CHOICE:
        return choice_bars(results.choices)
    if results.kind is PromptKind.WORDWALL:
        return word_wall(results.words, highlight)
    return text_wall(results.texts, highlight)


class ResultsPanel(Widget):
    """The answer count always; the answers themselves once revealed and above the threshold.

    While a revealed wall (text answers or a word wall) has the focus, ``up``/``down`` move a
    highlight over its entries, ``h`` asks to hide the highlighted one and ``u`` to bring the last
    hidden back (the app asks the controller). Hidden entries are never drawn.
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("h", "hide", "Hide", show=False),
        Binding("u", "unhide", "Unhide", show=False),
    ]

    class HideRequested(Message):
        """The trainer pressed h on an entry: take it off the wall."""

        def __init__(self, entry: str) -> None:
            super().__init__()
            self.entry = entry

    class UnhideRequested(Message):
        """The trainer pressed u: bring back the entry hidden last."""

    DEFAULT_CSS = """
    ResultsPanel {
        height: auto;
    }
    """

    results: reactive[Results | None] = reactive(None, repaint=False)
    """The current prompt's tallies, or None before any answer (see :meth:`watch_results`)."""
    connected: reactive[int] = reactive(0)
    """How many phones are connected now."""
    revealed: reactive[bool] = reactive(False, layout=True)
    """Whether the trainer has pressed r to show the results."""
    min_responses: reactive[int] = reactive(DEFAULT_MIN_RESPONSES)
    """The anonymity threshold: fewer real answers than this are never shown."""
    question: reactive[str] = reactive("", layout=True)
    """The step's question, shown above revealed results (the instructions leave the stage then)."""
    hidden: reactive[frozenset[str]] = reactive(frozenset(), layout=True)
    """Entries the trainer hid: never drawn."""
    highlight: reactive[int | None] = reactive(None)
    """The highlighted entry's position in :meth:`entries` (None until the trainer presses up or
    down, so the wall shows plain to the room; drawn while the panel has the focus)."""

    def watch_results(self, old: Results | None, new: Results | None) -> None:
        # New tallies come up to ten times a second while the room answers. Hidden, only the
        # headline is drawn: redraw it only when what it says changes.
        if self.revealed:
            self.refresh(layout=True)
        elif _headline_facts(old) != _headline_facts(new):
            self.refresh()

    def shown(self) -> Results | None:
        """The results as drawn: without the hidden entries."""
        return None if self.results is None else without_hidden(self.results, self.hidden)

    def entries(self) -> tuple[str, ...]:
        """The entries on the wall now, in the order drawn (none unless revealed and shown)."""
        shown = self.shown()
        if not self.revealed or shown is None or shown.answered < self.min_responses:
            return ()
        return wall_entries(shown)

    def action_cursor(self, change: int) -> None:
        entries = self.entries()
        now = -1 if self.highlight is None and change > 0 else (self.highlight or 0)
        self.highlight = min(max(now + change, 0), max(len(entries) - 1, 0))

    def action_hide(self) -> None:
        entries = self.entries()
        if entries and self.highlight is not None:
            self.post_message(self.HideRequested(entries[min(self.highlight, len(entries) - 1)]))

    def action_unhide(self) -> None:
        self.post_message(self.UnhideRequested())

    def watch_highlight(self) -> None:
        self.call_after_refresh(self._keep_highlight_visible)

    def _keep_highlight_visible(self) -> None:
        """Scroll the stage so the highlighted entry of a long wall is on screen: the trainer never
        hides what the room cannot see. Found as drawn (its style), however the wall wrapped."""
        stage = self.parent
        if self.highlight is None or not self.has_focus or not isinstance(stage, Widget):
            return
        console = self.app.console
        options = console.options.update_width(self.size.width)
        for row, line in enumerate(console.render_lines(self.render(), options, pad=False)):
            if any(segment.style and segment.style.underline for segment in line):
                top = self.virtual_region.y
                stage.scroll_to_region(Region(0, top + row, self.size.width, 1), animate=False)
                return

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def render(self) -> RenderableType:
        lines: list[RenderableType] = []
        if self.revealed and self.question:
            lines.append(Text(self.question, style="bold"))
        lines.append(headline(self.results, self.connected))
        answered = self.results.answered if self.results else 0
        if not self.revealed:
            lines.append(Text("Results hidden · r reveals them", style="dim"))
        elif answered < self.min_responses:
            lines.append(
                Text(f"Results appear from {self.min_responses} answers, to keep them anonymous", style="dim")
            )
        elif self.results is not None:
            shown = without_hidden(self.results, self.hidden)
            entries = wall_entries(shown)
            on = self.has_focus and entries and self.highlight is not None
            highlight = min(self.highlight or 0, len(entries) - 1) if on else None
            lines.append(results_body(shown, highlight))
        return Group(*lines)
