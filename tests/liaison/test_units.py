"""Units as visited parties (一单位一档, R10, R14): a visit goes to a team, station or department
as a whole; the entries heard there concern the unit; the unit has a file with its visits,
entries, pairings and staff; coverage counts the teams visited."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.periods import Period
from feedback.selectors.figures import visit_coverage
from feedback.services.rollups import rollups_rebuild
from liaison.constants import EntryKind, PairingKind, PlaceType, Role
from liaison.models import Channel, Entry, Pairing, ServiceItem, Visit
from liaison.selectors.search import search
from liaison.services.visits import VisitRejected, visit_log


def _row(informant, **extra) -> dict:
    return {
        "kind": EntryKind.PROBLEM,
        "colour": "red",
        "channel": Channel.objects.order_by("pk").first(),
        "item": ServiceItem.objects.order_by("pk").first(),
        "informant": informant,
        "title": "值班室空调不制冷",
        **extra,
    }


def _unit_visit(user, org, unit, *, entries=(), day=None):
    return visit_log(
        actor=user,
        org=org,
        visited_on=day or timezone.localdate(),
        place_type="",
        visited_unit=unit,
        entries=entries,
    )


def test_a_visit_to_a_team_counts_as_a_team_and_its_entries_concern_the_team(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    logged = _unit_visit(secretary, world.branch_a, world.team_a, entries=[_row(world.member_a)])
    assert logged.visit.visited_unit == world.team_a
    assert logged.visit.visited_party is None
    assert logged.visit.place_type == PlaceType.TEAM  # from the unit: a substation is a team
    (entry,) = logged.entries
    assert entry.party_unit == world.team_a and entry.party is None
    assert entry.informant == world.member_a
    # A row that names its own party concerned keeps it.
    other = _unit_visit(
        secretary, world.branch_a, world.team_a,
        entries=[_row(world.member_a, party=world.special_a)],
    ).entries[0]  # fmt: skip
    assert other.party == world.special_a and other.party_unit is None


def test_a_department_visited_is_counted_as_other_and_open_to_every_branch(world):
    secretary = world.users[Role.BRANCH_SECRETARY]  # branch A; the department is BO's
    visit = _unit_visit(secretary, world.branch_a, world.department).visit
    assert visit.place_type == PlaceType.OTHER


def test_a_unit_visit_is_refused_with_a_person_too_outside_scope_or_without_informant(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    before = (Visit.objects.count(), Entry.objects.count())
    with pytest.raises(VisitRejected) as both:
        visit_log(
            actor=secretary, org=world.branch_a, visited_on=timezone.localdate(),
            place_type="", visited_party=world.special_a, visited_unit=world.team_a,
        )  # fmt: skip
    assert "visited_unit" in both.value.visit_errors
    with pytest.raises(VisitRejected) as outside:
        _unit_visit(secretary, world.branch_a, world.team_b)  # branch B's supply office
    assert outside.value.visit_errors["visited_unit"] == ["该单位不在您的范围内。"]
    with pytest.raises(VisitRejected) as nobody:
        _unit_visit(secretary, world.branch_a, world.team_a, entries=[_row(None)])
    assert nobody.value.row_errors[0]["informant"] == ["请填写反映人：单位里是谁反映的。"]
    assert (Visit.objects.count(), Entry.objects.count()) == before


def test_the_visit_form_logs_a_unit_visit(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    client = client_for(secretary)
    page = client.get(reverse("liaison:visit_create"))
    body = page.content.decode()
    assert world.team_a.name in body and world.department.name in body
    assert world.team_b.name not in body  # branch B's: not offered
    response = client.post(
        reverse("liaison:visit_create"),
        {
            "visited_on": timezone.localdate().isoformat(),
            "org": world.branch_a.pk,
            "visited_unit": world.team_a.pk,
            "visitors": [],
            "entries-TOTAL_FORMS": "0",
            "entries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Visit.objects.get(visited_unit=world.team_a)
    detail = client.get(reverse("liaison:visit_detail", args=[visit.pk])).content.decode()
    assert world.team_a.get_absolute_url() in detail
    refused = client.post(
        reverse("liaison:visit_create"),
        {
            "visited_on": timezone.localdate().isoformat(),
            "org": world.branch_a.pk,
            "visited_unit": world.team_b.pk,
            "entries-TOTAL_FORMS": "0",
            "entries-INITIAL_FORMS": "0",
        },
    )
    assert refused.status_code == 400
    assert "请从列表中选择您范围内的单位。" in refused.content.decode()
    assert Visit.objects.count() == 1


def _file(client, unit):
    return client.get(reverse("liaison:unit_detail", args=[unit.pk]))


def test_the_unit_file_lists_its_visits_entries_pairings_and_staff(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    heard = _unit_visit(secretary, world.branch_a, world.team_a, entries=[_row(world.special_a)])
    (about,) = heard.entries
    elsewhere = visit_log(
        actor=secretary, org=world.branch_a, visited_on=timezone.localdate(), place_type="",
        visited_party=world.customer_a, entries=[_row(world.member_a, title="班组人员反映")],
    ).entries[0]  # raised by the team's staff, heard elsewhere  # fmt: skip
    visit_log(
        actor=secretary, org=world.branch_a, visited_on=timezone.localdate(), place_type="",
        visited_party=world.customer_a, entries=[_row(world.customer_a, title="与班组无关")],
    )  # fmt: skip
    pairing = Pairing.objects.create(
        kind=PairingKind.CADRE_TEAM, person=world.member_a, target_unit=world.team_a,
        start_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    response = _file(client_for(secretary), world.team_a)
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("liaison:visit_detail", args=[heard.visit.pk]) in body
    assert about.get_absolute_url() in body and elsewhere.get_absolute_url() in body
    assert "与班组无关" not in body
    assert response.context["entry_total"] == 2 and response.context["visit_total"] == 1
    assert response.context["pairings"] == [pairing]
    assert world.special_a.get_absolute_url() in body  # staff on file
    assert world.branch_a.get_absolute_url() in body  # the covering branch


@pytest.mark.parametrize(
    ("role", "team_a", "team_b", "department"),
    [
        (Role.PARTY_BUILDING, 200, 200, 200),
        (Role.ADMINISTRATOR, 200, 200, 200),
        (Role.COMMITTEE_STAFF, 200, 404, 200),  # committee A: team A's branch, not B's
        (Role.BRANCH_SECRETARY, 200, 404, 200),
        (Role.LEADERSHIP_CADRE, 200, 404, 200),
        (Role.GRASSROOTS_CADRE, 200, 404, 200),
        (Role.PARTY_MEMBER, 404, 404, 200),  # group A: no unit is covered by the group
        (Role.OFFICE_CADRE, 404, 404, 200),
        (Role.DEPARTMENT_HANDLER, 404, 404, 200),
    ],
)
def test_who_opens_a_unit_file(world, client_for, role, team_a, team_b, department):
    client = client_for(world.users[role])
    assert _file(client, world.team_a).status_code == team_a
    assert _file(client, world.team_b).status_code == team_b
    assert _file(client, world.department).status_code == department


def test_a_contact_point_unit_is_open_to_its_leader(world, client_for):
    cadre = world.users[Role.OFFICE_CADRE]  # office branch: team B is not in the scope
    Pairing.objects.create(
        kind=PairingKind.LEADER_CONTACT, person=world.cadre_person, target_unit=world.team_b,
        start_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    assert _file(client_for(cadre), world.team_b).status_code == 200


def test_anonymous_is_sent_to_log_in(world, client):
    response = _file(client, world.team_a)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_unit_file_reads_in_a_fixed_number_of_queries(world, client_for):
    """Session, user, unit, visibility, pairings, visits, entries, staff, sub-units: the same
    count with one visit or with six and eleven entries."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    client = client_for(secretary)
    _unit_visit(secretary, world.branch_a, world.team_a, entries=[_row(world.special_a)])
    _file(client, world.team_a)  # warm what is cached per process

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _file(client, world.team_a).status_code == 200
        return len(queries.captured_queries)

    small = count()
    for _ in range(5):
        _unit_visit(
            secretary, world.branch_a, world.team_a,
            entries=[_row(world.member_a), _row(world.special_a)],
        )  # fmt: skip
    assert count() == small <= 10


