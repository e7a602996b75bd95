"""One person, one file (R10): the visits to a person or party and the entries they raised or
concern, as far as the viewer may see, newest first, capped, in a fixed number of queries."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from liaison.constants import PlaceType, Role
from liaison.selectors import visits as visit_selectors
from liaison.services.visits import visit_log
from tests.fixtures.factories import make_entry, make_user


def _file(client, person):
    return client.get(reverse("liaison:person_detail", args=[person.pk]))


def _visit(user, org, party, day=None):
    return visit_log(actor=user, org=org, visited_on=day or timezone.localdate(),
                     place_type=PlaceType.EMPLOYEE, visited_party=party).visit  # fmt: skip


def test_the_file_lists_visits_and_entries_about_the_person(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    visit = _visit(secretary, world.branch_a, world.special_a)
    raised = make_entry(secretary, informant=world.special_a, title="家属患病需要帮扶")
    about = make_entry(secretary, informant=world.member_a, party=world.special_a, title="子女上学")
    make_entry(secretary, informant=world.member_a, title="与他无关")
    response = _file(client_for(secretary), world.special_a)
    body = response.content.decode()
    assert reverse("liaison:visit_detail", args=[visit.pk]) in body
    assert raised.get_absolute_url() in body and about.get_absolute_url() in body
    assert "与他无关" not in body
    assert response.context["entry_total"] == 2
    assert response.context["visit_total"] == 1
    assert [e.pk for e in response.context["entries"]] == [about.pk, raised.pk]  # newest first


def test_entries_and_visits_outside_the_viewers_scope_are_hidden(world, client_for):
    """The office cadre is not in branch A, yet records about its employee: the branch
    secretary does not see that entry or visit in the employee's file, the cadre does."""
    cadre = world.users[Role.OFFICE_CADRE]
    hidden = make_entry(cadre, org=world.office_branch, informant=world.special_a, title="机关记录")
    _visit(world.users[Role.PARTY_BUILDING], world.office_branch, world.special_a)
    secretary = world.users[Role.BRANCH_SECRETARY]
    response = _file(client_for(secretary), world.special_a)
    body = response.content.decode()
    assert hidden.number not in body
    assert response.context["entry_total"] == 0
    assert response.context["visit_total"] == 0
    company_view = _file(client_for(world.users[Role.PARTY_BUILDING]), world.special_a)
    assert hidden.number in company_view.content.decode()
    assert company_view.context["visit_total"] == 1


def test_the_file_shows_the_newest_with_the_total(world, client_for, monkeypatch):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entries = [make_entry(secretary, informant=world.customer_a, title=f"事{n}") for n in range(4)]
    today = timezone.localdate()
    for days in range(3):
        _visit(secretary, world.branch_a, world.customer_a, today - dt.timedelta(days=days))
    monkeypatch.setattr(visit_selectors, "FILE_LIST_LIMIT", 2)
    response = _file(client_for(secretary), world.customer_a)
    assert [e.pk for e in response.context["entries"]] == [entries[3].pk, entries[2].pk]
    assert response.context["entry_total"] == 4
    assert [v.visited_on for v in response.context["visits"]] == [today, today - dt.timedelta(1)]
    assert response.context["visit_total"] == 3
    body = response.content.decode()
    assert 'data-testid="entry-total">4<' in body
    assert "2" in body.split('data-testid="file-entries"')[1]  # "the newest 2 of 4"


def _count(client, person) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert _file(client, person).status_code == 200
    return len(ctx.captured_queries)


def test_the_file_runs_a_fixed_number_of_queries(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    client = client_for(secretary)
    make_entry(secretary, informant=world.customer_a)
    _visit(secretary, world.branch_a, world.customer_a)
    small = _count(client, world.customer_a)
    for n in range(15):
        make_entry(secretary, informant=world.customer_a, party=world.special_a, title=f"事项{n}")
        _visit(secretary, world.branch_a, world.customer_a)
    assert _count(client, world.customer_a) == small <= 9


def test_a_paired_cadre_sees_the_entries_he_recorded_in_the_file(world, client_for):
    """Entries the viewer recorded show in the file even outside the viewer's subtree."""
    member = world.users[Role.PARTY_MEMBER]
    entry = make_entry(member, org=world.branch_a, informant=world.member_a, title="党员记录")
    other = make_user(Role.BRANCH_SECRETARY, scope=world.branch_a)
    make_entry(other, informant=world.member_a, title="书记记录")
    response = _file(client_for(member), world.member_a)
    numbers = [e.number for e in response.context["entries"]]
    assert numbers == [entry.number]  # branch A's own entry lies outside the member's group
