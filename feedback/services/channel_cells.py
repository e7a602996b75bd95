"""What each entry adds to the roll-ups by channel (R15): the one definition of those counts.

A cell is (org, month, channel): the ledger the entry is in, the month it was recorded
(``recorded_on``) and the channel it was recorded under (its leaf, which never changes). Void
entries count nowhere (R16). The counts mean what they mean in the other roll-ups
(feedback.services.rollup_cells), restricted to one channel:

- ``recorded``: entries of every kind;
- ``problems``, ``suggestions``: of those, problems and suggestions (意见建议);
- ``duplicate_suggestions``: suggestions linked to an earlier entry as the same matter (R11).

So the repeat rate of one or several channels — a campaign (专项活动) such as 政工师下班组 and
走基层·转作风·促发展 together, as the Xiaoshan article reports it — is duplicate suggestions ÷
suggestions summed over them; categories (大类) and scopes are sums of their channels.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Q

from feedback.services.rollup_cells import Scope, in_months, trunc_month
from liaison.constants import EntryKind
from liaison.models import Entry

__all__ = ["ChannelCells", "ChannelKey", "channel_cells"]

# (org id, month, channel id) → counts by column name.
ChannelKey = tuple[int, dt.date, int]
ChannelCells = dict[ChannelKey, Counter]


def channel_cells(scope: Scope) -> ChannelCells:
    """Return the channel cells of `scope` (cells with nothing in them are left out); one
    grouped query."""
    suggestion = Q(kind=EntryKind.SUGGESTION)
    rows = (
        Entry.objects.filter(scope.entry_filter())
        .filter(in_months("recorded_on", scope.months))
        .order_by()
        .values("org_id", "channel_id", month=trunc_month("recorded_on"))
        .annotate(
            n_recorded=Count("pk"),
            n_problems=Count("pk", filter=Q(kind=EntryKind.PROBLEM)),
            n_suggestions=Count("pk", filter=suggestion),
            n_duplicate_suggestions=Count("pk", filter=suggestion & Q(duplicate_of__isnull=False)),
        )
    )
    cells: ChannelCells = defaultdict(Counter)
    for row in rows:
        if scope.wants(row["org_id"], row["month"]):
            counts = {
                name.removeprefix("n_"): n for name, n in row.items() if name[:2] == "n_" and n
            }
            cells[(row["org_id"], row["month"], row["channel_id"])].update(counts)
    return dict(cells)
