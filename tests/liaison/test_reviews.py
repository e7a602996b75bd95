"""The monthly review (一月一审, R9): figures, preparing (by the job and from the browser),
signing, scope, print, command.

Refusals: a user who cannot see the branch (another branch's secretary, a party member, a
department handler) gets 404, as for any object outside their scope; committee staff, who see
the sheet, get 403 when they try to sign it, and 404 when they try to prepare one (nobody but
the branch's secretary and the party-building department prepares)."""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from liaison.constants import BranchType, EntryStatus, OrgKind, Role
from liaison.models import AuditEvent, Entry, MonthlyReview
from liaison.selectors.reviews import previous_month, review_figures
from liaison.services.reviews import (
    monthly_review_prepare,
    monthly_review_prepare_branch,
    monthly_review_sign,
)
from liaison.tasks import monthly_review_prepare_task
from tests.fixtures.factories import make_entry, make_org, make_user

OCTOBER = dt.date(2026, 10, 1)


def at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day} 12:00"))


@pytest.fixture
def october(world):
    """A hand-built October 2026 in branch A (one entry in its group) and branch B."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    member = world.users[Role.PARTY_MEMBER]
    replied = make_entry(secretary, recorded_on=dt.date(2026, 10, 10), title="replied")
    Entry.objects.filter(pk=replied.pk).update(
        status=EntryStatus.REPLIED, replied_at=at("2026-10-15"), replied_on_time=True
    )
    in_group = make_entry(member, recorded_on=dt.date(2026, 10, 28), title="in group")
    overdue = make_entry(secretary, recorded_on=dt.date(2026, 9, 1), title="overdue")
    closed = make_entry(secretary, recorded_on=dt.date(2026, 9, 2), title="closed")
    Entry.objects.filter(pk=closed.pk).update(
        status=EntryStatus.CLOSED,
        replied_at=at("2026-09-10"),
        replied_on_time=True,
        closed_at=at("2026-10-05"),
    )
    yellow = make_entry(
        secretary,
        colour="yellow",
        recorded_on=dt.date(2026, 8, 3),
        target_on=dt.date(2026, 12, 31),
        title="yellow",
    )
    noted = make_entry(
        secretary,
        colour="yellow",
        recorded_on=dt.date(2026, 8, 4),
        target_on=dt.date(2026, 12, 31),
        title="noted",
    )
    Entry.objects.filter(pk=noted.pk).update(last_progress_on=dt.date(2026, 10, 12))
    void = make_entry(secretary, recorded_on=dt.date(2026, 10, 11), title="void")
    Entry.objects.filter(pk=void.pk).update(status=EntryStatus.VOID, void_reason="typo")
    other = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    make_entry(other, recorded_on=dt.date(2026, 10, 5), title="branch b")
    return {
        "replied": replied,
        "in_group": in_group,
        "overdue": overdue,
        "closed": closed,
        "yellow": yellow,
        "other_secretary": other,
    }


def test_figures_of_a_hand_built_month(world, october, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        figures = review_figures(month=OCTOBER, branches=[world.branch_a, world.branch_b])
    assert figures[world.branch_a.pk] == {
        "new": 2,
        "replied": 1,
        "replied_on_time": 1,
        "closed": 1,
        "overdue": 1,
        "yellow_without_note": 1,
    }
    assert figures[world.branch_b.pk]["new"] == 1
    assert figures[world.branch_b.pk]["overdue"] == 1  # red, due mid-October, no reply


def test_prepare_is_idempotent(world, october):
    assert monthly_review_prepare(month=OCTOBER) == 3  # branch A, office branch, branch B
    assert monthly_review_prepare(month=dt.date(2026, 10, 17)) == 0
    assert MonthlyReview.objects.filter(month=OCTOBER).count() == 3
    review = MonthlyReview.objects.get(org=world.branch_a, month=OCTOBER)
    assert review.figures["yellow_without_note"] == 1


def test_the_task_prepares_last_month(world):
    assert monthly_review_prepare_task() == 3
    assert MonthlyReview.objects.filter(month=previous_month()).count() == 3


def review_of(world, branch=None):
    monthly_review_prepare(month=OCTOBER)
    return MonthlyReview.objects.get(org=branch or world.branch_a, month=OCTOBER)


def test_the_secretary_signs_and_the_figures_are_recomputed(world, october, client):
    review = review_of(world)
    make_entry(world.users[Role.BRANCH_SECRETARY], recorded_on=dt.date(2026, 10, 30))
    client.force_login(world.users[Role.BRANCH_SECRETARY])
    url = reverse("liaison:review_sign", args=[review.pk])
    response = client.post(url, {"comment": "已逐条审核"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_signed and review.comment == "已逐条审核"
    assert review.signed_by == world.users[Role.BRANCH_SECRETARY]
    assert review.figures["new"] == 3
    assert AuditEvent.objects.filter(object_id=str(review.pk), summary__contains="signed").exists()
    again = client.post(url, {"comment": "再签"})
    assert again.status_code == 400
    assert "不能重复签署" in again.content.decode()
    review.refresh_from_db()
    assert review.comment == "已逐条审核"


def test_sign_service_refuses(world, october):
    review = review_of(world)
    with pytest.raises(PermissionDenied):
        monthly_review_sign(actor=october["other_secretary"], review=review, comment="not mine")
    with pytest.raises(ValidationError):
        monthly_review_sign(actor=world.users[Role.BRANCH_SECRETARY], review=review, comment=" ")
    monthly_review_sign(actor=world.users[Role.PARTY_BUILDING], review=review, comment="ok")
    with pytest.raises(ValidationError):
        monthly_review_sign(actor=world.users[Role.PARTY_BUILDING], review=review, comment="ok")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("other_secretary", 404),
        (Role.PARTY_MEMBER, 404),
        (Role.DEPARTMENT_HANDLER, 404),
        (Role.COMMITTEE_STAFF, 403),
    ],
)
def test_others_cannot_sign(world, october, client, who, status):
    review = review_of(world)
    user = october[who] if who == "other_secretary" else world.users[who]
    client.force_login(user)
    response = client.post(reverse("liaison:review_sign", args=[review.pk]), {"comment": "x"})
    assert response.status_code == status
    review.refresh_from_db()
    assert not review.is_signed


def test_sign_needs_post_and_a_comment(world, client):
    review = review_of(world)
    client.force_login(world.users[Role.BRANCH_SECRETARY])
    url = reverse("liaison:review_sign", args=[review.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"comment": ""}).status_code == 400
    review.refresh_from_db()
    assert not review.is_signed


def review_table(response) -> str:
    """The table of sheets on the list page (the form that prepares a missing one names
    branches too)."""
    page = response.content.decode()
    return re.search(r'data-testid="review-table".*?</table>', page, re.S).group(0)


def test_party_building_sees_unsigned_reviews_by_default(world, client):
    review = review_of(world)
    monthly_review_sign(actor=world.users[Role.PARTY_BUILDING], review=review, comment="ok")
    client.force_login(world.users[Role.PARTY_BUILDING])
    page = review_table(client.get(reverse("liaison:review_list")))
    assert world.branch_b.name in page and world.office_branch.name in page
    assert world.branch_a.name not in page
    page = client.get(reverse("liaison:review_list"), {"status": "all", "month": "2026-10"})
    assert world.branch_a.name in review_table(page)
    assert client.get(reverse("liaison:review_list"), {"month": "oct"}).status_code == 400


def test_list_scope(world, client):
    review_of(world)
    client.force_login(world.users[Role.BRANCH_SECRETARY])
    page = client.get(reverse("liaison:review_list")).content.decode()
    assert world.branch_a.name in page and world.branch_b.name not in page
    assert "一月一审" in page and 'data-testid="sign-form"' in page
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    page = client.get(reverse("liaison:review_list")).content.decode()
    assert world.office_branch.name in page and world.branch_b.name not in page
    assert 'data-testid="sign-form"' not in page  # committee staff read, they do not sign
    client.force_login(world.users[Role.PARTY_MEMBER])
    assert client.get(reverse("liaison:review_list")).status_code == 404


def test_detail_and_print_scope(world, october, client):
    review = review_of(world)
    other = review_of(world, world.branch_b)
    client.force_login(world.users[Role.BRANCH_SECRETARY])
    detail = client.get(reverse("liaison:review_detail", args=[review.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert october["yellow"].number in body and 'data-testid="sign-form"' in body
    printed = client.get(reverse("liaison:review_print", args=[review.pk]))
    assert printed.status_code == 200 and "print.css" in printed.content.decode()
    for name in ("review_detail", "review_print"):
        assert client.get(reverse(f"liaison:{name}", args=[other.pk])).status_code == 404
    assert client.get(reverse("liaison:review_detail", args=[99999])).status_code == 404


def test_anonymous_goes_to_login(world, client):
    review = review_of(world)
    for url in (
        reverse("liaison:review_list"),
        reverse("liaison:review_detail", args=[review.pk]),
        reverse("liaison:review_print", args=[review.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(reverse("liaison:review_sign", args=[review.pk]), {"comment": "x"})
    assert response.status_code == 302
    assert not MonthlyReview.objects.get(pk=review.pk).is_signed


def test_command(world, october):
    out = StringIO()
    call_command("monthly_review", "--month", "2026-10", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "month": "2026-10",
        "created": 3,
        "sheets": 3,
        "unsigned": 3,
    }
    out = StringIO()
    call_command("monthly_review", "--month", "2026-10", stdout=out)
    assert "0 sheets created" in out.getvalue()


def test_ledger_jobs_prepares_last_months_reviews_once(world):
    """`ledger_jobs monthly_review` runs the beat job by hand; the second run creates none."""
    out = StringIO()
    call_command("ledger_jobs", "monthly_review", "--json", stdout=out)
    first = json.loads(out.getvalue())
    assert first["job"] == "monthly_review"
    assert first["month"] == f"{previous_month():%Y-%m}"
    assert first["sheets_created"] == 3  # the world's three branches
    out = StringIO()
    call_command("ledger_jobs", "monthly_review", "--json", stdout=out)
    assert json.loads(out.getvalue())["sheets_created"] == 0


# -- Preparing last month's sheet from the browser ------------------------------------------------

PREPARE = reverse("liaison:review_prepare")
PREPARERS = {Role.BRANCH_SECRETARY, Role.PARTY_BUILDING, Role.ADMINISTRATOR}


def last_months_sheets(branch) -> int:
    return MonthlyReview.objects.filter(org=branch, month=previous_month()).count()


@pytest.mark.parametrize("role", list(Role))
def test_who_may_prepare_last_months_sheet_of_branch_a(world, client, role):
    """The branch's secretary and the party-building department (administrators) prepare it; any
    other role gets 404, as for an object outside their scope, and nothing is written."""
    client.force_login(world.users[role])
    response = client.post(PREPARE, {"org": world.branch_a.pk})
    if role in PREPARERS:
        review = MonthlyReview.objects.get(org=world.branch_a, month=previous_month())
        assert response.status_code == 302
        assert response["Location"] == review.get_absolute_url()
        assert client.get(response["Location"]).status_code == 200
    else:
        assert response.status_code == 404
        assert not MonthlyReview.objects.exists()
        assert not AuditEvent.objects.filter(summary__contains="prepared").exists()


@pytest.mark.parametrize(
    "target",
    [
        lambda world: world.branch_b.pk,  # another branch
        lambda world: world.office_branch.pk,
        lambda world: world.group_a.pk,  # the secretary's own group: not a branch
        lambda world: world.committee_a.pk,
        lambda world: 999999,
        lambda world: "",
        lambda world: "abc",
    ],
)
def test_a_secretary_prepares_only_their_own_branch(world, client, target):
    client.force_login(world.users[Role.BRANCH_SECRETARY])
    assert client.post(PREPARE, {"org": target(world)}).status_code == 404
    assert not MonthlyReview.objects.exists()


def test_another_branchs_secretary_and_an_inactive_branch_get_404(world, client):
    other = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    client.force_login(other)
    assert client.post(PREPARE, {"org": world.branch_a.pk}).status_code == 404
    closed = make_org(world.committee_b, OrgKind.BRANCH, "已撤销党支部", BranchType.GRASSROOTS)
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    client.force_login(world.users[Role.PARTY_BUILDING])
    assert client.post(PREPARE, {"org": closed.pk}).status_code == 404
    assert not MonthlyReview.objects.exists()
    assert client.post(PREPARE, {"org": world.branch_b.pk}).status_code == 302
    assert last_months_sheets(world.branch_b) == 1


def test_preparing_twice_creates_one_sheet_and_one_audit_row(world, client):
    client.force_login(world.users[Role.BRANCH_SECRETARY])
    first = client.post(PREPARE, {"org": world.branch_a.pk}, follow=True)
    assert "上月的一月一审表已生成" in first.content.decode()
    review = MonthlyReview.objects.get()
    assert review.org == world.branch_a and review.month == previous_month()
    assert not review.is_signed
    audit = AuditEvent.objects.filter(object_id=str(review.pk), summary__contains="prepared")
    assert audit.count() == 1
    assert audit.get().actor == world.users[Role.BRANCH_SECRETARY]
    MonthlyReview.objects.filter(pk=review.pk).update(figures={"new": 99})  # as prepared then
    second = client.post(PREPARE, {"org": world.branch_a.pk}, follow=True)
    assert second.redirect_chain == [(review.get_absolute_url(), 302)]
    assert "上月的一月一审表此前已生成" in second.content.decode()
    assert MonthlyReview.objects.count() == 1 and audit.count() == 1
    review.refresh_from_db()
    assert review.figures == {"new": 99}  # an existing sheet is left as it stands


def test_the_service_is_idempotent_and_checks_who(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    review, created = monthly_review_prepare_branch(actor=secretary, branch=world.branch_a)
    assert created and review.month == previous_month()
    again, created = monthly_review_prepare_branch(actor=secretary, branch=world.branch_a)
    assert (again.pk, created) == (review.pk, False)
    with pytest.raises(PermissionDenied):
        monthly_review_prepare_branch(actor=secretary, branch=world.branch_b)
    with pytest.raises(PermissionDenied):
        monthly_review_prepare_branch(
            actor=world.users[Role.COMMITTEE_STAFF], branch=world.branch_a
        )
    assert MonthlyReview.objects.count() == 1


def test_the_job_after_a_hand_prepared_sheet_makes_only_the_others(world):
    monthly_review_prepare_branch(actor=world.users[Role.BRANCH_SECRETARY], branch=world.branch_a)
    assert monthly_review_prepare(month=previous_month()) == 2  # office branch, branch B
    assert MonthlyReview.objects.filter(month=previous_month()).count() == 3


def test_a_get_on_the_prepare_url_writes_nothing(world, client):
    client.force_login(world.users[Role.BRANCH_SECRETARY])
    audited = AuditEvent.objects.count()
    response = client.get(PREPARE, {"org": world.branch_a.pk})
    assert response.status_code == 405
    assert not MonthlyReview.objects.exists()
    assert AuditEvent.objects.count() == audited


def test_anonymous_cannot_prepare(world, client):
    response = client.post(PREPARE, {"org": world.branch_a.pk})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not MonthlyReview.objects.exists()


def _prepare_form(page: str) -> str | None:
    found = re.search(r'<form[^>]*data-testid="prepare-form".*?</form>', page, re.S)
    return found.group(0) if found else None


def test_the_secretary_sees_the_button_only_while_the_sheet_is_missing(world, client):
    client.force_login(world.users[Role.BRANCH_SECRETARY])
    form = _prepare_form(client.get(reverse("liaison:review_list")).content.decode())
    assert form is not None
    assert f'name="org" value="{world.branch_a.pk}"' in form
    assert world.branch_a.name in form and f"{previous_month():%Y-%m}" in form
    monthly_review_prepare(month=previous_month(), orgs=[world.branch_b])  # not theirs
    assert _prepare_form(client.get(reverse("liaison:review_list")).content.decode())
    client.post(PREPARE, {"org": world.branch_a.pk})
    assert _prepare_form(client.get(reverse("liaison:review_list")).content.decode()) is None


def test_an_older_sheet_does_not_hide_the_button(world, client):
    monthly_review_prepare(month=previous_month() - dt.timedelta(days=1), orgs=[world.branch_a])
    client.force_login(world.users[Role.BRANCH_SECRETARY])
    assert _prepare_form(client.get(reverse("liaison:review_list")).content.decode())


@pytest.mark.parametrize("role", sorted(set(Role) - PREPARERS))
def test_no_button_for_who_may_not_prepare(world, client, role):
    client.force_login(world.users[role])
    response = client.get(reverse("liaison:review_list"))
    assert _prepare_form(response.content.decode()) is None


def test_the_party_building_department_chooses_among_the_branches_missing(world, client):
    client.force_login(world.users[Role.PARTY_BUILDING])
    form = _prepare_form(client.get(reverse("liaison:review_list")).content.decode())
    options = re.findall(r'<option value="(\d+)">', form)
    assert options == [str(b.pk) for b in (world.branch_a, world.office_branch, world.branch_b)]
    client.post(PREPARE, {"org": world.office_branch.pk})
    form = _prepare_form(client.get(reverse("liaison:review_list")).content.decode())
    assert re.findall(r'<option value="(\d+)">', form) == [
        str(world.branch_a.pk),
        str(world.branch_b.pk),
    ]
    monthly_review_prepare(month=previous_month())
    assert _prepare_form(client.get(reverse("liaison:review_list")).content.decode()) is None


def test_the_sheet_lists_each_entry_with_number_and_title(world, october, client):
    review = review_of(world)
    client.force_login(world.users[Role.BRANCH_SECRETARY])
    detail = client.get(reverse("liaison:review_detail", args=[review.pk])).content.decode()
    printed = client.get(reverse("liaison:review_print", args=[review.pk])).content.decode()
    for name in ("replied", "in_group", "overdue", "closed", "yellow"):
        entry = october[name]
        link = f'<a href="{entry.get_absolute_url()}">{entry.number}</a> {entry.title}</li>'
        assert link in detail
        assert f"<li>{entry.number} {entry.title}</li>" in printed
    assert "branch b" not in detail and "void" not in printed
    assert october["replied"].get_absolute_url() not in printed  # paper: no links
