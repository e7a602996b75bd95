"""Hot topics and the matter of the month in the browser: the party-building department opens
the hot topics, makes the largest cluster a matter of the month, reads its page and finds it on
the dashboard; on a phone the pages fit the screen. axe checks every page. Screenshots kept
(hot-topics-*.png)."""

import datetime as dt

import pytest
from django.utils import timezone

from demo.entries import demo_seed_entries
from demo.seed import demo_seed
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e


def test_the_department_makes_a_cluster_a_matter_of_the_month(
    live_server, page, phone_page, screenshot_dir
):
    demo_seed(scale="small")
    demo_seed_entries(count=600)
    base = live_server.url

    log_in(page, base, "dangjian")
    page.click("nav >> text=热点诉求")
    page.wait_for_selector("[data-testid=cluster]")
    page.screenshot(path=screenshot_dir / "hot-topics-1-page.png", full_page=True)
    first = page.get_by_test_id("cluster").first
    title = first.get_by_test_id("cluster-title").inner_text()
    first.get_by_test_id("cluster-promote").click()
    page.wait_for_url("**/matters/new/**")
    assert page.get_by_test_id("matter-preview").locator("li").count() >= 2
    page.select_option("#id_owner", index=1)
    due = timezone.localdate() + dt.timedelta(days=20)
    page.fill("#id_due_on", due.isoformat())
    page.fill("#id_plan", "梳理共性原因，月底前逐条答复。")
    page.get_by_role("button", name="设立").click()
    page.wait_for_url("**/matters/*/")
    assert page.get_by_test_id("matter-title").inner_text() == title
    assert page.get_by_test_id("days-left").inner_text().startswith("剩余 20")
    assert "%" in page.get_by_test_id("fig-satisfaction").inner_text() or "—" in (
        page.get_by_test_id("fig-satisfaction").inner_text()
    )
    page.screenshot(path=screenshot_dir / "hot-topics-2-matter.png", full_page=True)
    matter_url = page.url

    page.click("nav >> text=满意度看板")
    assert title in page.get_by_test_id("dashboard-matters").inner_text()

    log_in(phone_page, base, "dangjian")
    for url in (f"{base}/hot-topics/", matter_url):
        phone_page.goto(url)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, url
    phone_page.screenshot(path=screenshot_dir / "hot-topics-3-phone.png", full_page=True)
