"""Write the demo company to the database: what is missing, by code; then reset the logins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q

from demo.knowledge import demo_seed_knowledge, demo_template_count
from demo.plan import CODE_PREFIX, ROOT_CODE, demo_plan
from demo.specs import DemoPlan, Persona
from liaison.constants import NO_LEDGER_ROLES, PAIRING_SHAPES, PairingShape, Role
from liaison.models import AuditEvent, OrgNode, Pairing, Person, Unit, User
from liaison.selectors import PairingStat, pairing_statistics
from liaison.services.accounts import user_grant_master_data
from liaison.services.audit import audit_record
from liaison.services.orgs import org_node_create
from liaison.services.pairings import pairing_build

DEMO_PASSWORD = "demo12345"
SCALES = ("small", "province")
ADMIN_NAMES = {
    Role.ADMINISTRATOR: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDIT_ADMIN: "审计管理员",
}
BATCH_SIZE = 500


class DemoSeedError(Exception):
    """The demo cannot be loaded into this database."""


@dataclass
class DemoSeedResult:
    scale: str
    created: dict[str, int]
    totals: dict[str, int]
    pairing_stats: list[PairingStat] = field(default_factory=list)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    name: str
    scope: str


@transaction.atomic
def demo_seed(*, scale: str) -> DemoSeedResult:
    """Create what is missing of the demo company at `scale` and reset the demo logins."""
    if scale not in SCALES:
        raise DemoSeedError(f"Unknown scale {scale!r}: choose one of {', '.join(SCALES)}.")
    root = OrgNode.objects.get_first_root_node()
    if root is not None and root.code != ROOT_CODE:
        raise DemoSeedError(
            f"The org tree already has a company at the top ({root.name}, code {root.code}); "
            f"seed_demo only fills an empty tree or its own demo company (code {ROOT_CODE})."
        )
    full = demo_plan()
    foreign = _foreign_accounts(full.personas)
    if foreign:
        raise DemoSeedError(
            f"Accounts named {', '.join(foreign)} exist and are not demo accounts; seed_demo "
            "would reset their passwords, so it does not take them over. Rename them or use "
            "another database."
        )
    plan = full.select(scale)
    before = _counts()
    orgs = _create_orgs(plan)
    units = _create_units(plan, orgs)
    people = _create_people(plan, orgs, units)
    _create_pairings(plan, orgs, units, people)
    _reset_logins(full.personas, orgs, units, people)
    demo_seed_knowledge()
    totals = _counts()
    created = {name: totals[name] - before[name] for name in totals}
    audit_record(
        actor=None,
        action=AuditEvent.Action.CREATED,
        object_type="seed_demo",
        summary=f"seed_demo --scale {scale}: "
        + ", ".join(f"{n} {name}" for name, n in created.items()),
        data={"scale": scale, "created": created},
    )
    return DemoSeedResult(
        scale=scale,
        created=created,
        totals=totals,
        pairing_stats=pairing_statistics(pairings=_demo_pairings()),
    )


def demo_is_seeded() -> bool:
    """Return whether the demo company and every demo login exist."""
    usernames = [p.username for p in demo_plan().personas]
    return OrgNode.objects.filter(code=ROOT_CODE).exists() and User.objects.filter(
        username__in=usernames
    ).count() == len(usernames)


def demo_logins() -> list[DemoLogin]:
    """Return the demo logins that exist, one per persona, in the order of the roles."""
    personas = demo_plan().personas
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[p.username for p in personas]).select_related(
            "scope_org", "department"
        )
    }
    logins = []
    for persona in personas:
        user = users.get(persona.username)
        if user is None:
            continue
        scope = user.scope_org or user.department
        logins.append(
            DemoLogin(
                username=user.username,
                role=user.role,
                name=user.first_name,
                scope=scope.name if scope else "",
            )
        )
    return logins


def _foreign_accounts(personas: tuple[Persona, ...]) -> list[str]:
    """Return the names of the accounts that have a demo login's username but are not demo logins.

    A demo login is linked to a demo person; the system administrator, who has no person, is
    scoped to the demo company; the security and audit administrators, who have neither, carry
    the demo's name for their role.
    """
    users = User.objects.filter(username__in=[p.username for p in personas]).select_related(
        "person", "scope_org"
    )
    return sorted(user.username for user in users if not _is_demo_account(user))


def _is_demo_account(user: User) -> bool:
    if user.person is not None:
        return user.person.code.startswith(CODE_PREFIX)
    if user.role in NO_LEDGER_ROLES:
        return user.scope_org is None and user.first_name == ADMIN_NAMES[user.role]
    return user.scope_org is not None and user.scope_org.code == ROOT_CODE


def _demo_pairings():
    return Pairing.objects.filter(
        Q(person__code__startswith=CODE_PREFIX) | Q(org__code__startswith=CODE_PREFIX)
    )


def _counts() -> dict[str, int]:
    usernames = [p.username for p in demo_plan().personas]
    return {
        "org nodes": OrgNode.objects.filter(
            Q(code=ROOT_CODE) | Q(code__startswith=CODE_PREFIX)
        ).count(),
        "units": Unit.objects.filter(code__startswith=CODE_PREFIX).count(),
        "people": Person.objects.filter(code__startswith=CODE_PREFIX).count(),
        "pairings": _demo_pairings().count(),
        "users": User.objects.filter(username__in=usernames).count(),
        "templates": demo_template_count(),
    }


def _create_orgs(plan: DemoPlan) -> dict[str, OrgNode]:
    """Add the missing nodes one by one (treebeard computes the paths); parents come first."""
    nodes = {
        n.code: n
        for n in OrgNode.objects.filter(Q(code=ROOT_CODE) | Q(code__startswith=CODE_PREFIX))
    }
    for spec in plan.orgs:
        if spec.code in nodes:
            continue
        nodes[spec.code] = org_node_create(
            actor=None,
            parent=nodes[spec.parent] if spec.parent else None,
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            branch_type=spec.branch_type,
        )
    return nodes


def _create_units(plan: DemoPlan, orgs: dict[str, OrgNode]) -> dict[str, Unit]:
    existing = set(Unit.objects.filter(code__startswith=CODE_PREFIX).values_list("code", flat=True))
    new = [
        Unit(code=s.code, name=s.name, kind=s.kind, branch_id=orgs[s.branch].pk)
        for s in plan.units
        if s.code not in existing
    ]
    Unit.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return {
        u.code: u
        for u in Unit.objects.filter(code__startswith=CODE_PREFIX).only("id", "code", "kind")
    }


def _create_people(
    plan: DemoPlan, orgs: dict[str, OrgNode], units: dict[str, Unit]
) -> dict[str, Person]:
    existing = set(
        Person.objects.filter(code__startswith=CODE_PREFIX).values_list("code", flat=True)
    )
    new = []
    for s in plan.people:
        if s.code in existing:
            continue
        person = Person(
            code=s.code,
            name=s.name,
            kind=s.kind,
            org_id=orgs[s.org].pk,
            unit_id=units[s.unit].pk if s.unit else None,
            position=s.position,
            is_party_member=s.is_party_member,
            is_frontline=s.is_frontline,
            is_special_needs=s.is_special_needs,
            special_needs_note=s.special_needs_note,
            contact_person=s.contact_person,
            phone=s.phone,
            address=s.address,
            note=s.note,
        )
        person.clean()  # the model's own rule (only employees carry employee flags); no queries
        new.append(person)
    Person.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
    # pairing_build reads the kind and flags of each side: load them, or it would query per side.
    fields = ("id", "code", "name", "kind", "is_party_member", "is_frontline", "is_special_needs")
    return {p.code: p for p in Person.objects.filter(code__startswith=CODE_PREFIX).only(*fields)}


_KEY_COLUMNS = (
    "kind",
    "person_id",
    "org_id",
    "target_person_id",
    "target_unit_id",
    "target_org_id",
)
_SUBJECT_INDEX = {PairingShape.PERSON: 1, PairingShape.ORG: 2}
_TARGET_INDEX = {PairingShape.PERSON: 3, PairingShape.UNIT: 4, PairingShape.ORG: 5}


def _pairing_key(kind: str, subject_pk: int, target_pk: int, start_on: dt.date) -> tuple:
    subject_shape, target_shape = PAIRING_SHAPES[kind]
    key: list = [kind, None, None, None, None, None, start_on]
    key[_SUBJECT_INDEX[subject_shape]] = subject_pk
    key[_TARGET_INDEX[target_shape]] = target_pk
    return tuple(key)


def _create_pairings(
    plan: DemoPlan,
    orgs: dict[str, OrgNode],
    units: dict[str, Unit],
    people: dict[str, Person],
) -> None:
    """Validate each missing pairing with pairing_build, then insert them in batches."""
    sides = {PairingShape.PERSON: people, PairingShape.UNIT: units, PairingShape.ORG: orgs}
    existing = set(_demo_pairings().values_list(*_KEY_COLUMNS, "start_on"))
    new = []
    for spec in plan.pairings:
        subject_shape, target_shape = PAIRING_SHAPES[spec.kind]
        subject = sides[subject_shape][spec.subject]
        target = sides[target_shape][spec.target]
        key = _pairing_key(spec.kind, subject.pk, target.pk, spec.start_on)
        if key in existing:
            continue
        existing.add(key)
        new.append(
            pairing_build(
                kind=spec.kind,
                subject=subject,
                target=target,
                start_on=spec.start_on,
                end_on=spec.end_on,
                note=spec.note,
            )
        )
    Pairing.objects.bulk_create(new, batch_size=BATCH_SIZE)


def _reset_logins(
    personas: tuple[Persona, ...],
    orgs: dict[str, OrgNode],
    units: dict[str, Unit],
    people: dict[str, Person],
) -> None:
    """Create or reset one login per persona; all share DEMO_PASSWORD (hashed once)."""
    password = make_password(DEMO_PASSWORD)
    existing = {
        u.username: u for u in User.objects.filter(username__in=[p.username for p in personas])
    }
    for persona in personas:
        user = existing.get(persona.username) or User(username=persona.username)
        person = people[persona.person] if persona.person else None
        user.first_name = person.name if person else ADMIN_NAMES.get(persona.role, "")
        user.role = persona.role
        user.person = person
        user.scope_org = orgs[persona.scope] if persona.scope else None
        user.department = units[persona.department] if persona.department else None
        # The Django admin for the system and security administrators, each for their own
        # part (liaison.admin.orgs.UserAdmin); no demo login is a superuser (三员分立).
        user.is_staff = persona.role in (Role.ADMINISTRATOR, Role.SECURITY_ADMIN)
        user.is_superuser = False
        user.is_active = True
        user.password = password
        user.full_clean()
        user.save()
        if persona.role in (Role.PARTY_BUILDING, Role.ADMINISTRATOR):
            user_grant_master_data(user=user)
