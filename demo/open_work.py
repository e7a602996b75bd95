"""What a company's ledger holds that the year's bulk walk leaves to chance: each service item
routed to its department, an email address for every demo user, work waiting at the demo's
department handler (`bumen`, 运维检修部) on the first morning, an extension and a suspension
waiting for the branch secretary (`shuji`) to decide, a supervision notice (督办) for an owner
to answer, return visits (回访) logged, months closed and last year's reverse evaluation.

Run by `seed_demo --entries` after the bulk load. The referrals go through the app's own
workflow service (events, notifications, the version check), so they are exactly what a user's
clicks would leave. Idempotent: items keep a department once they have one, an address once
set, a referral only for a step none of the department's entries waits at, a request only while
none waits in the branch, a notice only while none is open, return visits only while there are
none. Where the year's walk left too little open work to show (a small ledger's branch has a few
entries a month, and some weeks none stays open), an entry recorded today stands in.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Case, Q, QuerySet, When
from django.utils import timezone

from demo import entry_words as words
from feedback.models import (
    EvaluationAssignment,
    EvaluationCampaign,
    EvaluationRater,
    ReturnVisit,
)
from feedback.periods import month_of
from feedback.services.answers import evaluation_submit
from feedback.services.campaigns import campaign_close, campaign_create, campaign_open
from feedback.services.closing import months_close
from feedback.services.frozen import closed_through
from feedback.services.return_visits import return_visit_record
from liaison.constants import Colour, EntryKind, EntryStatus, ReplyMethod, Role, UnitKind
from liaison.models import Entry, ServiceItem, Supervision, Unit, User
from liaison.services import workflow
from liaison.services.entries import entry_record
from liaison.services.supervision import supervision_default_respond_by, supervision_issue

EMAIL_DOMAIN = "demo.liaison-ledger.invalid"  # a reserved name: no mail can leave for it

# The department a power-supply company routes each category to (服务事项 → 承办部门); the
# demo has no marketing department, so its operations department (运维检修部) takes the
# business items, as at a county company.
CATEGORY_DEPARTMENTS = {
    "安全生产": "安全监察部",
    "经营管理": "运维检修部",
    "廉洁自律": "党建部",
    "党建政工": "党建部",
    "生活保障": "办公室",
}
ITEM_DEPARTMENTS = {  # exceptions to their category's
    "设备隐患整改": "运维检修部",
    "安全技能培训": "人力资源部",
    "困难帮扶": "人力资源部",
    "子女教育": "人力资源部",
}
HANDLER_DEPARTMENT = "运维检修部"
# What waits at the department handler on the first morning (R4's referral steps), each the
# next step along: referred to sign for, signed for awaiting a plan, planned awaiting the result.
REFERRAL_STEPS = (
    Q(status=EntryStatus.REFERRED, signed_at__isnull=True),
    Q(status=EntryStatus.REFERRED, signed_at__isnull=False),
    Q(status=EntryStatus.PLANNED),
)


def demo_route_items(root_path: str) -> int:
    """Give every service item without one its default handling department; return how many."""
    departments = dict(
        Unit.objects.filter(
            kind=UnitKind.DEPARTMENT, is_active=True, branch__path__startswith=root_path
        ).values_list("name", "pk")
    )
    routed = 0
    for item in ServiceItem.objects.filter(default_department__isnull=True).select_related(
        "category"
    ):
        name = ITEM_DEPARTMENTS.get(item.name) or CATEGORY_DEPARTMENTS.get(item.category.name)
        if name in departments:
            item.default_department_id = departments[name]
            item.save(update_fields=["default_department"])
            routed += 1
    return routed


def demo_emails(users: QuerySet[User]) -> None:
    """An address on the demo's reserved domain for each demo user that has none."""
    for user in users.filter(email=""):
        if not user.email:
            user.email = f"{user.username}@{EMAIL_DOMAIN}"
            user.save(update_fields=["email"])


