"""Clusters of similar titles for the hot-topic page (热点诉求): pure functions, no database.

Two titles are as alike as the duplicate hint says (liaison.similarity: the Dice coefficient of
their character bigrams). Clustering is greedy "leader" clustering, which is deterministic and
never chains: the distinct wordings (titles equal once normalised) are taken most frequent
first, then in the order given; each joins the cluster whose representative wording it is most
alike, if at least `threshold`, else it founds a cluster and becomes its representative. Every
member is therefore alike its cluster's representative, which is the cluster's most frequent
wording. Single-link clustering would let "小区电压低" → "小区电压偏低" → "小区路灯偏暗" drift
into one cluster; here each link is checked against the representative.

The representatives' bigrams are indexed (bigram → clusters), so a title is compared only with
the clusters sharing a bigram with it: the cost grows with the titles times the clusters that
share words with each, not with the square of the titles (the page caps the titles as well).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from liaison.similarity import bigrams, dice, normalise


@dataclass
class TitleCluster:
    """Indexes (into the titles given) of one cluster; `seed` is its representative's."""

    seed: int
    grams: frozenset[str]
    members: list[int] = field(default_factory=list)


class _SeedIndex:
    """The representatives' bigrams, to find the clusters a title shares a bigram with."""

    def __init__(self) -> None:
        self.clusters: list[TitleCluster] = []
        self.by_gram: dict[str, list[int]] = defaultdict(list)

    def add(self, cluster: TitleCluster) -> None:
        number = len(self.clusters)
        self.clusters.append(cluster)
        for gram in cluster.grams:
            self.by_gram[gram].append(number)

    def best(self, grams: frozenset[str], threshold: float) -> int | None:
        """Return the number of the cluster whose representative is most alike `grams` (the
        first such on a tie), if at least `threshold`; else None."""
        shared = Counter(number for gram in grams for number in self.by_gram.get(gram, ()))
        best, best_score = None, threshold
        for number in sorted(shared):
            score = dice(grams, self.clusters[number].grams)
            if score > best_score or (score == best_score and best is None):
                best, best_score = number, score
        return best


def cluster_titles(titles: Sequence[str], *, threshold: float) -> list[TitleCluster]:
    """Return the clusters of `titles` (every title in exactly one), largest first (then by
    the position of their representative)."""
    wordings: dict[str, list[int]] = defaultdict(list)
    for index, title in enumerate(titles):
        wordings[normalise(title)].append(index)
    order = sorted(wordings.values(), key=lambda indexes: (-len(indexes), indexes[0]))
    seeds = _SeedIndex()
    alone: list[TitleCluster] = []
    for indexes in order:
        grams = bigrams(titles[indexes[0]])
        if not grams:  # nothing to compare: a cluster of its own
            alone.append(TitleCluster(indexes[0], grams, list(indexes)))
            continue
        number = seeds.best(grams, threshold)
        if number is None:
            seeds.add(TitleCluster(indexes[0], grams, list(indexes)))
        else:
            seeds.clusters[number].members.extend(indexes)
    clusters = seeds.clusters + alone
    for cluster in clusters:
        cluster.members.sort()
    return sorted(clusters, key=lambda c: (-len(c.members), c.seed))


def count_alike(
    clusters: Sequence[TitleCluster], titles: Sequence[str], *, threshold: float
) -> list[int]:
    """Return, for each cluster, how many of `titles` (say last month's) read like its
    representative: each title counts once, for the cluster it is most alike (at least
    `threshold`)."""
    seeds = _SeedIndex()
    for cluster in clusters:
        seeds.add(TitleCluster(cluster.seed, cluster.grams))
    counts = [0] * len(clusters)
    for title in titles:
        grams = bigrams(title)
        number = seeds.best(grams, threshold) if grams else None
        if number is not None:
            counts[number] += 1
    return counts