def test_coverage_counts_a_team_once_however_often_it_is_visited(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    today = timezone.localdate()
    for _ in range(2):
        _unit_visit(secretary, world.branch_a, world.team_a, day=today)
    _unit_visit(secretary, world.branch_a, world.department, day=today)
    rollups_rebuild()
    period = Period.month(today.year, today.month)
    coverage = {
        row.place_type: (row.visits, row.newly_covered, row.covered)
        for row in visit_coverage(node=world.branch_a, period=period)
    }
    assert coverage[PlaceType.TEAM] == (2, 1, 1)
    assert coverage[PlaceType.OTHER] == (1, 1, 1)


def test_search_finds_a_unit_in_scope_and_links_its_file(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    assert search(user=secretary, text="溪河").units == [world.team_a]
    assert search(user=secretary, text="城区供电所").units == []  # branch B's
    body = client_for(secretary).get(reverse("liaison:search"), {"q": "溪河"}).content.decode()
    assert world.team_a.get_absolute_url() in body


def test_the_entry_page_names_the_unit_concerned(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    (entry,) = _unit_visit(
        secretary, world.branch_a, world.team_a, entries=[_row(world.member_a)]
    ).entries
    body = client_for(secretary).get(entry.get_absolute_url()).content.decode()
    assert world.team_a.get_absolute_url() in body


def test_an_entry_row_may_name_a_unit_as_the_party_concerned(world):
    """Heard from an employee, about their team: the unit concerned, on any visit."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    (entry,) = visit_log(
        actor=secretary, org=world.branch_a, visited_on=timezone.localdate(), place_type="",
        visited_party=world.special_a, entries=[_row(None, party_unit=world.team_a)],
    ).entries  # fmt: skip
    assert entry.informant == world.special_a and entry.party_unit == world.team_a
    with pytest.raises(VisitRejected) as both:
        visit_log(
            actor=secretary, org=world.branch_a, visited_on=timezone.localdate(),
            place_type="", visited_party=world.special_a,
            entries=[_row(None, party=world.customer_a, party_unit=world.team_a)],
        )  # fmt: skip
    assert "party_unit" in both.value.row_errors[0]
    with pytest.raises(VisitRejected) as outside:
        visit_log(
            actor=secretary, org=world.branch_a, visited_on=timezone.localdate(),
            place_type="", visited_party=world.special_a,
            entries=[_row(None, party_unit=world.team_b)],
        )  # fmt: skip
    assert outside.value.row_errors[0]["party_unit"] == ["该单位不在您的范围内。"]


def test_the_visit_form_takes_a_unit_concerned_on_a_row(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    client = client_for(secretary)
    row = _row(world.member_a)
    data = {
        "visited_on": timezone.localdate().isoformat(),
        "org": world.branch_a.pk,
        "visited_party": f"{world.member_a.code} {world.member_a.name}",
        "entries-TOTAL_FORMS": "1",
        "entries-INITIAL_FORMS": "0",
        "entries-0-title": "班组工具柜不够用",
        "entries-0-kind": row["kind"],
        "entries-0-colour": "red",
        "entries-0-item": row["item"].pk,
        "entries-0-channel": row["channel"].pk,
        "entries-0-party_unit": world.team_a.pk,
    }
    response = client.post(reverse("liaison:visit_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = Entry.objects.get(title="班组工具柜不够用")
    assert entry.party_unit == world.team_a and entry.informant == world.member_a
