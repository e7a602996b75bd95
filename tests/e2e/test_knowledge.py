"""Reply templates in the browser: on a phone, the branch secretary opens an entry about a tariff,
inserts the knowledge base's answer into the reply (with the keyboard), edits it and sends it;
the reply is saved as edited and the template counts one use. The party-building department
reads the knowledge base and its count. axe-core checks every page. Screenshots:
knowledge-*.png."""

import datetime as dt

import pytest

from demo.seed import demo_seed
from liaison.constants import Role
from liaison.models import Channel, Entry, Person, ReplyTemplate, ServiceItem, User
from liaison.services.entries import entry_record
from liaison.services.workflow import entry_resolve_on_spot
from tests.e2e.helpers import log_in, log_out

pytestmark = pytest.mark.e2e


def test_insert_a_template_edit_it_and_reply_on_a_phone(
    live_server, phone_page, page, screenshot_dir
):
    demo_seed(scale="small")
    base = live_server.url
    secretary = User.objects.get(username="shuji")
    item = ServiceItem.objects.get(name="电费电价咨询")
    template = ReplyTemplate.objects.get(item=item, title="电费电价政策解释")
    entry = entry_record(
        actor=secretary,
        org=secretary.scope_org,
        kind="problem",
        colour="orange",
        channel=Channel.objects.order_by("pk").first(),
        item=item,
        informant=Person.objects.filter(org=secretary.scope_org).order_by("pk").first(),
        title="本月电费比上月高出很多",
        recorded_on=dt.date.today(),
    )
    entry = entry_resolve_on_spot(
        entry=entry, actor=secretary, expected_version=entry.version, result="已现场核对抄表数据"
    )

    phone = phone_page
    log_in(phone, base, "shuji")
    phone.goto(f"{base}{entry.get_absolute_url()}")
    reply = phone.locator("details[data-action=reply]")
    reply.locator("summary").click()
    picker = reply.get_by_test_id("template-picker")
    picker.get_by_test_id("template-toggle").click()
    assert "发改价格〔2011〕2617号" in picker.inner_text()  # the policy, before inserting
    phone.screenshot(path=screenshot_dir / "knowledge-1-picker-phone.png", full_page=True)
    phone.screenshot(path="/tmp/h2_picker_phone.png", full_page=True)

    # With the keyboard: focus the template's "Insert" and press Enter.
    row = picker.locator(f"[data-template-id='{template.pk}']")
    row.get_by_test_id("template-insert").focus()
    phone.keyboard.press("Enter")
    box = reply.locator("textarea[name=text]")
    assert box.input_value().startswith("您好！您反映的电费电价问题我们已核实。")
    assert phone.evaluate("document.activeElement.name") == "text"  # ready to edit
    assert reply.locator("input[name=template]").input_value() == str(template.pk)
    chosen = reply.get_by_test_id("template-chosen")
    assert chosen.is_visible() and "电费电价政策解释" in chosen.inner_text()
    assert "2617号" in chosen.inner_text()
    assert not row.is_visible()  # the list folded away, the reply box in view

    # Edit it: fill in the blank the template leaves, and add a line.
    edited = box.input_value().replace("〔请填写〕", "本月用电 420 千瓦时，第二档 20 千瓦时")
    box.fill(edited + "\n已约定下周二上门校验电能表。")
    reply.locator("select[name=method]").select_option("phone")
    phone.screenshot(path="/tmp/h2_reply_phone.png", full_page=True)
    reply.locator("button[type=submit]").click()
    phone.wait_for_load_state()

    saved = Entry.objects.get(pk=entry.pk)
    assert saved.reply_text.endswith("已约定下周二上门校验电能表。")
    assert "本月用电 420 千瓦时" in saved.reply_text
    template.refresh_from_db()
    assert template.usage_count == 1 and template.last_used_at is not None
    assert "所用答复模板" in phone.get_by_test_id("timeline").inner_text()
    log_out(phone, base)

    # The party-building department reads the count in the knowledge base.
    assert User.objects.get(username="dangjian").role == Role.PARTY_BUILDING
    log_in(page, base, "dangjian")
    page.goto(f"{base}/knowledge/")
    row = page.locator("tbody tr", has_text="电费电价政策解释")
    assert row.locator("td").nth(4).inner_text().strip() == "1"
    page.screenshot(path=screenshot_dir / "knowledge-2-list.png", full_page=True)
    page.screenshot(path="/tmp/h2_knowledge_list.png", full_page=True)
    page.goto(f"{base}{template.get_absolute_url()}")
    page.screenshot(path="/tmp/h2_knowledge_detail.png", full_page=True)
    page.goto(f"{base}/knowledge/new/")
    page.screenshot(path="/tmp/h2_knowledge_form.png", full_page=True)
