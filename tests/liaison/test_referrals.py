"""Sign-for and return (签收·退单, R17): the department signs for a referral or returns it within
its window with a reason; the owner re-routes; a referral returned twice is decided by the
party-building department (审定); a referral not signed for in time is reported once."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from liaison.constants import EntryStatus, EventKind, NotificationKind, ReturnReason, Role
from liaison.models import Entry, Notification
from liaison.selectors.work import work_page
from liaison.services import jobs, workflow
from liaison.services.workflow import Action
from liaison.workdays import WorkCalendar
from tests.fixtures.factories import UnitFactory, make_user
from tests.fixtures.walks import act, entry_in, snapshot

A = Action
S = EntryStatus


def _handler(world):
    return world.users[Role.DEPARTMENT_HANDLER]


def _return(world, entry, reason=ReturnReason.NOT_OUR_REMIT, note="", actor=None) -> Entry:
    return act(world, entry, A.RETURN_REFERRAL, actor or _handler(world), reason=reason, note=note)


def _refer_again(world, entry, department) -> Entry:
    owner = world.users[Role.BRANCH_SECRETARY]
    return act(world, entry, A.REFER, owner, department=department, note="改派")


def _second_department(world):
    other = UnitFactory(name="营销部", kind="department", branch=world.office_branch)
    make_user(Role.DEPARTMENT_HANDLER, department=other, username="yx")
    return other


def _referred_days_ago(entry: Entry, working_days: int) -> Entry:
    """Refer `entry` `working_days` working days before today's working day (on a weekend or a
    holiday: the next working day, so that one working day ago is still within the window)."""
    today = timezone.localdate()
    calendar = WorkCalendar.load(today.year - 1, today.year + 1)
    working_today = today
    while not calendar.is_working_day(working_today):
        working_today += dt.timedelta(days=1)
    day = calendar.working_days_back(working_today, working_days)
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    Entry.objects.filter(pk=entry.pk).update(referred_at=moment)
    entry.refresh_from_db()
    return entry


def test_the_handler_signs_for_a_referral_once(world):
    entry = entry_in(world, S.REFERRED)
    assert entry.referred_at is not None and entry.signed_at is None
    entry = act(world, entry, A.SIGN_FOR, _handler(world))
    assert entry.signed_at is not None and entry.signed_by == _handler(world)
    assert entry.status == S.REFERRED
    event = entry.events.get(kind=EventKind.SIGNED_FOR)
    assert event.actor == _handler(world) and event.after["signed_by"] == _handler(world).pk
    with pytest.raises(workflow.WorkflowError) as twice:
        act(world, entry, A.SIGN_FOR, _handler(world))
    assert "已签收" in str(twice.value)


def test_recording_the_plan_signs_for_an_unsigned_referral(world):
    entry = act(world, entry_in(world, S.REFERRED), A.RECORD_PLAN, _handler(world))
    assert entry.signed_at is not None and entry.signed_by == _handler(world)


def test_a_return_goes_back_to_the_owner_with_its_reason(world):
    entry = entry_in(world, S.REFERRED)
    department = entry.department
    entry = _return(world, entry, ReturnReason.NOT_OUR_REMIT, "应由营销部办理")
    assert entry.status == S.IN_PROGRESS and entry.department is None
    assert entry.referral_returns == 1 and entry.referred_at is None
    event = entry.events.get(kind=EventKind.REFERRAL_RETURNED)
    assert event.before["department"] == department.pk and event.after["department"] is None
    assert event.after["return_reason"] == ReturnReason.NOT_OUR_REMIT
    assert "应由营销部办理" in event.note
    told = Notification.objects.get(kind=NotificationKind.REFERRAL_RETURNED)
    assert told.recipient == entry.owner and department.name in told.message
    assert "非本部门职责" in told.message
    assert not Notification.objects.filter(kind=NotificationKind.ARBITRATION_NEEDED).exists()
    # The owner re-routes it: the new department's handlers are told again.
    other = _second_department(world)
    entry = _refer_again(world, entry, other)
    assert entry.status == S.REFERRED and entry.department == other
    assert entry.referred_at is not None and entry.signed_at is None


def test_other_needs_a_text_and_the_reason_must_be_on_the_list(world):
    entry = entry_in(world, S.REFERRED)
    before = snapshot(entry)
    with pytest.raises(ValidationError) as other:
        _return(world, entry, ReturnReason.OTHER, "  ")
    assert "note" in other.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        _return(world, entry, "lazy")
    assert "reason" in unknown.value.message_dict
    assert snapshot(entry) == before


def test_no_return_after_signing_or_after_the_window(world):
    signed = act(world, entry_in(world, S.REFERRED), A.SIGN_FOR, _handler(world))
    with pytest.raises(workflow.WorkflowError) as after_signing:
        _return(world, signed)
    assert "签收" in str(after_signing.value)
    late = _referred_days_ago(entry_in(world, S.REFERRED), 2)  # the window is 1 working day
    with pytest.raises(workflow.WorkflowError) as after_window:
        _return(world, late)
    assert "退回期限已过" in str(after_window.value)
    in_time = _referred_days_ago(entry_in(world, S.REFERRED), 1)
    assert _return(world, in_time).status == S.IN_PROGRESS


def test_returned_twice_the_party_building_department_decides(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    maintainer = world.users[Role.PARTY_BUILDING]
    other = _second_department(world)
    entry = _return(world, entry_in(world, S.REFERRED))
    entry = _refer_again(world, entry, other)
    other_handler = other.handlers.get()
    entry = _return(world, entry, ReturnReason.NOT_ENOUGH_INFORMATION, actor=other_handler)
    assert entry.referral_returns == 2
    decide = Notification.objects.filter(kind=NotificationKind.ARBITRATION_NEEDED)
    assert set(decide.values_list("recipient", flat=True)) == {
        world.users[Role.PARTY_BUILDING].pk,
        world.users[Role.ADMINISTRATOR].pk,
    }
    with pytest.raises(workflow.WorkflowError) as refer:
        _refer_again(world, entry, world.department)
    assert "审定" in str(refer.value)
    with pytest.raises(workflow.WorkflowRefused):
        act(world, entry, A.ARBITRATE, owner, department=world.department, note="")
    assert work_page(user=maintainer).queues[-1].key == "to_arbitrate"
    entry = act(world, entry, A.ARBITRATE, maintainer, department=world.department, note="审定")
    assert entry.status == S.REFERRED and entry.department == world.department
    assert entry.events.get(kind=EventKind.ARBITRATED).actor == maintainer
    with pytest.raises(workflow.WorkflowError) as again:
        _return(world, entry)
    assert "审定" in str(again.value)
    assert "to_arbitrate" not in [q.key for q in work_page(user=maintainer).queues]


def test_arbitration_is_refused_before_two_returns(world):
    entry = _return(world, entry_in(world, S.REFERRED))
    with pytest.raises(workflow.WorkflowError):
        act(world, entry, A.ARBITRATE, world.users[Role.PARTY_BUILDING])


def test_the_sweep_reports_a_referral_not_signed_for_in_time_once(world):
    late = _referred_days_ago(entry_in(world, S.REFERRED), 2)
    _referred_days_ago(entry_in(world, S.REFERRED), 1)  # still within its window
    signed = _referred_days_ago(entry_in(world, S.REFERRED), 3)
    Entry.objects.filter(pk=signed.pk).update(signed_at=timezone.now())
    jobs.overdue_sweep()
    told = Notification.objects.filter(kind=NotificationKind.REFERRAL_UNSIGNED)
    assert set(told.values_list("entry", flat=True)) == {late.pk}
    assert set(told.values_list("recipient", flat=True)) == {
        _handler(world).pk,
        world.users[Role.PARTY_BUILDING].pk,
        world.users[Role.ADMINISTRATOR].pk,
    }
    jobs.overdue_sweep()
    assert told.count() == 3


# -- Through the page ----------------------------------------------------------------------------


def _post(client, entry, action, **data):
    return client.post(
        reverse("liaison:entry_act", args=[entry.pk, action]), {"version": entry.version, **data}
    )


def test_the_actions_through_the_page_by_role(world, client_for):
    entry = entry_in(world, S.REFERRED)
    owner = client_for(world.users[Role.BRANCH_SECRETARY])
    assert _post(owner, entry, A.SIGN_FOR).status_code == HTTPStatus.FORBIDDEN
    stranger = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    assert _post(client_for(stranger), entry, A.SIGN_FOR).status_code == HTTPStatus.NOT_FOUND
    handler = client_for(_handler(world))
    page = handler.get(entry.get_absolute_url()).content.decode()
    assert 'data-testid="referral-state"' in page and "待签收" in page
    bad = _post(handler, entry, A.RETURN_REFERRAL, reason=ReturnReason.OTHER, note="")
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert "请说明退回的理由。" in bad.content.decode()
    stale = _post(handler, entry, A.SIGN_FOR, version=entry.version - 1)
    assert stale.status_code == HTTPStatus.CONFLICT
    assert _post(handler, entry, A.SIGN_FOR).status_code == HTTPStatus.FOUND
    entry.refresh_from_db()
    assert entry.signed_at is not None
    again = _post(handler, entry, A.SIGN_FOR)
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert "已签收" in again.content.decode()


def test_a_reopened_entry_starts_its_referral_afresh(world):
    """Arbitrated in one round, reopened by an unsatisfied rating: the new round's referral may
    be returned again and is re-routed by its owner (the review found it stuck)."""
    maintainer = world.users[Role.PARTY_BUILDING]
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = _return(world, entry_in(world, S.REFERRED))
    Entry.objects.filter(pk=entry.pk).update(referral_returns=2)
    entry.refresh_from_db()
    entry = act(world, entry, A.ARBITRATE, maintainer, department=world.department, note="审定")
    for action in (A.RECORD_PLAN, A.RECORD_RESULT):
        entry = act(world, entry, action, _handler(world))
    entry = act(world, entry, A.REPLY, owner)
    entry = workflow.entry_reopen(entry=entry, actor=None, expected_version=entry.version)
    assert (entry.referral_returns, entry.referred_at, entry.signed_at) == (0, None, None)
    entry = _refer_again(world, entry, world.department)
    assert _return(world, entry).status == S.IN_PROGRESS


def test_the_entry_page_reads_the_calendar_once_for_an_unsigned_referral(world, client_for):
    """The deadline, the sign-for window and the return guard share one calendar."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(_handler(world))
    entry = entry_in(world, S.REFERRED)
    client.get(entry.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(entry.get_absolute_url()).status_code == 200
    calendar_reads = [q for q in queries.captured_queries if "liaison_calendar" in q["sql"]]
    assert len(calendar_reads) == 2  # the days and the years, once
