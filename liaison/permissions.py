"""Who may see what (DESIGN.md §3): predicates and `get_*_for` that answer 404 for both a missing
and a forbidden object."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from liaison.constants import COMPANY_WIDE_ROLES, MAINTAINER_ROLES, Role
from liaison.models import ImportJob, OrgNode, Pairing, Person, User


def sees_whole_company(user: User) -> bool:
    return user.is_superuser or user.role in COMPANY_WIDE_ROLES


def can_maintain_master_data(user: User) -> bool:
    """Return whether the user maintains org tree, people and pairings (and may import them)."""
    return user.is_superuser or user.role in MAINTAINER_ROLES


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


def visible_people(user: User) -> QuerySet[Person]:
    """People in the user's subtree, the user's own file, the people and parties the user is
    paired with, and, for a handler, the staff of their department."""
    path = scope_path(user)
    condition = Q(pk__in=[]) if path is None else Q(org__path__startswith=path)
    if user.is_authenticated and user.person_id:
        condition |= Q(pk=user.person_id)
        condition |= Q(paired_with__person_id=user.person_id)
    if user.is_authenticated and user.role == Role.DEPARTMENT_HANDLER and user.department_id:
        condition |= Q(unit_id=user.department_id)
    if path == "":
        return Person.objects.all()
    return Person.objects.filter(pk__in=Person.objects.filter(condition).values("pk"))


def visible_pairings(user: User) -> QuerySet[Pairing]:
    """Pairings whose liaison side lies in the user's subtree, and the user's own."""
    path = scope_path(user)
    if path == "":
        return Pairing.objects.all()
    condition = Q(pk__in=[])
    if path is not None:
        condition |= Q(person__org__path__startswith=path) | Q(org__path__startswith=path)
    if user.is_authenticated and user.person_id:
        condition |= Q(person_id=user.person_id) | Q(target_person_id=user.person_id)
    return Pairing.objects.filter(condition)


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
