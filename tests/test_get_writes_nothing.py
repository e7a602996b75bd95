"""GET never changes state (DESIGN.md §5): every URL of the site, requested with GET as every
role (and anonymously), writes no row of any table."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from feedback.services.matters import matter_create
from feedback.services.rating_links import rating_link_reissue
from liaison.constants import EntryStatus, NotificationKind, PlaceType, Role
from liaison.models import ExportJob, ImportJob, MonthlyReview, Notification, Visit
from liaison.selectors.reviews import previous_month
from liaison.services.knowledge import reply_template_create
from liaison.services.reviews import monthly_review_prepare
from liaison.services.supervision import supervision_issue
from liaison.workdays import WorkCalendar
from tests.fixtures.evaluations import make_campaign, make_rater
from tests.fixtures.walks import entry_in

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|TRUNCATE)\b", re.I)
# A request's session row is the framework's, not the ledger's: logging in writes it.
SESSION_TABLE = "django_session"


def _is_export_audit(sql: str) -> bool:
    """An export's audit event (等保2.0: who exported what filter) is the one row a GET writes:
    the security audit's, not the ledger's."""
    return (
        sql.lstrip().upper().startswith("INSERT")
        and "liaison_auditevent" in sql
        and ("'exported'" in sql)
    )


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern)


def _site_urls() -> list[tuple[str, str]]:
    """Every URL pattern of the site but Django's admin (tested in test_admin) and the
    language switch (a POST form that falls back to a redirect)."""
    return [
        (name, route)
        for name, route in _patterns(get_resolver())
        if not name.startswith("admin:") and name != "set_language"
    ]


@pytest.fixture
def objects(world, django_capture_on_commit_callbacks):
    """One object behind every kind of URL parameter, each in a state its pages show."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    party_building = world.users[Role.PARTY_BUILDING]
    with django_capture_on_commit_callbacks(execute=True):
        replied = entry_in(world, EntryStatus.REPLIED)
        rating_link_reissue(entry=replied, actor=secretary)
        referred = entry_in(world, EntryStatus.REFERRED)
        today = timezone.localdate()
        respond_by = WorkCalendar.load(today.year, today.year + 1).add_working_days(today, 3)
        notice = supervision_issue(
            entry=referred, actor=party_building, instruction="请加快", respond_by=respond_by.due_on
        )
        monthly_review_prepare(month=previous_month())
    link = replied.rating_links.get(revoked_at__isnull=True)
    campaign = make_campaign(world)
    _rater, rater_token = make_rater(campaign, person=world.member_a)
    job = ImportJob.objects.create(
        uploaded_by=party_building, filename="名单.xlsx", content=b"x", dry_run=True
    )
    export = ExportJob.objects.create(
        requested_by=secretary,
        scope="branch",
        language="zh-hans",
        filename="entries.xlsx",
        status=ExportJob.Status.RUNNING,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    visit = Visit.objects.create(
        visited_on=today - dt.timedelta(days=1),
        org=world.branch_a,
        recorded_by=secretary,
        visited_party=world.customer_a,
        place_type=PlaceType.ENTERPRISE,
    )
    template = reply_template_create(
        actor=party_building, item=None, title="答复通用结构", text="您好！感谢您反映的问题。"
    )
    note = Notification.objects.create(
        recipient=secretary, entry=referred, kind=NotificationKind.OVERDUE, message="逾期"
    )
    return {
        "entry": referred,
        "replied": replied,
        "notice": notice,
        "org": world.branch_a,
        "person": world.special_a,
        "unit": world.team_a,
        "visit": visit,
        "review": MonthlyReview.objects.filter(org=world.branch_a).first(),
        "job": job,
        "export": export,
        "notification": note,
        "knowledge": template,
        "campaign": campaign,
        "link_token": link.token(),
        "rater_token": rater_token,
        "matter": matter_create(
            actor=party_building,
            month=today.replace(day=1),
            title="充电桩报装慢",
            owner=party_building,
            due_on=today + dt.timedelta(days=30),
            entry_ids=[referred.pk],
        ),
    }


def _url(name: str, route: str, objects: dict) -> str:
    """Fill the route's parameters with the objects its name is about."""
    owner = name.split(":")[-1]
    by_prefix = {
        "notification": "notification",
        "knowledge": "knowledge",
        "org": "org",
        "person": "person",
        "unit": "unit",
        "visit": "visit",
        "review": "review",
        "import": "job",
        "export_job": "export",
        "campaign": "campaign",
        "results": "campaign",
        "assessment": "campaign",
        "supervision": "entry",
        "reply_slip": "replied",
        "rating": "replied",
        "entry": "entry",
        "hot_matter": "matter",
    }
    key = next((k for prefix, k in by_prefix.items() if owner.startswith(prefix)), "entry")
    values = {
        "pk": objects[key].pk,
        "other_pk": objects["replied"].pk,  # a related entry (R11)
        "supervision_pk": objects["notice"].pk,
        "org_pk": objects["org"].pk,
        "entry_pk": objects["entry"].pk,
        "pair_pk": 1,
        "action": "start",
        "token": objects["rater_token"] if name.startswith("evaluate:") else objects["link_token"],
    }

    def fill(match: re.Match) -> str:
        return str(values[match.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route)


def _writes(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [
        query["sql"]
        for query in queries.captured_queries
        if WRITE.match(query["sql"])
        and SESSION_TABLE not in query["sql"]
        and not _is_export_audit(query["sql"])
    ]


@pytest.mark.parametrize("role", [None, *Role])
def test_no_get_writes_a_row(world, objects, client, role):
    if role is not None:
        client.force_login(world.users[role])
    urls = [_url(name, route, objects) for name, route in _site_urls()]
    assert len(urls) > 60  # every page, download, form and token link of the site
    writes = {url: found for url in urls if (found := _writes(client, url))}
    assert writes == {}
