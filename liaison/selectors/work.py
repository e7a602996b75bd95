"""The home page as a work queue: what the user must do now, by role (issue: work that finds its
owner). Each queue is a rule of liaison.deadlines or liaison.transitions applied to the entries
the user answers for; the page shows each queue's count and its first few entries, oldest due
first, each linking to its entry.

Bounded: the queues of a set of entries (an owner's, a branch's or a department's: an index on
owner, org or department narrows them) are read together, as the ids of the entries some queue
wants with a flag per rule, then the WORK_LIST_LIMIT first entries of each are loaded;
supervisors read the supervision board's grouped counts (overdue entries only) and a few small
lists. No queue scans all entries.

Other apps add cards to the page without liaison importing them (feedback depends on liaison,
never the reverse): a builder registered with `home_panel_register` returns its card for the
user, or None; feedback's gives the satisfaction of the user's scope.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from liaison import permissions
from liaison.constants import EntryScope, EntryStatus, PairingKind, Role
from liaison.deadlines import awaiting_q, due_soon_q, overdue_q
from liaison.filters import under_open_notice_q
from liaison.models import (
    Entry,
    MonthlyReview,
    Pairing,
    Person,
    Supervision,
    User,
    in_subtree,
)
from liaison.selectors.reviews import previous_month
from liaison.selectors.supervision import AgeBounds, Board, board_summary
from liaison.transitions import (
    awaiting_arbitration_q,
    awaiting_decision_q,
    progress_note_due_q,
)
from liaison.workdays import WorkCalendar

# Each queue shows this many entries; its count says how many more there are.
WORK_LIST_LIMIT = 5
# The queues of entries past their due date (shown in red).
URGENT_QUEUES = frozenset({"overdue", "contact_overdue"})
# The columns a queue's entries are read with (liaison/_work.html shows no more).
QUEUE_ENTRY_FIELDS = ("pk", "number", "title", "due_on")


@dataclass(frozen=True)
class HomePanel:
    """A card of the home page that another app renders: its template and context."""

    template: str
    context: dict


HomePanelBuilder = Callable[..., HomePanel | None]  # (*, user, today) -> card or None
_HOME_PANELS: list[HomePanelBuilder] = []


def home_panel_register(builder: HomePanelBuilder) -> HomePanelBuilder:
    """Add a card to the home page, after the work queues (call from an AppConfig.ready)."""
    if builder not in _HOME_PANELS:
        _HOME_PANELS.append(builder)
    return builder


@dataclass
class WorkQueue:
    key: str
    label: Promise
    count: int
    entries: list[Entry] = field(default_factory=list)

    @property
    def urgent(self) -> bool:
        """Past the due date: shown in red."""
        return self.key in URGENT_QUEUES


@dataclass
class WorkPage:
    """What the home page asks the user to do, by role; empty queues are left out."""

    title: Promise | None = None  # what the queues are about: mine, my branch's, my department's
    queues: list[WorkQueue] = field(default_factory=list)
    review_to_sign: MonthlyReview | None = None
    review_missing: bool = False  # last month's sheet of the secretary's branch is not there
    board: Board | None = None  # supervisors: overdue entries by unit one level down
    open_notices: int = 0
    unsigned_reviews: int = 0
    new_today: list[Entry] = field(default_factory=list)
    new_today_count: int = 0
    panels: list[HomePanel] = field(default_factory=list)  # other apps' cards

    @property
    def is_empty(self) -> bool:
        return not (self.queues or self.review_to_sign or self.review_missing or self.board)


def _owner_queues(today: dt.date, calendar: WorkCalendar) -> list[tuple[str, Promise, Q]]:
    """The owner's queues (R3: whoever records is responsible), in the order of urgency."""
    return [
        ("overdue", _("Overdue"), overdue_q(today)),
        ("supervised", _("Supervision notices to answer"), under_open_notice_q()),
        ("reopened", _("Reopened by an unsatisfied rating"), awaiting_q() & Q(reopen_count__gt=0)),
        ("to_reply", _("Resolved: reply to the informant"), Q(status=EntryStatus.RESOLVED)),
        ("due_soon", _("Due soon"), due_soon_q(today=today, calendar=calendar)),
        ("progress_note", _("Yellow entries without this month's progress note"),
         progress_note_due_q(today)),
    ]  # fmt: skip


def _handler_queues() -> list[tuple[str, Promise, Q]]:
    """A department's queues: referrals to sign for or return first (R17), then what awaits
    its plan, then its result."""
    referred = Q(status=EntryStatus.REFERRED)
    return [
        ("to_sign", _("Referred: sign for it or return it"), referred & Q(signed_at__isnull=True)),
        (
            "to_plan",
            _("Signed for: record the solution plan"),
            referred & Q(signed_at__isnull=False),
        ),
        ("to_resolve", _("Planned: record the result"), Q(status=EntryStatus.PLANNED)),
    ]


