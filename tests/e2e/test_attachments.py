"""Photos and files in the browser (R23): on a phone, a branch secretary logs a visit with a
photo; at a desk, the department attaches its result document to the referred entry; both show
on the entry page and on the printed record sheet. axe-core checks every page."""

import pytest
from django.urls import reverse

from demo.seed import demo_seed
from liaison.constants import Colour, EntryStatus, PersonKind
from liaison.models import Attachment, Entry, Person, User
from tests.e2e.helpers import log_in, log_out
from tests.e2e.test_ledger_loop import act, fill_row
from tests.fixtures.attachments import pdf_bytes, png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("attachment_store")]


def test_a_photo_on_the_phone_and_a_result_document_at_the_desk(live_server, phone_page, page):
    demo_seed(scale="small")
    base = live_server.url
    secretary = User.objects.get(username="shuji")
    handler = User.objects.get(username="bumen")
    party = (
        Person.objects.filter(
            org__path__startswith=secretary.scope_org.path, kind=PersonKind.ENTERPRISE
        ).first()
        or Person.objects.filter(org__path__startswith=secretary.scope_org.path).first()
    )

    # 1. On the phone: a visit with one entry and a photo of the broken air conditioner.
    phone = phone_page
    log_in(phone, base, "shuji")
    phone.goto(f"{base}/visits/new/")
    phone.fill("#id_visited_party", f"{party.code} {party.name}")
    fill_row(phone, 0, "空调损坏，夏季高温无法作业", Colour.RED)
    photo = png_bytes(size=(800, 600), colour=(30, 120, 200), gps=True)
    phone.set_input_files(
        "#id_files", files=[{"name": "空调.png", "mimeType": "image/png", "buffer": photo}]
    )
    phone.fill("#id_caption", "维修前")
    phone.locator("#visit-files").scroll_into_view_if_needed()
    phone.screenshot(path="/tmp/h1_phone_visit_form.png", full_page=True)
    phone.click("[data-testid=save-visit]")
    phone.wait_for_url("**/visits/*/")
    assert phone.get_by_test_id("attachment-thumbs").locator("img").count() == 1
    phone.screenshot(path="/tmp/h1_phone_visit_page.png", full_page=True)
    entry = Entry.objects.get(recorded_by=secretary, title__startswith="空调损坏")
    photo_row = Attachment.objects.get(visit=entry.visit)

    # The secretary refers the entry to the department.
    phone.goto(f"{base}{entry.get_absolute_url()}")
    act(phone, "refer", {"department": str(handler.department_id), "note": "请尽快维修"})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REFERRED
    log_out(phone, base)

    # 2. At a desk: the department records its plan and attaches its result document.
    log_in(page, base, "bumen")
    page.goto(f"{base}{entry.get_absolute_url()}")
    act(page, "record_plan", {"plan": "更换压缩机"})
    card = page.get_by_test_id("attachments")
    card.locator("#id_files").set_input_files(
        files=[{"name": "维修结果.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    card.locator("#id_caption").fill("验收单")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    document = Attachment.objects.get(entry=entry)
    assert document.step == "result" and document.uploaded_by == handler

    # 3. Both show on the entry page: the photo's thumbnail (loaded), the document by name.
    thumbs = page.get_by_test_id("attachment-thumbs").locator("img")
    assert thumbs.count() == 1
    assert thumbs.first.evaluate("img => img.complete && img.naturalWidth > 0")
    names = page.get_by_test_id("attachment-list").inner_text()
    assert "空调.png" in names and "维修结果.pdf" in names
    page.screenshot(path="/tmp/h1_entry_page.png", full_page=True)
    served = page.request.get(base + reverse("liaison:attachment_file", args=[document.pk]))
    assert served.status == 200 and served.body() == pdf_bytes()
    assert served.headers["content-disposition"].startswith("attachment")

    # 4. And on the printed record sheet.
    page.goto(base + reverse("liaison:entry_print", args=[entry.pk]))
    sheet = page.get_by_test_id("sheet-attachments")
    image = sheet.locator("img")
    assert image.count() == 1
    assert image.first.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "维修结果.pdf" in sheet.inner_text()
    assert reverse("liaison:attachment_thumbnail", args=[photo_row.pk]) in sheet.inner_html()
    page.screenshot(path="/tmp/h1_print_sheet.png", full_page=True)
