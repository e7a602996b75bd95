"""Photos and files on visits (R23): on the phone's visit form, on the visit page; the visit's
photo travels with the entries heard there; the pages' query counts do not grow with files."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.constants import AttachmentKind, EntryStatus, Role
from liaison.models import Attachment, AuditEvent, Entry, Visit
from liaison.services.attachments import attachment_withdraw, entry_attach, visit_attach
from liaison.services.workflow import Action
from tests.fixtures.attachments import SCRIPT, Upload, pdf_bytes, png_bytes, store_kinds
from tests.fixtures.factories import make_user
from tests.fixtures.visits import form_data
from tests.fixtures.walks import act

pytestmark = pytest.mark.usefixtures("attachment_store")


def log_visit(client, world, *uploads, rows=({"title": "空调损坏"},), **visit):
    data = form_data(world, list(rows), **visit)
    data["files"] = list(uploads)
    data["caption"] = visit.pop("caption", "")
    return client.post(reverse("liaison:visit_create"), data)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@store_kinds
def test_a_secretary_logs_a_visit_with_a_photo_and_every_entry_shows_it(
    world, client_for, attachment_store
):
    secretary = client_for(world.users[Role.BRANCH_SECRETARY])
    response = log_visit(secretary, world, Upload("IMG_0001.JPG", png_bytes(fmt="JPEG")),
                         note="现场拍照")  # fmt: skip
    assert response.status_code == HTTPStatus.FOUND
    visit = Visit.objects.get()
    photo = Attachment.objects.get(visit=visit)
    assert (photo.kind, photo.step, photo.name) == (AttachmentKind.IMAGE, "", "IMG_0001.jpg")
    assert AuditEvent.objects.filter(object_type="liaison.visit", object_id=str(visit.pk)).exists()
    assert len(attachment_store.keys()) == 2  # the photo and its thumbnail
    assert "IMG_0001.jpg" in secretary.get(visit.get_absolute_url()).content.decode()
    entry = Entry.objects.get(visit=visit)
    page = secretary.get(entry.get_absolute_url()).content.decode()
    assert (
        "IMG_0001.jpg" in page and reverse("liaison:attachment_thumbnail", args=[photo.pk]) in page
    )
    # Referred, the department sees the photo through the entry, not the visit's page.
    act(world, entry, Action.REFER, world.users[Role.PARTY_BUILDING])
    handler = client_for(world.users[Role.DEPARTMENT_HANDLER])
    assert handler.get(reverse("liaison:attachment_file", args=[photo.pk])).status_code == 200
    assert handler.get(visit.get_absolute_url()).status_code == 404


def test_a_refused_file_on_the_visit_form_keeps_what_was_typed_and_saves_nothing(
    world, client_for, attachment_store, settings
):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = log_visit(
        client, world, Upload("photo.jpg", SCRIPT), rows=({"title": "被褥破旧需更换"},),
        note="走访记录要保留",
    )  # fmt: skip
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert "is not a photo, a PDF or an Office document" in page
    assert "被褥破旧需更换" in page and "走访记录要保留" in page
    assert 'enctype="multipart/form-data"' in page
    assert not Visit.objects.exists() and not Attachment.objects.exists()
    assert attachment_store.keys() == []


def test_a_refused_visit_with_a_good_photo_stores_nothing(world, client_for, attachment_store):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = log_visit(client, world, Upload("a.png", png_bytes()), visited_on="2001-01-01")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Visit.objects.exists() and attachment_store.keys() == []


def test_the_visit_form_offers_a_multiple_file_input_without_forcing_the_camera(world, client_for):
    page = client_for(world.users[Role.BRANCH_SECRETARY]).get(reverse("liaison:visit_create"))
    html = page.content.decode()
    assert 'type="file" name="files"' in html and "multiple" in html
    assert 'accept="image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"' in html
    assert "capture" not in html


@store_kinds
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("recorder", HTTPStatus.FOUND),
        (Role.PARTY_BUILDING, HTTPStatus.FOUND),
        (Role.COMMITTEE_STAFF, HTTPStatus.FORBIDDEN),
        (Role.BRANCH_SECRETARY, HTTPStatus.FOUND),
        (Role.PARTY_MEMBER, HTTPStatus.NOT_FOUND),  # went along, but a group sees no branch's
        ("outsider", HTTPStatus.NOT_FOUND),
        (Role.DEPARTMENT_HANDLER, HTTPStatus.NOT_FOUND),
    ],
)
def test_who_may_attach_to_a_visit_page(world, client_for, attachment_store, who, expected):
    cadre = world.users[Role.GRASSROOTS_CADRE]  # logs the visit; the member went along
    client = client_for(cadre)
    log_visit(client, world, visitors=[world.member_a.pk])
    visit = Visit.objects.get()
    user = {
        "recorder": cadre,
        "outsider": make_user(Role.BRANCH_SECRETARY, scope=world.branch_b, username="sj_b"),
    }.get(who) or world.users[who]
    url = reverse("liaison:visit_attach", args=[visit.pk])
    response = client_for(user).post(url, {"files": [Upload("现场.pdf", pdf_bytes())]})
    assert response.status_code == expected
    assert Attachment.objects.filter(visit=visit).exists() is (expected == HTTPStatus.FOUND)
    if expected != HTTPStatus.FOUND:
        assert attachment_store.keys() == []


def test_a_visits_file_is_withdrawn_by_its_recorder_with_an_audit_row(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    log_visit(client_for(secretary), world, Upload("a.png", png_bytes()))
    photo = Attachment.objects.get()
    url = reverse("liaison:attachment_withdraw", args=[photo.pk])
    committee = client_for(world.users[Role.COMMITTEE_STAFF])
    assert committee.post(url, {f"withdraw-{photo.pk}-reason": "x"}).status_code == 403
    client = client_for(secretary)
    assert client.post(url, {f"withdraw-{photo.pk}-reason": "拍到了住户门牌"}).status_code == 302
    assert AuditEvent.objects.filter(
        object_type="liaison.attachment", summary__contains="a.png"
    ).exists()
    page = client.get(photo.visit.get_absolute_url()).content.decode()
    assert "拍到了住户门牌" in page


def test_the_entry_page_visit_page_and_sheet_do_not_grow_with_files(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    client = client_for(secretary)
    log_visit(client, world)
    visit, entry = Visit.objects.get(), Entry.objects.get()
    urls = [entry.get_absolute_url(), visit.get_absolute_url(),
            reverse("liaison:entry_print", args=[entry.pk])]  # fmt: skip
    empty = [count_queries(client, url) for url in urls]
    visit_attach(visit=visit, actor=secretary, files=[Upload("v.png", png_bytes())])
    first = entry_attach(entry=entry, actor=secretary, files=[Upload("0.png", png_bytes())])
    attachment_withdraw(attachment=first[0], actor=secretary, reason="拍错了")
    some = [count_queries(client, url) for url in urls]
    files = [Upload(f"{n}.png", png_bytes()) for n in range(1, 4)] + [Upload("p.pdf", pdf_bytes())]
    rows = entry_attach(entry=entry, actor=secretary, files=files)
    attachment_withdraw(attachment=rows[0], actor=secretary, reason="重复")
    visit_attach(visit=visit, actor=secretary, files=[Upload("w.png", png_bytes())])
    more = [count_queries(client, url) for url in urls]
    assert more == some
    # Measured: the entry page reads its files and its visit's in one query (two more read its
    # related entries and duplicates), the visit page its own in one. Who uploaded and withdrew
    # them and the visit's ledger come in prefetches only once there are files: none for a page
    # without (most pages), up to four with some (uploaders, withdrawers, visit, its ledger).
    # The entry itself is one query of six tables and one each for its item (with its
    # category) and informant (with their org): liaison.permissions.get_entry_for says why.
    assert empty == [16, 8, 10]  # the printed sheet reads no panel of the entry page
    assert some == [20, 11, 14]


def test_the_print_sheet_shows_thumbnails_and_files(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    client = client_for(secretary)
    log_visit(client, world, Upload("现场.png", png_bytes()))
    entry = Entry.objects.get()
    act(world, entry, Action.REFER, world.users[Role.PARTY_BUILDING])
    entry = Entry.objects.get()
    entry_attach(entry=entry, actor=world.users[Role.DEPARTMENT_HANDLER],
                 files=[Upload("整改方案.pdf", pdf_bytes())])  # fmt: skip
    sheet = client.get(reverse("liaison:entry_print", args=[entry.pk])).content.decode()
    photo = Attachment.objects.get(visit__isnull=False)
    assert reverse("liaison:attachment_thumbnail", args=[photo.pk]) in sheet
    assert "整改方案.pdf" in sheet
    assert entry.status == EntryStatus.REFERRED
