"""`manage.py seed_demo`: every kind of thing, a working login per role, idempotent, to scale."""

import datetime as dt
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Min, Q
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from demo.entries import EntrySeedError, demo_seed_entries
from demo.open_work import EMAIL_DOMAIN
from demo.seed import DEMO_PASSWORD
from feedback.constants import Satisfaction
from feedback.models import Rating, RatingLink
from feedback.periods import Period
from feedback.selectors.figures import figures
from feedback.services.rollups import rollups_rebuild
from liaison.constants import (
    AWAITING_REPLY_STATUSES,
    FRONTLINE_UNIT_KINDS,
    BranchType,
    ClosedReason,
    Colour,
    EntryKind,
    EntryStatus,
    EventKind,
    Level,
    OrgKind,
    PairingKind,
    PersonKind,
    Role,
    UnitKind,
)
from liaison.models import (
    AuditEvent,
    Entry,
    EntryEvent,
    OrgNode,
    Pairing,
    Person,
    ServiceItem,
    Supervision,
    Unit,
    User,
    Visit,
)
from liaison.permissions import RECORDER_ROLES
from liaison.selectors import pairing_statistics
from liaison.services.orgs import org_node_create
from liaison.services.workflow import TRANSITIONS
from tests.fixtures.logins import login_through_page

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


def demo_login(client, username: str) -> None:
    login_through_page(client, username, DEMO_PASSWORD)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_demo_login_that_reaches_home(client, role):
    seed("--scale", "small")
    user = User.objects.get(role=role)
    user.full_clean()
    demo_login(client, user.username)
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
    # 三员分立: no demo login is a superuser; the system and security administrators have the
    # Django admin (each for their own part), the audit administrator has not.
    assert not any(user.is_superuser for user in users.values())
    assert users[Role.ADMINISTRATOR].is_staff and users[Role.SECURITY_ADMIN].is_staff
    assert not users[Role.AUDIT_ADMIN].is_staff
    assert users[Role.SECURITY_ADMIN].scope_org is None
    assert users[Role.AUDIT_ADMIN].scope_org is None
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
    assert User.objects.filter(username="admin", is_staff=True).exists()
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


# -- seed_demo --entries --------------------------------------------------------------------

SEED_DAY = dt.date(2026, 11, 20)


@pytest.fixture
def ledger_seeded():
    """The small company with 600 entries as on SEED_DAY."""
    seed("--scale", "small")
    return demo_seed_entries(count=600, today=SEED_DAY)


def test_entries_cover_every_state_colour_kind_and_level(ledger_seeded):
    entries = Entry.objects.all()
    assert entries.count() == ledger_seeded.total == 600
    assert set(entries.values_list("status", flat=True)) == set(EntryStatus.values)
    assert set(entries.values_list("kind", flat=True)) == set(EntryKind.values)
    assert set(entries.values_list("colour", flat=True)) == {*Colour.values, ""}
    assert set(entries.values_list("level", flat=True)) == set(Level.values)
    closed = entries.filter(status=EntryStatus.CLOSED).values_list("closed_reason", flat=True)
    assert set(closed) == set(ClosedReason.values)
    assert set(entries.values_list("replied_on_time", flat=True)) == {True, False, None}
    assert entries.filter(reopen_count__gte=1).exists()  # rated unsatisfied, reopened
    assert entries.filter(is_overdue=True, status__in=AWAITING_REPLY_STATUSES).exists()
    assert entries.filter(department__kind=UnitKind.DEPARTMENT).exists()
    assert entries.filter(duplicate_of__isnull=False).exists()
    assert set(Rating.objects.values_list("value", flat=True)) == set(Satisfaction.values)
    assert Rating.objects.filter(round=1).exists()
    assert {EventKind.REOPENED, EventKind.OVERDUE, EventKind.PROGRESS_NOTE} <= set(
        EntryEvent.objects.values_list("kind", flat=True)
    )
    assert len(set(Visit.objects.values_list("place_type", flat=True))) >= 4
    assert entries.filter(visit__isnull=False).count() > 300
    dates = entries.aggregate(first=Min("recorded_on"), last=Max("recorded_on"))
    assert SEED_DAY - dt.timedelta(days=366) <= dates["first"] < SEED_DAY - dt.timedelta(days=300)
    assert SEED_DAY - dt.timedelta(days=30) < dates["last"] <= SEED_DAY


def test_the_demo_takes_every_action_of_the_transition_table(ledger_seeded):
    """A new action in the workflow fails here until the demo's lifecycle takes it too, and every
    status change the demo writes is one the table allows."""
    kinds = set(EntryEvent.objects.values_list("kind", flat=True))
    assert {action for action, rule in TRANSITIONS.items() if rule.event not in kinds} == set()
    allowed = {
        (rule.event, source, rule.target or source)
        for rule in TRANSITIONS.values()
        for source in rule.sources | rule.basic_sources
    }
    steps = {
        (kind, before["status"], after["status"])
        for kind, before, after in EntryEvent.objects.values_list("kind", "before", "after")
        if "status" in before
    }
    assert steps and steps - allowed == set()


