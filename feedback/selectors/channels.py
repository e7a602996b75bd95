"""Figures by channel (R15): the channel tree — internal and external, categories (大类),
channels (方面) — of a node's subtree for a period, and the figures of one or several channels
or campaigns (专项活动) together: the repeat rate the Xiaoshan article reports for 政工师下班组 and
走基层·转作风·促发展. Read from the roll-up table by channel (feedback.models.channel_rollups):
a node's rows for the period's months, whatever the number of entries.

A campaign (a channel with dates) is read for the months its dates touch within the period
(the roll-ups count by month); a channel without dates for the whole period.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import CHANNEL_COUNT_FIELDS, ChannelMonthly
from feedback.periods import Period, month_of, months_from
from liaison.constants import ChannelScope
from liaison.models import Channel, OrgNode

__all__ = [
    "ChannelSelection",
    "ChannelSums",
    "ScopeRow",
    "channel_months",
    "channel_selection",
    "channel_tree",
]


@dataclass
class ChannelSums:
    """Counts by channel summed over months, channels, categories."""

    recorded: int = 0
    problems: int = 0
    suggestions: int = 0
    duplicate_suggestions: int = 0

    def __add__(self, other: ChannelSums) -> ChannelSums:
        return ChannelSums(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(ChannelSums))
        )

    @property
    def repeat_rate(self) -> float | None:
        """重复率: duplicate suggestions ÷ suggestions (None: no suggestion)."""
        return self.duplicate_suggestions / self.suggestions if self.suggestions else None


@dataclass
class ChannelRow:
    channel: Channel
    sums: ChannelSums


@dataclass
class CategoryRow:
    name: str
    sums: ChannelSums = field(default_factory=ChannelSums)
    channels: list[ChannelRow] = field(default_factory=list)


@dataclass
class ScopeRow:
    scope: str
    label: str
    sums: ChannelSums = field(default_factory=ChannelSums)
    categories: list[CategoryRow] = field(default_factory=list)


_SUMS = {name: Sum(name) for name in CHANNEL_COUNT_FIELDS}


def _sums(row: Mapping[str, Any]) -> ChannelSums:
    return ChannelSums(**{name: row[name] or 0 for name in CHANNEL_COUNT_FIELDS})


@functools.cache
def _by_channel() -> QuerySet[Any, Any]:
    """The roll-up by channel summed by channel, to be filtered on the node and the month:
    built once, as feedback.selectors.figures.summed."""
    return ChannelMonthly.objects.order_by().values("channel_id").annotate(**_SUMS)


def channel_tree(*, node: OrgNode, period: Period) -> list[ScopeRow]:
    """The subtree's entries of the period by scope, category and channel (two queries).
    Listed: the active channels and any channel with entries in the period."""
    rows = _by_channel().filter(node=node, month__gte=period.first, month__lte=period.last)
    sums = {row["channel_id"]: _sums(row) for row in rows}
    channels = Channel.objects.select_related("category").order_by(
        "scope", "category__position", "category__name", "position", "name"
    )
    scopes = {scope: ScopeRow(scope, str(label)) for scope, label in ChannelScope.choices}
    categories: dict[tuple[str, str], CategoryRow] = {}
    for channel in channels:
        if not channel.is_active and channel.pk not in sums:
            continue
        name = channel.category.name if channel.category else _("Uncategorised")
        category = categories.get((channel.scope, name))
        if category is None:
            category = categories[(channel.scope, name)] = CategoryRow(name)
            scopes[channel.scope].categories.append(category)
        counts = sums.get(channel.pk, ChannelSums())
        category.channels.append(ChannelRow(channel, counts))
        category.sums += counts
        scopes[channel.scope].sums += counts
    return list(scopes.values())


def channel_months(channel: Channel, period: Period) -> list[dt.date]:
    """The months of `period` a channel is read for: a campaign's months (its start to its end,
    or to this month while it runs) within the period, else the whole period."""
    if channel.starts_on is None:
        return list(period.months)
    end = channel.ends_on or timezone.localdate()
    wanted = set(months_from(channel.starts_on, month_of(end)))
    return [month for month in period.months if month in wanted]


@dataclass
class ChannelSelection:
    """One or several channels or campaigns read together."""

    channels: list[ChannelRow]
    months: dict[int, list[dt.date]]  # channel id → the months read
    sums: ChannelSums

    @property
    def channels_asked(self) -> list[Channel]:
        return [row.channel for row in self.channels]


def channel_selection(
    *, node: OrgNode, period: Period, channels: list[Channel]
) -> ChannelSelection:
    """The figures of `channels` together in the node's subtree: each channel for its months
    (channel_months), summed (one query)."""
    months = {channel.pk: channel_months(channel, period) for channel in channels}
    per_channel: dict[int, ChannelSums] = defaultdict(ChannelSums)
    if channels:
        rows = (
            ChannelMonthly.objects.filter(
                node=node,
                channel__in=[channel.pk for channel in channels],
                month__gte=period.first,
                month__lte=period.last,
            )
            .order_by()
            .values("channel_id", "month")
            .annotate(**_SUMS)
        )
        for row in rows:
            if row["month"] in months[row["channel_id"]]:
                per_channel[row["channel_id"]] += _sums(row)
    chosen = [ChannelRow(channel, per_channel[channel.pk]) for channel in channels]
    total = sum((row.sums for row in chosen), ChannelSums())
    return ChannelSelection(chosen, months, total)
