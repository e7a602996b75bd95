"""What an attached file may be (liaison.uploads): judged by content, not by name."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from liaison.constants import AttachmentKind
from liaison.uploads import UploadLimits, UploadRefused, check_upload, clean_name
from tests.fixtures.attachments import SCRIPT, Upload, docx_bytes, pdf_bytes, png_bytes

LIMITS = UploadLimits(max_bytes=1_000_000, max_pixels=1_000_000, max_unpacked_bytes=5_000_000)


def ooxml(folder: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/workbook.xml", "<x/>")
    return out.getvalue()


def ole2(stream: str) -> bytes:
    """The magic of a compound file and, further in, a directory entry named `stream`."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    return header + (stream + "\0").encode("utf-16-le") + b"\0" * 512


@pytest.mark.parametrize(
    ("name", "data", "kind", "stored_name", "content_type"),
    [
        ("scan.jpeg", png_bytes(fmt="JPEG"), AttachmentKind.IMAGE, "scan.jpg", "image/jpeg"),
        ("photo.jpg", png_bytes(), AttachmentKind.IMAGE, "photo.png", "image/png"),  # a PNG
        ("anim.gif", png_bytes(fmt="GIF"), AttachmentKind.IMAGE, "anim.png", "image/png"),
        ("web.webp", png_bytes(fmt="WEBP"), AttachmentKind.IMAGE, "web.png", "image/png"),
        ("回复.txt", pdf_bytes(), AttachmentKind.DOCUMENT, "回复.pdf", "application/pdf"),
        ("方案.docx", docx_bytes(), AttachmentKind.DOCUMENT, "方案.docx", "wordprocessingml"),
        ("表.bin", ooxml("xl"), AttachmentKind.DOCUMENT, "表.xlsx", "spreadsheetml"),
        ("汇报", ooxml("ppt"), AttachmentKind.DOCUMENT, "汇报.pptx", "presentationml"),
        ("old.doc", ole2("WordDocument"), AttachmentKind.DOCUMENT, "old.doc", "msword"),
        ("old.xls", ole2("Workbook"), AttachmentKind.DOCUMENT, "old.xls", "ms-excel"),
        ("old.ppt", ole2("PowerPoint Document"), AttachmentKind.DOCUMENT, "old.ppt", "powerpoint"),
    ],
)
def test_files_are_known_by_their_content(name, data, kind, stored_name, content_type):
    checked = check_upload(Upload(name, data), LIMITS)
    assert (checked.kind, checked.name) == (kind, stored_name)
    assert content_type in checked.content_type
    assert (checked.thumbnail is not None) is (kind == AttachmentKind.IMAGE)


@pytest.mark.parametrize(
    "data",
    [
        SCRIPT,
        b"MZ\x90\x00" + b"\0" * 200,  # a Windows executable
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ole2("SummaryInformation"),  # an OLE2 file that is no Office document (an .msi)
        b"PK\x03\x04" + b"\0" * 100,  # a broken zip
        docx_bytes().replace(b"[Content_Types].xml", b"[Content_Typez].xml"),  # a plain zip
    ],
)
def test_anything_else_is_refused(data):
    with pytest.raises(UploadRefused):
        check_upload(Upload("file.jpg", data), LIMITS)


def test_a_transparent_png_keeps_its_transparency_and_gets_a_white_thumbnail():
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    checked = check_upload(Upload("logo.png", out.getvalue()), LIMITS)
    assert Image.open(io.BytesIO(checked.content)).mode == "RGBA"
    assert Image.open(io.BytesIO(checked.thumbnail)).getpixel((1, 1)) == (255, 255, 255)


def test_a_truncated_photo_is_refused_as_damaged():
    with pytest.raises(UploadRefused):
        check_upload(Upload("cut.jpg", png_bytes(size=(400, 400), fmt="JPEG")[:300]), LIMITS)


@pytest.mark.parametrize(
    ("raw", "extension", "expected"),
    [
        ("C:\\Users\\张\\照片.JPG", ".jpg", "照片.jpg"),
        ("../../etc/passwd", ".pdf", "passwd.pdf"),
        ("evil.php.jpg", ".png", "evil.php.png"),
        ("\x00\x1b[31m.pdf", ".pdf", "[31m.pdf"),
        ("", ".pdf", "file.pdf"),
        ("长" * 300 + ".docx", ".docx", "长" * 115 + ".docx"),
    ],
)
def test_names_are_cleaned_for_display(raw, extension, expected):
    assert clean_name(raw, extension) == expected
