"""The closed loop in the browser: a secretary logs a visit with three entries, refers one; the
department records its plan and result; the owner replies, records the rating and prints the
record sheet. Screenshots are kept in screenshots/."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from demo.seed import demo_seed
from liaison.constants import Colour, EntryStatus, PersonKind
from liaison.models import Entry, Person, User
from liaison.workdays import earliest_yellow_target
from tests.e2e.helpers import log_in, log_out

pytestmark = pytest.mark.e2e


def act(page, action, fields: dict, shot=None):
    """Open an action on the entry page, fill its fields, submit it."""
    box = page.locator(f"details[data-action={action}]")
    box.locator("summary").click()
    for name, value in fields.items():
        field = box.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    if shot:
        page.screenshot(path=shot, full_page=True)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()


def fill_row(page, index, title, colour, target=None):
    page.fill(f"#id_entries-{index}-title", title)
    # The colour is a row of toggle buttons (radio inputs styled as buttons): click its label.
    radio = page.locator(f"input[name='entries-{index}-colour'][value='{colour}']")
    page.click(f"label[for='{radio.get_attribute('id')}']")
    if target:
        page.fill(f"#id_entries-{index}-target_on", target)
    item = page.locator(f"#id_entries-{index}-item option:not([value=''])").first
    page.select_option(f"#id_entries-{index}-item", item.get_attribute("value"))


def test_visit_referral_reply_and_rating(live_server, page, screenshot_dir):
    demo_seed(scale="small")
    base = live_server.url
    secretary = User.objects.get(username="shuji")
    handler = User.objects.get(username="bumen")
    enterprise = (
        Person.objects.filter(
            org__path__startswith=secretary.scope_org.path, kind=PersonKind.ENTERPRISE
        ).first()
        or Person.objects.filter(org__path__startswith=secretary.scope_org.path).first()
    )
    yellow_target = earliest_yellow_target(timezone.localdate()).due_on + dt.timedelta(days=7)

    # 1. The secretary logs a visit with three entries.
    log_in(page, base, "shuji")
    page.goto(f"{base}/visits/new/")
    page.fill("#id_visited_party", f"{enterprise.code} {enterprise.name}")
    fill_row(page, 0, "变压器小马拉大车，申请增容", Colour.RED)
    page.click("[data-testid=add-entry-row]")
    page.wait_for_selector("#id_entries-1-title")
    fill_row(page, 1, "计划停电影响生产，希望提前通知", Colour.ORANGE)
    page.click("[data-testid=add-entry-row]")
    page.wait_for_selector("#id_entries-2-title")
    fill_row(page, 2, "厂区线路老旧，建议改造", Colour.YELLOW, yellow_target.isoformat())
    page.screenshot(path=screenshot_dir / "loop-1-visit-form.png", full_page=True)
    page.click("[data-testid=save-visit]")
    page.wait_for_url("**/visits/*/")
    page.screenshot(path=screenshot_dir / "loop-2-visit-saved.png", full_page=True)
    entries = Entry.objects.filter(recorded_by=secretary).order_by("pk")
    assert [e.colour for e in entries] == [Colour.RED, Colour.ORANGE, Colour.YELLOW]
    red = entries[0]
    assert red.owner == secretary

    # 2. The secretary refers the red entry to the department.
    page.goto(f"{base}{red.get_absolute_url()}")
    act(page, "refer", {"department": str(handler.department_id), "note": "请尽快核实容量"},
        shot=screenshot_dir / "loop-3-refer.png")  # fmt: skip
    red.refresh_from_db()
    assert red.status == EntryStatus.REFERRED
    log_out(page, base)

    # 3. The department records its plan, then the result.
    log_in(page, base, "bumen")
    page.goto(f"{base}{red.get_absolute_url()}")
    act(page, "record_plan", {"plan": "现场勘查后安排增容至 630 千伏安"})
    act(page, "record_result", {"result": "已完成增容并送电"})
    page.screenshot(path=screenshot_dir / "loop-4-department.png", full_page=True)
    red.refresh_from_db()
    assert red.status == EntryStatus.RESOLVED
    log_out(page, base)

    # 4. The owner replies, then records the informant's rating on a return visit.
    log_in(page, base, "shuji")
    page.goto(f"{base}{red.get_absolute_url()}")
    act(page, "reply", {"text": "增容已完成，请试用", "method": "phone"})
    red.refresh_from_db()
    assert red.status == EntryStatus.REPLIED
    assert red.replied_on_time is True
    rating = page.locator("details[data-action=rating]")
    rating.locator("summary").click()
    rating.locator("input[value=very_satisfied]").check()
    rating.locator("button[type=submit]").click()
    page.wait_for_load_state()
    red.refresh_from_db()
    assert red.status == EntryStatus.CLOSED
    assert page.get_by_test_id("timeline").is_visible()
    page.screenshot(path=screenshot_dir / "loop-5-closed.png", full_page=True)

    # 5. The entry's record sheet, printed: the sheet is the page's main landmark.
    response = page.goto(base + reverse("liaison:entry_print", args=[red.pk]))
    assert response.status == 200
    assert page.locator("main.sheet-page").count() == 1
    page.screenshot(path=screenshot_dir / "loop-6-record-sheet.png", full_page=True)
