"""The state machine of an entry's lifecycle (R3, R4): the transition table and its checks.

TRANSITIONS is the one place that says which action may happen in which state, to which state it
leads and who may take it; the services, the entry page and the tests all read it.

Who may act:
- the owner (R3: whoever records is responsible, also while a department handles the entry);
- a handler of the department the entry is referred to, the lead department (sign for or return
  it, plan, result, progress notes, co-handling departments);
- a handler of a co-handling department (R18): its part, as a progress note;
- a maintainer (the party-building department and administrators), for every action, and alone
  to decide the department of a referral returned twice (R17);
- the approver of a request (R19): the branch secretary for party-member and branch-level
  entries of their branch, the party-building department for every entry — never the owner;
- the system (a rating by signed link, the not-rated sweep): only reopen and close.

Some actions also ask something of the entry beyond its status (a rule's `guard`): a referral is
signed for once, returned only unsigned and within its window (R17), and one returned
REFERRAL_RETURN_LIMIT times is referred by the party-building department alone.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.constants import (
    AWAITING_REPLY_STATUSES,
    COMPANY_WIDE_ROLES,
    EXTENSION_MAX,
    OPEN_STATUSES,
    REFERRAL_RETURN_LIMIT,
    SECRETARY_DECIDES_LEVELS,
    Colour,
    EntryKind,
    EntryStatus,
    EventKind,
    RequestKind,
    Role,
)
from liaison.deadlines import entry_calendar, in_sign_window
from liaison.models import CoHandler, Entry, OrgNode, User, in_subtree
from liaison.permissions import can_maintain_master_data


class Action(models.TextChoices):
    """What can be done to an entry after recording (R4)."""

    START = "start", gettext_lazy("Start work")
    RESOLVE_ON_SPOT = "resolve_on_spot", gettext_lazy("Resolve on the spot")
    REFER = "refer", gettext_lazy("Refer to a department")
    SIGN_FOR = "sign_for", gettext_lazy("Sign for the referral")
    RETURN_REFERRAL = "return_referral", gettext_lazy("Return the referral")
    ARBITRATE = "arbitrate", gettext_lazy("Decide the department")
    ADD_COHANDLER = "add_cohandler", gettext_lazy("Add a co-handling department")
    REQUEST_EXTENSION = "request_extension", gettext_lazy("Ask for an extension")
    DECIDE_EXTENSION = "decide_extension", gettext_lazy("Decide the extension")
    SUSPEND = "suspend", gettext_lazy("Ask to suspend")
    DECIDE_SUSPENSION = "decide_suspension", gettext_lazy("Decide the suspension")
    RESUME = "resume", gettext_lazy("Resume")
    RECORD_PLAN = "record_plan", gettext_lazy("Record the solution plan")
    RECORD_RESULT = "record_result", gettext_lazy("Record the result")
    REPLY = "reply", gettext_lazy("Reply to the informant")
    REOPEN = "reopen", gettext_lazy("Reopen")
    CLOSE = "close", gettext_lazy("Close")
    TRANSFER = "transfer", gettext_lazy("Transfer ownership")
    PROGRESS_NOTE = "progress_note", gettext_lazy("Add a progress note")
    VOID = "void", gettext_lazy("Void")


class Actor(enum.Enum):
    """The capacities in which someone may act on an entry."""

    OWNER = gettext_lazy("the entry's owner")
    HANDLER = gettext_lazy("the handling department")
    COHANDLER = gettext_lazy("a co-handling department")
    APPROVER = gettext_lazy("the approver (the branch secretary or the party-building department)")
    RETURN_VISITOR = gettext_lazy("the branch secretary on a return visit")
    MAINTAINER = gettext_lazy("the party-building department")
    SYSTEM = gettext_lazy("the system")


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]  # states of an entry that needs a reply
    target: str | None  # None: the status stays
    actors: frozenset[Actor]
    event: str
    done: Promise  # the message shown after it succeeded
    on_page: bool = (
        True  # offered as a form on the entry page (reopen and close come with a rating)
    )
    basic_sources: frozenset[str] = frozenset()  # states of basic information (R2)
    # What the entry must be beyond its status: None if it may, else why not (a 400).
    guard: Callable[[Entry], str | None] | None = None


def _returned_to_the_limit(entry: Entry) -> bool:
    return entry.referral_returns >= REFERRAL_RETURN_LIMIT


def _refer_guard(entry: Entry) -> str | None:
    if _returned_to_the_limit(entry):
        return _(
            "This referral was returned %(n)d times: the party-building department decides "
            "which department takes it (审定)."
        ) % {"n": entry.referral_returns}
    return None


def _sign_for_guard(entry: Entry) -> str | None:
    if entry.signed_at is not None:
        return _("The referral was already signed for.")
    return None


def _return_guard(entry: Entry) -> str | None:
    if entry.signed_at is not None:
        return _("A referral signed for can no longer be returned: record the plan.")
    if _returned_to_the_limit(entry):
        return _("The party-building department decided this referral: it cannot be returned.")
    today = timezone.localdate()
    calendar = entry_calendar(entry, today)
    if not in_sign_window(referred_at=entry.referred_at, today=today, calendar=calendar):
        return _("The time to return this referral has passed: sign for it and handle it.")
    return None


def awaiting_arbitration_q() -> Q:
    """The entries whose department the party-building department must decide (审定, R17):
    returned to the limit and not referred since (a partial index serves it)."""
    return Q(
        status=EntryStatus.IN_PROGRESS,
        referral_returns__gte=REFERRAL_RETURN_LIMIT,
        department__isnull=True,
    )


def extension_max() -> int:
    """Return how many extensions an entry may have per round (R19)."""
    return getattr(settings, "EXTENSION_MAX", EXTENSION_MAX)


def _request_extension_guard(entry: Entry) -> str | None:
    if entry.request_kind:
        return _("A request on this entry awaits its decision.")
    if entry.suspended_on is not None:
        return _("The entry is suspended: resume it first.")
    if entry.extensions >= extension_max():
        return _("An entry may be extended at most %(n)d times per round.") % {"n": extension_max()}
    if entry.due_on is None or entry.due_on < timezone.localdate():
        return _("An extension is asked for before the due date.")
    return None


def _decide_extension_guard(entry: Entry) -> str | None:
    if entry.request_kind != RequestKind.EXTENSION:
        return _("No extension request awaits a decision.")
    return None


def _suspend_guard(entry: Entry) -> str | None:
    if entry.request_kind:
        return _("A request on this entry awaits its decision.")
    if entry.suspended_on is not None:
        return _("The entry is suspended already.")
    if entry.due_on is None or entry.due_on < timezone.localdate():
        return _("A suspension is asked for before the due date.")
    return None


def _decide_suspension_guard(entry: Entry) -> str | None:
    if entry.request_kind != RequestKind.SUSPENSION:
        return _("No suspension request awaits a decision.")
    return None


def _resume_guard(entry: Entry) -> str | None:
    if entry.suspended_on is None:
        return _("The entry is not suspended.")
    return None


def awaiting_decision_q(user: User) -> Q:
    """The entries with a request `user` decides (R19): for a secretary, the party-member and
    branch-level entries of the branch that others own; for the party-building department,
    all (a partial index serves it)."""
    pending = ~Q(request_kind="") & ~Q(owner_id=user.pk)  # never one's own request
    if can_maintain_master_data(user):
        return pending
    if user.role == Role.BRANCH_SECRETARY and user.scope_org_id and user.scope_org:
        return (
            pending
            & in_subtree("org_id", user.scope_org.path)
            & Q(level__in=SECRETARY_DECIDES_LEVELS)
        )
    return Q(pk__in=[])


def covers_as_secretary(*, entry: Entry, user: User) -> bool:
    """Return whether `user` is the secretary of the branch (or of a branch above) whose ledger
    holds `entry`."""
    scope = user.scope_org if user.role == Role.BRANCH_SECRETARY else None
    return scope is not None and entry.org.path.startswith(scope.path)


def decides_requests(*, entry: Entry, user: User) -> bool:
    """Return whether `user` decides the requests on `entry` (R19): never its owner; the
    party-building department always; the branch's secretary for its party-member and
    branch-level entries."""
    if user.pk == entry.owner_id:
        return False
    if can_maintain_master_data(user):
        return True
    return entry.level in SECRETARY_DECIDES_LEVELS and covers_as_secretary(entry=entry, user=user)


def _arbitrate_guard(entry: Entry) -> str | None:
    if not _returned_to_the_limit(entry):
        return _(
            "Only a referral returned %(n)d times is decided by the party-building department."
        ) % {"n": REFERRAL_RETURN_LIMIT}
    return None


_S = EntryStatus
_OWNER_SIDE = frozenset({Actor.OWNER, Actor.MAINTAINER})
_HANDLER_SIDE = frozenset({Actor.HANDLER, Actor.MAINTAINER})
# The rating closes or reopens: heard by the owner, a third party on a return visit (R21: the
# branch secretary, the party-building department) or through the informant's signed link.
_RATING_SIDE = frozenset({Actor.OWNER, Actor.RETURN_VISITOR, Actor.MAINTAINER, Actor.SYSTEM})

TRANSITIONS: dict[str, Transition] = {
    Action.START: Transition(
        frozenset({_S.RECORDED}),
        _S.IN_PROGRESS,
        _OWNER_SIDE,
        EventKind.STARTED,
        gettext_lazy("Work on the entry has started."),
    ),
    Action.RESOLVE_ON_SPOT: Transition(
        frozenset({_S.RECORDED, _S.IN_PROGRESS}),
        _S.RESOLVED,
        _OWNER_SIDE,
        EventKind.RESOLVED_ON_SPOT,
        gettext_lazy("Recorded as resolved; now reply to the informant."),
    ),
    Action.REFER: Transition(
        frozenset({_S.RECORDED, _S.IN_PROGRESS}),
        _S.REFERRED,
        _OWNER_SIDE,
        EventKind.REFERRED,
        gettext_lazy("Referred to the department; print its referral sheet if it works on paper."),
        guard=_refer_guard,
    ),
    Action.SIGN_FOR: Transition(
        frozenset({_S.REFERRED}),
        None,
        _HANDLER_SIDE,
        EventKind.SIGNED_FOR,
        gettext_lazy("Signed for: the referral is your department's to handle."),
        guard=_sign_for_guard,
    ),
    Action.RETURN_REFERRAL: Transition(
        frozenset({_S.REFERRED}),
        _S.IN_PROGRESS,
        _HANDLER_SIDE,
        EventKind.REFERRAL_RETURNED,
        gettext_lazy("Returned to the owner, who refers it elsewhere or handles it."),
        guard=_return_guard,
    ),
    Action.ARBITRATE: Transition(
        frozenset({_S.IN_PROGRESS}),
        _S.REFERRED,
        frozenset({Actor.MAINTAINER}),
        EventKind.ARBITRATED,
        gettext_lazy("Decided: the department named must take the referral."),
        guard=_arbitrate_guard,
    ),
    Action.ADD_COHANDLER: Transition(
        frozenset({_S.REFERRED, _S.PLANNED}),
        None,
        frozenset({Actor.OWNER, Actor.HANDLER, Actor.MAINTAINER}),
        EventKind.COHANDLER_ADDED,
        gettext_lazy("The co-handling department was asked to add its part."),
    ),
    Action.REQUEST_EXTENSION: Transition(
        AWAITING_REPLY_STATUSES,
        None,
        _OWNER_SIDE,
        EventKind.EXTENSION_REQUESTED,
        gettext_lazy("Extension requested; the approver decides."),
        guard=_request_extension_guard,
    ),
    Action.DECIDE_EXTENSION: Transition(
        AWAITING_REPLY_STATUSES,
        None,
        frozenset({Actor.APPROVER}),
        EventKind.EXTENSION_DECIDED,
        gettext_lazy("Decision recorded; the owner is told."),
        guard=_decide_extension_guard,
    ),
    Action.SUSPEND: Transition(
        AWAITING_REPLY_STATUSES,
        None,
        _OWNER_SIDE,
        EventKind.SUSPENSION_REQUESTED,
        gettext_lazy("Suspension requested; the approver decides."),
        guard=_suspend_guard,
    ),
    Action.DECIDE_SUSPENSION: Transition(
        AWAITING_REPLY_STATUSES,
        None,
        frozenset({Actor.APPROVER}),
        EventKind.SUSPENSION_DECIDED,
        gettext_lazy("Decision recorded; the owner is told."),
        guard=_decide_suspension_guard,
    ),
    Action.RESUME: Transition(
        AWAITING_REPLY_STATUSES,
        None,
        frozenset({Actor.OWNER, Actor.APPROVER, Actor.MAINTAINER}),
        EventKind.RESUMED,
        gettext_lazy("Resumed: the due date moved by the working days it stood still."),
        guard=_resume_guard,
    ),
    Action.RECORD_PLAN: Transition(
        frozenset({_S.REFERRED}),
        _S.PLANNED,
        _HANDLER_SIDE,
        EventKind.PLAN_RECORDED,
        gettext_lazy("Solution plan recorded."),
    ),
    Action.RECORD_RESULT: Transition(
        frozenset({_S.PLANNED}),
        _S.RESOLVED,
        _HANDLER_SIDE,
        EventKind.RESULT_RECORDED,
        gettext_lazy("Result recorded; the owner now replies to the informant."),
    ),
    Action.REPLY: Transition(
        frozenset({_S.RESOLVED}),
        _S.REPLIED,
        _OWNER_SIDE,
        EventKind.REPLIED,
        gettext_lazy("Reply recorded; the informant's rating comes next."),
    ),
    Action.REOPEN: Transition(
        frozenset({_S.REPLIED}),
        _S.IN_PROGRESS,
        _RATING_SIDE,
        EventKind.REOPENED,
        gettext_lazy("The entry is reopened with a fresh deadline."),
        on_page=False,
    ),
    Action.CLOSE: Transition(
        frozenset({_S.REPLIED}),
        _S.CLOSED,
        _RATING_SIDE,
        EventKind.CLOSED,
        gettext_lazy("The entry is closed."),
        on_page=False,
    ),
    Action.TRANSFER: Transition(
        OPEN_STATUSES,
        None,
        _OWNER_SIDE,
        EventKind.TRANSFERRED,
        gettext_lazy("Ownership transferred."),
    ),
    Action.PROGRESS_NOTE: Transition(
        OPEN_STATUSES,
        None,
        frozenset({Actor.OWNER, Actor.HANDLER, Actor.COHANDLER, Actor.MAINTAINER}),
        EventKind.PROGRESS_NOTE,
        gettext_lazy("Progress note added."),
    ),
    Action.VOID: Transition(
        OPEN_STATUSES,
        _S.VOID,
        _OWNER_SIDE,
        EventKind.VOIDED,
        gettext_lazy("The entry is void. It stays in the ledger with its reason."),
        basic_sources=frozenset({_S.CLOSED}),
    ),
}


class WorkflowError(Exception):
    """The action does not apply to the entry as it stands (answered with 400)."""


class EntryConflict(Exception):
    """Someone else changed the entry since the page was loaded (R16; answered with 409)."""

    def __init__(self, entry: Entry):
        super().__init__(
            _("Entry %(number)s was changed by someone else meanwhile. Reload it and try again.")
            % {"number": entry.number}
        )
        self.entry = entry


class WorkflowRefused(WorkflowError):
    """The user may not take the action on this entry (answered with 403)."""


def cohandling_departments(entry: Entry) -> frozenset[int]:
    """Return the ids of the entry's co-handling departments (R18), read once per loaded
    entry (the page asks for every action)."""
    cached = entry.__dict__.get("_cohandling_departments")
    if cached is None:
        cached = frozenset(
            CoHandler.objects.filter(entry_id=entry.pk).values_list("department_id", flat=True)
        )
        entry.__dict__["_cohandling_departments"] = cached
    return cached


def actor_capacities(*, entry: Entry, actor: User | None) -> frozenset[Actor]:
    """Return the capacities in which `actor` (None: the system) may act on `entry`."""
    if actor is None:
        return frozenset({Actor.SYSTEM})
    if not actor.is_authenticated or not actor.is_active:
        return frozenset()
    found = set()
    if actor.pk == entry.owner_id:
        found.add(Actor.OWNER)
    if actor.role == Role.DEPARTMENT_HANDLER and actor.department_id:
        if actor.department_id == entry.department_id:
            found.add(Actor.HANDLER)
        elif entry.department_id and actor.department_id in cohandling_departments(entry):
            found.add(Actor.COHANDLER)
    if can_maintain_master_data(actor):
        found.add(Actor.MAINTAINER)
    if decides_requests(entry=entry, user=actor):
        found.add(Actor.APPROVER)
    if actor.pk != entry.owner_id and covers_as_secretary(entry=entry, user=actor):
        found.add(Actor.RETURN_VISITOR)
    return frozenset(found)


def _sources(entry: Entry, rule: Transition) -> frozenset[str]:
    return rule.basic_sources if entry.kind == EntryKind.BASIC else rule.sources


def _role_refusal(entry: Entry, actor: User | None, action: str) -> WorkflowError | None:
    rule = TRANSITIONS[action]
    if actor_capacities(entry=entry, actor=actor) & rule.actors:
        return None
    who = _(" or ").join(str(a.value) for a in Actor if a in rule.actors - {Actor.SYSTEM})
    return WorkflowRefused(
        _("Only %(who)s may do this: “%(action)s”.") % {"who": who, "action": Action(action).label}
    )


def _state_allows(entry: Entry, rule: Transition) -> bool:
    """Whether the entry's state lets the rule's action be taken (what _state_refusal says
    without writing why not)."""
    return entry.status in _sources(entry, rule) and (
        rule.guard is None or rule.guard(entry) is None
    )


def _state_refusal(entry: Entry, action: str) -> WorkflowError | None:
    rule = TRANSITIONS[action]
    if entry.status in _sources(entry, rule):
        why = rule.guard(entry) if rule.guard is not None else None
        return None if why is None else WorkflowError(why)
    if entry.kind == EntryKind.BASIC and entry.status == EntryStatus.CLOSED:
        return WorkflowError(_("Basic information needs no reply; it can only be voided."))
    return WorkflowError(
        _("“%(action)s” is not possible while the entry is “%(status)s”.")
        % {"action": Action(action).label, "status": entry.get_status_display()}
    )


def entry_refusal(*, entry: Entry, actor: User | None, action: str) -> WorkflowError | None:
    """Return why `actor` may not take `action` on `entry` as loaded, or None if they may."""
    return _role_refusal(entry, actor, action) or _state_refusal(entry, action)


def entry_check(
    *, entry: Entry, actor: User | None, action: str, expected_version: int | None = None
) -> None:
    """Raise unless `actor` may take `action` now: WorkflowRefused for the role, EntryConflict
    when the entry changed since the page showed `expected_version`, WorkflowError for the
    state. A stale page thus hears "changed meanwhile", not "not possible now"."""
    refusal = _role_refusal(entry, actor, action)
    if refusal is None and expected_version is not None and expected_version != entry.version:
        raise EntryConflict(entry)
    refusal = refusal or _state_refusal(entry, action)
    if refusal is not None:
        raise refusal


def entry_actions(*, entry: Entry, user: User) -> list[str]:
    """Return the actions the entry page offers `user` on `entry`, in the table's order: those
    entry_refusal would allow, the user's capacities worked out once for all of them (and no
    refusal's message written for an action the page leaves out)."""
    capacities = actor_capacities(entry=entry, actor=user)
    return [
        action
        for action, rule in TRANSITIONS.items()
        if rule.on_page and capacities & rule.actors and _state_allows(entry, rule)
    ]


