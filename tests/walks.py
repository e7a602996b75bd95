"""Walking entries through the workflow in tests: valid input per action, and the way to each
state."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from liaison.constants import EntryStatus, ReplyMethod, Role
from liaison.models import Entry
from liaison.services import workflow
from liaison.services.workflow import Action
from tests.factories import make_entry

A = Action
S = EntryStatus


def today() -> dt.date:
    return timezone.localdate()


def data_for(action: str, world) -> dict:
    """Valid input for each action."""
    return {
        A.START: {},
        A.RESOLVE_ON_SPOT: {"result": "当场更换了熔断器"},
        A.REFER: {"department": world.department, "note": "请一周内现场勘察"},
        A.RECORD_PLAN: {"plan": "一、勘察；二、增容"},
        A.RECORD_RESULT: {"result": "已完成增容"},
        A.REPLY: {"text": "已增容，请试用", "method": ReplyMethod.PHONE},
        A.REOPEN: {},
        A.CLOSE: {},
        A.TRANSFER: {"new_owner": world.users[Role.GRASSROOTS_CADRE]},
        A.PROGRESS_NOTE: {"note": "已联系厂家"},
        A.VOID: {"reason": "重复记录"},
    }[action]


def act(world, entry: Entry, action: str, actor, **data) -> Entry:
    return workflow.entry_act(
        action=action,
        entry=entry,
        actor=actor,
        expected_version=entry.version,
        **(data or data_for(action, world)),
    )


# How to bring a fresh entry to each state, acting as the party-building department.
PATHS = {
    S.RECORDED: [],
    S.IN_PROGRESS: [A.START],
    S.REFERRED: [A.REFER],
    S.PLANNED: [A.REFER, A.RECORD_PLAN],
    S.RESOLVED: [A.REFER, A.RECORD_PLAN, A.RECORD_RESULT],
    S.REPLIED: [A.REFER, A.RECORD_PLAN, A.RECORD_RESULT, A.REPLY],
    S.CLOSED: [A.REFER, A.RECORD_PLAN, A.RECORD_RESULT, A.REPLY, A.CLOSE],
    S.VOID: [A.VOID],
}


def entry_in(world, status: str, **extra) -> Entry:
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner, informant=world.special_a, recorded_on=today(), **extra)
    maintainer = world.users[Role.PARTY_BUILDING]
    for action in PATHS[status]:
        entry = act(world, entry, action, maintainer)
    assert entry.status == status
    return Entry.objects.get(pk=entry.pk)


def snapshot(entry: Entry) -> tuple:
    fresh = Entry.objects.get(pk=entry.pk)
    return fresh.status, fresh.version, fresh.owner_id, fresh.updated_at, entry.events.count()
