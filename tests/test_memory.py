"""Freezing what the room's joins left alive, once they settle (pure decision, no event loop)."""

from facilitator.live.memory import Settling


def test_nothing_is_frozen_while_phones_keep_joining():
    """Each sample that differs from the last is a join still going on."""
    settling = Settling(0)
    assert [settling.settled(count) for count in (100, 400, 900)] == [False, False, False]


def test_joins_that_held_still_for_a_period_are_frozen_once():
    """Once the count holds still, one freeze; none again until it changes and settles again."""
    settling = Settling(0)
    assert [settling.settled(count) for count in (500, 2000, 2000, 2000, 2000)] == [
        False,
        False,
        True,
        False,
        False,
    ]
    assert [settling.settled(count) for count in (2100, 2100)] == [False, True]


def test_a_room_that_never_changed_is_not_frozen_again():
    """Frozen at start: the same count later needs no second freeze."""
    settling = Settling(30)
    assert [settling.settled(30) for _ in range(3)] == [False, False, False]
