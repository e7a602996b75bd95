"""A referral to the standard of the 12345 hotlines, in the browser (R17–R21): the cadre refers an
entry; the department returns it as not its remit; the cadre refers it to another department,
which signs for it and asks a third to co-handle; the cadre asks for an extension and the
branch secretary approves it; the department records its result; the cadre replies; the
secretary records the informant's rating from the return-visit queue, as a third party.
Screenshots: referral-flow-*.png."""

import datetime as dt

import pytest

from demo.seed import DEMO_PASSWORD, demo_seed
from feedback.constants import RatingChannel
from feedback.models import Rating
from liaison.constants import EntryStatus, Role, UnitKind
from liaison.models import Entry, Person, Unit, User
from tests.e2e.helpers import log_in, log_out
from tests.e2e.test_ledger_loop import act
from tests.fixtures.factories import make_entry

pytestmark = pytest.mark.e2e


def test_return_refer_sign_cohandle_extend_reply_and_return_visit(
    live_server, page, screenshot_dir
):
    demo_seed(scale="small")
    base = live_server.url
    cadre = User.objects.get(username="jiceng")
    handler = User.objects.get(username="bumen")
    lead = Unit.objects.get(pk=handler.department_id)
    others = Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).exclude(pk=lead.pk)
    misrouted, helper = others.order_by("pk")[:2]
    User.objects.create_user(
        username="yingxiao", password=DEMO_PASSWORD, role=Role.DEPARTMENT_HANDLER,
        department=misrouted, first_name="错派部门",
    )  # fmt: skip
    informant = Person.objects.filter(org=cadre.scope_org).order_by("pk").first()
    entry = make_entry(cadre, informant=informant, colour="orange", title="站内道路破损影响巡视",
                       recorded_on=dt.date.today())  # fmt: skip

    def reload() -> Entry:
        return Entry.objects.get(pk=entry.pk)

    # 1. The cadre refers it to the wrong department, which returns it: not its remit.
    log_in(page, base, "jiceng")
    page.goto(f"{base}{entry.get_absolute_url()}")
    act(page, "refer", {"department": str(misrouted.pk), "note": "请维修道路"})
    assert reload().status == EntryStatus.REFERRED
    log_out(page, base)
    log_in(page, base, "yingxiao")
    page.goto(f"{base}{entry.get_absolute_url()}")
    assert "待签收" in page.get_by_test_id("referral-state").inner_text()
    act(page, "return_referral", {"reason": "not_our_remit", "note": "道路维修属运维检修部"},
        shot=screenshot_dir / "referral-flow-1-return.png")  # fmt: skip
    assert (reload().status, reload().referral_returns) == (EntryStatus.IN_PROGRESS, 1)
    log_out(page, base)

    # 2. Told by a notice, the cadre refers it to the right department.
    log_in(page, base, "jiceng")
    page.goto(f"{base}/notifications/")
    assert "退回" in page.locator("main").inner_text()
    page.goto(f"{base}{entry.get_absolute_url()}")
    act(page, "refer", {"department": str(lead.pk), "note": "请维修道路"})
    log_out(page, base)

    # 3. The department signs for it, asks a third to co-handle, records its plan.
    log_in(page, base, "bumen")
    page.goto(f"{base}{entry.get_absolute_url()}")
    act(page, "sign_for", {"note": "已签收"})
    assert reload().signed_by == handler
    act(page, "add_cohandler", {"department": str(helper.pk), "note": "请协调施工队"})
    act(page, "record_plan", {"plan": "下周组织施工队修复"})
    assert helper.name in page.get_by_test_id("cohandlers").inner_text()
    page.screenshot(path=screenshot_dir / "referral-flow-2-department.png", full_page=True)
    log_out(page, base)

    # 4. The cadre asks for an extension; the branch secretary approves it.
    due = reload().due_on
    new_due = due + dt.timedelta(days=14)
    log_in(page, base, "jiceng")
    page.goto(f"{base}{entry.get_absolute_url()}")
    act(page, "request_extension", {"due_on": new_due.isoformat(), "reason": "等待材料到货"})
    assert reload().request_kind == "extension"
    log_out(page, base)
    log_in(page, base, "shuji")
    assert page.get_by_test_id("work-to_decide").is_visible()
    page.goto(f"{base}{entry.get_absolute_url()}")
    act(page, "decide_extension", {"decision": "approve", "note": "同意"},
        shot=screenshot_dir / "referral-flow-3-extension.png")  # fmt: skip
    assert (reload().due_on, reload().extended_from) == (new_due, due)
    log_out(page, base)

    # 5. The department records its result; the cadre replies, on time against the new date.
    log_in(page, base, "bumen")
    page.goto(f"{base}{entry.get_absolute_url()}")
    act(page, "record_result", {"result": "道路已修复"})
    log_out(page, base)
    log_in(page, base, "jiceng")
    page.goto(f"{base}{entry.get_absolute_url()}")
    act(page, "reply", {"text": "道路已修复，请查看", "method": "phone"})
    assert reload().status == EntryStatus.REPLIED and reload().replied_on_time is True
    log_out(page, base)

    # 6. The secretary calls the informant from the return-visit queue and records the rating.
    log_in(page, base, "shuji")
    page.get_by_test_id("home-return-visits").get_by_role("link").click()
    page.wait_for_url(f"{base}/return-visits/")
    row = page.get_by_test_id(f"return-visit-{entry.pk}")
    row.locator("summary").click()
    row.locator("select[name=method]").select_option("phone")
    row.locator("select[name=outcome]").select_option("rated")
    row.locator("input[value=satisfied]").check()
    page.screenshot(path=screenshot_dir / "referral-flow-4-return-visit.png", full_page=True)
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/return-visits/")
    assert reload().status == EntryStatus.CLOSED
    rating = Rating.objects.get(entry=entry)
    assert rating.channel == RatingChannel.RETURN_VISIT and rating.recorded_by.username == "shuji"
    page.goto(f"{base}{entry.get_absolute_url()}")
    page.screenshot(path=screenshot_dir / "referral-flow-5-timeline.png", full_page=True)
