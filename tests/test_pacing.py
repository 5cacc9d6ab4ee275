"""Paced reflections, pure: one question at a time against the step's running time."""

from facilitator.domain.pacing import Pacing


def test_a_question_is_due_to_move_on_when_its_time_is_up():
    """At 60 s the second question comes on, timed from when the first one's time ended."""
    pacing = Pacing(questions=3, pace=60)
    assert pacing.left(20) == 40
    assert pacing.due(59.9) is None
    after = pacing.due(61)
    assert (after.question, after.began, after.left(61)) == (1, 60, 59)


def test_the_last_question_never_moves_on_by_itself():
    """It waits for the step to end (or the trainer), counting into overtime."""
    last = Pacing(questions=2, pace=60, question=1, began=60)
    assert last.last
    assert last.due(500) is None
    assert last.left(130) == -10


def test_the_trainer_moves_a_question_on_or_back_with_its_full_time():
    """n and p move one question, restarting its countdown; past either end there is none."""
    pacing = Pacing(questions=2, pace=60)
    on = pacing.moved(1, 15)
    assert (on.question, on.left(15)) == (1, 60)
    assert on.moved(1, 20) is None
    assert on.moved(-1, 20).question == 0
    assert pacing.moved(-1, 0) is None
