"""Home is my work, in the browser: the secretary opens the home page, sees the branch's
overdue, due-soon and reopened entries, and follows one to its entry; the handler sees the
referrals awaiting the department; the party-building department sees overdue by unit.
Screenshots at 1280 px (Chinese), 1366 px (English) and 390 px (home-work-*.png)."""

import pytest
from django.utils import timezone

from demo.seed import demo_seed
from liaison.constants import EntryStatus
from liaison.models import Entry, Person, Unit, User
from liaison.services.workflow import entry_act
from liaison.workdays import WorkCalendar
from tests.e2e.helpers import log_in, log_out
from tests.fixtures.factories import make_entry

pytestmark = pytest.mark.e2e


def _seed_work() -> dict[str, Entry]:
    """The secretary's branch: one entry overdue, one due today, one reopened; one referred to
    the handler's department."""
    today = timezone.localdate()
    calendar = WorkCalendar.load(today.year - 1, today.year + 1)
    secretary = User.objects.get(username="shuji")
    informant = Person.objects.filter(org=secretary.scope_org).first()

    def record(title: str, **extra) -> Entry:
        return make_entry(secretary, title=title, informant=informant, recorded_on=today, **extra)

    overdue = record("配电房屋顶漏雨")
    Entry.objects.filter(pk=overdue.pk).update(due_on=calendar.working_days_back(today, 3))
    due_soon = record("值班室空调不制冷")
    Entry.objects.filter(pk=due_soon.pk).update(due_on=today)
    reopened = record("食堂饭菜偏咸")
    for action, data in [
        ("resolve_on_spot", {"result": "已与食堂沟通"}),
        ("reply", {"text": "已调整口味", "method": "phone"}),
        ("reopen", {}),
    ]:
        reopened = entry_act(
            action=action,
            entry=reopened,
            actor=None if action == "reopen" else secretary,
            expected_version=reopened.version,
            **data,
        )
    handler = User.objects.get(username="bumen")
    department = Unit.objects.get(pk=handler.department_id)
    referred = entry_act(
        action="refer",
        entry=record("线路树障清理"),
        actor=secretary,
        expected_version=1,
        department=department,
        note="请安排清理",
    )
    assert referred.status == EntryStatus.REFERRED
    return {"overdue": overdue, "due_soon": due_soon, "reopened": reopened, "referred": referred}


def test_each_role_finds_its_work_on_the_home_page(live_server, browser, screenshot_dir):
    demo_seed(scale="small")
    made = _seed_work()
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()

    log_in(page, base, "shuji")
    for key, testid in [("overdue", "overdue"), ("due_soon", "due_soon"), ("reopened", "reopened")]:
        queue = page.get_by_test_id(f"work-{testid}")
        assert made[key].title in queue.inner_text(), key
    page.screenshot(path=screenshot_dir / "home-work-1-secretary-1280.png", full_page=True)
    page.get_by_test_id("work-overdue").get_by_text(made["overdue"].title).click()
    page.wait_for_url(f"{base}{made['overdue'].get_absolute_url()}")
    assert page.get_by_test_id("deadline").is_visible()
    log_out(page, base)

    log_in(page, base, "bumen")
    assert made["referred"].title in page.get_by_test_id("work-to_plan").inner_text()
    log_out(page, base)

    log_in(page, base, "dangjian")
    assert page.get_by_test_id("work-board").is_visible()
    assert int(page.get_by_test_id("work-board-overdue").inner_text()) >= 1
    log_out(page, base)
    context.close()

    english = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = english.new_page()
    log_in(page, base, "shuji")
    page.select_option("#language-select", "en")
    page.click("[data-testid=language-switch] button")
    page.wait_for_load_state()
    assert "What to do now" in page.get_by_test_id("work").inner_text()
    page.screenshot(path=screenshot_dir / "home-work-2-secretary-1366-en.png", full_page=True)
    english.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    log_in(page, base, "shuji")
    assert made["overdue"].title in page.get_by_test_id("work-overdue").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "home-work-3-secretary-390.png", full_page=True)
    phone.close()
