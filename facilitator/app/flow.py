"""Entries flowing across lines like words in a paragraph, each kept whole."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text


def flowed(entries: Iterable[Text], width: int, gap: str) -> list[Text]:
    """The entries laid out in lines of ``width`` cells, ``gap`` between two on a line. A line takes
    the next entry only if the whole entry fits; one wider than a line gets a line of its own."""
    lines: list[Text] = []
    line = Text()
    for entry in entries:
        if line.cell_len and line.cell_len + len(gap) + entry.cell_len > width:
            lines.append(line)
            line = Text()
        if line.cell_len:
            line.append(gap)
        line.append_text(entry)
    if line.cell_len:
        lines.append(line)
    return lines
