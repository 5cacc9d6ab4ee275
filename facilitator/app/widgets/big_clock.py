"""A countdown drawn in block pixels, as large as its box allows, for the back of the room."""

from __future__ import annotations

import math

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

# A 3x5 pixel font; ":" is one pixel wide.
_GLYPHS = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    ":": (".", "#", ".", "#", "."),
    "-": ("...", "...", "###", "...", "..."),
}
_GLYPH_ROWS = 5
# Upper half, lower half, both, neither: two pixel rows fit in one terminal row.
_HALVES = {(True, False): "▀", (False, True): "▄", (True, True): "█", (False, False): " "}


def pixels(value: str) -> list[list[bool]]:
    """The bitmap of ``value`` at one pixel per font dot, with a blank column between glyphs."""
    rows: list[list[bool]] = [[] for _ in range(_GLYPH_ROWS)]
    for position, char in enumerate(value):
        glyph = _GLYPHS.get(char, _GLYPHS["-"])
        for row, line in zip(rows, glyph, strict=True):
            if position:
                row.append(False)
            row.extend(dot == "#" for dot in line)
    return rows


def fit_scale(value: str, width: int, height: int) -> int:
    """The largest pixel size (in columns; rows are half that) at which ``value`` fits the box."""
    columns = len(pixels(value)[0])
    scale = 1
    while columns * (scale + 1) <= width and math.ceil(_GLYPH_ROWS * (scale + 1) / 2) <= height:
        scale += 1
    return scale


def render_big(value: str, scale: int) -> list[str]:
    """``value`` drawn with half-block characters; each pixel ``scale`` columns by ``scale`` half-rows."""
    bitmap = [[dot for dot in row for _ in range(scale)] for row in pixels(value) for _ in range(scale)]
    if len(bitmap) % 2:
        bitmap.append([False] * len(bitmap[0]))
    return [
        "".join(_HALVES[top, bottom] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(bitmap[::2], bitmap[1::2], strict=True)
    ]


class BigClock(Widget):
    """The countdown. Its colour comes from the stage classes set by the app (see projector.tcss)."""

    DEFAULT_CSS = """
    BigClock {
        height: 1fr;
        min-height: 3;
        content-align: center middle;
    }
    """

    value: reactive[str] = reactive("00:00")
    """The time shown, already formatted, e.g. ``"12:34"`` or ``"-01:05"``."""

    def render(self) -> Text:
        width, height = self.content_size
        scale = fit_scale(self.value, width, height)
        lines = render_big(self.value, scale)
        if len(lines[0]) > width or len(lines) > height:
            return Text(self.value, justify="center")
        return Text("\n".join(lines), justify="center", no_wrap=True)
