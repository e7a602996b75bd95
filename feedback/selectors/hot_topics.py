"""The hot-topic page's reads (热点诉求): one node's subtree, one month, against the month before.

What the page shows, and how much it reads (pinned by tests; the view adds the node and the org
choices):

- the service items by number of entries recorded in the month, with the month before's and the
  change: one GROUP BY over the two months (its rows are bounded by the taxonomy, tens of items,
  not by the entries), and one GROUP BY of the top items' entries by the unit one level below
  the node (the supervision board's way: a prefix of the org path);
- clusters of similar titles (feedback.clusters, on the duplicate hint's similarity): the ids,
  titles and units of at most HOT_TOPIC_MAX_ENTRIES of the month's entries, the newest, and the
  titles of as many of the month before's, for the trend; the page says when the cap cut in;
- the names of the units one level down: one query.

Void entries are left out; duplicates count (a need raised again is what makes it hot).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from feedback.clusters import cluster_titles, count_alike
from feedback.constants import (
    HOT_TOPIC_CLUSTERS,
    HOT_TOPIC_ITEMS,
    HOT_TOPIC_MIN_CLUSTER,
    MATTER_MAX_ENTRIES,
    hot_topic_max_entries,
    hot_topic_similarity,
)
from feedback.periods import month_of, next_month
from liaison.constants import EntryStatus, OrgKind
from liaison.models import Entry, OrgNode, User
from liaison.permissions import visible_orgs


@dataclass(frozen=True)
class UnitCount:
    name: str
    count: int


@dataclass(frozen=True)
class ItemRow:
    """A service item's entries in the month, the month before, and by unit one level down."""

    item_id: int
    name: str
    category: str
    count: int
    previous: int
    units: list[UnitCount]

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True)
class ClusterEntry:
    pk: int
    title: str


@dataclass(frozen=True)
class ClusterRow:
    """Similar titles of the month: the representative (the most frequent wording), the units
    they come from, and how many of the month before's titles read like it."""

    title: str
    entries: list[ClusterEntry]
    units: list[str]
    previous: int

    @property
    def size(self) -> int:
        return len(self.entries)

    @property
    def change(self) -> int:
        return self.size - self.previous

    @property
    def entry_ids(self) -> str:
        return ",".join(str(entry.pk) for entry in self.entries)


@dataclass(frozen=True)
class HotTopics:
    node: OrgNode
    month: dt.date
    previous_month: dt.date
    total: int  # entries recorded in the month (not void)
    previous_total: int
    items: list[ItemRow]
    clusters: list[ClusterRow]
    clustered: int  # the titles clustered: min(total, cap)
    cap: int
    threshold: float

    @property
    def capped(self) -> bool:
        return self.total > self.cap

    @property
    def change(self) -> int:
        return self.total - self.previous_total


def month_entries(*, node: OrgNode, month: dt.date) -> QuerySet[Entry]:
    """The entries recorded in `month` in the subtree of `node`, void ones left out."""
    return Entry.objects.filter(
        org__path__startswith=node.path,
        recorded_on__gte=month,
        recorded_on__lt=next_month(month),
    ).exclude(status=EntryStatus.VOID)


def _units(node: OrgNode) -> tuple[int, dict[str, str]]:
    """Return the length of the org-path prefix of the units one level below `node`, and their
    names by that prefix (the node's own ledger under its own path)."""
    names = {node.path: _("%(name)s itself") % {"name": node.name}}
    names.update((child.path, child.name) for child in OrgNode.objects.get_children(node))
    return len(node.path) + OrgNode.steplen, names


