"""Recording ledger entries (R2, R3, R7) and the helpers every entry action shares.

The actions after recording (the state machine of R4) live in `liaison.services.workflow`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.constants import (
    ClosedReason,
    Colour,
    EntryKind,
    EntryStatus,
    EventKind,
    level_of,
)
from liaison.models import (
    Channel,
    Entry,
    EntryEvent,
    EntryNumberSequence,
    OrgNode,
    Person,
    ServiceItem,
    Unit,
    User,
    Visit,
)
from liaison.transitions import EntryConflict
from liaison.workdays import WorkCalendar


def entries_write(
    entries: QuerySet[Entry], *, now: dt.datetime | None = None, **changes: Any
) -> int:
    """Write `changes` to `entries` in one UPDATE that also bumps each row's version and sets
    its updated_at; return how many rows it wrote.

    The one guard against the lost update (R16) for every change to recorded entries: the
    workflow's actions (entry_write), the periodic jobs, the calendar's recompute, duplicate
    linking. A page keeps the version it showed and its action names it, so that whatever
    happened to the entry meanwhile makes that action a conflict, never an overwrite.
    Set-based callers lock their rows first (select_for_update) and pass them by id.
    """
    return entries.update(version=F("version") + 1, updated_at=now or timezone.now(), **changes)


def entry_write(*, entry: Entry, expected_version: int, **changes: Any) -> Entry:
    """Write `changes` to one entry if it still has `expected_version` (entries_write), and set
    them, the new version and updated_at on `entry`; raise EntryConflict if someone changed it
    between the caller's read and this write."""
    now = timezone.now()
    rows = Entry.objects.filter(pk=entry.pk, version=expected_version)
    if entries_write(rows, now=now, **changes) != 1:
        raise EntryConflict(entry)
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.version, entry.updated_at = expected_version + 1, now
    return entry


def entry_lock(*, entry: Entry) -> Entry:
    """Lock the entry's row until the transaction ends and return it as it stands: for a write
    that decides from the entry's state without changing its fields (a supervision notice), so
    that two such writes at once take turns."""
    return Entry.objects.select_for_update().select_related("owner").get(pk=entry.pk)


def entry_level(*, recorder: User, org: OrgNode) -> str:
    """Return the level (R7) of an entry recorded by `recorder` into `org`'s ledger."""
    return level_of(role=recorder.role, org_kind=org.kind, branch_type=org.branch_type)


def company_code() -> str:
    root = OrgNode.objects.filter(depth=1).values_list("code", flat=True).first()
    return root or "LL"


def entry_numbers(*, year: int, count: int = 1) -> list[str]:
    """Reserve `count` consecutive numbers of the form CODE-YEAR-000123 (locks the counter row;
    call inside the transaction that uses them)."""
    prefix = company_code()
    sequence, _created = EntryNumberSequence.objects.select_for_update().get_or_create(
        prefix=prefix, year=year
    )
    first = sequence.last + 1
    EntryNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + count)
    return [f"{prefix}-{year}-{n:06d}" for n in range(first, first + count)]


def entry_event(
    *,
    entry: Entry,
    kind: str,
    actor: User | None,
    note: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> EntryEvent:
    """Write one row of the entry's timeline (call inside the change's transaction)."""
    return EntryEvent.objects.create(
        entry=entry, kind=kind, actor=actor, note=note, before=before or {}, after=after or {}
    )


def entry_check_colour(*, kind: str, colour: str, target_on: dt.date | None) -> None:
    """Validate that an entry needing a reply has a colour, and that a target date goes with
    yellow and only with yellow (R1, R2), whatever the day it is recorded."""
    if kind == EntryKind.BASIC:
        return
    if not colour:
        raise ValidationError({"colour": _("Choose red, orange or yellow.")})
    if colour != Colour.YELLOW and target_on is not None:
        raise ValidationError(
            {
                "target_on": _(
                    "Only a yellow entry has a target date; red and orange count working days."
                )
            }
        )
    if colour == Colour.YELLOW and target_on is None:
        raise ValidationError({"target_on": _("A yellow entry needs a target date.")})


def entry_check_deadline(
    *,
    kind: str,
    colour: str,
    recorded_on: dt.date,
    target_on: dt.date | None,
    calendar: WorkCalendar | None = None,
) -> tuple[dt.date | None, bool]:
    """Validate colour and target date (R1, R2) and return (due_on, provisional)."""
    entry_check_colour(kind=kind, colour=colour, target_on=target_on)
    if kind == EntryKind.BASIC:
        return None, False
    calendar = calendar or WorkCalendar.load(
        recorded_on.year, target_on.year if target_on else None
    )
    if colour != Colour.YELLOW:
        due = calendar.due_for(colour, recorded_on)
        return due.due_on, due.provisional
    if target_on is None:  # refused by entry_check_colour
        raise ValueError("A yellow entry without a target date.")
    earliest = calendar.earliest_yellow_target(recorded_on)
    if target_on < earliest.due_on:
        raise ValidationError(
            {
                "target_on": _(
                    "A yellow entry's target lies at least 21 working days out: %(date)s or later."
                )
                % {"date": earliest.due_on.isoformat()}
            }
        )
    due = calendar.due_for(colour, recorded_on, target_on)
    return due.due_on, due.provisional


@transaction.atomic
def entry_record(
    *,
    actor: User,
    org: OrgNode,
    kind: str,
    colour: str,
    channel: Channel,
    item: ServiceItem,
    informant: Person,
    title: str,
    description: str = "",
    party: Person | None = None,
    party_unit: Unit | None = None,
    target_on: dt.date | None = None,
    visit: Visit | None = None,
    recorded_on: dt.date | None = None,
) -> Entry:
    """Record a need heard (R2): whoever records it owns it (R3). Basic information closes at
    once; a suggestion or problem gets its deadline from its colour (R1). The party concerned
    is a person or party (`party`) or a unit (`party_unit`), not both."""
    recorded_on = recorded_on or timezone.localdate()
    if kind == EntryKind.BASIC:
        colour, target_on = "", None
    due_on, provisional = entry_check_deadline(
        kind=kind, colour=colour, recorded_on=recorded_on, target_on=target_on
    )
    entry = Entry(
        number=entry_numbers(year=recorded_on.year)[0],
        visit=visit,
        kind=kind,
        colour=colour,
        level=entry_level(recorder=actor, org=org),
        channel=channel,
        item=item,
        informant=informant,
        party=party,
        party_unit=party_unit,
        title=title.strip(),
        description=description.strip(),
        org=org,
        recorded_by=actor,
        owner=actor,
        recorded_on=recorded_on,
        target_on=target_on,
        due_on=due_on,
        due_provisional=provisional,
    )
    if kind == EntryKind.BASIC:
        entry.status = EntryStatus.CLOSED
        entry.closed_at = timezone.now()
        entry.closed_reason = ClosedReason.NO_REPLY_NEEDED
    entry.full_clean()
    entry.save()
    entry_event(
        entry=entry,
        kind=EventKind.RECORDED,
        actor=actor,
        after={
            "kind": kind,
            "colour": colour,
            "due_on": due_on.isoformat() if due_on else None,
            "owner": actor.pk,
        },
    )
    return entry
