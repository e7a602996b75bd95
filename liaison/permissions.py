"""Who may see what (DESIGN.md §3): predicates and `get_*_for` that answer 404 for both a missing
and a forbidden object."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from liaison.constants import (
    COMPANY_WIDE_ROLES,
    MAINTAINER_ROLES,
    SUPERVISION_BOARD_ROLES,
    SUPERVISOR_ROLES,
    Role,
)
from liaison.models import Entry, ImportJob, OrgNode, Pairing, Person, User


def sees_whole_company(user: User) -> bool:
    return user.is_superuser or user.role in COMPANY_WIDE_ROLES


def can_maintain_master_data(user: User) -> bool:
    """Return whether the user maintains org tree, people and pairings (and may import them)."""
    return user.is_superuser or user.role in MAINTAINER_ROLES


def can_supervise(user: User) -> bool:
    """Return whether the user issues supervision notices (督办, R6)."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in SUPERVISOR_ROLES)
    )


def reads_supervision_board(user: User) -> bool:
    """Return whether the user has the supervision board (for their own subtree)."""
    return scope_path(user) is not None and (
        user.is_superuser or user.role in SUPERVISION_BOARD_ROLES
    )


def scope_path(user: User) -> str | None:
    """Return the path prefix of the user's subtree: "" for the whole company, None for none."""
    if not user.is_authenticated or not user.is_active:
        return None
    if sees_whole_company(user):
        return ""
    if user.scope_org_id:
        return user.scope_org.path
    return None


def visible_orgs(user: User) -> QuerySet[OrgNode]:
    path = scope_path(user)
    if path is None:
        return OrgNode.objects.none()
    return OrgNode.objects.filter(path__startswith=path)


def _paired_person_ids(user: User):
    """Ids of the people and parties the user is paired with today (a subquery)."""
    return (
        Pairing.objects.active_on(timezone.localdate())
        .filter(person_id=user.person_id, target_person__isnull=False)
        .values_list("target_person_id", flat=True)
    )


def visible_people(user: User) -> QuerySet[Person]:
    """People in the user's subtree, the user's own file, the people and parties the user is
    paired with today, and, for a handler, the staff of their department."""
    path = scope_path(user)
    if path == "":
        return Person.objects.all()
    condition = Q(pk__in=[]) if path is None else Q(org__path__startswith=path)
    if user.is_authenticated and user.person_id:
        condition |= Q(pk=user.person_id) | Q(pk__in=_paired_person_ids(user))
    if user.is_authenticated and user.role == Role.DEPARTMENT_HANDLER and user.department_id:
        condition |= Q(unit_id=user.department_id)
    return Person.objects.filter(condition)


def visible_pairings(user: User) -> QuerySet[Pairing]:
    """Pairings with either side in the user's subtree, and the user's own."""
    path = scope_path(user)
    if path == "":
        return Pairing.objects.all()
    condition = Q(pk__in=[])
    if path is not None:
        condition |= (
            Q(person__org__path__startswith=path)
            | Q(org__path__startswith=path)
            | Q(target_person__org__path__startswith=path)
            | Q(target_unit__branch__path__startswith=path)
            | Q(target_org__path__startswith=path)
        )
    if user.is_authenticated and user.person_id:
        condition |= Q(person_id=user.person_id) | Q(target_person_id=user.person_id)
    return Pairing.objects.filter(condition)


@dataclass(frozen=True)
class Visibility:
    """The same rules as visible_people and visible_orgs, answered in Python for objects already
    loaded (with their org), so that a page links only what the user may open."""

    path: str | None
    person_id: int | None
    paired_ids: frozenset[int]
    department_id: int | None

    @classmethod
    def of(cls, user: User) -> Visibility:
        person_id = user.person_id if user.is_authenticated else None
        handler = user.is_authenticated and user.role == Role.DEPARTMENT_HANDLER
        return cls(
            path=scope_path(user),
            person_id=person_id,
            paired_ids=frozenset(_paired_person_ids(user)) if person_id else frozenset(),
            department_id=user.department_id if handler else None,
        )

    def org(self, node: OrgNode) -> bool:
        return self.path is not None and node.path.startswith(self.path)

    def person(self, person: Person) -> bool:
        return (
            (self.path is not None and person.org.path.startswith(self.path))
            or person.pk == self.person_id
            or person.pk in self.paired_ids
            or (self.department_id is not None and person.unit_id == self.department_id)
        )

    def can_open(self, obj) -> bool:
        """Return whether obj has a page the user may open (units have none)."""
        if isinstance(obj, Person):
            return self.person(obj)
        if isinstance(obj, OrgNode):
            return self.org(obj)
        return False


def get_org_for(user: User, pk: int) -> OrgNode:
    node = visible_orgs(user).filter(pk=pk).first()
    if node is None:
        raise Http404
    return node


def get_person_for(user: User, pk: int) -> Person:
    person = (
        visible_people(user).select_related("org", "unit", "unit__branch").filter(pk=pk).first()
    )
    if person is None:
        raise Http404
    return person


def get_import_job_for(user: User, pk: int) -> ImportJob:
    """Return the import job (without its workbook) if the user maintains master data, else 404."""
    job = None
    if user.is_authenticated and can_maintain_master_data(user):
        job = ImportJob.objects.defer("content").select_related("uploaded_by").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def visible_entries(user: User) -> QuerySet[Entry]:
    """Entries whose ledger lies in the user's subtree, the entries the user owns or recorded,
    and, for a handler, the entries referred to their department (DESIGN.md §3)."""
    path = scope_path(user)
    if path == "":
        return Entry.objects.all()
    condition = Q(pk__in=[])
    if path is not None:
        condition |= Q(org__path__startswith=path)
    if user.is_authenticated:
        condition |= Q(owner_id=user.pk) | Q(recorded_by_id=user.pk)
        if user.role == Role.DEPARTMENT_HANDLER and user.department_id:
            condition |= Q(department_id=user.department_id)
    return Entry.objects.filter(condition)


def get_entry_for(user: User, pk: int) -> Entry:
    entry = (
        visible_entries(user)
        .select_related(
            "org",
            "owner",
            "recorded_by",
            "department",
            "channel",
            "item__category",
            "informant__org",
            "party__org",
            "visit",
            "duplicate_of",
        )
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404
    return entry
