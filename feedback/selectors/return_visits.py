"""The return-visit queue (回访, R21): the replied entries in the user's scope still awaiting
their rating, oldest reply first, with how often they were tried this round and how the last
try went; capped, with the total (three queries)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery

from feedback.models import ReturnVisit
from liaison.constants import EntryStatus
from liaison.models import Entry, User
from liaison.permissions import visible_entries

# The queue shows this many entries; the rest wait for the first ones to be rated.
RETURN_VISIT_QUEUE_LIMIT = 50


@dataclass
class ReturnVisitQueue:
    entries: Sequence[Entry] = field(default_factory=list)
    total: int = 0


def return_visit_queue(*, user: User) -> ReturnVisitQueue:
    """Return the replied entries awaiting a rating that `user` may see (call for a user who
    does return visits), each annotated with `attempts` (this round) and `last_outcome`."""
    this_round = ReturnVisit.objects.filter(entry=OuterRef("pk"), round=OuterRef("reopen_count"))
    waiting = visible_entries(user).filter(status=EntryStatus.REPLIED)
    entries = list(
        waiting.select_related("org", "informant", "owner")
        .annotate(
            attempts=Subquery(
                this_round.order_by().values("entry").annotate(n=Count("pk")).values("n")[:1]
            ),
            last_outcome=Subquery(this_round.order_by("-visited_at", "-pk").values("outcome")[:1]),
        )
        .order_by("replied_at", "pk")[:RETURN_VISIT_QUEUE_LIMIT]
    )
    total = len(entries) if len(entries) < RETURN_VISIT_QUEUE_LIMIT else waiting.count()
    return ReturnVisitQueue(entries=entries, total=total)
