"""Notes into themes: average-linkage agglomeration over the pairwise similarities.

Average linkage does not chain unrelated notes through one bridge note, needs no number of themes
up front, and puts no cap on a theme's size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MERGE_THRESHOLD = 0.10
"""Two groups merge while the mean similarity of their notes is at least this (0..1). Chosen on the
tuning half of tests/fixtures/breakout_notes.json (bench/themes_ari.py --sweep)."""


def average_linkage(sims: Sequence[Sequence[float]], threshold: float) -> list[list[int]]:
    """Agglomerate while the best mean pairwise similarity between two clusters is >= threshold.

    ``sims`` is symmetric (its diagonal is not read); ``-inf`` keeps two notes, and any clusters
    holding them, apart. Clusters come in the order of their lowest note, each sorted.

    The nearest-neighbour chain: follow each cluster's most similar cluster (ties: the previous
    link of the chain, else the lowest index) until two clusters are each other's nearest, and
    merge them. Average linkage is reducible (a merged cluster is never more similar to a third than
    the nearer of its parts was), so this makes the merges greedy agglomeration makes, without
    looking for the best pair at each step: O(n^2), each row scanned by ``max`` at C speed. A
    cluster whose best is below the threshold never reaches it again, and leaves the chain for good.
    """
    n = len(sims)
    link = [list(row) for row in sims]
    for i in range(n):
        link[i][i] = _APART
    members = {i: [i] for i in range(n)}
    open_ = list(range(n))  # clusters that may still merge, ascending
    chain: list[int] = []
    while True:
        if not chain:
            if len(open_) < 2:
                break
            chain.append(open_[0])
        i = chain[-1]
        row = link[i]
        top = max(row)
        if top < threshold:  # so is every cluster on the chain: their links only fall from here
            open_ = [k for k in open_ if k not in chain]
            chain.clear()
            continue
        previous = chain[-2] if len(chain) > 1 else -1
        j = previous if previous >= 0 and row[previous] == top else row.index(top)
        if j != previous:
            chain.append(j)
            continue
        chain.pop()
        chain.pop()
        a, b = min(i, j), max(i, j)
        size_a, size_b = len(members[a]), len(members[b])
        members[a] += members.pop(b)
        total = size_a + size_b
        row_a, row_b = link[a], link[b]
        row_a[b] = _APART
        open_.remove(b)
        for k in open_:  # a closed cluster's links stay below the threshold: left as they are
            if k != a:
                other = link[k]
                other[a] = row_a[k] = (size_a * row_a[k] + size_b * row_b[k]) / total
                other[b] = _APART
    return [sorted(members[k]) for k in sorted(members)]


_APART = -math.inf
"""The link of a cluster with itself, or with one merged away: never the best."""


def medoid_first(cluster: Sequence[int], sims: Sequence[Sequence[float]]) -> list[int]:
    """The cluster's notes, the most representative first (the medoid: most similar to the others in
    sum), then the others by similarity to it; ties by index. ``sims`` is symmetric."""
    medoid = max(cluster, key=lambda i: (sum(sims[i][j] for j in cluster if j != i), -i))
    row = sims[medoid]
    return [medoid, *sorted((j for j in cluster if j != medoid), key=lambda j: (-row[j], j))]
