"""The join URL as plain text, broken before its path when the column is too narrow for one line."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from participant.core.wire import join_path, split_join_url


def fold_url(url: str, width: int) -> str:
    """``url`` on one line if it fits in ``width``, else split before the path, where a reader expects it."""
    base, code = split_join_url(url)
    if len(url) <= width or not code:
        return url
    return f"{base}\n{join_path(code)}"


class JoinUrlText(Widget):
    """The URL phones type. A contract: always on screen as plain text beside the QR code."""

    DEFAULT_CSS = """
    JoinUrlText {
        width: 1fr;
        height: auto;
        text-style: bold;
        text-align: center;
    }
    """

    url: reactive[str] = reactive("", layout=True)
    """The join URL."""

    def render(self) -> Text:
        return Text(fold_url(self.url, self.content_size.width))
