"""Extension (延期, R19): the owner asks before the due date with a reason and a new date; the
branch secretary decides party-member and branch-level entries, the party-building department
the others; approved, the due date moves, the on-time flag is judged against it, and the entry
stays marked as extended; at most EXTENSION_MAX per round."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from liaison.constants import (
    Decision,
    EntryStatus,
    EventKind,
    Level,
    NotificationKind,
    ReplyMethod,
    Role,
)
from liaison.models import Entry, Notification
from liaison.selectors.work import work_page
from liaison.services import workflow
from liaison.services.workflow import Action
from tests.fixtures.factories import make_entry, make_user
from tests.fixtures.walks import act, snapshot, today

A = Action
S = EntryStatus


def _cadres_entry(world) -> Entry:
    """Recorded by the grassroots cadre of branch A: a branch-level entry the secretary decides."""
    cadre = world.users[Role.GRASSROOTS_CADRE]
    entry = make_entry(cadre, informant=world.special_a, recorded_on=today())
    assert entry.level == Level.GRASSROOTS_BRANCH
    return entry


def _ask(world, entry, days=30, reason="等待物资到货") -> Entry:
    return act(world, entry, A.REQUEST_EXTENSION, entry.owner,
               due_on=entry.due_on + dt.timedelta(days=days), reason=reason)  # fmt: skip


def _decide(world, entry, actor, decision=Decision.APPROVE, note="") -> Entry:
    return act(world, entry, A.DECIDE_EXTENSION, actor, decision=decision, note=note)


def test_the_secretary_approves_a_branch_level_extension(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _cadres_entry(world)
    due = entry.due_on
    entry = _ask(world, entry)
    assert entry.request_kind == "extension" and entry.request_date == due + dt.timedelta(days=30)
    asked = Notification.objects.get(kind=NotificationKind.EXTENSION_REQUESTED)
    assert asked.recipient == secretary and "等待物资到货" in asked.message
    assert [q.key for q in work_page(user=secretary).queues if q.key == "to_decide"]
    entry = _decide(world, entry, secretary)
    assert entry.due_on == due + dt.timedelta(days=30) and entry.extended_from == due
    assert entry.extensions == 1 and entry.request_kind == ""
    decided = entry.events.get(kind=EventKind.EXTENSION_DECIDED)
    assert decided.before["due_on"] == due.isoformat() and decided.after["decision"] == "approve"
    told = Notification.objects.get(kind=NotificationKind.EXTENSION_DECIDED)
    assert told.recipient == entry.owner
    # The reply after the old due date but by the new one is on time (R5 against R19).
    Entry.objects.filter(pk=entry.pk).update(due_on=today() - dt.timedelta(days=1))
    entry.refresh_from_db()
    assert entry.extended_from is not None
    Entry.objects.filter(pk=entry.pk).update(due_on=today())  # the extended date is today
    entry.refresh_from_db()
    entry = act(world, entry, A.RESOLVE_ON_SPOT, entry.owner)
    entry = act(world, entry, A.REPLY, entry.owner, text="已解决", method=ReplyMethod.PHONE)
    assert entry.replied_on_time is True


def test_at_most_one_extension_per_round_and_one_request_at_a_time(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _ask(world, _cadres_entry(world))
    with pytest.raises(workflow.WorkflowError) as pending:
        _ask(world, entry)
    assert "等待审批" in str(pending.value)
    entry = _decide(world, entry, secretary)
    with pytest.raises(workflow.WorkflowError) as second:
        _ask(world, entry)
    assert "最多" in str(second.value)


def test_a_rejection_needs_a_reason_and_keeps_the_due_date(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _ask(world, _cadres_entry(world))
    due = entry.due_on
    before = snapshot(entry)
    with pytest.raises(ValidationError) as bare:
        _decide(world, entry, secretary, Decision.REJECT)
    assert "note" in bare.value.message_dict
    assert snapshot(entry) == before
    entry = _decide(world, entry, secretary, Decision.REJECT, "五个工作日内可以完成")
    assert entry.due_on == due and entry.extensions == 0 and entry.request_kind == ""
    told = Notification.objects.get(kind=NotificationKind.EXTENSION_DECIDED)
    assert "五个工作日内可以完成" in told.message


def test_only_before_the_due_date_and_only_to_a_later_date(world):
    entry = _cadres_entry(world)
    with pytest.raises(ValidationError) as earlier:
        _ask(world, entry, days=0)
    assert "due_on" in earlier.value.message_dict
    Entry.objects.filter(pk=entry.pk).update(due_on=today() - dt.timedelta(days=1))
    entry.refresh_from_db()
    with pytest.raises(workflow.WorkflowError) as late:
        _ask(world, entry)
    assert "到期前" in str(late.value)


def test_who_decides(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    maintainer = world.users[Role.PARTY_BUILDING]
    # The secretary's own entry: the party-building department decides, never its owner.
    own = make_entry(secretary, informant=world.special_a, recorded_on=today())
    own = _ask(world, own)
    recipients = set(Notification.objects.filter(entry=own).values_list("recipient", flat=True))
    assert recipients == {maintainer.pk, world.users[Role.ADMINISTRATOR].pk}
    with pytest.raises(workflow.WorkflowRefused):
        _decide(world, own, secretary)
    # An office-level entry: the party-building department, not a branch secretary.
    office = make_entry(world.users[Role.OFFICE_CADRE], informant=world.cadre_person,
                        recorded_on=today())  # fmt: skip
    office = _ask(world, office)
    with pytest.raises(workflow.WorkflowRefused):
        _decide(world, office, secretary)
    assert _decide(world, office, maintainer).extensions == 1
    other_secretary = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    branch_level = _ask(world, _cadres_entry(world))
    with pytest.raises(workflow.WorkflowRefused):
        _decide(world, branch_level, other_secretary)


def test_a_reopened_entry_may_be_extended_again(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _decide(world, _ask(world, _cadres_entry(world)), secretary)
    entry = act(world, entry, A.RESOLVE_ON_SPOT, entry.owner)
    entry = act(world, entry, A.REPLY, entry.owner)
    entry = workflow.entry_reopen(entry=entry, actor=None, expected_version=entry.version)
    assert entry.extensions == 0 and entry.extended_from is None
    assert _ask(world, entry).request_kind == "extension"


def test_through_the_page(world, client_for):
    entry = _ask(world, _cadres_entry(world))
    url = reverse("liaison:entry_act", args=[entry.pk, A.DECIDE_EXTENSION])
    data = {"version": entry.version, "decision": Decision.APPROVE, "note": ""}
    stranger = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    assert client_for(stranger).post(url, data).status_code == HTTPStatus.NOT_FOUND
    member = client_for(world.users[Role.PARTY_MEMBER])
    assert member.post(url, data).status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)
    secretary = client_for(world.users[Role.BRANCH_SECRETARY])
    page = secretary.get(entry.get_absolute_url()).content.decode()
    assert 'data-testid="pending-request"' in page and 'data-action="decide_extension"' in page
    bad = secretary.post(url, {**data, "decision": "maybe"})
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert secretary.post(url, data).status_code == HTTPStatus.FOUND
    page = secretary.get(entry.get_absolute_url()).content.decode()
    assert 'data-testid="extended"' in page


def test_the_lists_filter_extended_entries(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    extended = _decide(world, _ask(world, _cadres_entry(world)), secretary)
    plain = _cadres_entry(world)
    client = client_for(secretary)
    url = reverse("liaison:ledger_branch")
    shown = client.get(url, {"extended": "true"}).content.decode()
    assert extended.number in shown and plain.number not in shown
    hidden = client.get(url, {"extended": "false"}).content.decode()
    assert plain.number in hidden and extended.number not in hidden


def test_nobody_is_asked_to_decide_their_own_request(world):
    maintainer = world.users[Role.PARTY_BUILDING]

    def to_decide() -> list[int]:
        queues = work_page(user=maintainer).queues
        return [e.pk for queue in queues if queue.key == "to_decide" for e in queue.entries]

    own = make_entry(maintainer, org=world.branch_a, informant=world.special_a,
                     recorded_on=today())  # fmt: skip
    _ask(world, own)
    assert to_decide() == []
    other = _ask(world, _cadres_entry(world))
    assert to_decide() == [other.pk]


def test_the_list_marks_an_extended_entry(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    extended = _decide(world, _ask(world, _cadres_entry(world)), secretary)
    body = client_for(secretary).get(reverse("liaison:ledger_branch")).content.decode()
    row = body.split(extended.number, 1)[1].split("</tr>", 1)[0]
    assert "已延期" in row
