"""Photos and files on entries (R23), over HTTP, on the file system and on a real
S3-compatible server: who may attach, see and withdraw; what is refused, with nothing stored."""

from __future__ import annotations

import io
from http import HTTPStatus

import pytest
from django.urls import reverse
from PIL import Image

from liaison.constants import AttachmentKind, AttachmentStep, EntryStatus, EventKind, Role
from liaison.models import Attachment
from liaison.services.workflow import Action
from tests.fixtures.attachments import (
    SCRIPT,
    Upload,
    docx_bytes,
    pdf_bytes,
    png_bomb,
    png_bytes,
    store_kinds,
    zip_bomb_docx,
)
from tests.fixtures.factories import make_user
from tests.fixtures.walks import act, entry_in, helping_department

S = EntryStatus
pytestmark = pytest.mark.usefixtures("attachment_store")


@pytest.fixture
def english(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def attach_url(entry) -> str:
    return reverse("liaison:entry_attach", args=[entry.pk])


def file_url(attachment, *, thumbnail=False) -> str:
    name = "liaison:attachment_thumbnail" if thumbnail else "liaison:attachment_file"
    return reverse(name, args=[attachment.pk])


def withdraw_url(attachment) -> str:
    return reverse("liaison:attachment_withdraw", args=[attachment.pk])


def post_files(client, entry, *uploads, caption=""):
    return client.post(attach_url(entry), {"files": list(uploads), "caption": caption})


def outsider(world):
    """A secretary of another committee's branch: the entries of branch A are out of scope."""
    return make_user(Role.BRANCH_SECRETARY, scope=world.branch_b, username="sj_b")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- attaching, by role -------------------------------------------------------------------------


@store_kinds
def test_the_owner_attaches_a_photo_and_a_pdf_and_everyone_in_scope_sees_them(
    world, client_for, attachment_store
):
    entry = entry_in(world, S.RECORDED)
    client = client_for(entry.owner)
    photo = Upload("变压器.jpg", png_bytes(fmt="JPEG"))
    response = post_files(client, entry, photo, Upload("记录单.pdf", pdf_bytes()), caption="整改前")
    assert response.status_code == HTTPStatus.FOUND
    photo, sheet = Attachment.objects.filter(entry=entry).order_by("pk")
    assert (photo.kind, photo.step, photo.name, photo.content_type) == (
        AttachmentKind.IMAGE, AttachmentStep.RECORDING, "变压器.jpg", "image/jpeg"
    )  # fmt: skip
    assert (sheet.kind, sheet.name, sheet.content_type) == (
        AttachmentKind.DOCUMENT, "记录单.pdf", "application/pdf"
    )  # fmt: skip
    assert photo.caption == "整改前" and photo.thumbnail_key
    assert len(attachment_store.keys()) == 3  # the photo, its thumbnail, the PDF
    assert "变压器" not in "".join(attachment_store.keys())  # keys never carry the name
    event = entry.events.get(kind=EventKind.ATTACHED)
    assert event.actor == entry.owner and "记录单.pdf" in event.after["files"]
    for role in (Role.BRANCH_SECRETARY, Role.COMMITTEE_STAFF, Role.PARTY_BUILDING,
                 Role.GRASSROOTS_CADRE, Role.LEADERSHIP_CADRE):  # fmt: skip
        viewer = client_for(world.users[role])
        page = viewer.get(entry.get_absolute_url())
        assert "记录单.pdf" in page.content.decode()
        served = viewer.get(file_url(sheet))
        assert served.status_code == HTTPStatus.OK
        assert body(served) == pdf_bytes()
        assert viewer.get(file_url(photo, thumbnail=True)).status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("status", "role", "expected", "step"),
    [
        (S.RECORDED, Role.PARTY_BUILDING, HTTPStatus.FOUND, AttachmentStep.RECORDING),
        (S.RECORDED, Role.COMMITTEE_STAFF, HTTPStatus.FORBIDDEN, None),
        (S.RECORDED, Role.GRASSROOTS_CADRE, HTTPStatus.FORBIDDEN, None),
        (S.RECORDED, Role.PARTY_MEMBER, HTTPStatus.NOT_FOUND, None),  # a group's member
        (S.RECORDED, Role.DEPARTMENT_HANDLER, HTTPStatus.NOT_FOUND, None),  # not referred
        (S.REFERRED, Role.DEPARTMENT_HANDLER, HTTPStatus.FOUND, AttachmentStep.PLAN),
        (S.PLANNED, Role.DEPARTMENT_HANDLER, HTTPStatus.FOUND, AttachmentStep.RESULT),
        (S.RESOLVED, Role.DEPARTMENT_HANDLER, HTTPStatus.FOUND, AttachmentStep.RESULT),
        (S.RESOLVED, Role.BRANCH_SECRETARY, HTTPStatus.FOUND, AttachmentStep.REPLY),
        (S.REFERRED, Role.BRANCH_SECRETARY, HTTPStatus.FOUND, AttachmentStep.OTHER),
        (S.REPLIED, Role.DEPARTMENT_HANDLER, HTTPStatus.FORBIDDEN, None),
        (S.CLOSED, Role.BRANCH_SECRETARY, HTTPStatus.BAD_REQUEST, None),
        (S.VOID, Role.BRANCH_SECRETARY, HTTPStatus.BAD_REQUEST, None),
    ],
)
def test_who_may_attach_at_which_step(
    world, client_for, attachment_store, status, role, expected, step
):
    entry = entry_in(world, status)  # owned by the branch secretary
    response = post_files(client_for(world.users[role]), entry, Upload("a.png", png_bytes()))
    assert response.status_code == expected
    attached = Attachment.objects.filter(entry=entry)
    if step is None:
        assert not attached.exists() and attachment_store.keys() == []
    else:
        assert attached.get().step == step


