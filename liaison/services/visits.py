"""Logging a visit (R14) and the entries heard there (R2–R7, R11): all of it, or nothing.

A visit may carry no entry at all: the Xiaoshan article counts 2,551 enterprises and 477 employees
visited against 686 items collected, so most visits are logged for coverage alone.

The entries of a visit are recorded on the visit's date: that is when the informant was told,
and when the working days of a red or orange deadline start to count (R1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import permissions
from liaison.constants import (
    EntryStatus,
    EventKind,
    OrgKind,
    PersonKind,
    PlaceType,
)
from liaison.models import Entry, OrgNode, Person, Unit, User, Visit
from liaison.services.entries import (
    entry_check_colour,
    entry_check_deadline,
    entry_event,
    entry_record,
    entry_write,
)
from liaison.workdays import WorkCalendar

# A visit goes into the ledger of a branch or of one of its groups.
VISIT_ORG_KINDS = frozenset({OrgKind.BRANCH, OrgKind.GROUP})
# How far back a visit may be logged: later than a quarter it is history, not a ledger entry
# whose deadline can still be kept.
VISIT_MAX_AGE_DAYS = 90

# The place type a visit takes, when none is given, from the kind of whom it visited (R14).
PLACE_TYPE_OF_PERSON: dict[str, str] = {
    PersonKind.EMPLOYEE: PlaceType.EMPLOYEE,
    PersonKind.ENTERPRISE: PlaceType.ENTERPRISE,
    PersonKind.HOSPITAL: PlaceType.ENTERPRISE,
    PersonKind.VILLAGE: PlaceType.VILLAGE,
    PersonKind.TOWN: PlaceType.TOWN,
    PersonKind.INDIVIDUAL: PlaceType.OTHER,
    PersonKind.OTHER_ORG: PlaceType.OTHER,
}

# The place type of a visit to a unit: a team, station or substation is an internal team (the
# Xiaoshan article's "65 teams"); a professional department is counted as "other".
PLACE_TYPE_OF_FRONTLINE_UNIT = PlaceType.TEAM
PLACE_TYPE_OF_DEPARTMENT = PlaceType.OTHER

# The keys of one entry row given to visit_log (the arguments of entry_record, plus
# duplicate_of: an earlier Entry, or its id, that the recorder says is the same matter).
ENTRY_ROW_KEYS = frozenset(
    {
        "kind",
        "colour",
        "target_on",
        "channel",
        "item",
        "informant",
        "party",
        "party_unit",
        "title",
        "description",
        "duplicate_of",
    }
)

Errors = dict[str, list[str]]


def visit_orgs(user: User):
    """Return the ledgers (branches and groups) the user may log a visit into."""
    return (
        permissions.visible_orgs(user)
        .filter(kind__in=VISIT_ORG_KINDS, is_active=True)
        .order_by("path")
    )


class VisitRejected(Exception):
    """The visit or one of its entries is invalid; nothing was written.

    `visit_errors` maps a visit field to its messages; `row_errors` maps the index of an entry
    row to {field: messages} ("__all__" for the row as a whole).
    """

    def __init__(self, *, visit_errors: Errors | None = None, row_errors=None):
        self.visit_errors: Errors = visit_errors or {}
        self.row_errors: dict[int, Errors] = row_errors or {}
        super().__init__(_("The visit was not saved: correct the marked fields."))


@dataclass(frozen=True)
class LoggedVisit:
    visit: Visit
    entries: list[Entry]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _merge(errors: Errors, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                _add(errors, field, message)
    else:
        for message in error.messages:
            _add(errors, "__all__", message)


def _place_type_of(
    place_type: str | None, visited_party: Person | None, visited_unit: Unit | None = None
) -> str | None:
    """The place type given, or else the visited party's or unit's (R14)."""
    if place_type:
        return place_type
    if visited_party is not None:
        return PLACE_TYPE_OF_PERSON.get(visited_party.kind, PlaceType.OTHER)
    if visited_unit is not None:
        if visited_unit.is_frontline:
            return PLACE_TYPE_OF_FRONTLINE_UNIT
        return PLACE_TYPE_OF_DEPARTMENT
    return place_type


def _check_visit(
    *,
    actor: User,
    org: OrgNode | None,
    visited_on: dt.date | None,
    place_type: str | None,
    place: str | None,
    visited_party: Person | None,
    visited_unit: Unit | None,
    visitors: Sequence[Person],
    visible_people: set[int],
    refused: Collection[str],
) -> Errors:
    """The objections to the visit's own fields; a field in `refused` (the caller's form already
    said why) is not judged again, nor is what depends on it."""
    errors: Errors = {}
    if org is not None and not visit_orgs(actor).filter(pk=org.pk).exists():
        _add(errors, "org", _("Choose a branch or party group within your scope."))
    today = timezone.localdate()
    if visited_on is None:
        pass
    elif visited_on > today:
        _add(errors, "visited_on", _("A visit cannot lie in the future."))
    elif visited_on < today - dt.timedelta(days=VISIT_MAX_AGE_DAYS):
        _add(
            errors,
            "visited_on",
            _("A visit can be logged up to %(days)d days after it took place.")
            % {"days": VISIT_MAX_AGE_DAYS},
        )
    party_known = "visited_party" not in refused
    if place_type is not None and place_type not in PlaceType.values and party_known:
        _add(errors, "place_type", _("Choose where the visit went."))
    unit_known = "visited_unit" not in refused
    nobody = visited_party is None and visited_unit is None
    if party_known and unit_known and nobody and place is not None and not place.strip():
        _add(errors, "visited_party", _("Name whom you visited, or the unit, or the place."))
    if visited_party is not None and visited_party.pk not in visible_people:
        _add(errors, "visited_party", _("This person or party is not within your scope."))
    if visited_party is not None and visited_unit is not None:
        _add(
            errors,
            "visited_unit",
            _("Choose a person or party, or a unit, not both: log two visits if you saw both."),
        )
    elif visited_unit is not None and not (
        permissions.visible_units(actor).filter(pk=visited_unit.pk).exists()
    ):
        _add(errors, "visited_unit", _("This unit is not within your scope."))
    for person in visitors:
        if person.pk not in visible_people or person.kind != PersonKind.EMPLOYEE:
            _add(
                errors,
                "visitors",
                _("%(name)s cannot be a visitor: choose employees within your scope.")
                % {"name": person.name},
            )
    return errors


def _originals(actor: User, rows: Sequence[dict]) -> dict[int, Entry]:
    """Load the earlier entries the rows name as the same matter, if the actor may see them."""
    ids = {
        row["duplicate_of"].pk if isinstance(row["duplicate_of"], Entry) else row["duplicate_of"]
        for row in rows
        if row.get("duplicate_of")
    }
    if not ids:
        return {}
    found = (
        permissions.visible_entries(actor)
        .exclude(status=EntryStatus.VOID)
        .select_related("duplicate_of")
        .filter(pk__in=ids)
    )
    return {entry.pk: entry for entry in found}


def _original_of(row: dict, originals: dict[int, Entry]) -> Entry | None:
    """Return the entry to link the row to: the one named, or its own original when the one
    named is itself a duplicate (a chain is never built)."""
    named = row.get("duplicate_of")
    if not named:
        return None
    entry = originals.get(named.pk if isinstance(named, Entry) else named)
    if entry is None:
        return None
    return entry.duplicate_of or entry


def _check_rows(
    *,
    rows: Sequence[dict],
    visited_on: dt.date | None,
    visited_party: Person | None,
    visible_people: set[int],
    originals: dict[int, Entry],
    visible_units: Collection[int] = (),
    visited_unit: Unit | None = None,
    party_known: bool = True,
    rows_refused: Sequence[Collection[str]] = (),
) -> dict[int, Errors]:
    """The objections to each entry row, by index; a row's field named in `rows_refused` (the
    caller's form already said why) is not judged again, nor is what depends on it."""
    years = [r["target_on"].year for r in rows if r.get("target_on")]
    calendar = None
    if visited_on is not None:
        calendar = WorkCalendar.load(visited_on.year, max([*years, visited_on.year]))
    row_errors: dict[int, Errors] = {}
    for index, row in enumerate(rows):
        errors: Errors = {}
        unknown = set(row) - ENTRY_ROW_KEYS
        if unknown:
            raise TypeError(f"unknown entry fields: {sorted(unknown)}")
        refused = rows_refused[index] if index < len(rows_refused) else ()
        informant = row.get("informant") or visited_party
        if informant is None and party_known and "informant" not in refused:
            if visited_unit is not None:
                message = _("Name the informant: who at the unit raised it.")
            else:
                message = _("Name the informant, or whom you visited above.")
            _add(errors, "informant", message)
        for field, person in (("informant", row.get("informant")), ("party", row.get("party"))):
            if person is not None and person.pk not in visible_people:
                _add(errors, field, _("This person or party is not within your scope."))
        party_unit = row.get("party_unit")
        if party_unit is not None and row.get("party") is not None:
            _add(
                errors,
                "party_unit",
                _("Name a person or party, or a unit, as the party concerned, not both."),
            )
        elif party_unit is not None and party_unit.pk not in visible_units:
            _add(errors, "party_unit", _("This unit is not within your scope."))
        for field in ("channel", "item"):
            if row.get(field) is not None and not row[field].is_active:
                _add(errors, field, _("This choice is no longer in use."))
        if row.get("duplicate_of") and _original_of(row, originals) is None:
            _add(
                errors,
                "duplicate_of",
                _("The earlier entry to link to does not exist or is outside your scope."),
            )
        if not {"kind", "colour", "target_on"} & set(refused) and row.get("kind"):
            try:
                if calendar is None or visited_on is None:  # the date was refused: no deadline
                    entry_check_colour(
                        kind=row["kind"],
                        colour=row.get("colour") or "",
                        target_on=row.get("target_on"),
                    )
                else:
                    entry_check_deadline(
                        kind=row["kind"],
                        colour=row.get("colour") or "",
                        recorded_on=visited_on,
                        target_on=row.get("target_on"),
                        calendar=calendar,
                    )
            except ValidationError as error:
                _merge(errors, error)
        if errors:
            row_errors[index] = errors
    return row_errors