def demo_open_referrals(root_path: str) -> int:
    """Refer an open entry to the handler's department for each referral step none of its
    entries waits at yet: the owner refers; the handler signs for it from the second step and
    records a plan at the third. An entry recorded today stands in when the ledger has no open
    one left to refer. Return how many were referred."""
    department = Unit.objects.filter(
        kind=UnitKind.DEPARTMENT, name=HANDLER_DEPARTMENT, branch__path__startswith=root_path
    ).first()
    handler = User.objects.filter(
        role=Role.DEPARTMENT_HANDLER, department=department, is_active=True
    ).first()
    if department is None or handler is None:
        return 0
    there = Entry.objects.filter(department=department)
    steps = [step for step, q in enumerate(REFERRAL_STEPS) if not there.filter(q).exists()]
    if not steps:
        return 0
    candidates = list(
        Entry.objects.filter(
            status__in=[EntryStatus.RECORDED, EntryStatus.IN_PROGRESS],
            department__isnull=True,
            suspended_on__isnull=True,
            request_kind="",
            owner__is_active=True,
        )
        .select_related("owner", "item__default_department")
        # The items it handles first, then any (a department also takes what is not its own).
        .order_by(
            Case(When(item__default_department=department, then=0), default=1),
            "-recorded_on",
            "pk",
        )[: len(steps)]
    )
    candidates += _heard_today(root_path, besides=None, count=len(steps) - len(candidates))
    for step, entry in zip(steps, candidates, strict=False):
        with transaction.atomic():
            entry = workflow.entry_act(
                action="refer",
                entry=entry,
                actor=entry.owner,
                expected_version=entry.version,
                department=department,
                note="请专业部门现场核实处理。",
            )
            if step >= 1:
                entry = workflow.entry_act(
                    action="sign_for",
                    entry=entry,
                    actor=handler,
                    expected_version=entry.version,
                    note="已签收，安排班组核实。",
                )
            if step >= 2:
                workflow.entry_act(
                    action="record_plan",
                    entry=entry,
                    actor=handler,
                    expected_version=entry.version,
                    plan="安排运维班组本周内现场勘查，制定整改计划后组织实施。",
                )
    return min(len(steps), len(candidates))


def _open_in_branch(branch_path: str):
    """Open entries of the branch's ledger, owned by an active user, not waiting on anything."""
    return (
        Entry.objects.filter(
            org__path__startswith=branch_path,
            status__in=[EntryStatus.RECORDED, EntryStatus.IN_PROGRESS],
            department__isnull=True,
            suspended_on__isnull=True,
            request_kind="",
            owner__is_active=True,
            due_on__isnull=False,
        )
        .select_related("owner")
        .order_by("due_on", "pk")
    )


def _heard_today(branch_path: str, *, besides: User | None, count: int) -> list[Entry]:
    """Record `count` problems (orange, 20 working days) in the branch today, each by the
    owner of one of its latest entries (not `besides`), from the same informant through the
    same channel, about the same item: what a member hears again on a quiet week. For when the
    year's walk left the branch too little open or replied work to show (a small ledger's
    branch has a few entries a month, and some weeks none stays open)."""
    if count <= 0:
        return []
    sources = list(
        Entry.objects.filter(
            org__path__startswith=branch_path,
            owner__is_active=True,
            channel__starts_on__isnull=True,  # not a campaign's channel: it may have ended
        )
        .exclude(owner=besides)
        .exclude(kind=EntryKind.BASIC)
        .select_related("owner", "org", "channel", "item", "informant")
        .order_by("-recorded_on", "-pk")[:count]
    )
    heard = []
    for step in range(min(count, len(sources))):
        source = sources[step]
        needs = words.NEEDS.get(source.item.name, words.GENERIC_NEEDS)
        title, said = needs[step % len(needs)]
        heard.append(
            entry_record(
                actor=source.owner,
                org=source.org,
                kind=EntryKind.PROBLEM,
                colour=Colour.ORANGE,
                channel=source.channel,
                item=source.item,
                informant=source.informant,
                title=title,
                description=said,
            )
        )
    return heard


def demo_requests(secretary: User) -> int:
    """An extension (R19) and a suspension (R20) asked by owners in the secretary's branch,
    waiting for the secretary's decision, if none waits yet; return how many were asked."""
    branch = secretary.scope_org
    if (
        branch is None
        or Entry.objects.filter(org__path__startswith=branch.path, request_kind__gt="").exists()
    ):
        return 0
    asked = 0
    # Only an entry not yet past its due date: an overdue one can no longer ask (R19, R20).
    today = timezone.localdate()
    candidates = list(
        _open_in_branch(branch.path).exclude(owner=secretary).filter(due_on__gte=today)[:2]
    )
    candidates += _heard_today(branch.path, besides=secretary, count=2 - len(candidates))
    for entry, kind in zip(candidates, ("extension", "suspension"), strict=False):
        with transaction.atomic():
            if kind == "extension":
                workflow.entry_act(
                    action="request_extension",
                    entry=entry,
                    actor=entry.owner,
                    expected_version=entry.version,
                    due_on=entry.due_on + dt.timedelta(days=14),
                    reason="需协调停电窗口，现场施工需顺延两周。",
                )
            else:
                workflow.entry_act(
                    action="suspend",
                    entry=entry,
                    actor=entry.owner,
                    expected_version=entry.version,
                    reason="awaiting_budget",
                    note="改造资金列入下季度预算，待批复后实施。",
                    review_on=max(entry.due_on, today) + dt.timedelta(days=30),
                )
        asked += 1
    return asked


