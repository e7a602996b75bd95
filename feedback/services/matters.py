"""Writes of the matters of the month (每月一题): make one from a cluster or a service item's
entries, edit its title, owner, plan and due date, link and unlink entries, close it.

Only the party-building department (and administrators) write here (feedback.permissions.
edits_matters; anyone else is refused with PermissionDenied). Each service is keyword-only, runs
in one transaction, locks the matter's row (a second click waits, then sees the new state),
validates before it writes (a ValidationError names the field; nothing is written) and leaves
an audit event on the matter (liaison.services.audit), which its page shows as its history.
A closed matter changes no more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.constants import MATTER_MAX_ENTRIES, MatterStatus
from feedback.models import MatterEntry, MonthlyMatter
from feedback.periods import month_of
from feedback.permissions import edits_matters, may_own_matters
from liaison.constants import EntryStatus
from liaison.models import AuditEvent, Entry, User
from liaison.permissions import visible_entries
from liaison.services.audit import audit_changes, audit_record


def _require_editor(actor: User) -> None:
    if not edits_matters(actor):
        raise PermissionDenied(
            _("Only the party-building department makes and changes matters of the month.")
        )


def _locked(matter: MonthlyMatter) -> MonthlyMatter:
    """Return the matter's row locked until the transaction ends; refuse a closed one."""
    fresh = MonthlyMatter.objects.select_for_update().get(pk=matter.pk)
    if fresh.status == MatterStatus.CLOSED:
        raise ValidationError(_("This matter of the month is closed: it cannot be changed."))
    return fresh


def _audit(actor: User, matter: MonthlyMatter, action: str, summary: str, **data) -> None:
    audit_record(actor=actor, action=action, obj=matter, summary=summary, data=data)


def _check_fields(
    *, title: str, owner: User | None, due_on: dt.date | None, today: dt.date, due_changed: bool
) -> str:
    """Return the title stripped; refuse an empty title, an owner who may not own a matter and
    a due date in the past (when it is being set)."""
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the matter of the month a title.")
    if owner is None or not may_own_matters(owner):
        errors["owner"] = _(
            "The owner must be an active account of the party-building department, committee "
            "staff, a leadership cadre or a department handler."
        )
    if due_on is None:
        errors["due_on"] = _("Give the date the matter is due.")
    elif due_changed and due_on < today:
        errors["due_on"] = _("The due date cannot lie in the past.")
    if errors:
        raise ValidationError(errors)
    return title


def _entries_to_link(*, actor: User, entry_ids: Iterable[int], room: int) -> list[Entry]:
    """Return the entries of `entry_ids` (ids the actor may see, not void), in id order; refuse
    none, more than `room`, or any the actor may not see (missing, void or out of scope)."""
    ids = sorted({int(pk) for pk in entry_ids})
    if not ids:
        raise ValidationError({"entries": _("Pick at least one entry.")})
    if len(ids) > room:
        raise ValidationError(
            {
                "entries": _("A matter of the month links at most %(n)d entries.")
                % {"n": MATTER_MAX_ENTRIES}
            }
        )
    entries = list(
        visible_entries(actor).filter(pk__in=ids).exclude(status=EntryStatus.VOID).order_by("pk")
    )
    missing = sorted(set(ids) - {entry.pk for entry in entries})
    if missing:
        raise ValidationError(
            {
                "entries": _(
                    "These entries cannot be linked (missing, void or out of scope): %(ids)s"
                )
                % {"ids": ", ".join(map(str, missing))}
            }
        )
    return entries


def _link(matter: MonthlyMatter, entries: list[Entry], actor: User) -> None:
    MatterEntry.objects.bulk_create(
        [MatterEntry(matter=matter, entry=entry, added_by=actor) for entry in entries]
    )


@transaction.atomic
def matter_create(
    *,
    actor: User,
    month: dt.date,
    title: str,
    owner: User | None,
    due_on: dt.date | None,
    entry_ids: Iterable[int],
    plan: str = "",
    today: dt.date | None = None,
) -> MonthlyMatter:
    """Make a matter of the month of `month` linking the entries (a cluster's, a service
    item's), owned by `owner`, due on `due_on` (not in the past)."""
    _require_editor(actor)
    today = today or timezone.localdate()
    title = _check_fields(title=title, owner=owner, due_on=due_on, today=today, due_changed=True)
    entries = _entries_to_link(actor=actor, entry_ids=entry_ids, room=MATTER_MAX_ENTRIES)
    assert owner is not None and due_on is not None  # checked above
    matter = MonthlyMatter(
        month=month_of(month),
        title=title,
        plan=(plan or "").strip(),
        owner=owner,
        due_on=due_on,
        created_by=actor,
    )
    matter.full_clean()
    matter.save()
    _link(matter, entries, actor)
    _audit(
        actor,
        matter,
        AuditEvent.Action.CREATED,
        _("Matter of the month created: %(title)s") % {"title": title},
        event="created",
        month=f"{matter.month:%Y-%m}",
        owner=owner.pk,
        due_on=due_on.isoformat(),
        entries=[entry.pk for entry in entries],
    )
    return matter


