"""What an attached file may be (R23), judged by its content and never by its name: the one home
of the upload rules.

- A photo is whatever Pillow opens as JPEG, PNG, WebP, GIF or BMP within the pixel limit (a
  larger one is refused before it is decoded: a decompression bomb). It is stored re-encoded from
  its pixels, turned upright, with no EXIF (the GPS position goes with it), XMP or text chunks;
  a JPEG thumbnail is made beside it.
- A document is a PDF (``%PDF-``), an Office Open XML file (a zip with ``[Content_Types].xml``
  and a ``word/``, ``xl/`` or ``ppt/`` part; no macros; its members may not unpack beyond a
  limit: a zip bomb) or a legacy Word, Excel or PowerPoint file (an OLE2 compound file holding
  the stream each of them keeps). It is stored as sent.
- Anything else (a script renamed .jpg, an executable, an SVG, HTML) is refused.

The file's name as sent is kept for display only, cleaned and given the extension of what the
content is; the storage key is a random uuid (`storage_key`).
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import uuid
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from liaison.constants import AttachmentKind

STORAGE_ALIAS = "attachments"
THUMBNAIL_PIXELS = 320  # the longest side of a thumbnail
JPEG_QUALITY = 88
THUMBNAIL_QUALITY = 80
NAME_MAX_LENGTH = 120

# Pillow formats accepted as photos, and the format each is stored in.
IMAGE_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "PNG", "GIF": "PNG"}
IMAGE_FORMATS["BMP"] = "PNG"
STORED_IMAGE_TYPES = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
THUMBNAIL_TYPE = "image/jpeg"

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Office Open XML: the top folder of its parts → (content type, extension).
OOXML_TYPES = {
    "word/": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
    ),
}
# Legacy Office: the stream an OLE2 file of each kind holds (its name in UTF-16LE in the
# compound file's directory) → (content type, extension).
OLE2_TYPES = {
    "WordDocument": ("application/msword", ".doc"),
    "Workbook": ("application/vnd.ms-excel", ".xls"),
    "Book": ("application/vnd.ms-excel", ".xls"),
    "PowerPoint Document": ("application/vnd.ms-powerpoint", ".ppt"),
}
PDF_TYPE = ("application/pdf", ".pdf")
# What the upload input offers (a hint to the browser; the content decides).
ACCEPT = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
# A zip whose members unpack to more than this many times its size is refused, once it
# unpacks to more than ZIP_RATIO_FLOOR bytes (text-heavy Office files reach 20 to 50).
ZIP_MAX_RATIO = 200
ZIP_RATIO_FLOOR = 20 * 1024 * 1024


class UploadRefused(Exception):
    """The file is not accepted; the message says why, in the user's language."""


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_pixels: int
    max_unpacked_bytes: int

    @classmethod
    def from_settings(cls) -> UploadLimits:
        return cls(
            max_bytes=settings.ATTACHMENT_MAX_BYTES,
            max_pixels=settings.ATTACHMENT_MAX_IMAGE_PIXELS,
            max_unpacked_bytes=settings.ATTACHMENT_MAX_UNPACKED_BYTES,
        )


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed the checks: what to store, and what it is."""

    name: str  # cleaned, with the extension of what the content is
    kind: str  # AttachmentKind
    content_type: str
    extension: str
    content: bytes
    thumbnail: bytes | None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def attachment_storage() -> Storage:
    """Return the storage the attachments live in (settings.STORAGES["attachments"])."""
    return storages[STORAGE_ALIAS]


def storage_key(extension: str, *, suffix: str = "") -> str:
    """Return a fresh key: the month, then a random uuid; never anything the user typed."""
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}{extension}"


def clean_name(raw: str, extension: str) -> str:
    """Return the file's name as sent, for display: no folders, no control characters, at most
    NAME_MAX_LENGTH characters, with `extension` (what the content is) in place of its own."""
    base = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip(" .")[: NAME_MAX_LENGTH - len(extension)] or "file"
    return f"{stem}{extension}"


def _size(value: int) -> str:
    return str(filesizeformat(value))


def read_upload(upload, limits: UploadLimits) -> bytes:
    """Return the upload's bytes; refuse an empty file or one over the size limit (read no
    further than the limit, whatever size the browser claimed)."""
    name = getattr(upload, "name", "") or ""
    if getattr(upload, "size", 0) > limits.max_bytes:
        raise UploadRefused(
            _("“%(name)s” is larger than %(limit)s: a file may be at most %(limit)s.")
            % {"name": name, "limit": _size(limits.max_bytes)}
        )
    upload.seek(0)
    data = upload.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise UploadRefused(
            _("“%(name)s” is larger than %(limit)s: a file may be at most %(limit)s.")
            % {"name": name, "limit": _size(limits.max_bytes)}
        )
    if not data:
        raise UploadRefused(_("“%(name)s” is empty.") % {"name": name})
    return data


def check_upload(upload, limits: UploadLimits | None = None) -> CheckedUpload:
    """Return what to store for `upload` (a Django UploadedFile or any file with a name), or
    raise UploadRefused with the reason."""
    limits = limits or UploadLimits.from_settings()
    name = getattr(upload, "name", "") or ""
    data = read_upload(upload, limits)
    if data.startswith(PDF_MAGIC):
        return _document(name, data, *PDF_TYPE)
    if data.startswith(ZIP_MAGIC):
        return _ooxml(name, data, limits)
    if data.startswith(OLE2_MAGIC):
        return _ole2(name, data)
    return _image(name, data, limits)


def _not_accepted(name: str) -> UploadRefused:
    return UploadRefused(
        _(
            "“%(name)s” is not a photo, a PDF or an Office document (judged by its content, "
            "not by its name): it was not attached."
        )
        % {"name": name}
    )


def _document(name: str, data: bytes, content_type: str, extension: str) -> CheckedUpload:
    return CheckedUpload(
        name=clean_name(name, extension),
        kind=AttachmentKind.DOCUMENT,
        content_type=content_type,
        extension=extension,
        content=data,
        thumbnail=None,
    )


def _ooxml(name: str, data: bytes, limits: UploadLimits) -> CheckedUpload:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _not_accepted(name) from error
    names = [member.filename for member in members]
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes or (
        unpacked > ZIP_RATIO_FLOOR and unpacked > ZIP_MAX_RATIO * len(data)
    ):
        raise UploadRefused(
            _(
                "“%(name)s” would unpack to %(size)s (at most %(limit)s): it is refused as a "
                "possible zip bomb."
            )
            % {"name": name, "size": _size(unpacked), "limit": _size(limits.max_unpacked_bytes)}
        )
    if "[Content_Types].xml" not in names:
        raise _not_accepted(name)
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadRefused(
            _(
                "“%(name)s” contains macros: save it as a document without macros (.docx, "
                ".xlsx, .pptx) and attach it again."
            )
            % {"name": name}
        )
    for folder, (content_type, extension) in OOXML_TYPES.items():
        if any(n.startswith(folder) for n in names):
            return _document(name, data, content_type, extension)
    raise _not_accepted(name)


def _ole2(name: str, data: bytes) -> CheckedUpload:
    for stream, (content_type, extension) in OLE2_TYPES.items():
        # A directory entry's name: UTF-16LE, then its terminating zero.
        if (stream + "\0").encode("utf-16-le") in data:
            return _document(name, data, content_type, extension)
    raise _not_accepted(name)


def _too_many_pixels(
    name: str, limits: UploadLimits, size: tuple[int, int] | None
) -> UploadRefused:
    shown = f"{size[0]} × {size[1]}" if size else "?"
    return UploadRefused(
        _(
            "“%(name)s” has too many pixels (%(size)s; at most %(limit)d million): it is "
            "refused as a possible decompression bomb."
        )
        % {"name": name, "size": shown, "limit": limits.max_pixels // 1_000_000}
    )


def _image(name: str, data: bytes, limits: UploadLimits) -> CheckedUpload:
    with warnings.catch_warnings():
        # Pillow warns of a decompression bomb before it refuses one; either is ours to refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            source = Image.open(io.BytesIO(data))
            if source.format not in IMAGE_FORMATS:
                raise _not_accepted(name)
            width, height = source.size
            if width * height > limits.max_pixels:  # from the header, before decoding
                raise _too_many_pixels(name, limits, source.size)
            source.seek(0)  # an animation: its first frame
            source.load()
            upright = ImageOps.exif_transpose(source)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels(name, limits, None) from error
        except UnidentifiedImageError as error:
            raise _not_accepted(name) from error
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            raise UploadRefused(
                _("“%(name)s” is damaged and could not be read: it was not attached.")
                % {"name": name}
            ) from error
    stored_format = IMAGE_FORMATS[str(source.format)]
    content_type, extension = STORED_IMAGE_TYPES[stored_format]
    icc_profile = source.info.get("icc_profile")
    return CheckedUpload(
        name=clean_name(name, extension),
        kind=AttachmentKind.IMAGE,
        content_type=content_type,
        extension=extension,
        content=_encode(upright, stored_format, icc_profile),
        thumbnail=_thumbnail(upright),
    )


def _encode(image: Image.Image, stored_format: str, icc_profile: bytes | None) -> bytes:
    """Encode the pixels alone: no EXIF, XMP or text (the colour profile stays)."""
    image.info = {}
    if stored_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif stored_format == "PNG" and image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    options: dict = {"icc_profile": icc_profile} if icc_profile else {}
    if stored_format == "JPEG":
        options.update(quality=JPEG_QUALITY)
    image.save(out, stored_format, **options)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    if thumb.mode in ("RGBA", "LA", "P"):
        thumb = thumb.convert("RGBA")
        background = Image.new("RGB", thumb.size, (255, 255, 255))
        background.paste(thumb, mask=thumb.getchannel("A"))
        thumb = background
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=THUMBNAIL_QUALITY)
    return out.getvalue()
