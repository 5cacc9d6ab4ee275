"""Fixtures shared by test modules: where Debian's Chromium is, for the tests that drive the real page."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import AsyncExitStack

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.workshops import ROOM_THREAD, LiveWorkshop

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
"""Launch flags for headless Chromium as root in a container, without background traffic."""


def in_ci() -> bool:
    """Whether we run in CI, where browser tests must run: a missing browser fails them."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def find_chromium() -> str | None:
    """Debian's ``chromium`` on PATH, else at /usr/bin/chromium; ``None`` when not installed."""
    found = shutil.which("chromium")
    if found is not None:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium binary for Playwright; skips without one, except in CI (CI=true), where it fails."""
    path = find_chromium()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if in_ci():
            pytest.fail(f"{message}: browser tests must run in CI")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def chromium_launch_options(chromium_path: str) -> dict[str, object]:
    """Keyword arguments for Playwright's ``chromium.launch`` (sync or async API)."""
    return {"executable_path": chromium_path, "args": list(CHROMIUM_ARGS)}


@pytest.fixture(scope="module")
def browser(chromium_launch_options: dict[str, object]) -> Iterator[Browser]:
    """One headless Chromium per module, for the tests that drive pages with Playwright's sync API."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**chromium_launch_options)  # type: ignore[arg-type]
        yield browser
        browser.close()


@pytest.fixture
async def workshop(tmp_path, request):
    """A :class:`~tests.workshops.LiveWorkshop` whose server and phones are closed after the test;
    its server on a thread of its own when the test is parametrized with :data:`ROOM_THREAD`."""
    async with AsyncExitStack() as stack:
        yield LiveWorkshop(tmp_path, stack, threaded=getattr(request, "param", None) == ROOM_THREAD)