@transaction.atomic
def matter_update(
    *,
    matter: MonthlyMatter,
    actor: User,
    title: str,
    owner: User | None,
    due_on: dt.date | None,
    plan: str = "",
    today: dt.date | None = None,
) -> MonthlyMatter:
    """Change the matter's title, owner, plan or due date (a new due date not in the past)."""
    _require_editor(actor)
    matter = _locked(matter)
    today = today or timezone.localdate()
    title = _check_fields(
        title=title, owner=owner, due_on=due_on, today=today, due_changed=due_on != matter.due_on
    )
    assert owner is not None and due_on is not None  # checked above
    before = {
        "title": matter.title,
        "owner": matter.owner_id,
        "due_on": matter.due_on,
        "plan": matter.plan,
    }
    matter.title, matter.owner, matter.due_on = title, owner, due_on
    matter.plan = (plan or "").strip()
    after = {"title": title, "owner": owner.pk, "due_on": due_on, "plan": matter.plan}
    changes = audit_changes(before, after)
    if not changes:
        return matter
    matter.full_clean()
    matter.save(update_fields=["title", "owner", "due_on", "plan", "updated_at"])
    _audit(
        actor,
        matter,
        AuditEvent.Action.UPDATED,
        _("Matter of the month changed: %(fields)s") % {"fields": ", ".join(sorted(changes))},
        event="updated",
        changes=changes,
    )
    return matter


@transaction.atomic
def matter_entries_add(
    *, matter: MonthlyMatter, actor: User, entry_ids: Iterable[int]
) -> list[Entry]:
    """Link more entries to the matter (those already linked are left as they are); return the
    entries newly linked."""
    _require_editor(actor)
    matter = _locked(matter)
    linked = set(MatterEntry.objects.filter(matter=matter).values_list("entry_id", flat=True))
    wanted = {int(pk) for pk in entry_ids}
    new = wanted - linked
    if wanted and not new:
        raise ValidationError({"entries": _("These entries are linked to the matter already.")})
    entries = _entries_to_link(actor=actor, entry_ids=new, room=MATTER_MAX_ENTRIES - len(linked))
    _link(matter, entries, actor)
    _audit(
        actor,
        matter,
        AuditEvent.Action.UPDATED,
        _("Entries linked: %(numbers)s") % {"numbers": ", ".join(e.number for e in entries)},
        event="entries_added",
        entries=[entry.pk for entry in entries],
    )
    return entries


@transaction.atomic
def matter_entry_remove(*, matter: MonthlyMatter, actor: User, entry: Entry) -> None:
    """Unlink one entry from the matter (the entry itself is untouched); the last one stays."""
    _require_editor(actor)
    matter = _locked(matter)
    links = MatterEntry.objects.filter(matter=matter)
    if not links.filter(entry=entry).exists():
        raise ValidationError(_("This entry is not linked to the matter."))
    if links.count() == 1:
        raise ValidationError(_("A matter of the month keeps at least one entry."))
    links.filter(entry=entry).delete()
    _audit(
        actor,
        matter,
        AuditEvent.Action.UPDATED,
        _("Entry unlinked: %(number)s") % {"number": entry.number},
        event="entry_removed",
        entries=[entry.pk],
    )


@transaction.atomic
def matter_close(*, matter: MonthlyMatter, actor: User, note: str) -> MonthlyMatter:
    """Close the matter with a note of what was done; it changes no more."""
    _require_editor(actor)
    matter = _locked(matter)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"closing_note": _("Say what was done before closing the matter.")})
    matter.status = MatterStatus.CLOSED
    matter.closing_note = note
    matter.closed_at = timezone.now()
    matter.full_clean()
    matter.save(update_fields=["status", "closing_note", "closed_at", "updated_at"])
    _audit(
        actor,
        matter,
        AuditEvent.Action.UPDATED,
        _("Matter of the month closed"),
        event="closed",
        note=note,
    )
    return matter