def _contact_point_queues(user: User, today: dt.date) -> list[WorkQueue]:
    """A leadership cadre's contact points (R13, 领导干部联系点): the open and the overdue
    entries raised by their people, whoever owns them."""
    units = Pairing.objects.active_on(today).filter(
        kind=PairingKind.LEADER_CONTACT, person_id=user.person_id, target_unit__isnull=False
    )
    people = Person.objects.filter(unit_id__in=units.values("target_unit_id"))
    raised = Entry.objects.filter(informant_id__in=people.values("pk"))
    rules = [
        ("contact_overdue", _("Overdue at my contact points"), overdue_q(today)),
        ("contact_open", _("Open at my contact points"), awaiting_q()),
    ]
    return _queues(raised, rules)


def _queues(entries: QuerySet[Entry], rules: Sequence[tuple[str, Promise, Q]]) -> list[WorkQueue]:
    """Every queue's count and first entries (overdue — the oldest due date — first) in two
    queries, whatever the number of queues.

    The first reads the entries some queue wants (the OR of the rules, which PostgreSQL takes
    from the rules' indexes, never every entry of the scope) in due order, as ids with one flag
    per rule worked out by the database; the second loads the few entries the queues show. A
    query per queue cost up to 9 ms each at a million entries, the planner walking the due-date
    index to find five entries of one branch."""
    if not rules:
        return []
    # Each rule is resolved once, as a flag; the WHERE clause is the OR of the flags' SQL (the
    # same condition as the rules' OR, so the same plan), not the rules resolved a second time.
    flags = {f"in_{key}": ExpressionWrapper(rule, BooleanField()) for key, _label, rule in rules}
    wanted = reduce(operator.or_, (Q(**{flag: True}) for flag in flags))
    rows = (
        entries.annotate(**flags).filter(wanted).order_by("due_on", "pk").values_list("pk", *flags)
    )
    counts = [0] * len(rules)
    first: list[list[int]] = [[] for _rule in rules]
    for pk, *marks in rows:
        for position, mark in enumerate(marks):
            if mark:
                counts[position] += 1
                if len(first[position]) < WORK_LIST_LIMIT:
                    first[position].append(pk)
    # What a queue's line shows: the entry's title, number and due date, and its link.
    shown = Entry.objects.only(*QUEUE_ENTRY_FIELDS).in_bulk([pk for pks in first for pk in pks])
    return [
        WorkQueue(key, label, counts[position], [shown[pk] for pk in first[position]])
        for position, (key, label, _rule) in enumerate(rules)
        if counts[position]
    ]


# What the queues of the user's own work are about, by role (the rest: "my work").
_OWN_TITLES: dict[str, Promise] = {
    Role.DEPARTMENT_HANDLER: _("My department's work"),
    Role.BRANCH_SECRETARY: _("My branch's work"),
}


def _own_work(user: User, today: dt.date, calendar: WorkCalendar):
    """The entries the user answers for and the rules of their queues, or None (a user with
    no queue of their own): a department's referrals for a handler, the branch's entries for a
    secretary, the entries they own (R3) for every other recorder."""
    if user.role == Role.DEPARTMENT_HANDLER and user.department_id:
        return Entry.objects.filter(department_id=user.department_id), _handler_queues()
    if user.role == Role.BRANCH_SECRETARY and user.scope_org_id:
        branch = user.scope_org
        assert branch is not None  # scope_org_id is set
        entries = Entry.objects.filter(in_subtree("org_id", branch.path))
        return entries, _owner_queues(today, calendar)
    if user.role in permissions.RECORDER_ROLES:
        return Entry.objects.filter(owner_id=user.pk), _owner_queues(today, calendar)
    return None


def _decisions(user: User) -> list[WorkQueue]:
    """What the user decides: a secretary the extension requests of the branch's party-member
    and branch-level entries (R19); the party-building department every request and the
    department of referrals returned twice (R17). One count for all, over partial indexes."""
    rules = _decision_rules(user)
    path = permissions.scope_path(user)
    if not rules or path is None:
        return []
    return _queues(_in_scope(path), rules)


def _in_scope(path: str) -> QuerySet[Entry]:
    """The entries of a subtree; the whole company reads no join to the org tree."""
    return Entry.objects.filter(in_subtree("org_id", path)) if path else Entry.objects.all()


def _decision_rules(user: User) -> list[tuple[str, Promise, Q]]:
    maintainer = permissions.can_maintain_master_data(user)
    rules: list[tuple[str, Promise, Q]] = []
    if maintainer:
        rules.append(
            ("to_arbitrate", _("Returned twice: decide the department"), awaiting_arbitration_q())
        )
    if maintainer or user.role == Role.BRANCH_SECRETARY:
        label = _("Requests to decide (extensions, suspensions)")
        rules.append(("to_decide", label, awaiting_decision_q(user)))
    return rules


def work_page(*, user: User, today: dt.date | None = None) -> WorkPage:
    """Return the home page's queues for `user` (call for an authenticated user), then the
    cards other apps add for them."""
    today = today or timezone.localdate()
    page = _role_work(user, today)
    page.panels = [
        panel for builder in _HOME_PANELS if (panel := builder(user=user, today=today)) is not None
    ]
    return page


