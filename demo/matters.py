"""The demo's matter of the month (每月一题), so that a new user sees one on the dashboard: the
largest cluster of similar titles of the month before the seeding day, company-wide, made a
matter by the party-building department's demo login. Made once: a run that finds a matter
makes none. Deterministic: the same ledger and day give the same cluster."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from demo.plan import ROOT_CODE
from feedback.models import MonthlyMatter
from feedback.periods import month_of
from feedback.selectors.hot_topics import hot_topics
from feedback.services.matters import matter_create
from liaison.models import OrgNode, User

DEPARTMENT_LOGIN = "dangjian"
DUE_DAYS = 30
PLAN = (
    "1. 各党委梳理本单位同类诉求，查明共性原因；\n"
    "2. 专业部门制定整改方案，明确完成时限；\n"
    "3. 逐条答复反映人，月底前向公司党委汇报进展。"
)


def demo_seed_matter(*, today: dt.date | None = None) -> MonthlyMatter | None:
    """Make the demo's matter of the month if there is none yet; return it (None if none was
    made: one exists, or no demo company, login or cluster)."""
    today = today or timezone.localdate()
    root = OrgNode.objects.filter(code=ROOT_CODE, depth=1).first()
    department = User.objects.filter(username=DEPARTMENT_LOGIN, is_active=True).first()
    if MonthlyMatter.objects.exists() or root is None or department is None:
        return None
    month = month_of(month_of(today) - dt.timedelta(days=1))
    clusters = hot_topics(node=root, month=month).clusters
    if not clusters:
        return None
    cluster = clusters[0]
    return matter_create(
        actor=department,
        month=month,
        title=cluster.title,
        owner=department,
        due_on=today + dt.timedelta(days=DUE_DAYS),
        plan=PLAN,
        entry_ids=[entry.pk for entry in cluster.entries],
        today=today,
    )