def demo_supervision(issuer: User, branch_path: str) -> int:
    """A supervision notice from the party-building department on the branch's entry closest
    to its deadline, if no notice is open anywhere; return 1 if one was issued."""
    if Supervision.objects.filter(responded_at__isnull=True).exists():
        return 0
    entry = _open_in_branch(branch_path).first()
    if entry is None:
        entry = next(iter(_heard_today(branch_path, besides=None, count=1)), None)
    if entry is None:
        return 0
    supervision_issue(
        entry=entry,
        actor=issuer,
        instruction="请抓紧办理，按期答复反映人，并说明目前进展。",
        respond_by=supervision_default_respond_by(),
    )
    return 1


CLOSE_UP_TO = 50_000  # entries: closing rebuilds the roll-ups first, minutes at a million


def demo_close_months(closer: User, today: dt.date) -> list[str]:
    """Close the months up to the one before last (R24 月结), as the party-building department
    does after each month's fifth working day, if none is closed that far; only on a ledger
    small enough to try the app on. Return the months closed."""
    target = month_of(month_of(today) - dt.timedelta(days=1)) - dt.timedelta(days=1)
    target = month_of(target)
    through = closed_through()
    if (through is not None and through >= target) or Entry.objects.count() > CLOSE_UP_TO:
        return []
    first = Entry.objects.order_by("recorded_on").values_list("recorded_on", flat=True).first()
    if first is None or month_of(first) > target:
        return []
    rows = [] if through is not None else months_close(month=month_of(first), actor=closer)
    if month_of(first) < target:  # then the rest at once, up to the target
        rows += months_close(month=target, actor=closer)
    return [f"{row.month:%Y-%m}" for row in rows]


# The answers a demo rater gives (反向测评): mostly satisfied, as the articles report.
_EVALUATION_VALUES = ("very_satisfied", "satisfied", "basically_satisfied", "unsatisfied")
_EVALUATION_WEIGHTS = (50, 32, 12, 6)
ANSWERED_SHARE = 0.85  # of the raters; the others never opened their link


def demo_evaluation(organiser: User, today: dt.date) -> int | None:
    """Last year's reverse evaluation (R12), run to its end through the campaign services:
    proposed, opened, answered by most raters, closed (which computes the assessment table).
    Only if no campaign of that year exists, and on a ledger small enough to try the app on;
    return its year, or None."""
    year = today.year - 1
    done = EvaluationCampaign.objects.filter(year=year).exists()
    if done or Entry.objects.count() > CLOSE_UP_TO:
        return None
    rng = random.Random(year)
    campaign = campaign_create(actor=organiser, year=year, today=today)
    campaign = campaign_open(
        actor=organiser, campaign=campaign, closes_on=today + dt.timedelta(days=1), today=today
    )
    for rater in EvaluationRater.objects.filter(campaign=campaign).order_by("pk"):
        if rng.random() > ANSWERED_SHARE:
            continue
        answers = {
            assignment.pk: (rng.choices(_EVALUATION_VALUES, _EVALUATION_WEIGHTS)[0], "")
            for assignment in EvaluationAssignment.objects.filter(rater=rater).order_by("pk")
        }
        if answers:
            evaluation_submit(rater=rater, answers=answers)
    campaign_close(actor=organiser, campaign=campaign)
    return year


def demo_return_visits(visitor: User) -> int:
    """Third-party return visits (回访, R21) by the secretary to the informants of two replied
    entries of the branch: one reached and rated, one not reached (the entry waits on); only if
    the demo has none. Return how many were logged."""
    branch = visitor.scope_org
    if branch is None or ReturnVisit.objects.exists():
        return 0
    replied = list(
        Entry.objects.filter(org__path__startswith=branch.path, status=EntryStatus.REPLIED)
        .exclude(owner=visitor)
        .order_by("replied_at", "pk")[:2]
    )
    for entry in _heard_today(branch.path, besides=visitor, count=2 - len(replied)):
        entry = workflow.entry_act(
            action="resolve_on_spot",
            entry=entry,
            actor=entry.owner,
            expected_version=entry.version,
            result=words.RESULTS[len(replied) % len(words.RESULTS)],
        )
        replied.append(
            workflow.entry_act(
                action="reply",
                entry=entry,
                actor=entry.owner,
                expected_version=entry.version,
                text=words.REPLIES[0],
                method=ReplyMethod.PHONE,
            )
        )
    outcomes = [
        {"outcome": "rated", "value": "satisfied", "note": "电话回访，反映人认可处理结果。"},
        {"outcome": "unreachable", "note": "电话无人接听，明日再联系。"},
    ]
    for entry, outcome in zip(replied, outcomes, strict=False):
        return_visit_record(
            entry=entry, actor=visitor, expected_version=entry.version, method="phone", **outcome
        )
    return len(replied[: len(outcomes)])
