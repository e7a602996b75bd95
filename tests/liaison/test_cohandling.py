"""Lead and co-handling departments (主办·协办, R18): a co-handling department sees the entry in
its inbox and adds its part to the timeline; only the lead records the plan and the result."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from liaison import permissions
from liaison.constants import EntryScope, EntryStatus, EventKind, NotificationKind, Role
from liaison.models import CoHandler, Notification
from liaison.selectors.entries_list import entry_scope_queryset
from liaison.selectors.work import work_page
from liaison.services import workflow
from liaison.services.workflow import Action
from tests.fixtures.factories import make_user
from tests.fixtures.walks import act, entry_in, helping_department, snapshot

A = Action
S = EntryStatus


@pytest.fixture
def helper(world):
    department = helping_department(world)
    return make_user(Role.DEPARTMENT_HANDLER, department=department, username="xb")


def _add(world, entry, actor, department) -> object:
    return act(world, entry, A.ADD_COHANDLER, actor, department=department, note="请配合勘察")


def test_the_lead_asks_a_department_to_co_handle(world, helper):
    lead = world.users[Role.DEPARTMENT_HANDLER]
    entry = act(world, entry_in(world, S.REFERRED), A.SIGN_FOR, lead)
    entry = _add(world, entry, lead, helper.department)
    assert list(CoHandler.objects.filter(entry=entry).values_list("department", flat=True)) == [
        helper.department_id
    ]
    event = entry.events.get(kind=EventKind.COHANDLER_ADDED)
    assert event.after["cohandler"] == helper.department_id and event.actor == lead
    told = Notification.objects.get(kind=NotificationKind.COHANDLING)
    assert told.recipient == helper and world.department.name in told.message
    # The helper sees it: in scope, in the department inbox, on the home page.
    assert permissions.visible_entries(helper).filter(pk=entry.pk).exists()
    assert entry_scope_queryset(user=helper, scope=EntryScope.DEPARTMENT).filter(pk=entry.pk)
    queues = {queue.key: queue for queue in work_page(user=helper).queues}
    assert [e.pk for e in queues["cohandling"].entries] == [entry.pk]
    assert "to_sign" not in queues  # the lead's steps are not the helper's


def test_the_co_handler_adds_its_part_but_not_the_plan_or_the_result(world, helper):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = _add(world, entry_in(world, S.REFERRED), owner, helper.department)  # the owner may
    entry = act(world, entry, A.PROGRESS_NOTE, helper, note="已派员配合勘察")
    note = entry.events.filter(kind=EventKind.PROGRESS_NOTE).get()
    assert note.actor == helper and note.note == "已派员配合勘察"
    for action in (A.SIGN_FOR, A.RETURN_REFERRAL, A.RECORD_PLAN, A.ADD_COHANDLER):
        before = snapshot(entry)
        with pytest.raises(workflow.WorkflowRefused):
            act(world, entry, action, helper)
        assert snapshot(entry) == before


def test_the_lead_or_a_co_handler_twice_is_refused(world, helper):
    lead = world.users[Role.DEPARTMENT_HANDLER]
    entry = entry_in(world, S.REFERRED)
    with pytest.raises(ValidationError) as itself:
        _add(world, entry, lead, world.department)
    assert "department" in itself.value.message_dict
    entry = _add(world, entry, lead, helper.department)
    with pytest.raises(ValidationError) as twice:
        _add(world, entry, lead, helper.department)
    assert "department" in twice.value.message_dict
    assert CoHandler.objects.count() == 1


def test_co_handling_only_while_the_department_handles_it(world, helper):
    entry = entry_in(world, S.RESOLVED)
    with pytest.raises(workflow.WorkflowError) as resolved:
        _add(world, entry, world.users[Role.PARTY_BUILDING], helper.department)
    assert not isinstance(resolved.value, workflow.WorkflowRefused)


def test_through_the_page(world, helper, client_for):
    lead = world.users[Role.DEPARTMENT_HANDLER]
    entry = entry_in(world, S.REFERRED)
    url = reverse("liaison:entry_act", args=[entry.pk, A.ADD_COHANDLER])
    stranger = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    data = {"version": entry.version, "department": helper.department_id, "note": "请配合"}
    assert client_for(stranger).post(url, data).status_code == HTTPStatus.NOT_FOUND
    member = world.users[Role.GRASSROOTS_CADRE]  # sees the branch's entry, may not act on it
    assert client_for(member).post(url, data).status_code == HTTPStatus.FORBIDDEN
    assert client_for(lead).post(url, data).status_code == HTTPStatus.FOUND
    page = client_for(helper).get(entry.get_absolute_url())
    assert page.status_code == HTTPStatus.OK
    body = page.content.decode()
    assert 'data-testid="cohandlers"' in body and helper.department.name in body
    assert 'data-action="progress_note"' in body and 'data-action="record_plan"' not in body


def test_a_return_ends_the_co_handling(world, helper):
    """Returned by the lead before signing, the entry has no lead: the co-handler may no longer
    add to it, and it leaves the co-handling queue."""
    lead = world.users[Role.DEPARTMENT_HANDLER]
    entry = _add(world, entry_in(world, S.REFERRED), lead, helper.department)
    entry = act(world, entry, A.RETURN_REFERRAL, lead, reason="not_our_remit", note="")
    with pytest.raises(workflow.WorkflowRefused):
        act(world, entry, A.PROGRESS_NOTE, helper, note="还能写吗")
    queues = {queue.key for queue in work_page(user=helper).queues}
    assert "cohandling" not in queues
