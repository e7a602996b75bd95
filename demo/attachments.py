"""Photos and files for the demo ledger (R23), so that a new user sees the feature: a photo on a
few of the newest visits that heard entries, and a result document on a few entries a department
handled. Written through the services (checked, thumbnailed, on the timeline); idempotent:
nothing is added once the demo has attachments."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from liaison.constants import EntryStatus, Role
from liaison.models import Attachment, Entry, User, Visit
from liaison.services.attachments import entry_attach, visit_attach

DEMO_VISITS = 3
DEMO_DOCUMENTS = 2
# The states in which a department attaches its plan or result (liaison.evidence).
HANDLED = [EntryStatus.REFERRED, EntryStatus.PLANNED, EntryStatus.RESOLVED]
COLOURS = [(196, 84, 52), (58, 117, 163), (92, 140, 76)]


class _File(io.BytesIO):
    def __init__(self, name: str, data: bytes):
        super().__init__(data)
        self.name, self.size = name, len(data)


def _photo(index: int) -> bytes:
    """A stand-in photo: a coloured scene with a few shapes (no text: no font needed)."""
    image = Image.new("RGB", (960, 720), COLOURS[index % len(COLOURS)])
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 300, 840, 660), fill=(235, 235, 225), outline=(40, 40, 40), width=6)
    draw.polygon([(80, 320), (480, 80), (880, 320)], fill=(120, 60, 40))
    draw.rectangle((420, 460, 540, 660), fill=(90, 70, 50))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def one_page_pdf(text: str) -> bytes:
    """A small, real one-page PDF, written by hand (the tests' document too)."""
    stream = f"BT /F1 16 Tf 40 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO(b"%PDF-1.4\n")
    out.seek(0, io.SEEK_END)
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def demo_seed_attachments() -> int:
    """Attach the demo's photos and documents unless there are some already; return how many."""
    if Attachment.objects.exists():
        return 0
    created = 0
    visits = (
        Visit.objects.filter(entries__isnull=False)
        .select_related("org", "recorded_by")
        .distinct()
        .order_by("-visited_on", "-pk")[:DEMO_VISITS]
    )
    for index, visit in enumerate(visits):
        photo = _File(f"走访现场{index + 1}.jpg", _photo(index))
        created += len(visit_attach(visit=visit, actor=visit.recorded_by, files=[photo],
                                    caption="走访现场"))  # fmt: skip
    handlers = {
        user.department_id: user
        for user in User.objects.filter(
            role=Role.DEPARTMENT_HANDLER, is_active=True, department__isnull=False
        ).order_by("-pk")
    }
    handled = (
        Entry.objects.filter(status__in=HANDLED, department_id__in=list(handlers))
        .select_related("org", "owner")
        .order_by("-recorded_on", "-pk")[:DEMO_DOCUMENTS]
    )
    for entry in handled:
        document = _File("整改方案.pdf", one_page_pdf(f"Plan for {entry.number}"))
        handler = handlers[entry.department_id]
        created += len(
            entry_attach(entry=entry, actor=handler, files=[document], caption="部门解决方案")
        )
    return created
