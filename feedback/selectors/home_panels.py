"""What feedback adds to liaison's home page (registered in apps.py): the satisfaction of the
user's scope this month, beside last month's, for those who read the dashboards.

Read from the roll-up tables, never the entries or ratings: the node (as the dashboard picks
it) and the two months' figures, two queries whatever the size of the scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feedback.periods import Period
from feedback.permissions import dashboard_node_for, does_return_visits, reads_dashboards
from feedback.selectors.figures import MonthFigures, monthly_trend
from liaison.constants import EntryStatus
from liaison.models import OrgNode, User
from liaison.permissions import visible_entries
from liaison.selectors.work import HomePanel


@dataclass(frozen=True)
class SatisfactionGlance:
    """The satisfaction rate of a subtree this month and last (R8), from the roll-ups."""

    node: OrgNode
    current: MonthFigures
    previous: MonthFigures

    @property
    def period(self) -> Period:
        """This month, as the dashboard's period parameter reads it."""
        return Period(self.current.month, self.current.month)


def satisfaction_glance(*, user: User, today: dt.date | None = None) -> SatisfactionGlance:
    """Return this month's and last month's satisfaction of the top of the user's subtree (call
    for a user who reads the dashboards; two queries)."""
    this_month = Period.current_month(today)
    node = dashboard_node_for(user=user)
    previous, current = monthly_trend(
        node=node, period=Period(this_month.previous().first, this_month.last)
    )
    return SatisfactionGlance(node=node, current=current, previous=previous)


def satisfaction_panel(*, user: User, today: dt.date | None = None) -> HomePanel | None:
    """The home page's satisfaction card, for those who read the dashboards; None for others."""
    if not reads_dashboards(user):
        return None
    glance = satisfaction_glance(user=user, today=today)
    return HomePanel("feedback/_home_satisfaction.html", {"glance": glance})


def return_visit_panel(*, user: User, today: dt.date | None = None) -> HomePanel | None:
    """The home page's card of the return-visit queue (R21), for those who work it and while
    something waits (one count)."""
    if not does_return_visits(user):
        return None
    waiting = visible_entries(user).filter(status=EntryStatus.REPLIED).count()
    if not waiting:
        return None
    return HomePanel("feedback/_home_return_visits.html", {"waiting": waiting})