def test_a_co_handling_department_attaches_its_part(world, client_for):
    entry = entry_in(world, S.REFERRED)
    helper = helping_department(world)
    entry = act(world, entry, Action.ADD_COHANDLER, world.users[Role.PARTY_BUILDING])
    cohandler = make_user(Role.DEPARTMENT_HANDLER, department=helper, username="bm2")
    response = post_files(client_for(cohandler), entry, Upload("勘察.pdf", pdf_bytes()))
    assert response.status_code == HTTPStatus.FOUND
    assert Attachment.objects.get(entry=entry).step == AttachmentStep.PLAN


def test_out_of_scope_users_and_missing_ids_get_404_everywhere(world, client_for):
    entry = entry_in(world, S.RECORDED)
    owner = client_for(entry.owner)
    post_files(owner, entry, Upload("a.png", png_bytes()))
    attachment = Attachment.objects.get(entry=entry)
    stranger = client_for(outsider(world))
    assert post_files(stranger, entry, Upload("b.png", png_bytes())).status_code == 404
    assert stranger.get(file_url(attachment)).status_code == 404
    assert stranger.get(file_url(attachment, thumbnail=True)).status_code == 404
    reason = {f"withdraw-{attachment.pk}-reason": "错传"}
    assert stranger.post(withdraw_url(attachment), reason).status_code == 404
    assert Attachment.objects.get(pk=attachment.pk).withdrawn_at is None
    missing = Attachment.objects.order_by("-pk").first().pk + 100
    owner = client_for(entry.owner)
    for url in ("liaison:attachment_file", "liaison:attachment_thumbnail"):
        assert owner.get(reverse(url, args=[missing])).status_code == 404
    assert owner.post(reverse("liaison:attachment_withdraw", args=[missing])).status_code == 404
    assert owner.post(reverse("liaison:entry_attach", args=[entry.pk + 999])).status_code == 404


def test_a_stored_file_gone_missing_answers_404_like_a_forbidden_one(
    world, client_for, attachment_store
):
    entry = entry_in(world, S.RECORDED)
    client = client_for(entry.owner)
    post_files(client, entry, Upload("a.pdf", pdf_bytes()))
    attachment = Attachment.objects.get(entry=entry)
    (attachment_store.root / attachment.storage_key).unlink()
    assert client.get(file_url(attachment)).status_code == 404


# --- serving ------------------------------------------------------------------------------------


