"""The reverse evaluation in the browser: on the demo company, the party-building department's
campaign of this year asks two raters — an employee and a substation (a contact point) of
变电运维一班党支部 — about the branch, the leadership cadre, the office branch and a party
member. Each opens their link on a 390 px phone and rates everything at once (the first tries
to send nothing first); the campaign closes, the assessment is computed, and 党建部 reads the
results and the assessment table. Screenshots: evaluation-*.png."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from demo.entries import demo_seed_entries
from demo.seed import demo_seed
from feedback.models import AssessmentRow, EvaluationAnswer, EvaluationRater
from feedback.services.assessment import assessment_compute
from feedback.services.campaign_pairs import campaign_pair_add
from feedback.services.campaigns import campaign_close, campaign_create, campaign_open
from feedback.services.rollups import rollups_rebuild
from liaison.constants import PersonKind
from liaison.models import MonthlyReview, Person, Unit, User
from liaison.services.reviews import monthly_review_prepare, monthly_review_sign
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e


def assert_fits(page) -> None:
    """Nothing sticks out sideways on the phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def rate_everything(phone, values: list[str], comment: str = "") -> None:
    cards = phone.get_by_test_id("ratee")
    for n in range(cards.count()):
        card = cards.nth(n)
        card.locator(f"label[data-value={values[n % len(values)]}]").click()
        if comment and n == 0:
            card.locator("textarea").fill(comment)


def test_two_raters_answer_on_phones_and_the_department_reads_the_results(
    live_server, page, phone_page, screenshot_dir, settings
):
    settings.EVALUATION_MIN_RATINGS = 2  # two raters: enough to show a result here
    demo_seed(scale="small")
    demo_seed_entries(count=300)
    rollups_rebuild()
    today = timezone.localdate()
    department = User.objects.get(username="dangjian")
    secretary = User.objects.get(username="shuji")
    branch = secretary.scope_org
    for month in range(1, today.month):  # this year's monthly reviews, the first half signed
        monthly_review_prepare(month=dt.date(today.year, month, 1))
    for review in MonthlyReview.objects.filter(month__year=today.year, month__month__lte=6):
        monthly_review_sign(actor=department, review=review, comment="已审")

    leader = User.objects.get(username="lingdao").person
    office_branch = User.objects.get(username="jiguan").scope_org
    member = User.objects.get(username="dangyuan").person
    employee = (
        Person.objects.filter(org__path__startswith=branch.path, kind=PersonKind.EMPLOYEE)
        .exclude(pk__in=[leader.pk, member.pk, secretary.person_id])
        .order_by("code")
        .first()
    )
    station = Unit.objects.filter(branch=branch).order_by("code").first()

    campaign = campaign_create(actor=department, year=today.year, propose=False)
    for ratee in (branch, leader, office_branch, member):
        campaign_pair_add(actor=department, campaign=campaign, rater=employee, ratee=ratee)
    for ratee in (branch, leader, office_branch):  # the member: one rating only, too few
        campaign_pair_add(actor=department, campaign=campaign, rater=station, ratee=ratee)
    campaign_open(actor=department, campaign=campaign, closes_on=today + dt.timedelta(days=14))
    raters = {rater.party.pk: rater for rater in EvaluationRater.objects.filter(campaign=campaign)}
    base = live_server.url
    first = base + reverse("evaluate:form", args=[raters[employee.pk].token()])
    second = base + reverse("evaluate:form", args=[raters[station.pk].token()])

    # The department prints the branch's sheet of QR codes.
    log_in(page, base, "dangjian")
    page.goto(base + reverse("feedback:evaluations:campaign_sheet", args=[campaign.pk, branch.pk]))
    assert page.locator("main.sheet-page .eval-card").count() == 2
    page.screenshot(path=screenshot_dir / "evaluation-0-sheet.png", full_page=True)

    # The employee: nothing chosen is refused, then everything rated once.
    phone = phone_page
    response = phone.goto(first)
    assert response.status == 200
    assert phone.get_by_test_id("ratee").count() == 4
    assert employee.name in phone.get_by_test_id("evaluation-intro").inner_text()
    assert_fits(phone)
    with phone.expect_navigation() as sent:
        phone.get_by_test_id("send-answers").click()
    assert sent.value.status == 400
    assert phone.get_by_test_id("value-error").count() == 4
    assert not EvaluationAnswer.objects.exists()
    phone.goto(first)  # afresh, for the picture
    rate_everything(
        phone, ["very_satisfied", "satisfied"], comment="支部书记常来站里，问题解决得快"
    )
    assert_fits(phone)
    phone.mouse.move(0, 0)  # no hover or focus left on the last choice
    phone.evaluate("document.activeElement.blur()")
    phone.screenshot(path=screenshot_dir / "evaluation-1-form.png", full_page=True)
    phone.get_by_test_id("send-answers").click()
    phone.wait_for_url("**/thanks/")
    phone.get_by_test_id("thanks").wait_for()
    assert_fits(phone)
    phone.screenshot(path=screenshot_dir / "evaluation-2-thanks.png", full_page=True)
    assert EvaluationAnswer.objects.count() == 4
    assert phone.goto(first).status == 410  # once only
    assert phone.get_by_test_id("evaluation-refused").get_attribute("data-state") == "submitted"

    # The substation, on another phone visit.
    phone.goto(second)
    assert phone.get_by_test_id("ratee").count() == 3
    rate_everything(phone, ["satisfied", "basically_satisfied", "unsatisfied"])
    phone.get_by_test_id("send-answers").click()
    phone.wait_for_url("**/thanks/")
    assert EvaluationAnswer.objects.count() == 7

    campaign_close(actor=department, campaign=campaign)
    assessment_compute(campaign=campaign)
    assert phone.goto(second).status == 410

    # The department reads the results and the assessment table.
    page.goto(base + reverse("feedback:evaluations:results", args=[campaign.pk]))
    rows = page.get_by_test_id("ratee-row")
    assert rows.count() == 4
    branch_row = page.locator(f"[data-testid=ratee-row][data-kind=branch][data-pk='{branch.pk}']")
    assert branch_row.get_by_test_id("rate").inner_text() == "100.0%"  # 非常满意 + 满意
    member_row = page.locator(f"[data-testid=ratee-row][data-kind=person][data-pk='{member.pk}']")
    assert member_row.get_by_test_id("too-few").count() == 1
    page.get_by_test_id("comments").first.locator("summary").click()
    assert page.evaluate("document.querySelector('main').scrollWidth") <= 1366
    page_text = page.content()
    assert employee.name not in page_text  # no rater, and the station only inside a name:
    assert station.name not in page_text.replace(branch.name, "")
    page.screenshot(path=screenshot_dir / "evaluation-3-results.png", full_page=True)

    page.get_by_test_id("assessment-tab").click()
    page.wait_for_url("**/assessment/")
    assert page.locator(f"[data-testid=assessment-row][data-org='{branch.code}']").count() == 1
    page.get_by_test_id("compute").click()  # again, by the button
    page.wait_for_url("**/assessment/")
    assert AssessmentRow.objects.filter(campaign=campaign, org=branch).get().reverse_count == 2
    page.screenshot(path=screenshot_dir / "evaluation-4-assessment.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("export-link").click()
    assert download.value.suggested_filename == f"assessment-{today.year}.xlsx"
    assert django_settings.EVALUATION_MIN_RATINGS == 2
