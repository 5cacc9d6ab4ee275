"""The report as Markdown: the blocks of :mod:`report_layout` as headings, tables and lists. Pure.

Every text is escaped so that nothing typed becomes a link, an image, HTML, code, emphasis, a
heading, a quote or a list, or breaks a table: the characters that make them are backslash-escaped
(CommonMark allows it for any ASCII punctuation) wherever they are, list and heading markers at the
start of a line, and the ``:``, ``.`` and ``@`` that let GitHub turn bare URLs and addresses into
links. Line breaks become hard breaks in lists and spaces in table cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from facilitator.domain.report_layout import (
    Bars,
    Block,
    Facts,
    Group,
    Heading,
    Paragraph,
    RatingChart,
    Table,
    TextList,
    WordWall,
    average,
    layout,
    shown,
)

_INLINE = re.compile(r"[\\`*_\[\]<>&|~#@]|(?<=\w):(?=//)|(?<=\bwww)\.", re.IGNORECASE)
_LINE_START = re.compile(r"[+\-=]|\d+(?=[.)])")


def _escaped_line(line: str) -> str:
    line = _INLINE.sub(lambda match: "\\" + match.group(), line.strip())
    marker = _LINE_START.match(line)
    if marker is None:
        return line
    if marker.group().isdigit():
        return f"{marker.group()}\\{line[marker.end() :]}"
    return f"\\{line}"


def to_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown text."""
    return "\n\n".join(_block(block) for block in layout(report)) + "\n"


def escaped(text: object) -> str:
    """Text that Markdown shows as typed; line breaks kept as hard breaks."""
    return "\\\n".join(_escaped_line(line) for line in shown(text).split("\n"))


def _cell(text: object) -> str:
    return _escaped_line(" ".join(shown(text).split()))


def _row(cells: Iterable[object], *, strong: bool = False) -> str:
    escaped_cells = [_cell(cell) for cell in cells]
    if strong:
        escaped_cells = [f"**{cell}**" if cell else cell for cell in escaped_cells]
    return "| " + " | ".join(escaped_cells) + " |"


def _table(headers: tuple[str, ...], rows: Iterable[Iterable[object]], flagged: Iterable[bool] = ()) -> str:
    marks = [*flagged]
    body = [_row(row, strong=index < len(marks) and marks[index]) for index, row in enumerate(rows)]
    return "\n".join([_row(headers), "|" + "---|" * len(headers), *body])


def _list(items: Iterable[str]) -> str:
    return "\n".join("- " + escaped(item).replace("\\\n", "\\\n  ") for item in items)


def _block(block: Block) -> str:
    match block:
        case Heading(level, text):
            return f"{'#' * level} {_cell(text)}"
        case Facts(items):
            return "\n".join(f"- **{_cell(label)}:** {_cell(value)}" for label, value in items)
        case Table(headers, rows, flagged):
            return _table(headers, rows, flagged)
        case Paragraph(text):
            return escaped(text)
        case RatingChart(question, low, high, counts, mean, answered):
            labels = tuple(label for label, _ in counts)
            summary = "" if mean is None else f"average {average(mean)}, "
            return "\n\n".join(
                (
                    f"**{_cell(question)}** (1: {_cell(low)}; 5: {_cell(high)}; {summary}{answered} rated)",
                    _table((*labels,), [tuple(count for _, count in counts)]),
                )
            )
        case Bars(items):
            return _table(("Option", "Count"), items)
        case WordWall(items):
            return _list(f"{word} ({count})" for word, count in items)
        case TextList(items):
            return _list(items)
        case Group(_, blocks):
            return "\n\n".join(_block(inner) for inner in blocks)
    raise TypeError(f"not a report block: {block!r}")
