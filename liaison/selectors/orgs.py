"""Every read of the org tree, people and pairings, scoped to the user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import (
    CharField,
    Count,
    DateField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.prepared import Param, PreparedQuery
from liaison import permissions
from liaison.constants import (
    CREATED,
    FRONTLINE_UNIT_KINDS,
    PAIRING_COUNT_NOUNS,
    PHASE_APPLYING,
    UPDATED,
    OrgKind,
    PairingKind,
    PersonKind,
    UnitKind,
)
from liaison.filters import PairingFilter, PersonFilter
from liaison.models import (
    ImportJob,
    OrgNode,
    Pairing,
    Person,
    Unit,
    User,
    active_on_q,
    in_subtree,
    pairings_in_subtree_q,
)
from liaison.selectors.visits import (
    FILE_LIST_LIMIT,
    person_entries,
    person_visits,
    unit_entries,
    unit_visits,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass
class TreeRow:
    node: OrgNode
    level: int
    member_count: int
    subtree_member_count: int = 0
    unit_count: int = 0
    children: list[TreeRow] = field(default_factory=list)


def org_tree(*, user: User) -> list[TreeRow]:
    """Return the user's visible subtree as nested rows with member and unit counts.

    Three queries whatever the size: nodes, members per node, units per node.
    """
    nodes = list(permissions.visible_orgs(user).filter(is_active=True).order_by("path"))
    if not nodes:
        return []
    ids = [n.pk for n in nodes]
    members = dict(
        Person.objects.filter(org_id__in=ids, is_party_member=True, is_active=True)
        .values_list("org_id")
        .annotate(n=Count("pk"))
    )
    units = dict(
        Unit.objects.filter(branch_id__in=ids, is_active=True)
        .values_list("branch_id")
        .annotate(n=Count("pk"))
    )
    top_depth = nodes[0].depth
    rows: dict[str, TreeRow] = {}
    roots: list[TreeRow] = []
    for node in nodes:
        row = TreeRow(
            node=node,
            level=node.depth - top_depth,
            member_count=members.get(node.pk, 0),
            unit_count=units.get(node.pk, 0),
        )
        rows[node.path] = row
        parent = rows.get(node.path[: -OrgNode.steplen])
        (parent.children if parent else roots).append(row)
    for row in reversed(list(rows.values())):  # children before parents: sum bottom-up
        row.subtree_member_count = row.member_count + sum(
            c.subtree_member_count for c in row.children
        )
    return roots


def org_detail(*, user: User, node: OrgNode) -> dict:
    """Return what the org page shows: ancestors, children, units and the members here."""
    ancestors = list(OrgNode.objects.get_ancestors(node)) if node.depth > 1 else []
    children = list(
        OrgNode.objects.get_children(node)
        .filter(is_active=True)
        .annotate(
            member_count=Coalesce(
                Subquery(
                    Person.objects.filter(
                        org__path__startswith=OuterRef("path"),
                        is_party_member=True,
                        is_active=True,
                    )
                    .order_by()
                    .values(dummy=Value(1))
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            )
        )
    )
    units = list(node.units.filter(is_active=True).order_by("kind", "code"))
    return {"ancestors": ancestors, "children": children, "units": units}


def person_list(
    *, user: User, filters: dict | None = None, within: OrgNode | None = None
) -> PersonFilter:
    """Return the bound filter over the people the user may see (in `within`'s subtree)."""
    queryset = permissions.visible_people(user).select_related("org", "unit")
    if within is not None:
        queryset = queryset.filter(org__path__startswith=within.path)
    return PersonFilter(filters, queryset=queryset, user=user)


PAIRING_SIDES = ("person__org", "org", "target_person__org", "target_unit__branch", "target_org")


def person_file(*, user: User, person: Person) -> dict:
    """Return the file (一人一档, R10) of a person or party: the pairings on either side, the
    visits to them and the entries they raised or concern, as far as the user may see; the
    newest visits and entries, with how many there are in all (a fixed number of queries)."""
    pairings = permissions.visible_pairings(user).select_related(*PAIRING_SIDES)
    visits = person_visits(user=user, person=person)
    entries = person_entries(user=user, person=person)
    return {
        "as_liaison": list(pairings.filter(person=person)),
        "as_target": list(pairings.filter(target_person=person)),
        "visits": visits,
        "visit_total": visits[0].total if visits else 0,
        "entries": entries,
        "entry_total": entries[0].total if entries else 0,
        "can_see": permissions.Visibility.of(user),
    }


def unit_file(*, user: User, unit: Unit) -> dict:
    """Return the file (一单位一档, R10) of a team, station or department: the pairings that
    link someone with it, the visits to it, the entries about it (the unit concerned, raised by
    its staff, or heard on a visit to it), its staff on file and its sub-units, as far as the
    user may see; newest first, with the totals (a fixed number of queries)."""
    pairings = permissions.visible_pairings(user).select_related(*PAIRING_SIDES)
    visits = unit_visits(user=user, unit=unit)
    entries = unit_entries(user=user, unit=unit)
    staff = list(
        permissions.visible_people(user)
        .filter(unit=unit, is_active=True)
        .order_by("name", "pk")[: FILE_LIST_LIMIT + 1]
    )
    return {
        "pairings": list(pairings.filter(target_unit=unit)),
        "visits": visits,
        "visit_total": visits[0].total if visits else 0,
        "entries": entries,
        "entry_total": entries[0].total if entries else 0,
        "staff": staff[:FILE_LIST_LIMIT],
        "more_staff": len(staff) > FILE_LIST_LIMIT,
        "sub_units": list(
            permissions.visible_units(user)
            .filter(parent=unit, is_active=True)
            .select_related("branch")
            .order_by("kind", "code")
        ),
        "can_see": permissions.Visibility.of(user),
    }


def pairing_list(*, user: User, filters: dict | None = None) -> PairingFilter:
    queryset = permissions.visible_pairings(user).select_related(*PAIRING_SIDES)
    return PairingFilter(filters, queryset=queryset, user=user)


@dataclass
class PairingStat:
    """One kind's count. The label and nouns stay lazy: they are translated where they are
    shown (seed_demo prints them in English)."""

    kind: str
    label: StrPromise
    subjects: int
    targets: int
    subject_noun: StrPromise
    target_noun: StrPromise
    pairings: int


def _pairing_counts(pairings: QuerySet[Pairing]) -> QuerySet:
    """The pairings' counts per kind: pairings, and the distinct people, units and branches
    on each side (one grouped query)."""
    return (
        pairings.order_by()
        .values("kind")
        .annotate(
            n=Count("pk"),
            subject_people=Count("person", distinct=True),
            subject_orgs=Count("org", distinct=True),
            target_people=Count("target_person", distinct=True),
            target_units=Count("target_unit", distinct=True),
            target_orgs=Count("target_org", distinct=True),
        )
    )


def _pairing_stats(rows: Iterable[dict[str, Any]]) -> list[PairingStat]:
    """Every kind's PairingStat, from the rows of _pairing_counts (a kind with none: zeros)."""
    grouped = {row["kind"]: row for row in rows}
    stats = []
    for kind in PairingKind:
        row = grouped.get(kind.value)
        subject_noun, target_noun = PAIRING_COUNT_NOUNS[kind]
        stats.append(
            PairingStat(
                kind=kind.value,
                label=kind.label,
                subjects=(row["subject_people"] + row["subject_orgs"]) if row else 0,
                targets=(row["target_people"] + row["target_units"] + row["target_orgs"])
                if row
                else 0,
                subject_noun=subject_noun,
                target_noun=target_noun,
                pairings=row["n"] if row else 0,
            )
        )
    return stats


def pairing_statistics(
    *, pairings: QuerySet[Pairing], day: dt.date | None = None
) -> list[PairingStat]:
    """Count pairings running on `day` as the Jilin article does: "216 cadres linked 307 teams".

    One grouped query over the given (already scoped and filtered) pairings.
    """
    day = day or timezone.localdate()
    return _pairing_stats(_pairing_counts(pairings.filter(active_on_q(day))))


# The counts of the pairings running on a day in a subtree, and in the whole company, built and
# compiled once (common.prepared): the dashboards read them on every request, and the subtree's
# five conditions cost three times their SQL to build and compile.
_DAY = Param("day", DateField())
_SUBTREE_COUNTS = PreparedQuery(
    lambda: _pairing_counts(
        Pairing.objects.filter(pairings_in_subtree_q(Param("path", CharField()))).filter(
            active_on_q(_DAY)
        )
    )
)
_COMPANY_COUNTS = PreparedQuery(lambda: _pairing_counts(Pairing.objects.filter(active_on_q(_DAY))))


def subtree_pairing_statistics(*, node: OrgNode, day: dt.date) -> list[PairingStat]:
    """pairing_statistics of the pairings with a side in the node's subtree (at the top: every
    pairing) running on `day`: one prepared query."""
    if node.depth > 1:
        return _pairing_stats(_SUBTREE_COUNTS.rows(path=node.path, day=day))
    return _pairing_stats(_COMPANY_COUNTS.rows(day=day))


@dataclass
class HomeSummary:
    scope: OrgNode | None
    committees: int = 0
    general_branches: int = 0
    branches: int = 0
    groups: int = 0
    members: int = 0
    employees: int = 0
    external_parties: int = 0
    teams: int = 0
    departments: int = 0
    special_needs: list[Person] = field(default_factory=list)
    my_pairings: list[Pairing] = field(default_factory=list)
    pairing_stats: list[PairingStat] = field(default_factory=list)
    department: Unit | None = None
    department_staff: list[Person] = field(default_factory=list)
    can_see: permissions.Visibility | None = None


HOME_LIST_LIMIT = 10


def home_scope(*, user: User) -> OrgNode | None:
    """The org node the user's scope is (the company's root for the whole company), or None."""
    path = permissions.scope_path(user)
    if path == "":
        return OrgNode.objects.get_first_root_node()
    return user.scope_org if path is not None else None


def home_summary(*, user: User) -> HomeSummary:
    """Return the user's scope in figures, their pairings and their department, as the home
    page's second part shows them (a fixed set of queries)."""
    path = permissions.scope_path(user)
    summary = HomeSummary(scope=home_scope(user=user), can_see=permissions.Visibility.of(user))
    if path is not None:
        orgs = OrgNode.objects.filter(path__startswith=path, is_active=True)
        by_kind = dict(orgs.order_by().values_list("kind").annotate(n=Count("pk")))
        summary.committees = by_kind.get(OrgKind.COMMITTEE, 0)
        summary.general_branches = by_kind.get(OrgKind.GENERAL_BRANCH, 0)
        summary.branches = by_kind.get(OrgKind.BRANCH, 0)
        summary.groups = by_kind.get(OrgKind.GROUP, 0)
        # The scope's people and units by their org's id (the whole company: no condition).
        in_scope = in_subtree("org_id", path) if path else Q()
        branch_in_scope = in_subtree("branch_id", path) if path else Q()
        people = Person.objects.filter(in_scope, is_active=True).aggregate(
            members=Count("pk", filter=Q(is_party_member=True)),
            employees=Count("pk", filter=Q(kind=PersonKind.EMPLOYEE)),
            external=Count("pk", filter=~Q(kind=PersonKind.EMPLOYEE)),
        )
        summary.members = people["members"]
        summary.employees = people["employees"]
        summary.external_parties = people["external"]
        units = Unit.objects.filter(branch_in_scope, is_active=True).aggregate(
            teams=Count("pk", filter=Q(kind__in=FRONTLINE_UNIT_KINDS)),
            departments=Count("pk", filter=Q(kind=UnitKind.DEPARTMENT)),
        )
        summary.teams = units["teams"]
        summary.departments = units["departments"]
        summary.special_needs = list(
            Person.objects.filter(in_scope, is_special_needs=True, is_active=True).select_related(
                "org", "unit"
            )[:HOME_LIST_LIMIT]
        )
        summary.pairing_stats = pairing_statistics(pairings=permissions.visible_pairings(user))
    if user.person_id:
        summary.my_pairings = list(
            Pairing.objects.active_on(timezone.localdate())
            .filter(person_id=user.person_id)
            .select_related("target_person__org", "target_unit__branch", "target_org")
            .order_by("kind", "pk")[:HOME_LIST_LIMIT]
        )
    if user.department_id:
        summary.department = user.department
        summary.department_staff = list(
            Person.objects.filter(unit_id=user.department_id, is_active=True).select_related("org")[
                :HOME_LIST_LIMIT
            ]
        )
    return summary


# -- Excel imports ------------------------------------------------------------------------------


def import_job_list(*, user: User, limit: int = 20) -> QuerySet[ImportJob]:
    """Return the user's most recent import jobs, without their workbooks."""
    return ImportJob.objects.filter(uploaded_by=user).defer("content")[:limit]


@dataclass
class JobView:
    job: ImportJob
    can_apply: bool
    applying: bool
    counts: list[dict]
    changes: int
    applied_job: int | None
    checked_job: int | None


def import_job_view(*, job: ImportJob) -> JobView:
    """Return what the job page shows besides the job itself."""
    counts = job.summary.get("counts", [])
    return JobView(
        job=job,
        can_apply=job.can_apply,
        applying=job.summary.get("phase") == PHASE_APPLYING,
        counts=counts,
        changes=sum(line[CREATED] + line[UPDATED] for line in counts),
        applied_job=job.summary.get("applied_job"),
        checked_job=job.summary.get("checked_job"),
    )
