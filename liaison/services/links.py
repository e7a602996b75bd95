"""Related entries and duplicates (相关事项, 一事一记, R11): link and unlink, mark and unmark.

Each write is one transaction with an event on the timelines of both entries. Who may write is
`permissions.can_link_entry` on the entry the user acts from; the other entry must be one the
user may see (the views fetch it with `get_entry_by_number_for`, which answers 404 alike for a
missing and a forbidden one). Nothing is deleted (R16): an unlinked pair keeps its row, with
who unlinked it and when.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import permissions
from liaison.constants import EntryStatus, EventKind
from liaison.models import Entry, EntryLink, User
from liaison.services.entries import entry_event, entry_write
from liaison.transitions import EntryConflict, WorkflowRefused


def _check_may_link(*, entry: Entry, actor: User) -> None:
    if not permissions.can_link_entry(entry=entry, user=actor):
        raise WorkflowRefused(
            _(
                "Only the entry's owner, the secretary or committee over its ledger, the "
                "party-building department or its handling department may link it."
            )
        )


def _check_version(entry: Entry, expected_version: int) -> None:
    """A stale page hears "changed meanwhile" before anything about its input (as the actions)."""
    if expected_version != entry.version:
        raise EntryConflict(entry)


def _check_other(entry: Entry, other: Entry, field: str) -> None:
    if other.pk == entry.pk:
        raise ValidationError({field: _("An entry cannot be linked to itself.")})


@transaction.atomic
def entry_link(*, entry: Entry, other: Entry, actor: User, note: str = "") -> EntryLink:
    """Link two related entries (相关事项), both ways; an event on each timeline."""
    _check_may_link(entry=entry, actor=actor)
    _check_other(entry, other, "number")
    if EntryLink.objects.live().of_pair(entry, other).exists():
        raise ValidationError(
            {"number": _("%(number)s is already linked to this entry.") % {"number": other.number}}
        )
    a, b = EntryLink.ordered(entry.pk, other.pk)
    link = EntryLink(entry_a_id=a, entry_b_id=b, note=(note or "").strip(), created_by=actor)
    link.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # of two people linking the pair at once, one wins
            link.save()
    except IntegrityError:
        raise ValidationError(
            {"number": _("%(number)s is already linked to this entry.") % {"number": other.number}}
        ) from None
    for one, two in ((entry, other), (other, entry)):
        entry_event(
            entry=one,
            kind=EventKind.LINKED,
            actor=actor,
            note=link.note,
            after={"related": f"{two.number} {two.title}"},
        )
    return link


@transaction.atomic
def entry_unlink(*, entry: Entry, other: Entry, actor: User, note: str = "") -> EntryLink:
    """Unlink two related entries: the link stays as history (removed_at, removed_by); an
    event on each timeline."""
    _check_may_link(entry=entry, actor=actor)
    link = EntryLink.objects.live().of_pair(entry, other).select_for_update().first()
    if link is None:
        raise ValidationError(
            {"number": _("%(number)s is not linked to this entry.") % {"number": other.number}}
        )
    link.removed_at, link.removed_by = timezone.now(), actor
    link.save(update_fields=["removed_at", "removed_by"])
    for one, two in ((entry, other), (other, entry)):
        entry_event(
            entry=one,
            kind=EventKind.UNLINKED,
            actor=actor,
            note=(note or "").strip(),
            before={"related": f"{two.number} {two.title}"},
        )
    return link


@transaction.atomic
def entry_mark_duplicate(
    *, entry: Entry, original: Entry, actor: User, expected_version: int, note: str = ""
) -> Entry:
    """Mark `entry` as a duplicate of `original` after recording (一事一记, R11), as the visit
    form does while recording: an entry named that is itself a duplicate stands for its own
    original (a chain is never built). The entry keeps its own workflow; its original's reply
    may close it (entry_reply_together). Events on both timelines; a stale page: a conflict."""
    _check_may_link(entry=entry, actor=actor)
    _check_version(entry, expected_version)
    original = original.duplicate_of or original
    _check_other(entry, original, "number")
    if entry.duplicate_of_id is not None:
        raise ValidationError(
            {"number": _("This entry is already a duplicate of %(number)s: unmark it first.")
             % {"number": entry.duplicate_of.number if entry.duplicate_of else ""}}
        )  # fmt: skip
    if Entry.objects.filter(duplicate_of=entry).exists():
        raise ValidationError(
            {"number": _("Other entries are duplicates of this one: it is an original.")}
        )
    if EntryStatus.VOID in (entry.status, original.status):
        raise ValidationError({"number": _("A void entry is no one's duplicate or original.")})
    entry_write(entry=entry, expected_version=expected_version, duplicate_of=original)
    note = (note or "").strip()
    entry_event(
        entry=entry,
        kind=EventKind.LINKED_DUPLICATE,
        actor=actor,
        note=note or _("The same matter as %(number)s.") % {"number": original.number},
        after={"original": f"{original.number} {original.title}"},
    )
    entry_event(
        entry=original,
        kind=EventKind.DUPLICATE_ADDED,
        actor=actor,
        note=note,
        after={"duplicate": f"{entry.number} {entry.title}"},
    )
    return entry


@transaction.atomic
def entry_unmark_duplicate(
    *, entry: Entry, actor: User, expected_version: int, note: str = ""
) -> Entry:
    """Undo a duplicate mark: the entry is a matter of its own again. Events on both
    timelines; a stale page: a conflict."""
    _check_may_link(entry=entry, actor=actor)
    _check_version(entry, expected_version)
    original = entry.duplicate_of
    if original is None:
        raise ValidationError({"number": _("This entry is not marked as a duplicate.")})
    entry_write(entry=entry, expected_version=expected_version, duplicate_of=None)
    note = (note or "").strip()
    entry_event(
        entry=entry,
        kind=EventKind.DUPLICATE_UNMARKED,
        actor=actor,
        note=note,
        before={"original": f"{original.number} {original.title}"},
    )
    entry_event(
        entry=original,
        kind=EventKind.DUPLICATE_REMOVED,
        actor=actor,
        note=note,
        before={"duplicate": f"{entry.number} {entry.title}"},
    )
    return entry
