"""`manage.py seed_demo`: every kind of thing, a working login per role, idempotent, to scale."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import override_settings
from django.utils import timezone

from liaison.constants import (
    FRONTLINE_UNIT_KINDS,
    BranchType,
    OrgKind,
    PairingKind,
    PersonKind,
    Role,
    UnitKind,
)
from liaison.models import AuditEvent, OrgNode, Pairing, Person, Unit, User
from liaison.selectors import pairing_statistics
from liaison.services.demo import DEMO_PASSWORD
from liaison.services.orgs import org_node_create

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    """Run the command as on a database meant for a demo (tests run with DEBUG off)."""
    out = StringIO()
    call_command("seed_demo", *args, "--yes", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in (OrgNode, Unit, Person, Pairing, User)
    }


def test_small_scale_has_every_kind_of_org_unit_person_and_pairing():
    seed("--scale", "small")

    assert set(OrgNode.objects.values_list("kind", flat=True)) == set(OrgKind.values)
    branch_types = OrgNode.objects.filter(kind=OrgKind.BRANCH).values_list("branch_type", flat=True)
    assert set(branch_types) == set(BranchType.values)
    assert set(Unit.objects.values_list("kind", flat=True)) == set(UnitKind.values)
    assert set(Person.objects.values_list("kind", flat=True)) == set(PersonKind.values)
    assert set(Pairing.objects.values_list("kind", flat=True)) == set(PairingKind.values)
    assert Person.objects.filter(is_party_member=True).count() >= 24
    special = Person.objects.filter(is_special_needs=True)
    assert special.exists()
    assert not special.filter(special_needs_note="").exists()
    assert Person.objects.filter(is_frontline=True).exists()
    external = Person.objects.exclude(kind=PersonKind.EMPLOYEE)
    assert not external.filter(Q(phone="") | Q(address="")).exists()
    assert external.exclude(kind=PersonKind.INDIVIDUAL).exclude(contact_person="").exists()
    today = timezone.localdate()
    ended = Pairing.objects.filter(end_on__lt=today).count()
    running = Pairing.objects.active_on(today).count()
    assert 0 < ended < running
    # Each branch's people sit in the branch or its groups; every unit is covered by a branch
    # whose type matches (departments by office branches, teams by grassroots branches).
    assert not Unit.objects.filter(kind=UnitKind.DEPARTMENT).exclude(
        branch__branch_type=BranchType.OFFICE
    )
    assert not Unit.objects.filter(kind__in=FRONTLINE_UNIT_KINDS).exclude(
        branch__branch_type=BranchType.GRASSROOTS
    )
    assert AuditEvent.objects.filter(object_type="seed_demo").count() == 1


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_demo_login_that_reaches_home(client, role):
    seed("--scale", "small")
    user = User.objects.get(role=role)
    user.full_clean()
    assert client.login(username=user.username, password=DEMO_PASSWORD)
    assert client.get("/").status_code == HTTPStatus.OK


def test_persona_logins_fit_their_roles():
    seed("--scale", "small")
    users = {u.role: u for u in User.objects.select_related("person", "scope_org", "department")}
    company = OrgNode.objects.get(code="DEMO")
    assert users[Role.PARTY_BUILDING].scope_org == company
    assert users[Role.PARTY_BUILDING].person.unit.name == "党建部"
    assert users[Role.COMMITTEE_STAFF].scope_org.kind == OrgKind.COMMITTEE
    secretary = users[Role.BRANCH_SECRETARY]
    assert secretary.scope_org.branch_type == BranchType.GRASSROOTS
    assert secretary.person.org == secretary.scope_org
    assert secretary.person.position == "党支部书记"
    assert users[Role.DEPARTMENT_HANDLER].department.name == "运维检修部"
    assert users[Role.ADMINISTRATOR].is_superuser and users[Role.ADMINISTRATOR].is_staff
    own_pairing = {
        Role.LEADERSHIP_CADRE: PairingKind.LEADER_CONTACT,
        Role.BRANCH_SECRETARY: PairingKind.SECRETARY_SPECIAL_NEEDS,
        Role.OFFICE_CADRE: PairingKind.OFFICE_CADRE_FRONTLINE,
        Role.GRASSROOTS_CADRE: PairingKind.CADRE_TEAM,
        Role.PARTY_MEMBER: PairingKind.MEMBER_SERVED,
    }
    for role, kind in own_pairing.items():
        assert Pairing.objects.filter(kind=kind, person=users[role].person).exists(), role
    assert users[Role.OFFICE_CADRE].scope_org.branch_type == BranchType.OFFICE
    assert users[Role.OFFICE_CADRE].person.org.path.startswith(
        users[Role.OFFICE_CADRE].scope_org.path
    )
    names = [u.first_name for u in users.values()]
    assert all(names) and len(set(names)) == len(names)
    # The same names on every machine and run (no hash- or clock-seeded randomness): the README
    # lists them.
    assert (secretary.first_name, users[Role.PARTY_BUILDING].first_name) == ("吴伟学", "何杰芳")


def test_running_twice_changes_nothing_and_resets_the_logins():
    seed("--scale", "small")
    before = counts()
    shuji = User.objects.get(username="shuji")
    shuji.set_password("changed-by-someone")
    shuji.role = Role.PARTY_MEMBER
    shuji.save()

    out = seed("--scale", "small")

    assert counts() == before
    assert "0 created" in out
    shuji.refresh_from_db()
    assert shuji.role == Role.BRANCH_SECRETARY
    assert shuji.check_password(DEMO_PASSWORD)


def test_print_logins_prints_the_table_without_writing_when_seeded():
    seed("--scale", "small")
    before = counts()
    audit_rows = AuditEvent.objects.count()

    out = seed("--print-logins")

    assert counts() == before
    assert AuditEvent.objects.count() == audit_rows
    assert DEMO_PASSWORD in out
    for user in User.objects.all():
        assert user.username in out
        assert user.first_name in out


def test_print_logins_seeds_an_empty_database_first():
    out = seed("--print-logins")
    assert OrgNode.objects.filter(code="DEMO").exists()
    assert User.objects.count() == len(Role)
    assert "dangjian" in out and DEMO_PASSWORD in out


def test_refuses_a_database_that_holds_another_company():
    org_node_create(actor=None, parent=None, code="REAL", name="某供电公司党委", kind="company")
    with pytest.raises(CommandError, match="REAL"):
        seed("--scale", "small")
    assert counts() == {"OrgNode": 1, "Unit": 0, "Person": 0, "Pairing": 0, "User": 0}


def test_province_scale_meets_the_jilin_counts_and_is_a_superset_of_small():
    seed("--scale", "small")
    small_people = set(Person.objects.values_list("code", flat=True))

    seed("--scale", "province")

    orgs = dict(OrgNode.objects.order_by().values_list("kind").annotate(n=Count("pk")))
    assert orgs[OrgKind.COMPANY] == 1
    assert orgs[OrgKind.COMMITTEE] == 15
    assert orgs[OrgKind.GENERAL_BRANCH] == 2
    assert orgs[OrgKind.BRANCH] == 122
    assert Person.objects.filter(is_party_member=True).count() >= 2000
    assert Unit.objects.filter(kind__in=FRONTLINE_UNIT_KINDS).count() >= 300
    assert small_people <= set(Person.objects.values_list("code", flat=True))
    stats = {s.kind: s for s in pairing_statistics(pairings=Pairing.objects.all())}
    cadres = stats[PairingKind.CADRE_TEAM]
    assert (cadres.subjects, cadres.targets) == (216, 310)
    office = stats[PairingKind.OFFICE_CADRE_FRONTLINE]
    assert (office.subjects, office.targets) == (217, 218)
    secretaries = stats[PairingKind.SECRETARY_SPECIAL_NEEDS]
    assert (secretaries.subjects, secretaries.targets) == (197, 197)
    assert "216 grassroots cadres linked 310 teams and stations" in seed("--scale", "province")

    before = counts()
    seed("--scale", "small")
    assert counts() == before


def test_refuses_without_debug_unless_told_yes():
    with pytest.raises(CommandError, match="--yes"):
        call_command("seed_demo", stdout=StringIO())
    assert counts() == {"OrgNode": 0, "Unit": 0, "Person": 0, "Pairing": 0, "User": 0}
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    # Printing the logins of a demo already there writes nothing: no --yes needed.
    out = StringIO()
    call_command("seed_demo", "--print-logins", stdout=out)
    assert "dangjian" in out.getvalue()


def test_never_takes_over_a_real_administrator():
    real = User.objects.create_superuser("admin", password="a-real-secret-42")
    with pytest.raises(CommandError, match="admin"):
        seed("--scale", "small")
    assert counts() == {"OrgNode": 0, "Unit": 0, "Person": 0, "Pairing": 0, "User": 1}
    real.refresh_from_db()
    assert real.check_password("a-real-secret-42")


def test_never_takes_over_an_account_whose_person_is_not_a_demo_person():
    seed("--scale", "small")
    shuji = User.objects.get(username="shuji")
    shuji.person = Person.objects.create(
        code="ZG-0001", name="王建国", kind=PersonKind.EMPLOYEE, org=shuji.scope_org
    )
    shuji.set_password("a-real-secret-42")
    shuji.save()
    with pytest.raises(CommandError, match="shuji"):
        seed("--scale", "small")
    shuji.refresh_from_db()
    assert shuji.check_password("a-real-secret-42")
    assert shuji.person.code == "ZG-0001"
