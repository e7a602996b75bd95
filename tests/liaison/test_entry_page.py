"""The entry page: scope, deadline shown live, timeline."""

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse

from liaison.constants import Role
from tests.fixtures.factories import make_entry

SEES_BRANCH_A_ENTRY = {
    Role.PARTY_BUILDING: True,
    Role.ADMINISTRATOR: True,
    Role.COMMITTEE_STAFF: True,
    Role.BRANCH_SECRETARY: True,
    Role.LEADERSHIP_CADRE: True,
    Role.OFFICE_CADRE: False,
    Role.GRASSROOTS_CADRE: True,
    Role.PARTY_MEMBER: False,
    Role.DEPARTMENT_HANDLER: False,
    Role.SECURITY_ADMIN: False,
    Role.AUDIT_ADMIN: False,
}


@pytest.mark.parametrize("role", list(Role))
def test_entry_page_in_scope_and_404_outside(world, client_for, role):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY], informant=world.special_a)
    response = client_for(world.users[role]).get(reverse("liaison:entry_detail", args=[entry.pk]))
    expected = HTTPStatus.OK if SEES_BRANCH_A_ENTRY[role] else HTTPStatus.NOT_FOUND
    assert response.status_code == expected


def test_anonymous_goes_to_login(world, client):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY], informant=world.special_a)
    response = client.get(reverse("liaison:entry_detail", args=[entry.pk]))
    assert response.status_code == HTTPStatus.FOUND


def test_owner_outside_the_subtree_still_sees_their_entry(world, client_for):
    member = world.users[Role.PARTY_MEMBER]
    entry = make_entry(member, org=world.branch_a, informant=world.special_a)
    response = client_for(member).get(reverse("liaison:entry_detail", args=[entry.pk]))
    assert response.status_code == HTTPStatus.OK


def test_the_page_shows_working_days_left_and_the_timeline(world, client_for):
    today = dt.date.today()
    entry = make_entry(world.users[Role.BRANCH_SECRETARY], informant=world.special_a,
                       recorded_on=today)  # fmt: skip
    body = (
        client_for(world.users[Role.BRANCH_SECRETARY])
        .get(reverse("liaison:entry_detail", args=[entry.pk]))
        .content.decode()
    )
    assert 'data-testid="deadline"' in body
    assert 'data-testid="timeline"' in body
    assert entry.number in body


def test_entry_page_and_sheet_show_a_jobs_change_as_the_systems(world, client_for):
    """An event without an actor (the overdue sweep's) renders as "system", not an error."""
    from liaison.services.jobs import overdue_sweep

    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner, recorded_on=dt.date(2026, 9, 1))
    overdue_sweep(today=dt.date(2026, 10, 30))
    client = client_for(owner)
    for url in (entry.get_absolute_url(), reverse("liaison:entry_print", args=[entry.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert "系统" in response.content.decode()


def test_an_entry_due_on_friday_is_overdue_on_sunday_though_by_no_working_day(world):
    """R6: overdue means today is past the due date; a weekend adds no working day."""
    from liaison.models import Entry
    from liaison.selectors.entries import entry_view
    from liaison.tables import EntryTable

    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner)
    Entry.objects.filter(pk=entry.pk).update(due_on=dt.date(2026, 11, 20))  # a Friday
    entry.refresh_from_db()
    sunday = dt.date(2026, 11, 22)
    view = entry_view(user=owner, entry=entry, today=sunday)
    assert view.is_overdue and view.working_days_overdue == 0
    assert not entry_view(user=owner, entry=entry, today=dt.date(2026, 11, 20)).is_overdue
    cell = EntryTable([entry], today=sunday).render_deadline(entry)
    assert "text-bg-danger" in cell
