"""bench/report_back.py's measures: the fewest fixes from one grouping to another, and filing as rooms go."""

import itertools
import random

import pytest

from tests import bench_scripts

_bench = bench_scripts.load("report_back")
Fixes = _bench.Fixes
fix_actions = _bench.fix_actions


@pytest.mark.parametrize(
    ("truth", "predicted", "expected"),
    [
        ("aabb", "xxyy", Fixes(merges=0, moves=0)),  # the same grouping, other names
        ("aaaa", "wxyz", Fixes(merges=3, moves=0)),  # every note alone: merge them all
        ("abcd", "xxxx", Fixes(merges=0, moves=3)),  # all in one: split three notes off
        ("aabb", "xxxx", Fixes(merges=0, moves=2)),  # two themes together: move the smaller out
        ("aaab", "xxyy", Fixes(merges=0, moves=1)),  # move b's companion over to the other a's
        ("aaabbb", "xxxyyx", Fixes(merges=0, moves=1)),  # one note in the wrong theme
        ("aabbcc", "xyzzzz", Fixes(merges=1, moves=2)),  # a's pieces merged, b split off c's theme
        ("aabb", "xyxy", Fixes(merges=0, moves=2)),
        ("", "", Fixes(merges=0, moves=0)),
    ],
)
def test_fix_actions_on_small_cases(truth, predicted, expected):
    """Hand-counted cases: merges join themes, moves put a note elsewhere or alone."""
    assert fix_actions(list(truth), list(predicted)) == expected


def _brute_force(truth, predicted):
    """The fewest fixes by trying every target (a true theme or none) for every predicted theme."""
    groups = sorted(set(predicted))
    best = len(truth)  # every note moved
    for targets in itertools.product([None, *sorted(set(truth))], repeat=len(groups)):
        target = dict(zip(groups, targets, strict=True))
        moves = sum(1 for t, p in zip(truth, predicted, strict=True) if target[p] != t)
        used = [t for t in targets if t is not None]
        merges = len(used) - len(set(used))
        best = min(best, moves + merges)
    return best


def test_fix_actions_is_the_least_any_assignment_needs():
    """On random small groupings, the matching finds the same least total as trying every target."""
    rng = random.Random(3)
    for _ in range(150):
        size = rng.randint(1, 7)
        truth = [rng.choice("abc") for _ in range(size)]
        predicted = [rng.choice("wxyz") for _ in range(size)]
        assert fix_actions(truth, predicted).total == _brute_force(truth, predicted), (truth, predicted)


def test_fix_actions_refuses_labellings_of_different_lengths():
    with pytest.raises(ValueError, match="same items"):
        fix_actions(["a"], ["x", "y"])


FIXES_PER_NOTE_CEILING = 0.35
"""Fix actions per note from the automatic grouping to the labels of tests/fixtures/breakout_notes.json,
all notes unsorted. Measured: 0.31 (the grouping before filed themes: 0.29 here, where most themes
have two or three notes; on the blind set of larger themes it fell from 0.54 to 0.39)."""


def test_grouping_leaves_few_fixes_on_the_labelled_fixture():
    """Unsorted, the grouping needs at most the ceiling in fixes per note; filed as labelled, none."""
    breakouts = _bench.sets(smoke=False)
    fixture = [b for name in ("tuning", "heldout", "fresh1", "fresh2") for b in breakouts[name]]
    notes = sum(len(b.notes) for b in fixture)
    unsorted = sum(_bench.grouping_fixes(b, {})[0].total for b in fixture)
    assert unsorted / notes <= FIXES_PER_NOTE_CEILING
    assert all(_bench.grouping_fixes(b, b.labels)[0].total == 0 for b in fixture)
