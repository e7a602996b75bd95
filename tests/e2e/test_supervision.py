"""Supervision (督办) in the browser: the party-building department reads the board, goes down
to a committee, opens an overdue entry and issues a notice; the owner sees it in the inbox and
answers on the entry page; the board shows the answer. Screenshots kept (supervision-*.png)."""

import datetime as dt

import pytest
from django.utils import timezone

from demo.entries import demo_seed_entries
from demo.seed import demo_seed
from liaison.models import OrgNode, Person, Supervision, User
from liaison.services.jobs import overdue_sweep
from tests.e2e.helpers import log_in, log_out
from tests.fixtures.factories import make_entry

pytestmark = pytest.mark.e2e


def test_party_building_supervises_and_the_owner_answers(live_server, page, screenshot_dir):
    demo_seed(scale="small")
    demo_seed_entries(count=300)
    today = timezone.localdate()
    secretary = User.objects.get(username="shuji")
    entry = make_entry(
        secretary,
        title="职工食堂饮水机老化",
        recorded_on=today - dt.timedelta(days=30),
        informant=Person.objects.filter(org=secretary.scope_org).first(),
    )
    overdue_sweep()
    entry.refresh_from_db()
    committee = OrgNode.objects.get(path=entry.org.path[: 2 * OrgNode.steplen])
    base = live_server.url

    log_in(page, base, "dangjian")
    page.click("nav >> text=督办看板")
    summary = page.get_by_test_id("board-summary")
    assert summary.is_visible()
    assert page.get_by_test_id("board-row").count() >= 2
    page.screenshot(path=screenshot_dir / "supervision-1-board.png", full_page=True)

    summary.get_by_role("link", name=committee.name).click()
    page.wait_for_url(f"**org={committee.pk}**")
    page.screenshot(path=screenshot_dir / "supervision-2-committee.png", full_page=True)

    page.goto(f"{base}{entry.get_absolute_url()}")
    card = page.get_by_test_id("supervision")
    card.locator("summary").click()
    card.locator("textarea[name=instruction]").fill(
        "该事项已超期，请说明原因并于限期内反馈办理进展。"
    )
    with page.expect_navigation():
        card.get_by_role("button", name="发出督办").click()
    assert page.get_by_test_id("supervision-notice").count() == 1
    assert "该事项已超期" in page.get_by_test_id("timeline").inner_text()
    page.screenshot(path=screenshot_dir / "supervision-3-issued.png", full_page=True)
    log_out(page, base)

    log_in(page, base, "shuji")
    page.goto(f"{base}/notifications/")
    told = page.get_by_test_id("notification").filter(has_text=entry.number).first
    assert "督办" in told.inner_text()
    told.get_by_role("link").click()
    page.wait_for_url(f"**{entry.get_absolute_url()}")
    form = page.get_by_test_id("supervision-answer-form")
    form.locator("textarea").fill("已协调物资，预计本周五前完成并答复反映人。")
    page.screenshot(path=screenshot_dir / "supervision-4-owner.png", full_page=True)
    with page.expect_navigation():
        form.get_by_role("button").click()
    assert "已协调物资" in page.get_by_test_id("supervision").inner_text()
    assert "已协调物资" in page.get_by_test_id("timeline").inner_text()
    page.screenshot(path=screenshot_dir / "supervision-5-answered.png", full_page=True)
    log_out(page, base)

    notice = Supervision.objects.get(entry=entry)
    assert notice.responded_by.username == "shuji"
    log_in(page, base, "dangjian")
    page.goto(f"{base}/supervision/?org={committee.pk}&state=overdue")
    row = page.locator("tr", has_text=entry.number)
    assert "1 次督办已答复" in row.inner_text() or "已答复" in row.inner_text()
    page.screenshot(path=screenshot_dir / "supervision-6-board-after.png", full_page=True)
