"""The trainer's three screens at once, as on the day: ``facilitate run`` (the projector) and
``facilitate presenter`` in pseudo-terminals, ``facilitate remote`` printing the link, and the remote
page in Chromium moving the real projector."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from facilitator.app.presenter import LIVE, OFFLINE
from tests.sample_agendas import NOTED, NOTES
from tests.terminal import Terminal

FACILITATE = str(Path(sys.executable).parent / "facilitate")
REMOTE = re.compile(r"remote (http://127\.0\.0\.1:\d+/t/[A-Za-z0-9_-]{43})")

pytestmark = pytest.mark.browser


def facilitate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FACILITATE, *args], capture_output=True, text=True, timeout=30, check=False)


def remote_url(data: Path, *more: str) -> str:
    """``facilitate remote``'s one line, checked, and the URL in it."""
    result = facilitate("remote", "--data", str(data), *more)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()  # not a terminal: the line, and no QR code
    match = REMOTE.fullmatch(line)
    assert match is not None, line
    return match[1]


def test_the_remote_moves_the_projector_and_the_presenter_follows(tmp_path: Path, browser: Browser) -> None:
    """Next on the phone: the projector shows the next step and the presenter its new Next: line;
    the projector never shows the notes or the remote's link; after remote --new the old page is
    refused while the presenter carries on with the new link."""
    agenda = tmp_path / "noted.toml"
    agenda.write_text(NOTED, encoding="utf-8")
    data = tmp_path / "data"
    run = [FACILITATE, "run", str(agenda), "--data", str(data), "--host", "127.0.0.1", "--port", "0"]
    projector = Terminal(run, size=(100, 40))  # narrow: the projector shows its Next: line
    presenter: Terminal | None = None
    try:
        projector.wait_for(b"/j/", b"Quit")
        url = remote_url(data)
        presenter = Terminal([FACILITATE, "presenter", "--data", str(data)], size=(120, 36))
        presenter.wait_for(b"Next: Why we work well together", NOTES.encode()[:40])

        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(url)
        expect(page.locator("#step")).to_have_text("Welcome")
        page.get_by_role("button", name="Next", exact=True).click()
        expect(page.locator("#step")).to_have_text("Why we work well together")
        projector.wait_for(b"Next: Rate the alliance")  # the projector's own line under the step
        presenter.wait_for(b"Next: Rate the alliance \xc2\xb7 5 min")

        before = len(presenter.output)
        url_again = remote_url(data, "--new")
        assert url_again != url
        expect(page.locator("#net")).to_have_text("This link was replaced")
        # The presenter is cut off too, and comes back by itself with the new link.
        presenter.wait_for(OFFLINE.encode(), since=before)
        presenter.wait_for(LIVE.encode(), since=presenter.output.index(OFFLINE.encode(), before))
        presenter.press("n")
        projector.wait_for(b"Next: Feelings check-in")
        presenter.wait_for(b"Next: Feelings check-in \xc2\xb7 2 min")
        page.close()

        token = url.rsplit("/", 1)[1].encode()
        for secret in (NOTES.encode()[:20], b"CUE-TWO", token, url_again.rsplit("/", 1)[1].encode()):
            assert secret not in projector.output
    finally:
        projector.kill()
        if presenter is not None:
            presenter.kill()