def test_seeded_entries_are_consistent(ledger_seeded):
    entries = Entry.objects.all()
    transferred = entries.filter(events__kind=EventKind.TRANSFERRED)
    assert transferred.exists()
    assert not entries.exclude(owner=F("recorded_by")).exclude(pk__in=transferred).exists()
    assert not transferred.filter(owner=F("recorded_by")).exists()
    assert (
        not entries.filter(events__kind=EventKind.RECORDED)
        .values("pk")
        .annotate(n=Count("pk"))
        .exclude(n=1)
    )
    assert entries.filter(events__kind=EventKind.RECORDED).distinct().count() == 600
    replied = entries.filter(replied_at__isnull=False)
    assert not replied.filter(replied_on_time__isnull=True).exists()
    # As the workflow makes it with the reply: each reply awaiting its rating has its link.
    awaiting = entries.filter(status=EntryStatus.REPLIED)
    linked = RatingLink.objects.filter(
        entry__in=awaiting, round=F("entry__reopen_count"), revoked_at__isnull=True
    )
    assert awaiting.exists() and linked.count() == awaiting.count()
    assert not replied.filter(reply_text="").exists()
    rated = entries.filter(closed_reason=ClosedReason.RATED)
    assert rated.count() == rated.filter(ratings__isnull=False).distinct().count()
    assert not entries.filter(status=EntryStatus.REFERRED, department__isnull=True).exists()
    assert not entries.filter(kind=EntryKind.BASIC).exclude(status=EntryStatus.CLOSED).exists()
    # R6: flagged only when awaiting a reply and past due before the sweep of SEED_DAY's night.
    assert not entries.filter(is_overdue=True).exclude(status__in=AWAITING_REPLY_STATUSES)
    assert not entries.filter(is_overdue=True, due_on__gte=SEED_DAY - dt.timedelta(days=1))
    numbers = list(entries.values_list("number", flat=True))
    assert all(number.startswith("DEMO-202") for number in numbers)
    for entry in entries.order_by("?")[:25]:
        entry.full_clean()
    # Every recorder is a login whose role records entries, in the scope of the entry's ledger.
    owners = User.objects.filter(entries_owned__isnull=False).distinct().select_related("scope_org")
    assert {user.role for user in owners} <= set(RECORDER_ROLES)
    for entry in entries.select_related("org", "owner__scope_org")[:100]:
        assert entry.org.path.startswith(entry.owner.scope_org.path) or (
            entry.owner.scope_org.path.startswith(entry.org.path)
        )


def test_entries_are_inserted_in_bulk(django_assert_max_num_queries):
    seed("--scale", "small")
    # 40 for the bulk load whatever the count; 50 for the few related entries and duplicates
    # written through liaison's services afterwards (demo.links), also whatever the count.
    with django_assert_max_num_queries(90):
        demo_seed_entries(count=1200, today=SEED_DAY)


def test_a_second_run_tops_up_to_n(ledger_seeded):
    again = demo_seed_entries(count=600, today=SEED_DAY)
    assert (again.created, again.total, again.accounts_created) == (0, 600, 0)
    events = EntryEvent.objects.count()
    more = demo_seed_entries(count=700, today=SEED_DAY)
    assert (more.created, more.total) == (100, 700)
    assert Entry.objects.count() == 700
    assert EntryEvent.objects.count() > events
    assert Entry.objects.values("number").distinct().count() == 700


def test_the_demo_logins_have_lists_with_entries(ledger_seeded, client):
    for username, scope in [
        ("shuji", "branch"),
        ("dangyuan", "mine"),
        ("bumen", "department"),
        ("dangjian", "all"),
    ]:
        demo_login(client, username)
        response = client.get(reverse(f"liaison:ledger_{scope}"))
        assert response.status_code == HTTPStatus.OK
        assert response.context["table"].paginator.count > 0, username


def test_the_command_takes_entries_and_says_what_it_did():
    out = seed("--scale", "small", "--entries", "50")
    assert "50 entries created, 50 in all" in out
    # On so small a ledger the secretary's branch is short of open work to show: the demo
    # records what it needs today (the showcase), once.
    total = Entry.objects.count()
    out = seed("--scale", "small", "--entries", "50")
    assert f"0 entries created, {total} in all" in out
    assert Entry.objects.count() == total
    with pytest.raises(CommandError):
        seed("--entries", "-1")


def test_entries_need_the_demo_company():
    with pytest.raises(EntrySeedError):
        demo_seed_entries(count=10)


