"""An entry's related entries and duplicates (相关事项, 一事一记, R11), scoped to the user.

The entry page reads them in two queries whatever their number: the live links with the
entries at their other end, and the duplicates of the entry. An entry the user may not see is
left out, as if it did not exist (DESIGN.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from liaison import permissions
from liaison.constants import AWAITING_REPLY_STATUSES, EntryStatus
from liaison.models import Entry, EntryLink, User
from liaison.selectors.similar import SIMILAR_LIMIT, SimilarEntry, similar_entries
from liaison.transitions import Action, entry_refusal

# A duplicate not worked on yet is resolved with its original, then replied (entry_reply_together).
RESOLVED_WITH_ORIGINAL = frozenset({EntryStatus.RECORDED, EntryStatus.IN_PROGRESS})


@dataclass(frozen=True)
class RelatedEntry:
    entry: Entry
    link: EntryLink


@dataclass
class RelatedEntries:
    """What the entry page's related section shows."""

    related: list[RelatedEntry] = field(default_factory=list)
    duplicates: list[Entry] = field(default_factory=list)  # the entries that duplicate this one
    original: Entry | None = None  # the entry this one duplicates
    can_link: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.related or self.duplicates or self.original)


def _visible_ids(user: User):
    """The entries the user may see, as a subquery; None for the whole company."""
    return None if permissions.scope_path(user) == "" else permissions.visible_entries(user)


def entry_related(*, user: User, entry: Entry) -> list[RelatedEntry]:
    """Return the entries linked to `entry` that `user` may see, oldest link first: the links
    alone (no join: most entries have none, and joining two entries' sixty columns cost more
    than the query), then the entries at their other end in one more query if there are any."""
    links = EntryLink.objects.live()
    visible = _visible_ids(user)
    if visible is None:
        links = links.filter(Q(entry_a=entry) | Q(entry_b=entry))
    else:
        links = links.filter(
            Q(entry_a=entry, entry_b__in=visible.values("pk"))
            | Q(entry_b=entry, entry_a__in=visible.values("pk"))
        )
    found = list(links.order_by("created_at", "pk"))
    if not found:
        return []
    others = Entry.objects.in_bulk(
        [link.entry_b_id if link.entry_a_id == entry.pk else link.entry_a_id for link in found]
    )
    rows = []
    for link in found:
        if link.entry_a_id == entry.pk:
            link.entry_a, link.entry_b = entry, others[link.entry_b_id]
        else:
            link.entry_a, link.entry_b = others[link.entry_a_id], entry
        rows.append(RelatedEntry(link.other(entry), link))
    return rows


def entry_duplicates(*, user: User, entry: Entry) -> list[Entry]:
    """Return the entries marked as duplicates of `entry` that `user` may see, in the order
    recorded (one query, kept on the loaded entry for the page's reply form; their ledgers and
    owners in two more if there are any)."""
    cache = entry.__dict__.setdefault("_duplicates_for", {})
    if user.pk not in cache:
        cache[user.pk] = list(
            permissions.visible_entries(user)
            .filter(duplicate_of=entry)
            .prefetch_related("org", "owner")
            .order_by("recorded_on", "pk")
        )
    return cache[user.pk]


def entry_related_entries(*, user: User, entry: Entry) -> RelatedEntries:
    """Return the entry page's related section: links, duplicates, the original (two
    queries when there are none; the original comes with the entry)."""
    return RelatedEntries(
        related=entry_related(user=user, entry=entry),
        duplicates=entry_duplicates(user=user, entry=entry),
        original=entry.duplicate_of,
        can_link=permissions.can_link_entry(entry=entry, user=user),
    )


def reply_together_refusal(*, duplicate: Entry, actor: User) -> str | None:
    """Return why `actor` cannot reply to `duplicate` together with its original, or None if
    they can: through the same rules as a reply of its own (a duplicate not worked on yet is
    first resolved with the original, by the rule of resolving on the spot)."""
    if duplicate.status not in AWAITING_REPLY_STATUSES:
        return str(entry_refusal(entry=duplicate, actor=actor, action=Action.REPLY))
    action = Action.RESOLVE_ON_SPOT if duplicate.status in RESOLVED_WITH_ORIGINAL else Action.REPLY
    refusal = entry_refusal(entry=duplicate, actor=actor, action=action)
    return None if refusal is None else str(refusal)


def reply_together_candidates(
    *, user: User, entry: Entry
) -> tuple[list[Entry], list[tuple[Entry, str]]]:
    """Return the duplicates of `entry` that `user` may reply together with it, and those
    they may not (replied already, closed, someone else's …), with why; void ones are left
    out."""
    offered, refused = [], []
    for duplicate in entry_duplicates(user=user, entry=entry):
        if duplicate.status == EntryStatus.VOID:
            continue
        why = reply_together_refusal(duplicate=duplicate, actor=user)
        if why is None:
            offered.append(duplicate)
        else:
            refused.append((duplicate, why))
    return offered, refused


def similar_to_link(*, user: User, entry: Entry) -> list[SimilarEntry]:
    """Return the entries that read like `entry` (the visit form's duplicate hint), without
    the entry itself, its original and those already linked or marked as its duplicates."""
    taken = {entry.pk, entry.duplicate_of_id}
    taken |= {row.entry.pk for row in entry_related(user=user, entry=entry)}
    taken |= {d.pk for d in entry_duplicates(user=user, entry=entry)}
    found = similar_entries(
        user=user,
        title=entry.title,
        description=entry.description,
        people=(entry.informant_id, entry.party_id),
        org=entry.org,
        limit=SIMILAR_LIMIT + len(taken),
    )
    return [row for row in found if row.entry.pk not in taken][:SIMILAR_LIMIT]