def _items(*, node: OrgNode, month: dt.date, previous: dt.date, prefix: int, names: dict):
    """Return (total, previous total, the top items) of the month in the subtree."""
    both = Entry.objects.filter(
        org__path__startswith=node.path,
        recorded_on__gte=previous,
        recorded_on__lt=next_month(month),
    ).exclude(status=EntryStatus.VOID)
    in_month = Q(recorded_on__gte=month)
    rows = list(
        both.order_by()
        .values("item_id", "item__name", "item__category__name")
        .annotate(n=Count("pk", filter=in_month), before=Count("pk", filter=~in_month))
    )
    total = sum(row["n"] for row in rows)
    previous_total = sum(row["before"] for row in rows)
    top = sorted((row for row in rows if row["n"]), key=lambda row: (-row["n"], row["item__name"]))[
        :HOT_TOPIC_ITEMS
    ]
    by_unit: dict[int, list[UnitCount]] = {row["item_id"]: [] for row in top}
    if top:
        grouped = (
            month_entries(node=node, month=month)
            .filter(item_id__in=list(by_unit))
            .order_by()
            .values("item_id", unit=Substr("org__path", 1, prefix))
            .annotate(n=Count("pk"))
        )
        for row in grouped:
            by_unit[row["item_id"]].append(UnitCount(names.get(row["unit"], "?"), row["n"]))
    items = [
        ItemRow(
            item_id=row["item_id"],
            name=row["item__name"],
            category=row["item__category__name"],
            count=row["n"],
            previous=row["before"],
            units=sorted(by_unit[row["item_id"]], key=lambda u: (-u.count, u.name)),
        )
        for row in top
    ]
    return total, previous_total, items


def _clusters(*, node: OrgNode, month: dt.date, previous: dt.date, prefix: int, names: dict):
    cap, threshold = hot_topic_max_entries(), hot_topic_similarity()
    rows = list(
        month_entries(node=node, month=month)
        .order_by("-recorded_on", "-pk")
        .annotate(unit=Substr("org__path", 1, prefix))
        .values_list("pk", "title", "unit")[:cap]
    )
    rows.reverse()  # oldest first: a cluster's entries and its representative in recorded order
    before = list(
        month_entries(node=node, month=previous)
        .order_by("-recorded_on", "-pk")
        .values_list("title", flat=True)[:cap]
    )
    titles = [title for _pk, title, _unit in rows]
    clusters = [
        c
        for c in cluster_titles(titles, threshold=threshold)
        if len(c.members) >= HOT_TOPIC_MIN_CLUSTER
    ][:HOT_TOPIC_CLUSTERS]
    previous_counts = count_alike(clusters, before, threshold=threshold)
    result = []
    for cluster, previous_count in zip(clusters, previous_counts, strict=True):
        members = [rows[index] for index in cluster.members]
        units = sorted({names.get(unit, "?") for _pk, _title, unit in members})
        result.append(
            ClusterRow(
                title=titles[cluster.seed],
                entries=[ClusterEntry(pk, title) for pk, title, _unit in members],
                units=units,
                previous=previous_count,
            )
        )
    return len(rows), cap, threshold, result


def hot_topics(*, node: OrgNode, month: dt.date) -> HotTopics:
    """Return the hot topics of `node`'s subtree in `month` (any day of it); call with a node
    from feedback.permissions.dashboard_node_for (the user's subtree)."""
    month = month_of(month)
    previous = month_of(month - dt.timedelta(days=1))
    prefix, names = _units(node)
    total, previous_total, items = _items(
        node=node, month=month, previous=previous, prefix=prefix, names=names
    )
    clustered, cap, threshold, clusters = _clusters(
        node=node, month=month, previous=previous, prefix=prefix, names=names
    )
    return HotTopics(
        node=node,
        month=month,
        previous_month=previous,
        total=total,
        previous_total=previous_total,
        items=items,
        clusters=clusters,
        clustered=clustered,
        cap=cap,
        threshold=threshold,
    )


def hot_topic_orgs(user: User) -> QuerySet[OrgNode]:
    """The units the hot-topic page may narrow to: the user's subtree, groups left out."""
    return visible_orgs(user).exclude(kind=OrgKind.GROUP).order_by("path").only("name", "path")


def item_entry_ids(*, node: OrgNode, month: dt.date, item_id: int) -> list[int]:
    """The ids of a service item's entries of the month in the subtree (at most
    MATTER_MAX_ENTRIES, the oldest first): what "make it a matter" links."""
    entries = month_entries(node=node, month=month_of(month)).filter(item_id=item_id)
    return list(
        entries.order_by("recorded_on", "pk").values_list("pk", flat=True)[:MATTER_MAX_ENTRIES]
    )
