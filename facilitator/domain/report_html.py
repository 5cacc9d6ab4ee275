"""The report as one self-contained HTML file: the blocks of :mod:`report_layout`, with inline CSS
and inline SVG charts. Pure.

It needs nothing from the network and runs nothing: no script, no font or image files, no URL.
It reads on a phone (responsive, viewport) and prints on A4 or Letter: a question, a theme or a
room is kept on one page where it fits, and a chart is never split. Every text goes through
:func:`html.escape` (quotes included), in elements, attributes and SVG alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
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

_CSS = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #5a5a5a; --line: #d6d6d6;
  --bar: #2f5d8a; --mark: #c0392b; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--ink); background: #fff; max-width: 52rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 0 0 .75rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid var(--bar); margin: 2rem 0 .75rem; }
h3 { font-size: 1.1rem; margin: 0 0 .5rem; }
h4 { font-size: 1rem; margin: .75rem 0 .25rem; }
h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
p, li, dd, td, figcaption, .words span { overflow-wrap: break-word; unicode-bidi: plaintext; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
tr { break-inside: avoid; page-break-inside: avoid; }
tr.over td { color: var(--mark); font-weight: 600; }
.group { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0;
  break-inside: avoid; page-break-inside: avoid; }
figure { margin: .75rem 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-weight: 600; }
svg { display: block; width: 100%; max-width: 30rem; height: auto; }
svg text { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
.scale { color: var(--muted); font-size: .9rem; margin: .25rem 0 0; }
.texts { padding-left: 1.25rem; }
.texts li { white-space: pre-line; margin: .2rem 0; }
.words { display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem 1rem; padding: 0;
  list-style: none; }
.words small { color: var(--muted); font-size: .75rem; }
@page { margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .group { border-color: #999; }
  .table { overflow: visible; }
}
"""


def to_html(report: Mapping[str, Any]) -> str:
    """The report as an HTML document."""
    body = "\n".join(_block(block) for block in layout(report))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(report['title'])}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _text(text: object) -> str:
    return escape(shown(text), quote=True)


def _block(block: Block) -> str:
    match block:
        case Heading(level, text):
            return f"<h{level}>{_text(text)}</h{level}>"
        case Facts(items):
            rows = "".join(f"<dt>{_text(label)}</dt><dd>{_text(value)}</dd>" for label, value in items)
            return f'<dl class="facts">{rows}</dl>'
        case Table(headers, rows, flagged):
            head = "".join(f"<th>{_text(header)}</th>" for header in headers)
            body = "".join(
                ('<tr class="over">' if over else "<tr>") + "".join(f"<td>{_text(cell)}</td>" for cell in row)
                for row, over in zip(rows, flagged, strict=True)
            )
            table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            return f'<div class="table">{table}</div>'
        case Paragraph(text):
            return f"<p>{_text(text)}</p>"
        case RatingChart():
            return _rating_chart(block)
        case Bars(items):
            return _bars(items)
        case WordWall(items):
            return _word_wall(items)
        case TextList(items):
            return '<ul class="texts">' + "".join(f"<li>{_text(item)}</li>" for item in items) + "</ul>"
        case Group(kind, blocks):
            inner = "\n".join(_block(child) for child in blocks)
            return f'<section class="group {_text(kind)}">\n{inner}\n</section>'
    raise TypeError(f"not a report block: {block!r}")


_SLOT, _BAR, _LEFT, _BASE, _TALL = 56, 36, 22, 132, 96
"""Rating chart geometry: slot and bar width, left margin, baseline and tallest bar (SVG units)."""


def _rating_chart(chart: RatingChart) -> str:
    most = max((count for _, count in chart.counts), default=0) or 1
    parts = []
    for slot, (label, count) in enumerate(chart.counts):
        x = _LEFT + slot * _SLOT
        height = round(_TALL * count / most)
        middle = x + _BAR / 2
        parts.append(
            f'<rect x="{x}" y="{_BASE - height}" width="{_BAR}" height="{height}" fill="#2f5d8a"/>'
            f'<text x="{middle}" y="{_BASE - height - 4}" text-anchor="middle">{count}</text>'
            f'<text x="{middle}" y="{_BASE + 16}" text-anchor="middle">{_text(label)}</text>'
        )
    if chart.average is not None:
        mark = _LEFT + (chart.average - 1) * _SLOT + _BAR / 2
        parts.append(
            f'<line x1="{mark:.1f}" y1="18" x2="{mark:.1f}" y2="{_BASE}" stroke="#c0392b" stroke-width="2"'
            f' stroke-dasharray="4 3"/><text x="{mark:.1f}" y="12" text-anchor="middle" fill="#c0392b">'
            f"average {average(chart.average)}</text>"
        )
    width = _LEFT * 2 + _SLOT * len(chart.counts)
    summary = (
        f"1 = {_text(chart.low)}, 5 = {_text(chart.high)}"
        + ("" if chart.average is None else f"; average {average(chart.average)}")
        + f"; rated by {chart.answered}"
    )
    return (
        f"<figure><figcaption>{_text(chart.question)}</figcaption>"
        f'<svg viewBox="0 0 {width} {_BASE + 24}" role="img" aria-label="{summary}">'
        f"{''.join(parts)}</svg>"
        f'<p class="scale">{summary}</p></figure>'
    )


_ROW, _LABEL_WIDTH, _BAR_WIDTH = 40, 400, 300


def _bars(items: tuple[tuple[str, int], ...]) -> str:
    most = max((count for _, count in items), default=0) or 1
    parts = []
    for row, (label, count) in enumerate(items):
        y = row * _ROW
        width = round(_BAR_WIDTH * count / most)
        parts.append(
            f'<text x="0" y="{y + 14}">{_text(label)}</text>'
            f'<rect x="0" y="{y + 20}" width="{width}" height="14" fill="#2f5d8a"/>'
            f'<text x="{width + 6}" y="{y + 32}">{count}</text>'
        )
    summary = _text(", ".join(f"{label}: {count}" for label, count in items))
    return (
        f'<figure><svg viewBox="0 0 {_LABEL_WIDTH} {len(items) * _ROW}" role="img" aria-label="{summary}">'
        f"{''.join(parts)}</svg></figure>"
    )


def _word_wall(items: tuple[tuple[str, int], ...]) -> str:
    most = max((count for _, count in items), default=1)
    words = "".join(
        f'<li><span style="font-size: {1 + 1.25 * (count - 1) / max(most - 1, 1):.2f}em">{_text(word)}</span>'
        f" <small>{count}</small></li>"
        for word, count in items
    )
    return f'<ul class="words">{words}</ul>'
