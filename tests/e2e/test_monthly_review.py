"""The monthly review in the browser: the party-building department sees the unsigned sheets, the
secretary opens the branch's sheet and signs it off; screenshots kept."""

import datetime as dt

import pytest
from django.utils import timezone

from demo.seed import demo_seed
from liaison.models import MonthlyReview, User
from liaison.services.reviews import monthly_review_prepare
from tests.e2e.helpers import log_in, log_out

pytestmark = pytest.mark.e2e


def test_secretary_signs_last_months_review(live_server, page, screenshot_dir):
    demo_seed(scale="small")
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert monthly_review_prepare(month=last_month) > 0
    base = live_server.url
    branch = User.objects.get(username="shuji").scope_org
    review = MonthlyReview.objects.get(org=branch, month=last_month)

    log_in(page, base, "dangjian")
    page.goto(f"{base}/reviews/")
    assert page.locator("[data-testid=review-row]").count() > 0
    page.screenshot(path=screenshot_dir / "review-1-unsigned-list.png", full_page=True)
    log_out(page, base)

    log_in(page, base, "shuji")
    page.goto(f"{base}/reviews/{review.pk}/")
    page.screenshot(path=screenshot_dir / "review-2-sheet.png", full_page=True)
    page.fill("#id_comment", "本月台账已逐条审查，超期事项已督促办理。")
    page.click("[data-testid=sign-form] button")
    page.wait_for_load_state()
    assert page.get_by_test_id("signed").is_visible()
    page.screenshot(path=screenshot_dir / "review-3-signed.png", full_page=True)
    review.refresh_from_db()
    assert review.signed_by.username == "shuji"
