"""Where the room's answers appear: hidden until the trainer reveals them, and never for fewer
than the anonymity threshold. Participant text is shown through ``Text`` objects only, so a
participant typing ``[bold red]x[/]`` sees exactly that on the projector.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from participant.core.tallies import AVERAGE_DECIMALS, RatingResult, Results
from participant.core.wire import DEFAULT_MIN_RESPONSES, RATING_SCALE, PromptKind

BAR = "█"
LEVELS = " ▁▂▃▄▅▆▇█"
WORD_STYLES = ("bold reverse", "bold", "", "dim")


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


def rating_line(number: int, rating: RatingResult) -> Table:
    """One reflection question: a five-column histogram of its ratings and the average."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(ratio=1, overflow="ellipsis", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    if rating.withheld:
        hidden = Text(f"{rating.answered} rated it: too few to show", style="dim")
        table.add_row(Text(f"{number}. {rating.question}"), hidden, Text(""))
        return table
    top = max(rating.counts) or 1
    bars = Text()
    for value, count in zip(RATING_SCALE, rating.counts, strict=True):
        level = LEVELS[round(count / top * (len(LEVELS) - 1))] if count else "·"
        bars.append(f"{value}", style="dim").append(level * 2, style="bold").append(" ")
    average = f"avg {rating.average:.{AVERAGE_DECIMALS}f}" if rating.average is not None else "no ratings"
    table.add_row(Text(f"{number}. {rating.question}"), bars, Text(average, style="bold"))
    return table


def choice_bars(choices: tuple[tuple[str, int], ...], width: int) -> Table:
    """A bar per option, in the agenda's order, scaled to the widest."""
    table = Table.grid(padding=(0, 1))
    label_width = max((len(option) for option, _ in choices), default=0)
    table.add_column(width=min(label_width, 20), no_wrap=True, overflow="ellipsis")
    table.add_column(no_wrap=True)
    top = max((count for _, count in choices), default=0) or 1
    room = max(width - min(label_width, 20) - 6, 4)
    for option, count in choices:
        table.add_row(Text(option), Text(BAR * round(count / top * room), style="bold").append(f" {count}"))
    return table


def word_wall(words: tuple[tuple[str, int], ...]) -> Text:
    """Words flowing like a wall: the most given in bold capitals, the rarest dim."""
    wall = Text(justify="center")
    top = max((count for _, count in words), default=1)
    for word, count in words:
        tier = min(int((1 - count / top) * len(WORD_STYLES)), len(WORD_STYLES) - 1)
        shown = word.upper() if tier == 0 else word
        wall.append(shown, style=WORD_STYLES[tier])
        wall.append(f" {count}" if count > 1 else "", style="dim")
        wall.append("   ")
    return wall


def text_wall(texts: tuple[str, ...]) -> Group:
    """Each answer on its own, newest first."""
    return Group(*(Text.assemble(("• ", "dim"), Text(text)) for text in reversed(texts)))


def results_body(results: Results, width: int) -> RenderableType:
    """The revealed results of one prompt, by kind."""
    if results.kind is PromptKind.REFLECTION:
        parts: list[RenderableType] = [
            rating_line(number, rating) for number, rating in enumerate(results.ratings, 1)
        ]
        if results.texts:
            parts.extend([Text(""), text_wall(results.texts)])
        return Group(*parts)
    if results.kind is PromptKind.CHOICE:
        return choice_bars(results.choices, width)
    if results.kind is PromptKind.WORDWALL:
        return word_wall(results.words)
    return text_wall(results.texts)


class ResultsPanel(Widget):
    """The answer count always; the answers themselves once revealed and above the threshold."""

    DEFAULT_CSS = """
    ResultsPanel {
        height: auto;
    }
    """

    results: reactive[Results | None] = reactive(None, layout=True)
    """The current prompt's tallies, or None before any answer."""
    connected: reactive[int] = reactive(0)
    """How many phones are connected now."""
    revealed: reactive[bool] = reactive(False, layout=True)
    """Whether the trainer has pressed r to show the results."""
    min_responses: reactive[int] = reactive(DEFAULT_MIN_RESPONSES)
    """The anonymity threshold: fewer real answers than this are never shown."""

    def render(self) -> RenderableType:
        lines: list[RenderableType] = [headline(self.results, self.connected)]
        answered = self.results.answered if self.results else 0
        if not self.revealed:
            lines.append(Text("Results hidden · r reveals them", style="dim"))
        elif answered < self.min_responses:
            lines.append(
                Text(f"Results appear from {self.min_responses} answers, to keep them anonymous", style="dim")
            )
        elif self.results is not None:
            lines.append(results_body(self.results, self.content_size.width))
        return Group(*lines)