def test_the_demo_shows_photos_on_visits_and_documents_from_departments(
    ledger_seeded, settings, tmp_path
):
    """R23: a new user sees attachments; seeding again adds none."""
    from demo.attachments import demo_seed_attachments
    from liaison.models import Attachment

    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }}  # fmt: skip
    created = demo_seed_attachments()
    assert created == Attachment.objects.count() > 0
    assert Attachment.objects.filter(visit__isnull=False, kind="image").exists()
    documents = Attachment.objects.filter(entry__isnull=False, kind="document")
    assert documents.exists() and {a.step for a in documents} <= {"plan", "result"}
    assert demo_seed_attachments() == 0


def test_the_demo_shows_related_entries_and_duplicates_to_reply_together(ledger_seeded, client):
    """一事一记: the secretary's latest resolved entry has two open duplicates its reply form
    offers to reply together, and two related entries; a second run adds nothing."""
    from liaison.models import EntryLink

    assert EntryLink.objects.live().count() == 2
    original = Entry.objects.get(pk=EntryLink.objects.values("entry_a").first()["entry_a"])
    if original.status != EntryStatus.RESOLVED:
        original = Entry.objects.get(pk=EntryLink.objects.values("entry_b").first()["entry_b"])
    duplicates = original.duplicates.all()
    assert duplicates.count() == 2
    assert set(duplicates.values_list("status", flat=True)) <= {
        EntryStatus.RECORDED,
        EntryStatus.IN_PROGRESS,
    }
    assert set(duplicates.values_list("title", flat=True)) == {original.title}
    demo_login(client, "dangjian")
    page = client.get(original.get_absolute_url()).content.decode()
    assert page.count('name="duplicates"') == 2 and 'data-testid="related-links"' in page
    demo_seed_entries(count=600, today=SEED_DAY)
    assert EntryLink.objects.count() == 2


def test_the_demo_shows_matters_resolved_re_handled_and_reopened(ledger_seeded):
    """The dashboard's resolution figures are all non-zero on the demo: matters resolved once
    each, fewer than every round's results, some re-handled after a reopening."""
    rollups_rebuild()
    company = OrgNode.objects.order_by("path").first()
    year = Period(dt.date(2025, 11, 1), dt.date(2026, 11, 1))  # every month with entries
    totals = figures(node=company, period=year).totals
    assert totals.reopened > 0 and totals.rehandled > 0
    assert 0 < totals.problems_resolved < totals.matters_resolved < totals.resolved
    assert totals.resolved >= totals.matters_resolved + totals.rehandled
    assert 0 < totals.reopen_rate < 1


# -- what a company's ledger holds on the first morning (demo.open_work) ---------------------


def test_every_service_item_has_its_department_and_every_demo_user_an_address():
    seed("--scale", "small", "--entries", "120")
    assert not ServiceItem.objects.filter(default_department__isnull=True).exists()
    routed = dict(ServiceItem.objects.values_list("name", "default_department__name"))
    assert routed["供电可靠性"] == "运维检修部" and routed["食堂饮水"] == "办公室"
    users = User.objects.filter(person__code__startswith="DEMO") | User.objects.filter(
        username__in=["admin", "anquan", "shenji"]
    )
    assert users.exists()
    assert all(
        email.endswith(f"@{EMAIL_DOMAIN}") for email in users.values_list("email", flat=True)
    )
    assert User.objects.get(username="shuji").email == f"shuji@{EMAIL_DOMAIN}"


def test_the_department_handler_finds_referrals_waiting_on_the_first_morning(client):
    """To sign for, signed awaiting a plan, planned awaiting the result: written through the
    workflow service (events and notifications as a user's clicks leave them); once."""
    seed("--scale", "small", "--entries", "200")
    bumen = User.objects.get(username="bumen")
    open_there = Entry.objects.filter(
        department=bumen.department,
        status__in=[EntryStatus.REFERRED, EntryStatus.IN_PROGRESS, EntryStatus.PLANNED],
    )
    assert open_there.count() >= 3
    assert open_there.filter(status=EntryStatus.REFERRED, signed_at__isnull=True).exists()
    assert open_there.filter(status=EntryStatus.PLANNED).exists()
    referred = EntryEvent.objects.filter(entry__in=open_there, kind=EventKind.REFERRED)
    assert referred.exists()
    demo_login(client, "bumen")
    page = client.get(reverse("home")).content.decode()
    for queue in ("to_sign", "to_plan", "to_resolve"):
        assert f'data-testid="work-{queue}"' in page, queue
    events = EntryEvent.objects.count()
    seed("--scale", "small", "--entries", "200")
    assert EntryEvent.objects.count() == events  # a second run refers nothing more


