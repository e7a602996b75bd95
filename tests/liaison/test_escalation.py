"""The escalation ladder (R22): the party-building department sets the steps on a page; the
sweep tells whom each step names, before or after the due date, once per deadline and step."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse

from liaison.constants import NotificationKind, Role
from liaison.models import AuditEvent, EscalationStep, Notification
from liaison.services import jobs
from liaison.services.escalation import escalation_ladder_save
from liaison.services.workflow import Action
from liaison.workdays import WorkCalendar
from tests.fixtures.factories import make_entry
from tests.fixtures.walks import act, today

PAGE = reverse("liaison:escalation")


def _step(days, colour="", **to) -> dict:
    flags = {f"to_{name}": name in to for name in
             ("owner", "secretary", "committee", "party_building", "department")}  # fmt: skip
    return {"working_days": days, "colour": colour, **flags}


def _entry(world, due_on, colour="red"):
    owner = world.users[Role.GRASSROOTS_CADRE]
    entry = make_entry(owner, informant=world.special_a, recorded_on=today(), colour=colour)
    entry.__class__.objects.filter(pk=entry.pk).update(due_on=due_on)
    entry.refresh_from_db()
    return entry


def test_a_custom_ladder_tells_whom_each_step_names_once(world):
    maintainer = world.users[Role.PARTY_BUILDING]
    escalation_ladder_save(actor=maintainer, steps=[
        _step(-2, secretary=True),
        _step(1, committee=True, department=True),
    ])  # fmt: skip
    calendar = WorkCalendar.load(today().year - 1, today().year + 1)
    soon = _entry(world, calendar.add_working_days(today(), 2).due_on)
    late = _entry(world, calendar.working_days_back(today(), 2))
    late = act(world, late, Action.REFER, world.users[Role.GRASSROOTS_CADRE],
               department=world.department, note="")  # fmt: skip
    jobs.overdue_sweep()
    jobs.overdue_sweep()
    ahead = Notification.objects.filter(kind=NotificationKind.ESCALATION_AHEAD)
    assert list(ahead.values_list("entry", "recipient")) == [
        (soon.pk, world.users[Role.BRANCH_SECRETARY].pk)
    ]
    after = Notification.objects.filter(kind=NotificationKind.OVERDUE_ESCALATED, entry=late)
    assert set(after.values_list("recipient", flat=True)) == {
        world.users[Role.COMMITTEE_STAFF].pk,  # committee A, above branch A
        world.users[Role.DEPARTMENT_HANDLER].pk,
    }
    # The default step (secretary and party-building after 3 days) is no longer in force.
    assert not after.filter(recipient=world.users[Role.BRANCH_SECRETARY]).exists()


def test_the_page_by_role(world, client_for):
    for role in (Role.PARTY_BUILDING, Role.ADMINISTRATOR):
        page = client_for(world.users[role]).get(PAGE)
        assert page.status_code == HTTPStatus.OK
        assert 'data-testid="ladder-default"' in page.content.decode()
    for role in (Role.BRANCH_SECRETARY, Role.COMMITTEE_STAFF, Role.LEADERSHIP_CADRE,
                 Role.DEPARTMENT_HANDLER, Role.PARTY_MEMBER):  # fmt: skip
        assert client_for(world.users[role]).get(PAGE).status_code == HTTPStatus.NOT_FOUND


def _post(client, rows):
    data = {"steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                data[f"steps-{i}-{key}"] = "on"
            elif value is not False:
                data[f"steps-{i}-{key}"] = str(value)
    return client.post(PAGE, data)


def test_saving_the_ladder_from_the_page(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = _post(
        client, [_step(-1, "red", owner=True, secretary=True), _step(5, party_building=True)]
    )
    assert response.status_code == HTTPStatus.FOUND
    steps = EscalationStep.objects.filter(is_active=True).order_by("working_days")
    assert [(s.working_days, s.colour) for s in steps] == [(-1, "red"), (5, "")]
    assert AuditEvent.objects.filter(object_type="escalation_ladder").count() == 1
    # Saved again, the earlier steps stay, inactive: nothing is deleted.
    assert _post(client, [_step(2, secretary=True)]).status_code == HTTPStatus.FOUND
    assert EscalationStep.objects.count() == 3
    assert EscalationStep.objects.filter(is_active=True).count() == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_step(0, owner=True), "不能为 0"),
        (_step(3), "至少勾选一个"),
    ],
)
def test_a_bad_step_is_refused_and_nothing_changes(world, client_for, row, message):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = _post(client, [row])
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert not EscalationStep.objects.exists()


def test_two_steps_alike_are_refused(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = _post(client, [_step(2, secretary=True), _step(2, owner=True)])
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not EscalationStep.objects.exists()


def test_an_extension_is_a_new_deadline_for_the_ladder(world):
    escalation_ladder_save(actor=world.users[Role.PARTY_BUILDING], steps=[_step(1, owner=True)])
    late = _entry(world, today() - dt.timedelta(days=7))
    jobs.overdue_sweep()
    late.__class__.objects.filter(pk=late.pk).update(extensions=1)
    jobs.overdue_sweep()
    escalated = Notification.objects.filter(kind=NotificationKind.OVERDUE_ESCALATED, entry=late)
    assert sorted(escalated.values_list("occasion", flat=True)) == [1, 11]
