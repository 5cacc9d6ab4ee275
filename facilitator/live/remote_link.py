"""``facilitate remote``: the phone remote's private link, in the terminal where it runs.

The link is printed for the trainer's eyes only, never on the projector: whoever holds it moves the
workshop. On a terminal a QR code follows, for the trainer's phone to scan.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from facilitator.app.widgets.qr_code import qr_matrix, render_qr
from participant.core.trainer import trainer_path
from participant.io.trainer_link import new_token, trainer_token


def remote_url(session_path: Path, base_url: str, *, new: bool = False) -> str:
    """The remote's URL for the session at ``session_path`` reached at ``base_url``; ``new`` makes a
    new token first, so every earlier link is refused."""
    token = new_token(session_path) if new else trainer_token(session_path)
    return f"{base_url.rstrip('/')}{trainer_path(token)}"


def print_remote(session_path: Path, base_url: str, *, new: bool = False) -> None:
    """Print ``remote URL``, then its QR code when the output is a terminal."""
    url = remote_url(session_path, base_url, new=new)
    print(f"remote {url}", flush=True)
    if sys.stdout.isatty():
        Console(highlight=False).print(render_qr(qr_matrix(url), 1))
        print("Keep this link to yourself: whoever opens it moves the workshop.")