def visit_check(
    *,
    actor: User,
    org: OrgNode | None,
    visited_on: dt.date | None,
    place_type: str | None,
    place: str | None = "",
    visited_party: Person | None = None,
    visited_unit: Unit | None = None,
    visitors: Iterable[Person] = (),
    entries: Sequence[dict] = (),
    refused: Collection[str] = (),
    rows_refused: Sequence[Collection[str]] = (),
) -> None:
    """Raise VisitRejected with every objection to the visit and to each of its entry rows at
    once; write nothing.

    A form whose own checks failed calls it too, so that one submission reports everything:
    it names in `refused` the visit's fields it refused (given as None here) and in
    `rows_refused` each row's; a check needing such a value is left to the form's message."""
    visitors = list(visitors)
    people_ids = {p.pk for p in visitors}
    people_ids |= {
        person.pk
        for person in [visited_party, *(r.get(k) for r in entries for k in ("informant", "party"))]
        if person is not None
    }
    visible_people = set(
        permissions.visible_people(actor).filter(pk__in=people_ids).values_list("pk", flat=True)
    )
    unit_ids = {r["party_unit"].pk for r in entries if r.get("party_unit") is not None}
    visible_units = set(
        permissions.visible_units(actor).filter(pk__in=unit_ids).values_list("pk", flat=True)
        if unit_ids
        else ()
    )
    visit_errors = _check_visit(
        actor=actor,
        org=org,
        visited_on=visited_on,
        place_type=_place_type_of(place_type, visited_party, visited_unit),
        place=place,
        visited_party=visited_party,
        visited_unit=visited_unit,
        visitors=visitors,
        visible_people=visible_people,
        refused=refused,
    )
    row_errors = _check_rows(
        rows=entries,
        visited_on=visited_on,
        visited_party=visited_party,
        visible_people=visible_people,
        originals=_originals(actor, entries),
        visible_units=visible_units,
        visited_unit=visited_unit,
        party_known="visited_party" not in refused,
        rows_refused=rows_refused,
    )
    if visit_errors or row_errors:
        raise VisitRejected(visit_errors=visit_errors, row_errors=row_errors)


