"""Notes into themes: average-linkage agglomeration over the pairwise similarities.

Average linkage does not chain unrelated notes through one bridge note, needs no number of themes
up front, and puts no cap on a theme's size.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

MERGE_THRESHOLD = 0.10
"""Two groups merge while the mean similarity of their notes is at least this (0..1). Chosen on the
tuning half of tests/fixtures/breakout_notes.json (bench/themes_ari.py --sweep)."""


def average_linkage(sims: Sequence[Sequence[float]], threshold: float) -> list[list[int]]:
    """Agglomerate while the best mean pairwise similarity between two clusters is >= threshold.

    ``sims[i][j]`` for i < j, each at least 0. Ties go to the pair with the lowest indices. Each
    cluster keeps its best partner, so a merge rescans only the rows that pointed at the merged
    clusters, and a heap of those partners gives the best pair without a scan: about O(n^2).
    """
    n = len(sims)
    below = list(zip(*sims, strict=True))  # below[i][j] == sims[j][i]
    link = [[*below[i][:i], -1.0, *sims[i][i + 1 :]] for i in range(n)]  # -1.0: no cluster pairs with itself
    members = {i: [i] for i in range(n)}
    active = list(range(n))  # ascending, so max() below prefers the lowest index

    def best_of(i: int) -> tuple[float, int]:
        partner = max(active, key=link[i].__getitem__)
        return link[i][partner], partner

    best = {i: best_of(i) for i in active}
    heap = [(-value, i) for i, (value, _) in best.items()]  # the top is the best pair: highest, then lowest i
    heapq.heapify(heap)
    while len(active) > 1:
        value, i = heap[0]
        if i not in best or best[i][0] != -value:  # stale: i was merged away, or its best changed since
            heapq.heappop(heap)
            continue
        top, j = best[i]
        if top < threshold:
            break
        a, b = min(i, j), max(i, j)
        size_a, size_b = len(members[a]), len(members[b])
        active.remove(b)
        members[a] += members.pop(b)
        del best[b]
        row_a, row_b = link[a], link[b]
        for k in active:
            if k == a:
                continue
            value = row_a[k] = link[k][a] = (size_a * row_a[k] + size_b * row_b[k]) / (size_a + size_b)
            old = best[k]
            if old[1] in (a, b):
                best[k] = best_of(k)  # row k is up to date: only its entry for a changed
            elif value > old[0] or (value == old[0] and a < old[1]):
                best[k] = (value, a)
            if best[k][0] != old[0]:
                heapq.heappush(heap, (-best[k][0], k))
        best[a] = best_of(a)
        heapq.heappush(heap, (-best[a][0], a))
    return [sorted(members[k]) for k in sorted(members)]


def medoid_first(cluster: Sequence[int], sims: Sequence[Sequence[float]]) -> list[int]:
    """The cluster's notes, the most representative first (the medoid: most similar to the others in
    sum), then the others by similarity to it; ties by index."""

    def sim(i: int, j: int) -> float:
        return sims[min(i, j)][max(i, j)]

    medoid = max(cluster, key=lambda i: (sum(sim(i, j) for j in cluster if j != i), -i))
    return [medoid, *sorted((j for j in cluster if j != medoid), key=lambda j: (-sim(medoid, j), j))]
