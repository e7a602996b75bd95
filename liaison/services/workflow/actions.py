"""One service per action of the state machine (liaison.transitions).

Every service is keyword-only and atomic. It checks, in this order: the role (WorkflowRefused),
the version the user's page showed (EntryConflict), the state (WorkflowError), then the input
(ValidationError); then it writes the change with one conditional UPDATE (``WHERE pk = … AND
version = expected``) that also bumps the version, so that of two people acting on one entry the
second gets a conflict, never an overwrite. Each change writes one event with the before and
after of every changed field (R16).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.constants import (
    ClosedReason,
    Colour,
    Decision,
    RequestKind,
    ReturnReason,
    SuspendReason,
    TemplateUse,
    UnitKind,
)
from liaison.deadlines import resumed_due_on
from liaison.models import CoHandler, Entry, Unit, User
from liaison.services.entries import entry_check_deadline, entry_event, entry_write
from liaison.services.handbacks import (
    notify_cohandling,
    notify_decided,
    notify_referred,
    notify_reopened,
    notify_request,
    notify_result_recorded,
    notify_returned,
    notify_transferred,
)
from liaison.services.knowledge import reply_template_use
from liaison.transitions import (
    TRANSITIONS,
    Action,
    cohandling_departments,
    entry_check,
    transfer_candidates,
)
from liaison.workdays import WorkCalendar


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def _required(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: _("This field is required.")})
    return text


def _on_time(entry: Entry, at: dt.datetime) -> bool:
    """Return whether a reply at `at` keeps the entry's deadline (an entry that takes a reply
    has one: basic information has none, and takes no reply)."""
    if entry.due_on is None:
        raise ValueError(f"Entry {entry.number} takes a reply but has no due date.")
    return timezone.localdate(at) <= entry.due_on


class TransitionHook(Protocol):
    def __call__(self, *, entry: Entry, action: str, actor: User | None) -> None: ...


# What other apps do in the same transaction as an action (feedback: the informant's rating link
# when an entry is referred or replied). liaison does not import them; they register here.
_TRANSITION_HOOKS: list[TransitionHook] = []


def transition_hook_register(hook: TransitionHook) -> None:
    """Have `hook(entry=, action=, actor=)` run after every action, inside its transaction
    (registered once, from an AppConfig.ready)."""
    if hook not in _TRANSITION_HOOKS:
        _TRANSITION_HOOKS.append(hook)


def _apply(
    *,
    entry: Entry,
    actor: User | None,
    action: str,
    expected_version: int,
    note: str = "",
    info: dict | None = None,
    **changes,
) -> Entry:
    """Write `changes` (and the action's target status) if the entry still has
    `expected_version`, bump the version, and log the before and after of every field (and
    `info`, what the action says that is no field, e.g. a return's reason). The caller has run
    entry_check."""
    rule = TRANSITIONS[action]
    if rule.target is not None:
        changes = {"status": rule.target, **changes}
    candidate = copy.copy(entry)
    for name, value in changes.items():
        setattr(candidate, name, value)
    untouched = [f.name for f in Entry._meta.concrete_fields if f.name not in changes]
    candidate.full_clean(exclude=untouched, validate_unique=False)

    # The event keeps what changed; a value written again unchanged is not news.
    before = {name: _jsonable(getattr(entry, name)) for name in changes}
    after = {name: _jsonable(value) for name, value in changes.items()}
    for name in [name for name in changes if before[name] == after[name]]:
        del before[name], after[name]
    after.update(info or {})
    entry_write(entry=entry, expected_version=expected_version, **changes)
    entry_event(entry=entry, kind=rule.event, actor=actor, note=note, before=before, after=after)
    for hook in _TRANSITION_HOOKS:
        hook(entry=entry, action=action, actor=actor)
    return entry


@transaction.atomic
def entry_start(*, entry: Entry, actor: User, expected_version: int, note: str = "") -> Entry:
    """Mark the work on a recorded entry as started."""
    entry_check(entry=entry, actor=actor, action=Action.START, expected_version=expected_version)
    return _apply(
        entry=entry,
        actor=actor,
        action=Action.START,
        expected_version=expected_version,
        note=(note or "").strip(),
    )


@transaction.atomic
def entry_resolve_on_spot(
    *, entry: Entry, actor: User, expected_version: int, result: str
) -> Entry:
    """Record that the owner solved the matter themselves (当场解决); the reply comes next."""
    action = Action.RESOLVE_ON_SPOT
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    return _apply(
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        result=_required(result, "result"),
        resolved_at=timezone.now(),
    )


@transaction.atomic
def entry_refer(
    *,
    entry: Entry,
    actor: User,
    expected_version: int,
    department: Unit | None = None,
    note: str = "",
) -> Entry:
    """Refer the entry to a professional department (活页交办, R4); the owner stays responsible
    (R3). Without a department, the service item's default department takes it."""
    entry_check(entry=entry, actor=actor, action=Action.REFER, expected_version=expected_version)
    department = _department(department or entry.item.default_department)
    entry = _apply(
        entry=entry,
        actor=actor,
        action=Action.REFER,
        expected_version=expected_version,
        department=department,
        referral_note=(note or "").strip(),
        referred_at=timezone.now(),
        signed_at=None,
        signed_by=None,
    )
    notify_referred(entry=entry)
    return entry


def _department(department: Unit | None) -> Unit:
    if department is None:
        raise ValidationError({"department": _("Choose the department that handles it.")})
    if department.kind != UnitKind.DEPARTMENT or not department.is_active:
        raise ValidationError({"department": _("Choose an active professional department.")})
    return department


@transaction.atomic
def entry_sign_for(*, entry: Entry, actor: User, expected_version: int, note: str = "") -> Entry:
    """Sign for a referral (签收, R17): the department takes it on; it can no longer be
    returned. The owner stays accountable for the reply (R3)."""
    action = Action.SIGN_FOR
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    return _apply(
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        note=(note or "").strip(),
        signed_at=timezone.now(),
        signed_by=actor,
    )


@transaction.atomic
def entry_return_referral(
    *, entry: Entry, actor: User, expected_version: int, reason: str, note: str = ""
) -> Entry:
    """Return a referral not signed for, within its window (退单, R17), with a reason from the
    fixed list ("other" needs a text); it goes back to the owner, who refers it again or
    handles it. The REFERRAL_RETURN_LIMIT-th return leaves the department to the
    party-building department's decision (审定)."""
    action = Action.RETURN_REFERRAL
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    if reason not in ReturnReason.values:
        raise ValidationError({"reason": _("Choose why the referral is returned.")})
    note = (note or "").strip()
    if reason == ReturnReason.OTHER and not note:
        raise ValidationError({"note": _("Say why the referral is returned.")})
    department = entry.department
    entry = _apply(
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        note=f"{ReturnReason(reason).label}{'：' + note if note else ''}",
        info={"return_reason": reason},
        department=None,
        referred_at=None,
        referral_returns=entry.referral_returns + 1,
    )
    notify_returned(
        entry=entry,
        actor=actor,
        department_name=department.name if department else "",
        reason=reason,
    )
    return entry


@transaction.atomic
def entry_arbitrate(
    *, entry: Entry, actor: User, expected_version: int, department: Unit, note: str = ""
) -> Entry:
    """Name the department that must take a referral returned REFERRAL_RETURN_LIMIT times
    (审定, R17): it is referred there and cannot be returned again."""
    action = Action.ARBITRATE
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    entry = _apply(
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        note=(note or "").strip(),
        department=_department(department),
        referred_at=timezone.now(),
        signed_at=None,
        signed_by=None,
    )
    notify_referred(entry=entry)
    return entry


@transaction.atomic
def entry_add_cohandler(
    *, entry: Entry, actor: User, expected_version: int, department: Unit, note: str = ""
) -> Entry:
    """Ask another department to co-handle a referred entry (协办, R18): it sees the entry in
    its inbox and adds its part to the timeline; the lead department keeps the plan and the
    result."""
    action = Action.ADD_COHANDLER
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    department = _department(department)
    if department.pk == entry.department_id:
        raise ValidationError({"department": _("This is the lead department already.")})
    if department.pk in cohandling_departments(entry):
        raise ValidationError({"department": _("This department co-handles it already.")})
    entry = _apply(  # first: of two people adding at once, the second gets a conflict
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        note=(note or "").strip(),
        info={"cohandler": department.pk},
    )
    CoHandler.objects.create(entry=entry, department=department, added_by=actor)
    entry.__dict__.pop("_cohandling_departments", None)
    notify_cohandling(entry=entry, actor=actor, department=department)
    return entry


@transaction.atomic
def entry_request_extension(
    *, entry: Entry, actor: User, expected_version: int, due_on: dt.date, reason: str
) -> Entry:
    """Ask, before the due date, for a later one with a reason (延期, R19); the approver decides
    (decide_extension). At most EXTENSION_MAX extensions per round."""
    action = Action.REQUEST_EXTENSION
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    reason = _required(reason, "reason")
    if due_on is None or entry.due_on is None or due_on <= entry.due_on:
        raise ValidationError(
            {"due_on": _("Ask for a date after the present due date %(due)s.")
             % {"due": entry.due_on.isoformat() if entry.due_on else "—"}}
        )  # fmt: skip
    entry = _apply(
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        note=reason,
        request_kind=RequestKind.EXTENSION,
        request_reason=reason,
        request_date=due_on,
        requested_at=timezone.now(),
    )
    notify_request(entry=entry, actor=actor)
    return entry


_REQUEST_CLEARED: dict[str, Any] = {"request_kind": "", "request_reason": "",
                                    "request_date": None, "requested_at": None,
                                    "request_code": ""}  # fmt: skip


@transaction.atomic
def entry_decide_extension(
    *, entry: Entry, actor: User, expected_version: int, decision: str, note: str = ""
) -> Entry:
    """Approve or reject the extension asked for (R19). Approved, the due date moves to the
    date asked for and the entry stays marked as extended (the on-time flag is judged against
    the new date); rejected (with a reason), the due date stands."""
    approved = {
        "due_on": entry.request_date,
        "extended_from": entry.extended_from or entry.due_on,
        "extensions": entry.extensions + 1,
    }
    return _decide_request(
        entry=entry, actor=actor, expected_version=expected_version, decision=decision,
        note=note, action=Action.DECIDE_EXTENSION, request=RequestKind.EXTENSION,
        approved=approved,
    )  # fmt: skip


def _decide_request(
    *,
    entry: Entry,
    actor: User,
    expected_version: int,
    decision: str,
    note: str,
    action: str,
    request: str,
    approved: dict[str, Any],
) -> Entry:
    """Decide the pending request (R19, R20): approved, write `approved`; rejected, a reason is
    required; either way the request is cleared and the owner told. A stale overdue flag is left
    to the sweep, which clears it with its event."""
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    note = (note or "").strip()
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Approve or reject the request.")})
    changes: dict[str, Any] = dict(_REQUEST_CLEARED)
    if decision == Decision.APPROVE:
        changes.update(approved)
    elif not note:
        raise ValidationError({"note": _("Say why the request is rejected.")})
    entry = _apply(
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        note=note,
        info={"decision": decision},
        **changes,
    )
    notify_decided(entry=entry, actor=actor, request=request, decision=decision, note=note)
    return entry


@transaction.atomic
def entry_suspend(
    *,
    entry: Entry,
    actor: User,
    expected_version: int,
    reason: str,
    note: str,
    review_on: dt.date,
) -> Entry:
    """Ask to suspend an entry waiting on something outside the owner's hands (挂起, R20), with
    a reason from the list, a text and the date to look at it again; the approver decides
    (decide_suspension), as for an extension."""
    action = Action.SUSPEND
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    if reason not in SuspendReason.values:
        raise ValidationError({"reason": _("Choose why the entry waits.")})
    note = _required(note, "note")
    if review_on is None or review_on <= timezone.localdate():
        raise ValidationError({"review_on": _("Give a review date after today.")})
    entry = _apply(
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        note=note,
        request_kind=RequestKind.SUSPENSION,
        request_code=reason,
        request_reason=note,
        request_date=review_on,
        requested_at=timezone.now(),
    )
    notify_request(entry=entry, actor=actor)
    return entry


@transaction.atomic
def entry_decide_suspension(
    *, entry: Entry, actor: User, expected_version: int, decision: str, note: str = ""
) -> Entry:
    """Approve or reject the suspension asked for (R20). Approved, the clock stands still from
    today: the entry is never overdue until it resumes; rejected (with a reason), it runs on."""
    approved = {
        "suspended_on": timezone.localdate(),
        "suspend_reason": entry.request_code,
        "suspend_review_on": entry.request_date,
        "suspensions": entry.suspensions + 1,
    }
    return _decide_request(
        entry=entry, actor=actor, expected_version=expected_version, decision=decision,
        note=note, action=Action.DECIDE_SUSPENSION, request=RequestKind.SUSPENSION,
        approved=approved,
    )  # fmt: skip


@transaction.atomic
def entry_resume(*, entry: Entry, actor: User, expected_version: int, note: str = "") -> Entry:
    """End a suspension (R20): the due date moves by the working days the entry stood still."""
    action = Action.RESUME
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    today = timezone.localdate()
    suspended_on = entry.suspended_on
    if suspended_on is None or entry.due_on is None:  # the guard refused it
        raise ValueError(f"Entry {entry.number} is not suspended.")
    calendar = WorkCalendar.load(min(suspended_on, entry.due_on).year, today.year + 1)
    due_on, stood = resumed_due_on(
        due_on=entry.due_on, suspended_on=suspended_on, today=today, calendar=calendar
    )
    return _apply(
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        note=(note or "").strip(),
        info={"working_days": stood},
        due_on=due_on,
        suspended_on=None,
        suspend_reason="",
        suspend_review_on=None,
        suspended_working_days=entry.suspended_working_days + stood,
    )


@transaction.atomic
def entry_record_plan(
    *, entry: Entry, actor: User, expected_version: int, plan: str, template: int | None = None
) -> Entry:
    """Record the department's solution plan (解决方案); `template`, the reply template the
    plan started from, counts one use of it (services.knowledge.reply_template_use)."""
    action = Action.RECORD_PLAN
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    signed: dict[str, Any] = {}
    if entry.signed_at is None:  # a plan is the department's answer: it signs for it too
        signed = {"signed_at": timezone.now(), "signed_by": actor}
    used = reply_template_use(template_id=template, entry=entry, step=TemplateUse.PLAN)
    return _apply(
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        info={"template": used} if used else None,
        plan=_required(plan, "plan"),
        **signed,
    )


@transaction.atomic
def entry_record_result(*, entry: Entry, actor: User, expected_version: int, result: str) -> Entry:
    """Record what the department did; the owner replies next."""
    action = Action.RECORD_RESULT
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    entry = _apply(
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        result=_required(result, "result"),
        resolved_at=timezone.now(),
    )
    notify_result_recorded(entry=entry, actor=actor)
    return entry


@transaction.atomic
def entry_reply(
    *,
    entry: Entry,
    actor: User,
    expected_version: int,
    text: str,
    method: str,
    template: int | None = None,
) -> Entry:
    """Record the reply to the informant (事事有回音). Whether it came on time is stored now and
    never recomputed (R5), so that last month's figures do not move. `template`, the reply
    template the text started from, counts one use of it."""
    entry_check(entry=entry, actor=actor, action=Action.REPLY, expected_version=expected_version)
    now = timezone.now()
    used = reply_template_use(template_id=template, entry=entry, step=TemplateUse.REPLY)
    return _apply(
        entry=entry,
        actor=actor,
        action=Action.REPLY,
        expected_version=expected_version,
        info={"template": used} if used else None,
        reply_text=_required(text, "text"),
        reply_method=method,
        replied_at=now,
        replied_on_time=_on_time(entry, now),
        is_overdue=False,  # R6: overdue means not replied; overdue_since stays as history
    )


@transaction.atomic
def entry_reopen(
    *,
    entry: Entry,
    actor: User | None,
    expected_version: int,
    target_on: dt.date | None = None,
    note: str = "",
) -> Entry:
    """Reopen a replied entry (重办) after an unsatisfied rating, with a fresh deadline of the
    same colour counted from today (a yellow one needs a new target date). The earlier plan,
    result and reply stay on the timeline."""
    entry_check(entry=entry, actor=actor, action=Action.REOPEN, expected_version=expected_version)
    if entry.colour == Colour.YELLOW and target_on is None:
        raise ValidationError({"target_on": _("A reopened yellow entry needs a new target date.")})
    due_on, provisional = entry_check_deadline(
        kind=entry.kind, colour=entry.colour, recorded_on=timezone.localdate(), target_on=target_on
    )
    entry = _apply(
        entry=entry,
        actor=actor,
        action=Action.REOPEN,
        expected_version=expected_version,
        note=(note or "").strip(),
        due_on=due_on,
        due_provisional=provisional,
        target_on=target_on,
        is_overdue=False,
        overdue_since=None,
        reopen_count=entry.reopen_count + 1,
        extensions=0,  # a new round: its own extensions (R19)
        extended_from=None,
        referral_returns=0,  # and its own referral: returns and sign-for start again (R17)
        referred_at=None,
        signed_at=None,
        signed_by=None,
        **_REQUEST_CLEARED,
    )
    notify_reopened(entry=entry, actor=actor)
    return entry


@transaction.atomic
def entry_close(
    *,
    entry: Entry,
    actor: User | None,
    expected_version: int,
    reason: str = ClosedReason.RATED,
    note: str = "",
) -> Entry:
    """Close a replied entry: rated, or not rated in time (R4)."""
    entry_check(entry=entry, actor=actor, action=Action.CLOSE, expected_version=expected_version)
    if reason not in (ClosedReason.RATED, ClosedReason.NOT_RATED):
        raise ValidationError({"reason": _("A replied entry closes as rated or as not rated.")})
    return _apply(
        entry=entry,
        actor=actor,
        action=Action.CLOSE,
        expected_version=expected_version,
        note=(note or "").strip(),
        closed_at=timezone.now(),
        closed_reason=reason,
    )


@transaction.atomic
def entry_transfer(
    *, entry: Entry, actor: User, expected_version: int, new_owner: User, note: str = ""
) -> Entry:
    """Hand the entry to another owner (R3: only by this explicit, logged transfer)."""
    entry_check(entry=entry, actor=actor, action=Action.TRANSFER, expected_version=expected_version)
    if not transfer_candidates(entry=entry).filter(pk=new_owner.pk).exists():
        raise ValidationError(
            {"new_owner": _("The new owner must be an active user whose scope covers the entry.")}
        )
    previous_owner_id = entry.owner_id
    entry = _apply(
        entry=entry,
        actor=actor,
        action=Action.TRANSFER,
        expected_version=expected_version,
        note=(note or "").strip(),
        owner=new_owner,
    )
    notify_transferred(entry=entry, actor=actor, previous_owner_id=previous_owner_id)
    return entry


@transaction.atomic
def entry_progress_note(*, entry: Entry, actor: User, expected_version: int, note: str) -> Entry:
    """Note how the work goes (跟踪问效); a yellow entry needs one every month (R1)."""
    action = Action.PROGRESS_NOTE
    entry_check(entry=entry, actor=actor, action=action, expected_version=expected_version)
    return _apply(
        entry=entry,
        actor=actor,
        action=action,
        expected_version=expected_version,
        note=_required(note, "note"),
        last_progress_on=timezone.localdate(),
    )


@transaction.atomic
def entry_void(*, entry: Entry, actor: User, expected_version: int, reason: str) -> Entry:
    """Void an entry with a reason (R16): it stays, with its timeline; nothing is deleted."""
    entry_check(entry=entry, actor=actor, action=Action.VOID, expected_version=expected_version)
    return _apply(
        entry=entry,
        actor=actor,
        action=Action.VOID,
        expected_version=expected_version,
        void_reason=_required(reason, "reason"),
    )


SERVICES: dict[str, Callable[..., Entry]] = {
    Action.START: entry_start,
    Action.RESOLVE_ON_SPOT: entry_resolve_on_spot,
    Action.REFER: entry_refer,
    Action.SIGN_FOR: entry_sign_for,
    Action.RETURN_REFERRAL: entry_return_referral,
    Action.ARBITRATE: entry_arbitrate,
    Action.ADD_COHANDLER: entry_add_cohandler,
    Action.REQUEST_EXTENSION: entry_request_extension,
    Action.DECIDE_EXTENSION: entry_decide_extension,
    Action.SUSPEND: entry_suspend,
    Action.DECIDE_SUSPENSION: entry_decide_suspension,
    Action.RESUME: entry_resume,
    Action.RECORD_PLAN: entry_record_plan,
    Action.RECORD_RESULT: entry_record_result,
    Action.REPLY: entry_reply,
    Action.REOPEN: entry_reopen,
    Action.CLOSE: entry_close,
    Action.TRANSFER: entry_transfer,
    Action.PROGRESS_NOTE: entry_progress_note,
    Action.VOID: entry_void,
}


def entry_act(*, action: str, entry: Entry, actor: User, expected_version: int, **data) -> Entry:
    """Run the service of `action` (a value of Action; the page's forms name their fields after
    the service's arguments)."""
    return SERVICES[Action(action)](
        entry=entry, actor=actor, expected_version=expected_version, **data
    )
