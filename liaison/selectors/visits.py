"""Reads for visits (R14) and for picking people while logging one, scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Case, Count, IntegerField, Q, Value, When, Window

from liaison import permissions
from liaison.constants import PersonKind
from liaison.models import Entry, OrgNode, Person, Unit, User, Visit

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Search-as-you-type answers with this many people at most.
PERSON_SEARCH_LIMIT = 20
# Without JavaScript the person inputs offer this many names (the chosen ledger's first).
PERSON_SHORTLIST_LIMIT = 200
# The visitors offered as tick boxes: the user and the party members of the ledger.
VISITOR_SHORTLIST_LIMIT = 60
# A file lists this many of the newest visits and entries, with the total beside them.
FILE_LIST_LIMIT = 50


class Total(TypedDict):
    """The number of rows in all, annotated on each of the first few."""

    total: int


@dataclass
class VisitView:
    visit: Visit
    entries: list[Entry]
    visitors: list[Person]
    can_see: permissions.Visibility


def visit_view(*, user: User, visit: Visit) -> VisitView:
    """Return the visit page's data: the visitors and the entries of the visit the user may see."""
    entries = list(
        permissions.visible_entries(user)
        .filter(visit=visit)
        .select_related("informant__org", "party__org", "item__category", "channel")
        .order_by("pk")
    )
    visitors = list(visit.visitors.select_related("org").order_by("name", "pk"))
    return VisitView(
        visit=visit, entries=entries, visitors=visitors, can_see=permissions.Visibility.of(user)
    )


# -- Picking people ------------------------------------------------------------------------------


def person_search(*, user: User, text: str, limit: int = PERSON_SEARCH_LIMIT) -> list[Person]:
    """Return the active people the user may see whose name contains `text` or whose code
    starts with its first word (so that a picked "CODE name" still finds its person); a bounded
    list, which a pg_trgm index on name would serve on PostgreSQL."""
    text = text.strip()
    if not text:
        return []
    return list(
        permissions.visible_people(user)
        .filter(is_active=True)
        .filter(Q(name__contains=text) | Q(code__istartswith=text.split()[0]))
        .select_related("org")
        .order_by("name", "pk")[:limit]
    )


def person_lookup(*, user: User, text: str) -> list[Person]:
    """Return the people a typed reference names: "CODE name" or a code picks one person; an
    exact name may match several. Only people the user may see are found."""
    text = text.strip()
    if not text:
        return []
    people = permissions.visible_people(user).select_related("org")
    code = text.split()[0]
    by_code = list(people.filter(code=code)[:1])
    if by_code:
        return by_code
    return list(people.filter(name=text, is_active=True).order_by("pk")[:5])


def _first_in(org: OrgNode | None) -> Case | Value:
    if org is None:
        return Value(0)
    return Case(
        When(org__path__startswith=org.path, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def person_shortlist(
    *, user: User, org: OrgNode | None, limit: int = PERSON_SHORTLIST_LIMIT
) -> list[Person]:
    """Return the names the person inputs offer before any search: the people of `org`'s
    subtree first, then the others the user may see (paired people, for instance)."""
    return list(
        permissions.visible_people(user)
        .filter(is_active=True)
        .select_related("org")
        .annotate(elsewhere=_first_in(org))
        .order_by("elsewhere", "name", "pk")[:limit]
    )


def visitor_choices(
    *, user: User, org: OrgNode | None, limit: int = VISITOR_SHORTLIST_LIMIT
) -> list[Person]:
    """Return the visitors to offer: the user's own person, then the party members of `org`."""
    condition = Q(pk__in=[])
    if user.person_id:
        condition |= Q(pk=user.person_id)
    if org is not None:
        condition |= Q(org__path__startswith=org.path, is_party_member=True)
    me = user.person_id or 0
    return list(
        permissions.visible_people(user)
        .filter(condition, kind=PersonKind.EMPLOYEE, is_active=True)
        .annotate(
            me=Case(When(pk=me, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("me", "name", "pk")[:limit]
    )


# -- A person's file (R10) -----------------------------------------------------------------------


def person_visits(
    *, user: User, person: Person, limit: int | None = None
) -> list[WithAnnotations[Visit, Total]]:
    """Return the newest visits to `person` the user may see, each annotated with `total`, the
    number of them in all (one query)."""
    return list(
        permissions.visible_visits(user)
        .filter(visited_party=person)
        .select_related("org")
        .annotate(total=Window(Count("pk")))
        .order_by("-visited_on", "-pk")[: limit or FILE_LIST_LIMIT]
    )


def person_entries(
    *, user: User, person: Person, limit: int | None = None
) -> list[WithAnnotations[Entry, Total]]:
    """Return the newest entries the user may see where `person` is the informant or the party
    concerned, each annotated with `total`, the number of them in all (one query)."""
    return list(
        permissions.visible_entries(user)
        .filter(Q(informant=person) | Q(party=person))
        .select_related("org", "item__category")
        .annotate(total=Window(Count("pk")))
        .order_by("-recorded_on", "-pk")[: limit or FILE_LIST_LIMIT]
    )


def unit_visits(
    *, user: User, unit: Unit, limit: int | None = None
) -> list[WithAnnotations[Visit, Total]]:
    """Return the newest visits to `unit` the user may see, each annotated with `total` (one
    query)."""
    return list(
        permissions.visible_visits(user)
        .filter(visited_unit=unit)
        .select_related("org")
        .annotate(total=Window(Count("pk")))
        .order_by("-visited_on", "-pk")[: limit or FILE_LIST_LIMIT]
    )


def unit_entries(
    *, user: User, unit: Unit, limit: int | None = None
) -> list[WithAnnotations[Entry, Total]]:
    """Return the newest entries the user may see about `unit`: the unit is the party
    concerned, the informant works there, or they were heard on a visit to it; each annotated
    with `total` (one query; each condition is an indexed subquery, not a join)."""
    staff = Person.objects.filter(unit=unit).values("pk")
    visits = Visit.objects.filter(visited_unit=unit).values("pk")
    return list(
        permissions.visible_entries(user)
        .filter(Q(party_unit=unit) | Q(informant_id__in=staff) | Q(visit_id__in=visits))
        .select_related("org", "item__category", "informant")
        .annotate(total=Window(Count("pk")))
        .order_by("-recorded_on", "-pk")[: limit or FILE_LIST_LIMIT]
    )
