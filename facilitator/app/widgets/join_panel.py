"""How phones join: the QR code with the join URL beside it as plain text (a contract)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from facilitator.app.widgets.join_url_text import JoinUrlText
from facilitator.app.widgets.qr_code import QRCode


class JoinPanel(Vertical):
    """Scan-to-join instructions, the QR code and the URL to type."""

    DEFAULT_CSS = """
    JoinPanel {
        height: 1fr;
    }
    JoinPanel > .join-caption {
        width: 1fr;
        text-align: center;
    }
    """

    joined: reactive[int | None] = reactive(None)
    """How many phones are connected; None before the server reports."""

    def __init__(self, url: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._url = url

    def compose(self) -> ComposeResult:
        yield Static("Scan to take part · anonymous", classes="join-caption")
        yield QRCode(self._url, id="qr")
        url = JoinUrlText(id="join-url")
        url.url = self._url
        yield url
        yield Static("", id="joined", classes="join-caption")

    def watch_joined(self, joined: int | None) -> None:
        if joined is None:
            return
        # A query, not query_one: a redraw may still come while the app shuts down and this is gone.
        for caption in self.query("#joined").results(Static):
            caption.update(f"{joined} phone{'s' if joined != 1 else ''} joined")
