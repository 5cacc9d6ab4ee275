"""Start-up time of the projector to its first full screen, against a minimal Textual app.

Each run starts a fresh process in a pseudo-terminal of the given size and stops the clock when
the screen has been drawn with every marker present (for the projector: the join URL and the
footer). Runs alternate between the baseline and the projector, so machine noise hits both alike;
the ratio of medians is the figure to compare across machines.

    python bench/startup.py [--runs 10] [--size 80x24]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.terminal import Terminal  # noqa: E402  (the benchmark runs from a checkout)

AGENDA = ROOT / "agendas" / "working-alliance-mutuality.toml"
PUBLIC_URL = "http://192.168.1.20:8765"
BASELINE = """
from textual.app import App
from textual.widgets import Footer, Static

class Hello(App):
    BINDINGS = [("q", "quit", "Quit")]
    def compose(self):
        yield Static("baseline ready")
        yield Footer()

Hello().run()
"""


def first_screen_seconds(argv: list[str], markers: list[bytes], size: tuple[int, int]) -> float:
    """Seconds from spawning ``argv`` in a pty until every marker has appeared in its output."""
    terminal = Terminal(argv, size)
    try:
        return terminal.wait_for(*markers)
    finally:
        terminal.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--size", default="80x24")
    args = parser.parse_args()
    size = tuple(int(part) for part in args.size.split("x"))
    facilitate = str(Path(sys.executable).parent / "facilitate")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(BASELINE)
    baseline_argv = [sys.executable, script.name]
    data = tempfile.mkdtemp(prefix="facilitate-bench-")
    # A fresh session each run (database created, server bound), on a free port, in a scratch data dir.
    app_argv = [facilitate, "run", str(AGENDA), "--public-url", PUBLIC_URL, "--port", "0", "--data", data]
    app_markers = [b"/j/", b"Quit"]
    first_screen_seconds(baseline_argv, [b"baseline ready", b"Quit"], size)
    first_screen_seconds(app_argv, app_markers, size)
    baseline, projector = [], []
    for _ in range(args.runs):
        baseline.append(first_screen_seconds(baseline_argv, [b"baseline ready", b"Quit"], size))
        projector.append(first_screen_seconds(app_argv, app_markers, size))
    os.unlink(script.name)
    base, app = statistics.median(baseline), statistics.median(projector)
    print(f"terminal {args.size}, {args.runs} runs each (a first, dropped run of each warms the file cache)")
    print(f"minimal Textual app  median {base:.3f} s  (min {min(baseline):.3f}, max {max(baseline):.3f})")
    print(f"facilitate run       median {app:.3f} s  (min {min(projector):.3f}, max {max(projector):.3f})")
    print(f"ratio projector/baseline: {app / base:.2f}")


if __name__ == "__main__":
    main()
