"""The "Add to <theme>" buttons: which filed themes a note being typed resembles."""

import time

import pytest

from facilitator.domain.themes import suggest
from participant.core.notes import FiledTheme, Suggester

THEMES = [
    FiledTheme("Trust", 0, ("we trust each other", "trusting relationship")),
    FiledTheme("Humour", 0, ("she makes me laugh on bad days",)),
    FiledTheme("Funding", 0, ("fighting over who pays for placements", "competition for funding")),
    FiledTheme("Paperwork", 0, ("so much duplicate paperwork",)),
]


def test_offers_the_themes_the_note_resembles_best_first():
    """A note about trust gets the trust theme first; without ``fill``, themes it shares no word
    with are not offered."""
    assert suggest("i trust her judgement", THEMES, fill=False) == ("Trust",)
    assert suggest("laughing together, a sense of humor", THEMES)[0] == "Humour"


def test_the_largest_themes_fill_the_buttons_left_after_those_the_note_resembles():
    """Trust resembles the note; the buttons left go to the question's biggest other themes (Funding
    has two notes, Humour and Paperwork one each: the first given of those two wins the tie)."""
    assert suggest("i trust her judgement", THEMES) == ("Trust", "Funding", "Humour")


def test_a_paraphrase_sharing_no_word_with_its_theme_gets_the_largest_themes():
    """Word overlap cannot see that "I know she'll get it done" means reliable; the biggest themes,
    where most notes go, are offered instead of nothing, most notes first."""
    themes = [
        FiledTheme("Humour", 0, ("she makes me laugh",)),
        FiledTheme("Reliable", 0, ("reliable!!", "always follows through", "dependable")),
        FiledTheme("Trust", 0, ("we trust each other", "trusting relationship")),
        FiledTheme("Paperwork", 0, ("so much paperwork",)),
    ]
    assert suggest("I know she'll get it done", themes, fill=False) == ()
    assert suggest("I know she'll get it done", themes) == ("Reliable", "Trust", "Humour")
    assert suggest("I know she'll get it done", themes, limit=1) == ("Reliable",)
    assert suggest("I know she'll get it done", themes, limit=0) == ()


def test_equally_large_themes_fill_in_the_order_given():
    """Ties of size never depend on chance or on the labels: the theme filed first comes first."""
    themes = [FiledTheme(label, 0, ("a note",)) for label in ("Zeal", "Access", "Money", "Blame")]
    assert suggest("she gets it done", themes) == ("Zeal", "Access", "Money")
    assert suggest("she gets it done", themes[::-1]) == ("Blame", "Money", "Access")


def test_a_theme_the_note_resembles_is_offered_once_and_keeps_its_rank():
    """Paperwork resembles the note, so it comes first even though it is the smallest theme, and it
    is not offered again among the largest."""
    assert suggest("paperwork", THEMES) == ("Paperwork", "Trust", "Funding")


def test_a_theme_is_found_by_its_label_words_too():
    """A theme just typed, with no note or one unlike the new one, is offered on its label's words."""
    themes = [FiledTheme("Information sharing", 0), FiledTheme("Blame", 0, ("finger pointing",))]
    assert suggest("MH won't share information", themes, fill=False) == ("Information sharing",)
    assert suggest("MH won't share information", themes) == ("Information sharing", "Blame")


def test_typos_and_shorthand_still_find_the_theme():
    """A thumb's typo or an acronym does not hide the theme the note belongs to."""
    assert suggest("hummor lol", THEMES)[0] == "Humour"
    themes = [FiledTheme("Mental health", 0), FiledTheme("Court", 0)]
    assert suggest("MH wont return calls", themes, fill=False) == ("Mental health",)


def test_at_most_limit_suggestions():
    """No more buttons than asked for, however many themes resemble the note."""
    themes = [FiledTheme(f"Trust {k}", 0, ("trust",)) for k in range(6)]
    assert len(suggest("trust", themes)) == 3
    assert len(suggest("trust", themes, limit=1)) == 1


@pytest.mark.parametrize("text", ["", "  ", "ok", "we", "??"])
def test_empty_or_meaningless_text_gets_no_suggestion(text):
    """Nothing typed yet, or only words that mean nothing, offers nothing: not even the largest
    themes, which would pop up at the first keystroke of every note."""
    assert suggest(text, THEMES) == ()


def test_suggest_is_what_the_server_asks_for():
    """The server's Suggester is called with the text, the themes and the prompts, positionally."""
    suggester: Suggester = suggest
    assert suggester("we trust each other", THEMES, ["Why do you work well together?"])[0] == "Trust"


def test_no_themes_no_suggestions():
    assert suggest("trust each other", []) == ()


def test_equally_alike_themes_keep_the_order_given():
    """Ties are broken by the order of the themes, never by chance."""
    themes = [FiledTheme("Trust b", 0, ("trust",)), FiledTheme("Trust a", 0, ("trust",))]
    assert suggest("trust", themes) == ("Trust b", "Trust a")
    assert suggest("trust", themes[::-1]) == ("Trust a", "Trust b")


def test_words_every_prompt_uses_count_for_less():
    """A word of every prompt is the breakout's context: what else the note says ranks the themes."""
    prompts = ["Name the turf wars among partners", "What do these turf wars cost families?"]
    themes = [FiledTheme("Turf wars over funding", 0), FiledTheme("Paperwork", 0, ("so much paperwork",))]
    assert suggest("turf wars about paperwork", themes, prompts)[0] == "Paperwork"


def test_suggesting_among_30_themes_of_200_notes_is_fast():
    """Each keystroke costs well under the 2 ms the server can spend (bench/report_back.py times it)."""
    words = [
        "trust",
        "humour",
        "funding",
        "paperwork",
        "court",
        "delay",
        "blame",
        "respect",
        "goal",
        "jargon",
    ]
    themes = [
        FiledTheme(f"{words[k % 10]} {k}", 0, tuple(f"{words[k % 10]} note {k} {n}" for n in range(7)))
        for k in range(30)
    ]
    suggest("trust and respect", themes)
    start = time.perf_counter()
    for _ in range(100):
        suggest("trust and respect", themes)
    assert (time.perf_counter() - start) / 100 < 0.002
