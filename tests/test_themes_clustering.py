"""Average linkage by the nearest-neighbour chain: the merges greedy agglomeration makes, faster."""

import math
import random

import pytest

from facilitator.domain.themes.clustering import average_linkage


def greedy(sims: list[list[float]], threshold: float) -> list[list[int]]:
    """The textbook agglomeration: merge the two most similar clusters (mean link) while >= threshold."""
    clusters = [[i] for i in range(len(sims))]

    def link(a: list[int], b: list[int]) -> float:
        return sum(sims[i][j] for i in a for j in b) / (len(a) * len(b))

    while len(clusters) > 1:
        best, x, y = max(
            (link(clusters[x], clusters[y]), x, y)
            for x in range(len(clusters))
            for y in range(x + 1, len(clusters))
        )
        if best < threshold:
            break
        clusters[x] = sorted(clusters[x] + clusters.pop(y))
    return sorted(clusters)


def random_sims(rng: random.Random, n: int, apart: float = 0.0) -> list[list[float]]:
    sims = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            value = -math.inf if rng.random() < apart else rng.random() ** 3
            sims[i][j] = sims[j][i] = value
    return sims


@pytest.mark.parametrize("seed", range(40))
def test_the_chain_makes_the_greedy_merges(seed):
    """On random similarities (no ties), the same themes as merging the best pair each time."""
    rng = random.Random(seed)
    sims = random_sims(rng, rng.randrange(2, 40), apart=0.1 if seed % 2 else 0.0)
    threshold = rng.choice([0.05, 0.1, 0.2, 0.4])
    assert average_linkage(sims, threshold) == greedy(sims, threshold)


def test_minus_infinity_keeps_two_notes_and_their_clusters_apart():
    """Notes 0 and 2 never meet, though each is close to note 1: 1 joins the closer one."""
    sims = [[0.0, 0.9, -math.inf], [0.9, 0.0, 0.8], [-math.inf, 0.8, 0.0]]
    assert average_linkage(sims, 0.1) == [[0, 1], [2]]


def test_nothing_similar_enough_leaves_every_note_alone():
    sims = [[0.0, 0.05, 0.0], [0.05, 0.0, 0.09], [0.0, 0.09, 0.0]]
    assert average_linkage(sims, 0.1) == [[0], [1], [2]]
    assert average_linkage([], 0.1) == []
    assert average_linkage([[0.0]], 0.1) == [[0]]