@store_kinds
def test_files_are_served_with_safe_headers(world, client_for, attachment_store):
    entry = entry_in(world, S.RECORDED)
    client = client_for(entry.owner)
    post_files(client, entry, Upload("照片.png", png_bytes()), Upload("方案.docx", docx_bytes()))
    photo, document = Attachment.objects.filter(entry=entry).order_by("pk")
    for attachment, disposition in ((photo, "inline"), (document, "attachment")):
        response = client.get(file_url(attachment))
        assert response["Content-Type"] == attachment.content_type
        assert response["Content-Disposition"].startswith(disposition)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
        assert "sandbox" in response["Content-Security-Policy"]
    assert document.content_type.endswith("wordprocessingml.document")
    thumb = client.get(file_url(photo, thumbnail=True))
    assert thumb["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(body(thumb))).size) <= 320
    assert client.get(file_url(document, thumbnail=True)).status_code == 404


@store_kinds
def test_a_photo_comes_back_upright_without_its_gps_position(world, client_for, attachment_store):
    entry = entry_in(world, S.RECORDED)
    sent = png_bytes(size=(64, 48), gps=True)
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(0x8825)  # the position is there
    client = client_for(entry.owner)
    post_files(client, entry, Upload("现场.png", sent))
    served = body(client.get(file_url(Attachment.objects.get(entry=entry))))
    image = Image.open(io.BytesIO(served))
    assert image.getexif().get_ifd(0x8825) == {}
    assert not image.getexif() and "exif" not in image.info
    assert b"Exif" not in served and image.size == (48, 64)  # turned as the camera meant


# --- refusals: a clear message, a 400, nothing stored -------------------------------------------


@store_kinds
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: Upload("photo.jpg", SCRIPT), "is not a photo, a PDF or an Office document"),
        (lambda: Upload("huge.png", png_bomb()), "decompression bomb"),
        (lambda: Upload("plan.docx", zip_bomb_docx()), "zip bomb"),
        (lambda: Upload("macro.docx", docx_bytes({"word/vbaProject.bin": b"x"})), "macros"),
        (lambda: Upload("page.jpg", b"<html><script>alert(1)</script></html>"), "not a photo"),
        (lambda: Upload("empty.pdf", b""), "is empty"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_stored(
    world, english, client_for, attachment_store, upload, message
):
    entry = entry_in(world, S.RECORDED)
    client = client_for(entry.owner)
    response = post_files(client, entry, Upload("good.png", png_bytes()), upload(),
                          caption="保留的说明")  # fmt: skip
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert message in page
    assert 'value="保留的说明"' in page  # what was typed is kept
    assert not Attachment.objects.exists()  # the good file neither: all or nothing
    assert attachment_store.keys() == []
    assert not entry.events.filter(kind=EventKind.ATTACHED).exists()


@store_kinds
def test_an_oversized_file_is_refused(world, english, client_for, settings, attachment_store):
    settings.ATTACHMENT_MAX_BYTES = 2000
    entry = entry_in(world, S.RECORDED)
    response = post_files(
        client_for(entry.owner), entry, Upload("big.pdf", pdf_bytes() + b"0" * 3000)
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "is larger than 2.0" in response.content.decode()
    assert attachment_store.keys() == [] and not Attachment.objects.exists()


def test_the_count_limit_counts_withdrawn_files_too(world, english, client_for, settings):
    settings.ATTACHMENT_MAX_PER_OBJECT = 2
    entry = entry_in(world, S.RECORDED)
    client = client_for(entry.owner)
    assert post_files(client, entry, Upload("1.png", png_bytes())).status_code == 302
    first = Attachment.objects.get()
    client.post(withdraw_url(first), {f"withdraw-{first.pk}-reason": "拍错了"})
    response = post_files(client, entry, Upload("2.png", png_bytes()), Upload("3.png", png_bytes()))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "At most 2 files" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_no_file_chosen_is_a_400(world, english, client_for):
    entry = entry_in(world, S.RECORDED)
    response = client_for(entry.owner).post(attach_url(entry), {"caption": "x"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Choose at least one photo or file." in response.content.decode()


def test_a_failure_after_the_files_were_written_leaves_nothing_stored(
    world, client_for, attachment_store, monkeypatch
):
    from liaison.services import attachments

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(attachments, "entry_event", broken)
    entry = entry_in(world, S.RECORDED)
    with pytest.raises(RuntimeError):
        attachments.entry_attach(
            entry=entry, actor=entry.owner, files=[Upload("a.png", png_bytes())]
        )
    assert attachment_store.keys() == [] and not Attachment.objects.exists()
