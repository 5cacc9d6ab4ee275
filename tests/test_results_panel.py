"""The results panel's count: true however many phones answered and left."""

import pytest
from rich.console import Console
from textual.app import App, ComposeResult

from facilitator.app.widgets.results_panel import ResultsPanel, headline, text_wall, word_entry, word_wall
from facilitator.app.widgets.step_panel import KIND_LABELS
from facilitator.domain.agenda import StepKind
from participant.core.tallies import tally
from participant.core.wire import Choice, OpenPrompt, Pass, Ratings
from tests.workshops import on_screen, shown

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


def drawn(renderable, width: int) -> list[str]:
    """The lines ``renderable`` takes at ``width`` columns, as plain text."""
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines()]


WALL = (
    ("assessment", 4),
    ("child protection order", 2),
    ("core group", 2),
    ("section 47 enquiry", 1),
    ("LAC review", 1),
    ("strategy discussion", 1),
    ("child in need plan", 1),
    ("ITP", 1),
)


@pytest.mark.parametrize("width", [24, 30, 37, 41, 50, 64, 80, 120])
def test_word_wall_entries_stay_whole_and_as_typed(width):
    """Each entry of the word wall is on one line, whole, at any width; the top one is not upper-cased."""
    lines = drawn(word_wall(WALL), width)
    for word, _ in WALL:
        assert any(word in line for line in lines), (word, lines)
    assert not any("ASSESSMENT" in line for line in lines)


def test_word_wall_weighs_entries_by_count():
    """The most given entry is the strongest, the rarest the faintest: emphasis shows the count."""
    top, middle, rare = (word_entry(word, count, 4) for word, count in (("a", 4), ("b", 2), ("c", 1)))
    assert "reverse" in str(top.spans[0].style)
    assert "dim" in str(rare.spans[0].style)
    assert top.plain == "a 4"
    assert middle.plain == "b 2"
    assert rare.plain == "c"


LONG_OPTIONS = [
    "The traumatised organisation (reactive)",
    "The trauma-informed organisation",
    "Somewhere in between",
]


def choice_results():
    prompt = OpenPrompt("p2", {"kind": "choice", "question": "Which are we?", "options": LONG_OPTIONS})
    return tally(prompt, [Choice(LONG_OPTIONS[0])] * 3 + [Choice(LONG_OPTIONS[1])] * 2)


REFLECTION = OpenPrompt(
    "p3",
    {
        "kind": "reflection",
        "ratings": [
            {"text": "We share power over decisions that affect the family", "low": "No", "high": "Yes"},
            {"text": "Parents are listened to", "low": "No", "high": "Yes"},
        ],
    },
)


def reflection_results():
    return tally(REFLECTION, [Ratings((5, 4)), Ratings((4, 4)), Ratings((3, 2)), Ratings((4, 5))])


async def panel_lines(results, width: int) -> list[str]:
    """The revealed panel as it is drawn in a terminal ``width`` columns wide."""
    app = Panel()
    async with app.run_test(size=(width, 30)) as pilot:
        panel = app.query_one(ResultsPanel)
        panel.results, panel.connected, panel.revealed = results, 5, True
        await pilot.pause()
        return on_screen(panel).splitlines()


@pytest.mark.parametrize("width", [160, 80, 40])
async def test_choice_labels_are_whole_at_any_width(width):
    """Every label is shown whole (wrapped where it must be, never cut), beside its bar."""
    lines = await panel_lines(choice_results(), width)
    text = " ".join(" ".join(line.split()) for line in lines)
    assert "…" not in text
    for option in LONG_OPTIONS:
        for word in option.split():
            assert word in text
    if width >= 80:
        for option in LONG_OPTIONS:
            assert any(option in line for line in lines), (option, lines)


@pytest.mark.parametrize("width", [200, 80, 40])
async def test_rating_questions_keep_their_full_text(width):
    """A rating question wraps (beside or above its bars), never cut; its average stays readable."""
    lines = await panel_lines(reflection_results(), width)
    text = " ".join(" ".join(line.split()) for line in lines)
    assert "…" not in text
    for question in REFLECTION.wire["ratings"]:
        for word in question["text"].split():
            assert f" {word} " in f" {text} "
    assert "avg 4.0" in text
    assert "avg 3.8" in text


async def test_rating_bars_grow_with_the_width():
    """The histogram uses the room: its bars are wider at 200 columns than at 80."""

    def bar_cells(lines):
        return max(sum(line.count(level) for level in "▁▂▃▄▅▆▇█") for line in lines)

    assert bar_cells(await panel_lines(reflection_results(), 200)) > bar_cells(
        await panel_lines(reflection_results(), 80)
    )


def test_a_choice_step_is_labelled_choice():
    """A choice is not always a check-in: its step is labelled Choice."""
    assert KIND_LABELS[StepKind.CHOICE] == "Choice"


def test_a_long_answer_wraps_under_its_own_text():
    """On the text wall a wrapped answer keeps a hanging indent, so one can tell where it starts."""
    lines = drawn(text_wall(("That the family knows more about the family than we do", "Short")), 24)
    assert lines[0].startswith("• Short")
    assert lines[1].startswith("• That")
    assert all(line.startswith("  ") for line in lines[2:])
