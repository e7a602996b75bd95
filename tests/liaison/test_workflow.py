"""The entry's state machine (R3–R5, R16): every path of R4 walked through the services, and
every action refused in the wrong state and for the wrong role, with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from feedback.constants import RatingChannel, Satisfaction
from feedback.models import Rating
from feedback.services.ratings import rating_record
from liaison.constants import (
    REFERRAL_RETURN_LIMIT,
    ClosedReason,
    Colour,
    EntryKind,
    EntryStatus,
    EventKind,
    Role,
)
from liaison.forms.entries import ACTION_FORMS
from liaison.models import Entry, EntryEvent
from liaison.services import workflow
from liaison.services.workflow import Action
from liaison.transitions import TRANSITIONS, entry_refusal
from liaison.workdays import WorkCalendar
from tests.fixtures.factories import make_entry
from tests.fixtures.walks import act, data_for, entry_in, snapshot, today

A = Action
S = EntryStatus


def kinds(entry: Entry) -> list[str]:
    return list(entry.events.order_by("at", "pk").values_list("kind", flat=True))


# --- the table ---------------------------------------------------------------------------------


def test_every_action_offered_on_the_page_has_a_form_and_every_action_a_service():
    on_page = {action for action, rule in workflow.TRANSITIONS.items() if rule.on_page}
    assert set(ACTION_FORMS) == on_page
    assert set(workflow.SERVICES) == set(workflow.TRANSITIONS) == set(Action.values)


# --- the paths of R4 ---------------------------------------------------------------------------


def test_resolved_on_the_spot_replied_rated_and_closed(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner, informant=world.special_a, recorded_on=today())
    entry = act(world, entry, A.RESOLVE_ON_SPOT, owner)
    assert (entry.status, entry.result) == (S.RESOLVED, "当场更换了熔断器")
    entry = act(world, entry, A.REPLY, owner)
    assert entry.status == S.REPLIED
    assert entry.replied_on_time is True
    rating_record(
        entry=entry,
        value=Satisfaction.VERY_SATISFIED,
        comment="很快",
        channel=RatingChannel.RETURN_VISIT,
        actor=owner,
        expected_version=entry.version,
    )
    entry.refresh_from_db()
    assert (entry.status, entry.closed_reason) == (S.CLOSED, ClosedReason.RATED)
    assert entry.closed_at is not None
    assert kinds(entry) == [
        EventKind.RECORDED,
        EventKind.RESOLVED_ON_SPOT,
        EventKind.REPLIED,
        EventKind.RATED,
        EventKind.CLOSED,
    ]
    assert entry.ratings.get().round == 0


def test_referred_planned_resolved_replied_rated_and_closed(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    handler = world.users[Role.DEPARTMENT_HANDLER]
    entry = make_entry(owner, informant=world.special_a, recorded_on=today())
    entry = act(world, entry, A.START, owner)
    entry = act(world, entry, A.REFER, owner)
    assert (entry.status, entry.department, entry.owner) == (S.REFERRED, world.department, owner)
    entry = act(world, entry, A.RECORD_PLAN, handler)
    assert (entry.status, entry.plan) == (S.PLANNED, "一、勘察；二、增容")
    entry = act(world, entry, A.PROGRESS_NOTE, handler)
    entry = act(world, entry, A.RECORD_RESULT, handler)
    assert entry.status == S.RESOLVED and entry.resolved_at is not None
    entry = act(world, entry, A.REPLY, owner)
    rating_record(
        entry=entry,
        value=Satisfaction.SATISFIED,
        comment="",
        channel=RatingChannel.RETURN_VISIT,
        actor=owner,
        expected_version=entry.version,
    )
    entry.refresh_from_db()
    assert entry.status == S.CLOSED
    assert kinds(entry) == [
        EventKind.RECORDED,
        EventKind.STARTED,
        EventKind.REFERRED,
        EventKind.PLAN_RECORDED,
        EventKind.PROGRESS_NOTE,
        EventKind.RESULT_RECORDED,
        EventKind.REPLIED,
        EventKind.RATED,
        EventKind.CLOSED,
    ]
    referred = entry.events.get(kind=EventKind.REFERRED)
    assert referred.actor == owner
    assert referred.before == {
        "status": S.IN_PROGRESS,
        "department": None,
        "referral_note": "",
        "referred_at": None,
    }
    assert referred.after == {
        "status": S.REFERRED,
        "department": world.department.pk,
        "referral_note": "请一周内现场勘察",
        "referred_at": referred.after["referred_at"],  # when it reached the department (R17)
    }
    referred_at = dt.datetime.fromisoformat(referred.after["referred_at"])
    assert timezone.localdate(referred_at) == today()


def test_unsatisfied_reopens_with_a_fresh_deadline_and_keeps_the_history(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    recorded = today() - dt.timedelta(days=40)
    entry = make_entry(owner, informant=world.special_a, recorded_on=recorded)
    first_due = entry.due_on
    entry = act(world, entry, A.RESOLVE_ON_SPOT, owner)
    entry = act(world, entry, A.REPLY, owner)
    assert entry.replied_on_time is False  # 40 days for a red entry: late
    rating_record(
        entry=entry,
        value=Satisfaction.UNSATISFIED,
        comment="没解决",
        channel=RatingChannel.RETURN_VISIT,
        actor=owner,
        expected_version=entry.version,
    )
    entry.refresh_from_db()
    fresh_due = WorkCalendar.load(today().year).due_for(Colour.RED, today()).due_on
    assert (entry.status, entry.reopen_count, entry.due_on) == (S.IN_PROGRESS, 1, fresh_due)
    assert entry.due_on != first_due
    assert entry.reply_text == "已增容，请试用"  # the first round stays readable
    reopened = entry.events.get(kind=EventKind.REOPENED)
    assert reopened.before["due_on"] == first_due.isoformat()
    assert reopened.after["due_on"] == fresh_due.isoformat()

    # The second round: solved again, replied, rated satisfied.
    entry = act(world, entry, A.RESOLVE_ON_SPOT, owner, result="换了新设备")
    entry = act(world, entry, A.REPLY, owner)
    assert entry.replied_on_time is True
    rating_record(
        entry=entry,
        value=Satisfaction.BASICALLY_SATISFIED,
        comment="",
        channel=RatingChannel.RETURN_VISIT,
        actor=owner,
        expected_version=entry.version,
    )
    entry.refresh_from_db()
    assert entry.status == S.CLOSED
    assert list(entry.ratings.order_by("round").values_list("round", "value")) == [
        (0, Satisfaction.UNSATISFIED),
        (1, Satisfaction.BASICALLY_SATISFIED),
    ]
    assert kinds(entry).count(EventKind.REPLIED) == 2
    replies = entry.events.filter(kind=EventKind.REPLIED).order_by("pk")
    assert [e.after["replied_on_time"] for e in replies] == [False, True]


def test_a_reopened_yellow_entry_needs_a_new_target_date(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    calendar = WorkCalendar.load(today().year)
    target = calendar.earliest_yellow_target(today()).due_on
    entry = make_entry(
        owner, informant=world.special_a, recorded_on=today(), colour="yellow", target_on=target
    )
    entry = act(world, entry, A.RESOLVE_ON_SPOT, owner)
    entry = act(world, entry, A.REPLY, owner)
    before = snapshot(entry)
    with pytest.raises(ValidationError) as error:
        rating_record(
            entry=entry,
            value=Satisfaction.UNSATISFIED,
            comment="",
            channel=RatingChannel.RETURN_VISIT,
            actor=owner,
            expected_version=entry.version,
        )
    assert "target_on" in error.value.message_dict
    assert snapshot(entry) == before
    assert not Rating.objects.exists()

    too_soon = target - dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        workflow.entry_reopen(
            entry=entry, actor=owner, expected_version=entry.version, target_on=too_soon
        )
    new_target = target + dt.timedelta(days=30)
    rating_record(
        entry=entry,
        value=Satisfaction.UNSATISFIED,
        comment="",
        channel=RatingChannel.RETURN_VISIT,
        actor=owner,
        expected_version=entry.version,
        target_on=new_target,
    )
    entry.refresh_from_db()
    assert (entry.status, entry.target_on, entry.due_on) == (S.IN_PROGRESS, new_target, new_target)


def test_basic_information_is_closed_at_recording_and_can_only_be_voided(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner, informant=world.special_a, kind=EntryKind.BASIC)
    assert (entry.status, entry.closed_reason) == (S.CLOSED, ClosedReason.NO_REPLY_NEEDED)
    assert workflow.entry_actions(entry=entry, user=owner) == [A.VOID]
    entry = act(world, entry, A.VOID, owner)
    assert (entry.status, entry.void_reason) == (S.VOID, "重复记录")
    assert Entry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("action", [a for a in Action if a != A.VOID])
def test_basic_information_refuses_every_other_action(world, action):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner, informant=world.special_a, kind=EntryKind.BASIC)
    before = snapshot(entry)
    with pytest.raises(workflow.WorkflowError) as error:
        act(world, entry, action, world.users[Role.PARTY_BUILDING])
    assert not isinstance(error.value, workflow.WorkflowRefused)
    assert "Basic information" in str(error.value) or "基本信息" in str(error.value)
    assert snapshot(entry) == before


# --- every action in every wrong state ---------------------------------------------------------

WRONG_STATES = [
    (action, status)
    for action, rule in workflow.TRANSITIONS.items()
    for status in S
    if status not in rule.sources
]


@pytest.mark.parametrize(("action", "status"), WRONG_STATES)
def test_every_action_is_refused_in_a_wrong_state(world, action, status):
    entry = entry_in(world, status)
    before = snapshot(entry)
    with pytest.raises(workflow.WorkflowError) as error:
        act(world, entry, action, world.users[Role.PARTY_BUILDING])
    assert not isinstance(error.value, workflow.WorkflowRefused)
    assert str(Action(action).label) in str(error.value)
    assert snapshot(entry) == before


def test_the_wrong_state_table_is_what_r4_says():
    """A spot check of the table against the lifecycle, written out by hand."""
    allowed = {
        action: sorted(status for status in S if (action, status) not in WRONG_STATES)
        for action in Action
    }
    assert allowed[A.REFER] == sorted([S.RECORDED, S.IN_PROGRESS])
    assert allowed[A.RECORD_PLAN] == [S.REFERRED]
    assert allowed[A.RECORD_RESULT] == [S.PLANNED]
    assert allowed[A.REPLY] == [S.RESOLVED]
    assert allowed[A.REOPEN] == allowed[A.CLOSE] == [S.REPLIED]
    assert S.CLOSED not in allowed[A.VOID] and S.VOID not in allowed[A.VOID]
    assert S.CLOSED not in allowed[A.TRANSFER]


# --- every action by every wrong role ----------------------------------------------------------

# Where each action is tried: a state it is allowed in, reached through the department where
# there is one, so that the handler has a capacity on the entry.
TRIED_IN = {
    A.START: S.RECORDED,
    A.RESOLVE_ON_SPOT: S.RECORDED,
    A.REFER: S.IN_PROGRESS,
    A.SIGN_FOR: S.REFERRED,
    A.RETURN_REFERRAL: S.REFERRED,
    A.ARBITRATE: S.IN_PROGRESS,
    A.ADD_COHANDLER: S.REFERRED,
    A.REQUEST_EXTENSION: S.RECORDED,
    A.DECIDE_EXTENSION: S.IN_PROGRESS,
    A.SUSPEND: S.RECORDED,
    A.DECIDE_SUSPENSION: S.IN_PROGRESS,
    A.RESUME: S.IN_PROGRESS,
    A.RECORD_PLAN: S.REFERRED,
    A.RECORD_RESULT: S.PLANNED,
    A.REPLY: S.RESOLVED,
    A.REOPEN: S.REPLIED,
    A.CLOSE: S.REPLIED,
    A.TRANSFER: S.PLANNED,
    A.PROGRESS_NOTE: S.REFERRED,
    A.VOID: S.REFERRED,
}
# Written out by hand: who may do what (the owner is the branch secretary who recorded it).
OWNER_ACTIONS = {
    A.START,
    A.SUSPEND,
    A.RESUME,
    A.REQUEST_EXTENSION,
    A.ADD_COHANDLER,
    A.RESOLVE_ON_SPOT,
    A.REFER,
    A.REPLY,
    A.REOPEN,
    A.CLOSE,
    A.TRANSFER,
    A.PROGRESS_NOTE,
    A.VOID,
}
HANDLER_ACTIONS = {
    A.SIGN_FOR,
    A.RETURN_REFERRAL,
    A.ADD_COHANDLER,
    A.RECORD_PLAN,
    A.RECORD_RESULT,
    A.PROGRESS_NOTE,
}
MAINTAINERS = {Role.PARTY_BUILDING, Role.ADMINISTRATOR}


def may(role: str, action: str) -> bool:
    if role in MAINTAINERS:
        return True
    if role == Role.BRANCH_SECRETARY:
        return action in OWNER_ACTIONS
    if role == Role.DEPARTMENT_HANDLER:
        return action in HANDLER_ACTIONS
    return False  # in scope or not, nobody else acts on someone else's entry


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_every_action_is_allowed_only_for_the_right_role(world, action, role):
    entry = entry_in(world, TRIED_IN[action])
    if action == A.ARBITRATE:  # only a referral returned to the limit is decided
        Entry.objects.filter(pk=entry.pk).update(referral_returns=REFERRAL_RETURN_LIMIT)
        entry.refresh_from_db()
    if action == A.DECIDE_EXTENSION:  # a request awaits; its owner, the secretary, may not
        entry = act(world, entry, A.REQUEST_EXTENSION, entry.owner)
    if action == A.DECIDE_SUSPENSION:
        entry = act(world, entry, A.SUSPEND, entry.owner)
    if action == A.RESUME:  # suspended a week ago
        Entry.objects.filter(pk=entry.pk).update(suspended_on=today() - dt.timedelta(days=7))
        entry.refresh_from_db()
    before = snapshot(entry)
    data = data_for(action, world)
    if action == A.TRANSFER and role == Role.GRASSROOTS_CADRE:
        data = {"new_owner": world.users[Role.LEADERSHIP_CADRE]}
    if may(role, action):
        act(world, entry, action, world.users[role], **data)
        assert entry.events.count() == before[-1] + 1
        return
    with pytest.raises(workflow.WorkflowRefused):
        act(world, entry, action, world.users[role], **data)
    assert snapshot(entry) == before


def test_a_handler_of_another_department_may_not_record_the_plan(world):
    from tests.fixtures.factories import UnitFactory, make_user

    other = UnitFactory(name="营销部", kind="department", branch=world.office_branch)
    stranger = make_user(Role.DEPARTMENT_HANDLER, department=other)
    entry = entry_in(world, S.REFERRED)
    with pytest.raises(workflow.WorkflowRefused):
        act(world, entry, A.RECORD_PLAN, stranger)


def test_an_inactive_owner_may_not_act(world):
    entry = entry_in(world, S.RECORDED)
    owner = entry.owner
    owner.is_active = False
    owner.save()
    with pytest.raises(workflow.WorkflowRefused):
        act(world, entry, A.START, owner)


# --- R5: on time, stored at the reply ----------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "on_time"), [(0, True), (60, False)])
def test_the_on_time_flag_is_stored_at_the_reply_and_never_recomputed(world, days_ago, on_time):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(
        owner, informant=world.special_a, recorded_on=today() - dt.timedelta(days=days_ago)
    )
    entry = act(world, entry, A.RESOLVE_ON_SPOT, owner)
    entry = act(world, entry, A.REPLY, owner)
    assert entry.replied_on_time is on_time
    assert entry.events.get(kind=EventKind.REPLIED).after["replied_on_time"] is on_time
    # Later changes: a recomputed due date, a transfer, a progress note.
    Entry.objects.filter(pk=entry.pk).update(
        due_on=today() + dt.timedelta(days=-300 if on_time else 300)
    )
    entry.refresh_from_db()
    entry = act(world, entry, A.PROGRESS_NOTE, owner)
    entry = act(world, entry, A.TRANSFER, owner)
    entry.refresh_from_db()
    assert entry.replied_on_time is on_time


# --- R16: conflicts ----------------------------------------------------------------------------


def test_the_second_of_two_people_gets_a_conflict_and_nothing_is_overwritten(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    maintainer = world.users[Role.PARTY_BUILDING]
    entry = entry_in(world, S.RECORDED)
    first, second = Entry.objects.get(pk=entry.pk), Entry.objects.get(pk=entry.pk)
    act(world, first, A.REFER, owner)
    after_first = snapshot(entry)
    with pytest.raises(workflow.EntryConflict) as error:
        act(world, second, A.RESOLVE_ON_SPOT, maintainer)  # its version is the stale one
    assert entry.number in str(error.value)
    assert snapshot(entry) == after_first
    assert Entry.objects.get(pk=entry.pk).result == ""


def test_a_stale_version_is_a_conflict_even_where_the_state_would_refuse(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = entry_in(world, S.RECORDED)
    stale = entry.version
    entry = act(world, entry, A.RESOLVE_ON_SPOT, owner)
    with pytest.raises(workflow.EntryConflict):
        workflow.entry_refer(
            entry=entry, actor=owner, expected_version=stale, department=world.department
        )


def test_a_version_bump_between_the_check_and_the_write_is_a_conflict(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = entry_in(world, S.RECORDED)
    Entry.objects.filter(pk=entry.pk).update(version=entry.version + 1)  # someone else's write
    with pytest.raises(workflow.EntryConflict):
        act(world, entry, A.START, owner)
    assert not entry.events.filter(kind=EventKind.STARTED).exists()


# --- single actions ----------------------------------------------------------------------------


def test_refer_takes_the_items_default_department_and_needs_one(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = entry_in(world, S.RECORDED)
    with pytest.raises(ValidationError) as error:
        workflow.entry_refer(entry=entry, actor=owner, expected_version=entry.version)
    assert "department" in error.value.message_dict
    entry.item.default_department = world.department
    entry.item.save()
    entry = workflow.entry_refer(entry=entry, actor=owner, expected_version=entry.version)
    assert entry.department == world.department


def test_refer_only_to_a_department(world):
    entry = entry_in(world, S.RECORDED)
    with pytest.raises(ValidationError):
        act(world, entry, A.REFER, entry.owner, department=world.team_a)
    assert Entry.objects.get(pk=entry.pk).status == S.RECORDED


@pytest.mark.parametrize(
    ("action", "field"),
    [
        (A.RESOLVE_ON_SPOT, "result"),
        (A.RECORD_PLAN, "plan"),
        (A.RECORD_RESULT, "result"),
        (A.PROGRESS_NOTE, "note"),
        (A.VOID, "reason"),
    ],
)
def test_text_that_is_only_blanks_is_refused(world, action, field):
    entry = entry_in(world, TRIED_IN[action])
    before = snapshot(entry)
    with pytest.raises(ValidationError):
        act(world, entry, action, world.users[Role.PARTY_BUILDING], **{field: "   "})
    assert snapshot(entry) == before


def test_transfer_moves_ownership_to_someone_whose_scope_covers_the_entry(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    cadre = world.users[Role.GRASSROOTS_CADRE]
    entry = entry_in(world, S.RECORDED)
    candidates = set(workflow.transfer_candidates(entry=entry))
    assert cadre in candidates and world.users[Role.COMMITTEE_STAFF] in candidates
    assert owner not in candidates
    for outsider in (Role.DEPARTMENT_HANDLER, Role.OFFICE_CADRE, Role.PARTY_MEMBER):
        assert world.users[outsider] not in candidates  # none sees branch A's ledger by scope
        with pytest.raises(ValidationError):
            act(world, entry, A.TRANSFER, owner, new_owner=world.users[outsider])
    entry = act(world, entry, A.TRANSFER, owner, new_owner=cadre, note="调岗")
    assert entry.owner == cadre
    event = entry.events.get(kind=EventKind.TRANSFERRED)
    assert (event.before, event.after, event.note) == (
        {"owner": owner.pk},
        {"owner": cadre.pk},
        "调岗",
    )
    with pytest.raises(workflow.WorkflowRefused):
        act(world, entry, A.START, owner)
    act(world, entry, A.START, cadre)


def test_a_yellow_entry_needs_a_progress_note_every_month(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    recorded = today() - dt.timedelta(days=70)
    entry = make_entry(
        owner,
        informant=world.special_a,
        colour="yellow",
        recorded_on=recorded,
        target_on=today() + dt.timedelta(days=90),
    )
    assert workflow.progress_note_due(entry=entry)
    assert not workflow.progress_note_due(entry=entry, today=recorded)  # its first month
    entry = act(world, entry, A.PROGRESS_NOTE, owner)
    assert entry.last_progress_on == today()
    assert not workflow.progress_note_due(entry=entry)
    next_month = (today().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert workflow.progress_note_due(entry=entry, today=next_month)
    red = entry_in(world, S.RECORDED)
    assert not workflow.progress_note_due(entry=red, today=next_month)


def test_void_keeps_the_entry_with_its_reason_and_timeline(world):
    entry = entry_in(world, S.REFERRED)
    entry = act(world, entry, A.VOID, entry.owner)
    entry.refresh_from_db()
    assert (entry.status, entry.void_reason) == (S.VOID, "重复记录")
    assert EntryEvent.objects.filter(entry=entry).count() == 3
    assert workflow.entry_actions(entry=entry, user=world.users[Role.PARTY_BUILDING]) == []


def test_close_as_not_rated_by_the_system(world):
    entry = entry_in(world, S.REPLIED)
    entry = workflow.entry_close(
        entry=entry,
        actor=None,
        expected_version=entry.version,
        reason=ClosedReason.NOT_RATED,
    )
    assert (entry.status, entry.closed_reason) == (S.CLOSED, ClosedReason.NOT_RATED)
    assert entry.events.get(kind=EventKind.CLOSED).actor is None


def test_the_system_may_only_reopen_and_close(world):
    entry = entry_in(world, S.RESOLVED)
    with pytest.raises(workflow.WorkflowRefused):
        act(world, entry, A.REPLY, None)


@pytest.mark.parametrize("status", [S.RECORDED, S.REFERRED, S.REPLIED, S.VOID])
def test_the_page_offers_exactly_the_actions_entry_refusal_allows(world, status):
    """entry_actions works the user's capacities out once; what it offers is still, for every
    role, the actions on the page that entry_refusal lets that user take."""
    entry = entry_in(world, status)
    for user in world.users.values():
        allowed = [
            action
            for action, rule in TRANSITIONS.items()
            if rule.on_page and entry_refusal(entry=entry, actor=user, action=action) is None
        ]
        assert workflow.entry_actions(entry=entry, user=user) == allowed, user.role
