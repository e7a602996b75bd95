"""Test data: factory_boy factories and a small org world shared by the tests."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import factory

from liaison.constants import BranchType, OrgKind, PersonKind, Role, UnitKind
from liaison.models import OrgNode, Pairing, Person, Unit, User
from liaison.services.orgs import org_node_create

_codes = itertools.count(1)

PASSWORD = "pass-for-tests-1"


def make_org(
    parent: OrgNode | None,
    kind: str,
    name: str | None = None,
    branch_type: str = "",
    code: str | None = None,
) -> OrgNode:
    n = next(_codes)
    return org_node_create(
        actor=None,
        parent=parent,
        code=code or f"O{n:05d}",
        name=name or f"{OrgKind(kind).label} {n}",
        kind=kind,
        branch_type=branch_type,
    )


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"班组{n}")
    kind = UnitKind.TEAM


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    code = factory.Sequence(lambda n: f"P{n:06d}")
    name = factory.Sequence(lambda n: f"职工{n}")
    kind = PersonKind.EMPLOYEE


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    start_on = dt.date(2026, 1, 1)


def make_user(
    role: str,
    *,
    scope: OrgNode | None = None,
    person: Person | None = None,
    department: Unit | None = None,
    username: str | None = None,
    **extra,
) -> User:
    user = User.objects.create_user(
        username=username or f"u{next(_codes)}",
        password=PASSWORD,
        role=role,
        scope_org=scope,
        person=person,
        department=department,
        **extra,
    )
    return user


@dataclass
class World:
    """Company → two committees; committee A has a grassroots branch (with a group) and an
    office branch; committee B has one grassroots branch. One user for every role."""

    company: OrgNode
    committee_a: OrgNode
    committee_b: OrgNode
    branch_a: OrgNode
    group_a: OrgNode
    office_branch: OrgNode
    branch_b: OrgNode
    team_a: Unit
    team_b: Unit
    department: Unit
    member_a: Person
    member_b: Person
    special_a: Person
    customer_a: Person
    cadre_person: Person
    users: dict[str, User]


def build_world() -> World:
    company = make_org(None, OrgKind.COMPANY, "示范供电公司党委", code="C")
    committee_a = make_org(company, OrgKind.COMMITTEE, "运维检修党委", code="KA")
    committee_b = make_org(company, OrgKind.COMMITTEE, "营销服务党委", code="KB")
    branch_a = make_org(committee_a, OrgKind.BRANCH, "变电运维党支部", BranchType.GRASSROOTS, "BA")
    group_a = make_org(branch_a, OrgKind.GROUP, "第一党小组", code="GA")
    office_branch = make_org(committee_a, OrgKind.BRANCH, "机关第一党支部", BranchType.OFFICE, "BO")
    branch_b = make_org(
        committee_b, OrgKind.BRANCH, "城区供电所党支部", BranchType.GRASSROOTS, "BB"
    )
    team_a = UnitFactory(name="溪河变电站", kind=UnitKind.SUBSTATION, branch=branch_a)
    team_b = UnitFactory(name="城区供电所", kind=UnitKind.SUPPLY_OFFICE, branch=branch_b)
    department = UnitFactory(name="运维检修部", kind=UnitKind.DEPARTMENT, branch=office_branch)
    member_a = PersonFactory(
        name="张党员", org=group_a, unit=team_a, is_party_member=True, is_frontline=True
    )
    member_b = PersonFactory(name="李党员", org=branch_b, unit=team_b, is_party_member=True)
    special_a = PersonFactory(
        name="陈立强",
        org=branch_a,
        unit=team_a,
        is_special_needs=True,
        is_frontline=True,
        special_needs_note="家属患病",
    )
    customer_a = PersonFactory(name="新欣家具有限公司", kind=PersonKind.ENTERPRISE, org=branch_a)
    cadre_person = PersonFactory(
        name="姜干部", org=office_branch, unit=department, is_party_member=True
    )
    users = {
        Role.PARTY_BUILDING: make_user(Role.PARTY_BUILDING, scope=company, username="dj"),
        Role.ADMINISTRATOR: make_user(
            Role.ADMINISTRATOR, scope=company, username="admin", is_staff=True, is_superuser=True
        ),
        Role.COMMITTEE_STAFF: make_user(Role.COMMITTEE_STAFF, scope=committee_a, username="wy"),
        Role.BRANCH_SECRETARY: make_user(Role.BRANCH_SECRETARY, scope=branch_a, username="sj"),
        Role.LEADERSHIP_CADRE: make_user(Role.LEADERSHIP_CADRE, scope=committee_a, username="ld"),
        Role.OFFICE_CADRE: make_user(
            Role.OFFICE_CADRE, scope=office_branch, person=cadre_person, username="jg"
        ),
        Role.GRASSROOTS_CADRE: make_user(Role.GRASSROOTS_CADRE, scope=branch_a, username="jc"),
        Role.PARTY_MEMBER: make_user(
            Role.PARTY_MEMBER, scope=group_a, person=member_a, username="dy"
        ),
        Role.DEPARTMENT_HANDLER: make_user(
            Role.DEPARTMENT_HANDLER, department=department, username="bm"
        ),
    }
    return World(
        company,
        committee_a,
        committee_b,
        branch_a,
        group_a,
        office_branch,
        branch_b,
        team_a,
        team_b,
        department,
        member_a,
        member_b,
        special_a,
        customer_a,
        cadre_person,
        users,
    )


def make_entry(
    actor: User,
    *,
    org: OrgNode | None = None,
    informant: Person | None = None,
    kind: str = "problem",
    colour: str = "red",
    recorded_on: dt.date = dt.date(2026, 9, 24),
    title: str = "变压器增容",
    **extra,
):
    """Record an entry through the service, with the first seeded channel and service item."""
    from liaison.models import Channel, ServiceItem
    from liaison.services.entries import entry_record

    return entry_record(
        actor=actor,
        org=org or actor.scope_org,
        kind=kind,
        colour=colour,
        channel=Channel.objects.order_by("pk").first(),
        item=ServiceItem.objects.order_by("pk").first(),
        informant=informant or Person.objects.filter(org=org or actor.scope_org).first(),
        title=title,
        recorded_on=recorded_on,
        **extra,
    )
