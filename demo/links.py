"""Related entries and duplicates in the demo (相关事项, 一事一记, R11), so that a new user sees
them: the latest resolved entry (the branch secretary's branch first) gets two duplicates still
open, which its reply form offers to reply to together, and two related entries of the same
service item. The party-building department (dangjian) marks and links them; it may reply to
all three, the secretary (shuji) sees those of the branch.

Written through liaison's services, after the bulk load, once (a second run finds the links and
leaves them); the choice is by recording order, so the same seed gives the same links.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from liaison.constants import EntryKind, EntryStatus
from liaison.models import Entry, EntryLink, OrgNode, User
from liaison.services.links import entry_link, entry_mark_duplicate

MARKED_BY = "dangjian"
SECRETARY = "shuji"
NOTE = "同一片区、同一批设备"
# How many of the latest open entries to choose the duplicates from (nearest org first).
OPEN_LOOKED_AT = 200


def _candidates() -> QuerySet[Entry]:
    """Entries that are neither duplicates nor originals, latest first."""
    has_duplicates = Entry.objects.filter(duplicate_of=OuterRef("pk"))
    return (
        Entry.objects.filter(duplicate_of__isnull=True)
        .exclude(kind=EntryKind.BASIC)
        .exclude(Exists(has_duplicates))
        .select_related("org", "duplicate_of")
        .order_by("-recorded_on", "-pk")
    )


def _original(entries: QuerySet[Entry]) -> Entry | None:
    resolved = entries.filter(status=EntryStatus.RESOLVED)
    secretary = User.objects.filter(username=SECRETARY).select_related("scope_org").first()
    if secretary is not None and secretary.scope_org is not None:
        path = secretary.scope_org.path
        found = resolved.filter(org__path__startswith=path).first()
        if found is not None:
            return found
    return resolved.first()


@transaction.atomic
def demo_link_entries() -> int:
    """Link the demo's related entries and duplicates unless done; return how many links and
    duplicate marks were written."""
    actor = User.objects.filter(username=MARKED_BY).first()
    if actor is None or EntryLink.objects.exists():
        return 0
    entries = _candidates()
    original = _original(entries)
    if original is None:
        return 0
    open_ones = entries.filter(status__in=[EntryStatus.RECORDED, EntryStatus.IN_PROGRESS])
    committee = original.org.path[: 2 * OrgNode.steplen]
    nearest = sorted(
        open_ones.exclude(pk=original.pk)[:OPEN_LOOKED_AT],
        key=lambda e: (e.org_id != original.org_id, not e.org.path.startswith(committee)),
    )  # (sorted keeps the latest first among equals)
    duplicates = nearest[:2]
    written = 0
    for duplicate in duplicates:
        # As the demo's own duplicates: the same matter, told in the same words.
        Entry.objects.filter(pk=duplicate.pk).update(title=original.title)
        duplicate.title = original.title
        entry_mark_duplicate(
            entry=duplicate, original=original, actor=actor, expected_version=duplicate.version
        )
        written += 1
    taken = [original.pk, *(d.pk for d in duplicates)]
    related = (
        Entry.objects.filter(org=original.org, item__category=original.item.category)
        .exclude(pk__in=taken)
        .order_by("-recorded_on", "-pk")
    )
    for other in related[:2]:
        entry_link(entry=original, other=other, actor=actor, note=NOTE)
        written += 1
    return written