def _role_work(user: User, today: dt.date) -> WorkPage:
    """The queues of the user's role."""
    calendar = WorkCalendar.load(today.year - 1, today.year + 1)  # once, for every rule
    page = WorkPage()
    role = user.role
    own = _own_work(user, today, calendar)
    if own is not None:
        entries, rules = own
        page.title = _OWN_TITLES.get(role, _("My work"))
        page.queues = _queues(entries, rules)
    if role == Role.DEPARTMENT_HANDLER:
        if user.department_id:  # what other departments lead and this one helps with (R18)
            helping = Entry.objects.filter(pk__in=permissions.cohandled_entries(user.department_id))
            rule = (
                "cohandling",
                _("Co-handling: add your department's part"),
                Q(status__in=[EntryStatus.REFERRED, EntryStatus.PLANNED]),
            )
            page.queues += _queues(helping, [rule])
        return page
    if role == Role.BRANCH_SECRETARY and user.scope_org_id:
        review = MonthlyReview.objects.filter(
            org_id=user.scope_org_id, month=previous_month(today)
        ).first()
        page.review_missing = review is None
        page.review_to_sign = review if review is not None and not review.is_signed else None
    if role == Role.LEADERSHIP_CADRE and user.person_id:
        page.queues += _contact_point_queues(user, today)
    page.queues += _decisions(user)
    if permissions.reads_supervision_board(user) and role != Role.BRANCH_SECRETARY:
        _supervisor_view(page, user, today, calendar)
    return page


def _open_notices(path: str) -> QuerySet[Supervision]:
    """The supervision notices awaiting an answer on the entries of a subtree (the whole
    company: no join)."""
    notices = Supervision.objects.filter(responded_at__isnull=True)
    return notices.filter(entry__org__path__startswith=path) if path else notices


def _supervisor_view(page: WorkPage, user: User, today: dt.date, calendar: WorkCalendar) -> None:
    """Committee staff, leadership cadres and the party-building department: the overdue
    entries of their subtree by unit one level down (the supervision board's counts), notices
    awaiting an answer, last month's unsigned reviews and the day's new entries."""
    path = permissions.scope_path(user) or ""
    if not page.queues:  # nothing of their own: the page is about their scope
        page.title = _("My scope's work")
    page.board = board_summary(
        user=user, node=None, today=today, bounds=AgeBounds.of(today, calendar)
    )
    page.open_notices = _open_notices(path).count()
    reviews = MonthlyReview.objects.filter(month=previous_month(today), signed_at__isnull=True)
    page.unsigned_reviews = (
        reviews.filter(org__path__startswith=path) if path else reviews
    ).count()
    new = _in_scope(path).filter(recorded_on=today)
    page.new_today_count = new.count()
    # What the card shows of each: its title and organisation (and its link, by id).
    shown = new.select_related("org").only("title", "org__name")
    page.new_today = list(shown.order_by("-pk")[:WORK_LIST_LIMIT])


def nav_counts(*, user: User, today: dt.date | None = None) -> dict[str, int]:
    """Return the menu's badges (non-zero ones only), keyed by menu item: "home", the entries
    that wait for the user (each once, whichever queues hold it); the user's own entry list,
    the overdue ones in it (a handler's inbox: the referrals awaiting a plan or a result);
    "reviews", last month's review the secretary has to sign; "supervision", the notices in
    the user's scope awaiting an answer; requests to decide and referrals to arbitrate count on
    "home" too. At most four queries, by the same rules as the home page's queues."""
    today = today or timezone.localdate()
    calendar = WorkCalendar.load(today.year - 1, today.year + 1)
    counts: dict[str, int] = {}
    own = _own_work(user, today, calendar)
    if own is not None:
        entries, rules = own
        anything = Q(pk__in=[])
        for _key, _label, rule in rules:
            anything |= rule
        found = entries.aggregate(
            todo=Count("pk", filter=anything), overdue=Count("pk", filter=overdue_q(today))
        )
        counts["home"] = found["todo"]
        if user.role == Role.DEPARTMENT_HANDLER:
            counts[f"ledger_{EntryScope.DEPARTMENT}"] = found["todo"]
        elif user.role == Role.BRANCH_SECRETARY:
            counts[f"ledger_{EntryScope.BRANCH}"] = found["overdue"]
        elif permissions.has_entry_list(user, EntryScope.MINE):
            counts[f"ledger_{EntryScope.MINE}"] = found["overdue"]
    if user.role == Role.BRANCH_SECRETARY and user.scope_org_id:
        counts["reviews"] = MonthlyReview.objects.filter(
            org_id=user.scope_org_id, month=previous_month(today), signed_at__isnull=True
        ).count()
    decisions = _decision_rules(user)
    path = permissions.scope_path(user)
    if decisions and path is not None:  # requests to decide, referrals to arbitrate (R17, R19)
        anything = Q(pk__in=[])
        for _key, _label, rule in decisions:
            anything |= rule
        waiting = _in_scope(path).filter(anything).count()
        counts["home"] = counts.get("home", 0) + waiting
    if permissions.reads_supervision_board(user) and permissions.can_supervise(user):
        path = permissions.scope_path(user) or ""
        counts["supervision"] = _open_notices(path).count()
    return {key: n for key, n in counts.items() if n}