def progress_note_due(*, entry: Entry, today: dt.date | None = None) -> bool:
    """Return whether a yellow entry still waiting for its reply lacks this month's progress
    note (R1: one a month until it is done; the month of recording needs none)."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    return (
        entry.colour == Colour.YELLOW
        and entry.status in AWAITING_REPLY_STATUSES
        and entry.recorded_on < month_start
        and (entry.last_progress_on is None or entry.last_progress_on < month_start)
    )


def progress_note_due_q(today: dt.date) -> Q:
    """The entries for which progress_note_due holds on `today`, as a query condition."""
    month_start = today.replace(day=1)
    return Q(
        colour=Colour.YELLOW, status__in=AWAITING_REPLY_STATUSES, recorded_on__lt=month_start
    ) & (Q(last_progress_on__isnull=True) | Q(last_progress_on__lt=month_start))


def transfer_candidates(*, entry: Entry) -> QuerySet[User]:
    """Return who may take an entry over: an active user, other than the owner, whose scope
    covers the entry's ledger (the org or one above it) or who sees the whole company."""
    steplen = OrgNode.steplen
    path = entry.org.path
    covering = [path[:end] for end in range(steplen, len(path) + 1, steplen)]
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True) | Q(role__in=COMPANY_WIDE_ROLES) | Q(scope_org__path__in=covering)
        )
        .exclude(pk=entry.owner_id)
        .order_by("username")
    )
