"""The running tally of one prompt: the results of tally(), kept answer by answer.
(Through the hub, for any order of records: tests/test_hub.py.)"""

from participant.core.tallies import RunningTally, tally
from participant.core.wire import OpenPrompt, Pass, Ratings, Text, Words

WALL = OpenPrompt("p1", {"kind": "wordwall", "question": "Name the jargon"})
REFLECTION = OpenPrompt("p2", {"kind": "reflection", "ratings": [{"text": "Safe?"}, {"text": "Useful?"}]})


def test_an_entry_shows_the_spelling_of_the_earliest_answer_still_counted():
    """When the first to give an entry changes their answer, the entry is shown as the next one
    typed it, and takes that answer's place among entries with equal counts."""
    running = RunningTally()
    running.add((1, 0), Words(("KPI", "synergy")))
    running.add((2, 1), Words(("Synergy", "kpi")))
    assert running.results(WALL).words == (("KPI", 2), ("synergy", 2))
    running.remove((1, 0), Words(("KPI", "synergy")))
    running.add((3, 0), Words(("deep dive",)))
    assert running.results(WALL).words == (("Synergy", 1), ("kpi", 1), ("deep dive", 1))
    assert running.results(WALL) == tally(WALL, [Words(("Synergy", "kpi")), Words(("deep dive",))])


def test_a_question_is_withheld_again_when_a_rating_is_taken_back():
    """Counts per question follow each change: a question rated by fewer than the minimum is withheld."""
    running = RunningTally()
    answers = [Ratings((5, None), "calm"), Ratings((4, 2)), Ratings((4, None), "calm")]
    for number, answer in enumerate(answers):
        running.add((number, number), answer)
    running.remove((1, 1), answers[1])
    running.add((3, 1), Pass())
    results = running.results(REFLECTION, min_responses=2)
    assert [(rating.answered, rating.withheld) for rating in results.ratings] == [(2, False), (0, True)]
    assert (results.count, results.passes, results.texts) == (3, 1, ("calm", "calm"))
    assert results == tally(REFLECTION, [answers[0], answers[2], Pass()], min_responses=2)


def test_taking_back_every_answer_leaves_the_empty_tally():
    """Nothing counted stays behind once each answer is taken back."""
    running = RunningTally()
    running.add((2, 0), Text("later"))
    running.add((1, 1), Text("earlier"))
    assert running.results(OpenPrompt("p3", {"kind": "text"})).texts == ("earlier", "later")
    running.remove((2, 0), Text("later"))
    running.remove((1, 1), Text("earlier"))
    assert running.results(OpenPrompt("p3", {"kind": "text"})) == tally(
        OpenPrompt("p3", {"kind": "text"}), []
    )
