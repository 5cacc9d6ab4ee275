"""The join QR code, drawn in text with explicit black-on-white colours so any theme scans."""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

DARK, LIGHT = "#000000", "#ffffff"
QUIET_ZONE = 2  # modules of white around the code; scanners need a light margin


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR modules for ``data`` (True is dark), including the quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    return [[bool(module) for module in row] for row in code.get_matrix()]


def render_qr(matrix: list[list[bool]], scale: int) -> Text:
    """Scale 1: one module per column and half a row; scale 2k: full blocks of coloured spaces.

    At scale 1 each cell is "▄" drawn in the lower module's colour on the upper module's colour.
    Terminals paint a cell's background exactly but may draw a glyph a pixel off (xterm with some
    outline fonts draws "▀" one pixel low); with "▄" that stray pixel falls on the line between the
    two modules, not on the cell's top edge, where a white seam would break the finder patterns.
    """
    colour = {True: DARK, False: LIGHT}
    lines = []
    if scale == 1:
        rows = [*matrix, [False] * len(matrix[0])] if len(matrix) % 2 else matrix
        for upper, lower in zip(rows[::2], rows[1::2], strict=True):
            line = Text()
            for top, bottom in zip(upper, lower, strict=True):
                line.append("▄", Style(color=colour[bottom], bgcolor=colour[top]))
            lines.append(line)
    else:
        for row in matrix:
            line = Text()
            for dark in row:
                line.append(" " * scale, Style(bgcolor=colour[dark]))
            lines.extend([line] * (scale // 2))
    return Text("\n", no_wrap=True).join(lines)


class QRCode(Widget):
    """A QR code that grows to the largest whole scale its box allows."""

    DEFAULT_CSS = """
    QRCode {
        width: 1fr;
        height: 1fr;
        content-align: center middle;
    }
    """

    data: reactive[str] = reactive("", layout=True)
    """The text the code carries (the join URL)."""

    def __init__(self, data: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._matrix: list[list[bool]] = []
        self.data = data

    def watch_data(self, data: str) -> None:
        self._matrix = qr_matrix(data) if data else []

    @property
    def modules(self) -> int:
        return len(self._matrix)

    def render(self) -> Text:
        if not self._matrix:
            return Text("")
        width, height = self.content_size
        size = self.modules
        # Full blocks at scale s take s columns and s/2 rows per module; only even scales stay square.
        scale = max((s for s in (2, 4, 6) if size * s <= width and size * s // 2 <= height), default=1)
        if size > width or (size + 1) // 2 > height:
            return Text("Make the window larger to show the QR code", justify="center")
        return render_qr(self._matrix, scale)