def test_the_secretary_has_requests_to_decide_and_an_owner_a_notice_to_answer(client):
    seed("--scale", "small", "--entries", "600")
    shuji = User.objects.get(username="shuji")
    in_branch = Entry.objects.filter(org__path__startswith=shuji.scope_org.path)
    assert set(in_branch.exclude(request_kind="").values_list("request_kind", flat=True)) == {
        "extension",
        "suspension",
    }
    asked = in_branch.exclude(request_kind="")
    assert not asked.filter(due_on__lt=timezone.localdate()).exists()  # asked before the due date
    notice = Supervision.objects.get(responded_at__isnull=True)
    assert notice.entry.org.path.startswith(shuji.scope_org.path)
    demo_login(client, "shuji")
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="work-to_decide"' in page
    seed("--scale", "small", "--entries", "600")
    assert Supervision.objects.count() == 1  # once


def test_a_quiet_weeks_ledger_still_shows_every_kind_of_waiting_work():
    """Whatever the day's draw left open (on some days the small ledger's branch has no open
    or replied entry at all), the department handler, the secretary and an owner find their
    work: entries recorded today stand in, through the app's services, once."""
    from feedback.models import ReturnVisit

    seed("--scale", "small")
    demo_seed_entries(count=120)
    Entry.objects.exclude(status__in=[EntryStatus.CLOSED, EntryStatus.VOID]).update(
        status=EntryStatus.CLOSED, closed_at=timezone.now(), request_kind=""
    )
    last = Entry.objects.aggregate(last=Max("pk"))["last"]
    seed("--scale", "small", "--entries", "120")
    bumen = User.objects.get(username="bumen")
    at_department = Entry.objects.filter(department=bumen.department)
    assert at_department.filter(status=EntryStatus.REFERRED, signed_at__isnull=True).exists()
    assert at_department.filter(status=EntryStatus.REFERRED, signed_at__isnull=False).exists()
    assert at_department.filter(status=EntryStatus.PLANNED).exists()
    shuji = User.objects.get(username="shuji")
    in_branch = Entry.objects.filter(org__path__startswith=shuji.scope_org.path)
    assert sorted(in_branch.exclude(request_kind="").values_list("request_kind", flat=True)) == [
        "extension",
        "suspension",
    ]
    assert Supervision.objects.filter(responded_at__isnull=True).count() == 1
    assert sorted(ReturnVisit.objects.values_list("outcome", flat=True)) == ["rated", "unreachable"]
    fresh = Entry.objects.filter(pk__gt=last)
    assert fresh.count() == 8  # 3 referred, 2 requests, 1 notice, 2 revisited
    assert set(fresh.values_list("recorded_on", flat=True)) == {timezone.localdate()}
    assert not fresh.filter(owner=shuji).exists()
    assert EntryEvent.objects.filter(entry__in=fresh, kind=EventKind.RECORDED).count() == 8
    entries = Entry.objects.count()
    seed("--scale", "small", "--entries", "120")
    assert Entry.objects.count() == entries


def test_the_months_before_last_are_closed_once():
    """R24: closed through the month before last, from the ledger's first month, once."""
    from feedback.models import MonthClose
    from feedback.periods import month_of

    seed("--scale", "small", "--entries", "120")
    today = timezone.localdate()
    before_last = month_of(month_of(month_of(today) - dt.timedelta(days=1)) - dt.timedelta(days=1))
    months = list(MonthClose.objects.order_by("month").values_list("month", flat=True))
    first = month_of(Entry.objects.aggregate(first=Min("recorded_on"))["first"])
    assert months[0] == first and months[-1] == before_last
    assert len(months) == len(set(months))
    seed("--scale", "small", "--entries", "120")
    assert MonthClose.objects.count() == len(months)


def test_last_years_reverse_evaluation_is_closed_with_its_assessment():
    """R12: proposed, opened, answered by most raters, closed (the table computed); once."""
    from feedback.constants import CampaignStatus
    from feedback.models import AssessmentRow, EvaluationAnswer, EvaluationCampaign

    seed("--scale", "small", "--entries", "120")
    campaign = EvaluationCampaign.objects.get()
    assert campaign.year == timezone.localdate().year - 1
    assert campaign.status == CampaignStatus.CLOSED
    assert EvaluationAnswer.objects.filter(assignment__rater__campaign=campaign).exists()
    assert AssessmentRow.objects.filter(campaign=campaign).exists()
    seed("--scale", "small", "--entries", "120")
    assert EvaluationCampaign.objects.count() == 1


def test_the_demo_has_return_visits_rated_and_not_reached():
    from feedback.models import ReturnVisit

    seed("--scale", "small", "--entries", "600")
    assert set(ReturnVisit.objects.values_list("outcome", flat=True)) == {"rated", "unreachable"}
    seed("--scale", "small", "--entries", "600")
    assert ReturnVisit.objects.count() == 2
