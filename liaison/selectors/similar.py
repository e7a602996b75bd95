"""Earlier entries like the one being typed (R11, 一事一记), scoped to the user.

The candidates are bounded so that the cost never grows with the ledger: at most
PARTY_CANDIDATES visible entries about the same people (informant or party, on their indexes) and
the RECENT_CANDIDATES most recent visible entries of the same organisation (on the org index):
two queries, then character-bigram similarity in Python (`liaison.similarity`). On PostgreSQL,
pg_trgm could later rank in the database instead; no extension is needed for this version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr

from liaison import permissions
from liaison.constants import EntryStatus
from liaison.models import Entry, OrgNode, User
from liaison.similarity import SIMILARITY_THRESHOLD, bigrams, dice, text_bigrams

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

SIMILAR_LIMIT = 5
PARTY_CANDIDATES = 200
RECENT_CANDIDATES = 300
# Only the head of a long description is compared (and read from the database).
DESCRIPTION_HEAD = 500
# Ranking nudge for an entry about the same person or party: the same words about the same
# party are more likely the same matter.
SAME_PARTY_BONUS = 0.1


class DescriptionHead(TypedDict):
    description_head: str  # the first DESCRIPTION_HEAD characters of the description


@dataclass(frozen=True)
class SimilarEntry:
    entry: Entry
    score: float
    same_party: bool

    @property
    def percent(self) -> int:
        return round(100 * self.score)


def _candidates(user: User) -> QuerySet[WithAnnotations[Entry, DescriptionHead]]:
    """Visible originals that can be linked to: not void, not themselves duplicates."""
    return (
        permissions.visible_entries(user)
        .exclude(status=EntryStatus.VOID)
        .filter(duplicate_of__isnull=True)
        .select_related("informant", "party")
        .only(
            "number",
            "title",
            "kind",
            "colour",
            "status",
            "recorded_on",
            "org_id",
            "informant",
            "informant__name",
            "party",
            "party__name",
        )
        .annotate(description_head=Substr("description", 1, DESCRIPTION_HEAD))
        .order_by("-recorded_on", "-pk")
    )


def similar_entries(
    *,
    user: User,
    title: str,
    description: str = "",
    people: Iterable[int | None] = (),
    org: OrgNode | None = None,
    limit: int = SIMILAR_LIMIT,
) -> list[SimilarEntry]:
    """Return up to `limit` earlier entries the user may see that read like the draft, the most
    alike first, preferring those about the same `people` (ids of the party and informant)."""
    draft_title = bigrams(title)
    draft_all = text_bigrams([title, description])
    if len(draft_all) < 2:  # one or two characters say nothing yet
        return []
    people_ids = sorted({pk for pk in people if pk})
    base = _candidates(user)
    found: dict[int, WithAnnotations[Entry, DescriptionHead]] = {}
    if people_ids:
        about = base.filter(Q(party_id__in=people_ids) | Q(informant_id__in=people_ids))
        found.update((e.pk, e) for e in about[:PARTY_CANDIDATES])
    if org is not None:
        recent = base.filter(org=org)[:RECENT_CANDIDATES]
        found.update((e.pk, e) for e in recent if e.pk not in found)
    people_set = set(people_ids)
    ranked: list[tuple[float, dt.date, SimilarEntry]] = []
    for entry in found.values():
        score = max(
            dice(draft_title, bigrams(entry.title)),
            dice(draft_all, text_bigrams([entry.title, entry.description_head or ""])),
        )
        if score < SIMILARITY_THRESHOLD:
            continue
        same = bool({entry.party_id, entry.informant_id} & people_set)
        rank = score + (SAME_PARTY_BONUS if same else 0)
        ranked.append((rank, entry.recorded_on, SimilarEntry(entry, score, same)))
    ranked.sort(key=lambda row: (row[0], row[1], row[2].entry.pk), reverse=True)
    return [row[2] for row in ranked[:limit]]
