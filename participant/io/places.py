"""Where sessions are kept: light enough for ``facilitate --help`` to import (no SQLite, no threads)."""

from __future__ import annotations

from pathlib import Path

import platformdirs


def default_data_dir() -> Path:
    """Where sessions are kept unless told otherwise: the platform's user data directory."""
    return Path(platformdirs.user_data_dir("facilitate"))
