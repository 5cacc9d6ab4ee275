"""The results panel's count: true however many phones answered and left."""

import pytest
from textual.app import App, ComposeResult

from facilitator.app.widgets.results_panel import ResultsPanel, headline
from participant.core.tallies import tally
from participant.core.wire import Choice, OpenPrompt, Pass
from tests.workshops import shown

PROMPT = OpenPrompt("p1", {"kind": "choice", "question": "How do you feel?", "options": ["Fine", "Sad"]})


def results(answers: int, passes: int = 0):
    return tally(PROMPT, [Choice("Fine")] * (answers - passes) + [Pass()] * passes)


@pytest.mark.parametrize(
    ("answers", "passes", "connected", "shown"),
    [
        (0, 0, 0, "0 of 0 phones answered"),
        (12, 2, 20, "12 of 20 phones answered · 2 passed"),
        (1, 0, 1, "1 of 1 phone answered"),
        (4015, 0, 0, "4015 answered · 0 phones connected"),
        (2, 1, 1, "2 answered · 1 phone connected · 1 passed"),
    ],
)
def test_the_count_never_says_more_of_fewer(answers, passes, connected, shown):
    """N of M only while N <= M; past it, the answers and the phones connected now, apart."""
    assert headline(results(answers, passes), connected).plain == shown


def test_no_results_yet_is_none_answered():
    """Before the first answer the panel has no results: 0 of the phones connected."""
    assert headline(None, 5).plain == "0 of 5 phones answered"


class Panel(App[None]):
    def compose(self) -> ComposeResult:
        yield ResultsPanel()


async def test_the_panel_shows_a_true_count_when_phones_leave():
    """On screen: 3 of 3 while the phones are there; after they leave, 3 answered · 0 phones connected."""
    app = Panel()
    async with app.run_test() as pilot:
        panel = app.query_one(ResultsPanel)
        panel.results, panel.connected = results(3), 3
        await pilot.pause()
        assert "3 of 3 phones answered" in shown(panel)
        panel.connected = 0
        await pilot.pause()
        assert "3 answered · 0 phones connected" in shown(panel)
