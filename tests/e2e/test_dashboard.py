"""The satisfaction dashboard in the browser: the party-building department reads the company,
goes down to a committee, changes the period and exports; a branch secretary reads the branch.
Screenshots kept (dashboard-*.png)."""

import pytest

from demo.entries import demo_seed_entries
from demo.seed import demo_seed
from feedback.services.rollups import rollups_rebuild
from liaison.models import OrgNode, User
from tests.e2e.helpers import log_in, log_out

pytestmark = pytest.mark.e2e


def test_dashboards_for_the_department_and_a_branch(live_server, page, screenshot_dir):
    demo_seed(scale="small")
    demo_seed_entries(count=600)
    rollups_rebuild()
    base = live_server.url
    committee = OrgNode.objects.get(pk=User.objects.get(username="dangwei").scope_org_id)

    log_in(page, base, "dangjian")
    page.click("nav >> text=满意度看板")
    page.wait_for_selector("[data-chart=chart-trend] svg")
    assert page.get_by_test_id("level-row").count() == 4
    # A tooltip under the Content-Security-Policy: drawn in the chart, refused nothing (the
    # page fixture fails the test on any refusal the browser reports).
    chart = page.locator("[data-chart=chart-trend]")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
    page.wait_for_timeout(300)
    assert "%" in page.get_by_test_id("satisfaction-rate").inner_text()
    page.screenshot(path=screenshot_dir / "dashboard-1-company.png", full_page=True)

    page.get_by_test_id("units").get_by_role("link", name=committee.name).click()
    page.wait_for_url(f"**org={committee.pk}**")
    page.wait_for_selector("[data-chart=chart-units] svg")
    page.screenshot(path=screenshot_dir / "dashboard-2-committee.png", full_page=True)

    page.select_option("#id_period", index=3)  # last quarter
    page.get_by_role("button", name="查看", exact=True).click()
    page.wait_for_url("**period=**")
    page.screenshot(path=screenshot_dir / "dashboard-3-quarter.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("export-link").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # The two campaigns of the demo read together (R15): their repeat rate.
    page.goto(f"{base}/feedback/dashboard/?period={page.locator('#id_period').input_value()}")
    channels = page.get_by_test_id("channels")
    assert channels.get_by_test_id("channel-category").count() >= 8
    page.select_option("#id_channels", label=["专项活动 · 走基层", "专项活动 · 政工师下班组"])
    page.get_by_role("button", name="查看合并重复率").click()
    page.wait_for_selector("[data-testid=channel-selection]")
    assert "%" in page.get_by_test_id("selection-repeat-rate").inner_text()
    page.get_by_test_id("channels").screenshot(path=screenshot_dir / "dashboard-5-channels.png")

    # Close the months through last month (R24): the dashboard then names them closed.
    page.goto(f"{base}/feedback/months/")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="结账", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "已结账：" in page.locator(".alert-success").inner_text()  # the page's own message
    assert page.get_by_text("尚未对任何月份结账").count() == 0  # the history has its row
    page.screenshot(path=screenshot_dir / "months-closed.png", full_page=True)
    log_out(page, base)

    log_in(page, base, "shuji")
    page.click("nav >> text=满意度看板")
    page.wait_for_selector("[data-chart=chart-levels] svg")
    page.screenshot(path=screenshot_dir / "dashboard-4-branch.png", full_page=True)