def _link_duplicate(*, entry: Entry, original: Entry, actor: User) -> None:
    entry_write(entry=entry, expected_version=entry.version, duplicate_of=original)
    entry_event(
        entry=entry,
        kind=EventKind.LINKED_DUPLICATE,
        actor=actor,
        note=_("The same matter as %(number)s.") % {"number": original.number},
        after={"duplicate_of": original.pk, "number": original.number},
    )


@transaction.atomic
def visit_log(
    *,
    actor: User,
    org: OrgNode,
    visited_on: dt.date,
    place_type: str,
    place: str = "",
    visited_party: Person | None = None,
    visited_unit: Unit | None = None,
    visitors: Iterable[Person] = (),
    note: str = "",
    entries: Sequence[dict] = (),
) -> LoggedVisit:
    """Log a visit and record each entry heard there (entry_record: numbered, owned by the
    actor, levelled by the actor's role, with its deadline). The visit went to a person or
    party (`visited_party`) or to a unit (`visited_unit`: a team, station or department);
    without a place type it takes theirs. An entry row without an informant takes the visited
    party; one without a party concerned, on a visit to a unit, concerns the unit. Raise
    VisitRejected, writing nothing, if anything is invalid."""
    if not permissions.can_log_visit(actor):
        raise PermissionDenied
    visitors = list(visitors)
    visit_check(
        actor=actor,
        org=org,
        visited_on=visited_on,
        place_type=place_type,
        place=place,
        visited_party=visited_party,
        visited_unit=visited_unit,
        visitors=visitors,
        entries=entries,
    )
    place_type = _place_type_of(place_type, visited_party, visited_unit) or ""
    originals = _originals(actor, entries)
    row_errors: dict[int, Errors] = {}

    visit = Visit(
        visited_on=visited_on,
        org=org,
        recorded_by=actor,
        visited_party=visited_party,
        visited_unit=visited_unit,
        place_type=place_type,
        place=place.strip(),
        note=note.strip(),
    )
    try:
        visit.full_clean()
    except ValidationError as error:
        raise VisitRejected(visit_errors=error.message_dict) from error
    visit.save()
    visit.visitors.set(visitors)
    recorded: list[Entry] = []
    for index, row in enumerate(entries):
        informant = row.get("informant") or visited_party
        if informant is None:  # such a row was refused above (_check_rows)
            raise ValueError(f"Entry row {index} has no informant.")
        try:
            entry = entry_record(
                actor=actor,
                org=org,
                kind=row["kind"],
                colour=row.get("colour") or "",
                channel=row["channel"],
                item=row["item"],
                informant=informant,
                party=row.get("party"),
                party_unit=row.get("party_unit") or (None if row.get("party") else visited_unit),
                title=row["title"],
                description=row.get("description") or "",
                target_on=row.get("target_on"),
                visit=visit,
                recorded_on=visited_on,
            )
        except ValidationError as error:
            _merge(row_errors.setdefault(index, {}), error)
            continue
        original = _original_of(row, originals)
        if original is not None:
            _link_duplicate(entry=entry, original=original, actor=actor)
        recorded.append(entry)
    if row_errors:
        raise VisitRejected(row_errors=row_errors)  # the transaction rolls everything back
    return LoggedVisit(visit=visit, entries=recorded)
