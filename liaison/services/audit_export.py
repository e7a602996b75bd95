"""The audit log's rows as an Excel workbook: every cell written as text (a summary or a
name is never read as a formula), the rows streamed from the database in chunks."""

from __future__ import annotations

import json
import tempfile
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from liaison.models import AuditEvent

CHUNK_SIZE = 2000
SPOOL_BYTES = 8 * 1024 * 1024


def audit_log_headers() -> list[str]:
    return [
        _("Time"),
        _("Account"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Summary"),
        _("Details"),
    ]


def audit_log_export(*, queryset: QuerySet[AuditEvent]) -> IO[bytes]:
    """Write the rows of `queryset` (filtered and ordered) to an .xlsx workbook; return it as
    an open temporary file at its start (the response closes it)."""
    actions = {key: str(label) for key, label in AuditEvent.Action.choices}
    tz = timezone.get_current_timezone()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Audit log"))
    sheet.append(audit_log_headers())
    rows = queryset.values_list(
        "at", "actor__username", "action", "object_type", "object_id", "summary", "data"
    ).iterator(chunk_size=CHUNK_SIZE)
    for at, actor, action, object_type, object_id, summary, data in rows:
        values = [
            f"{timezone.localtime(at, tz):%Y-%m-%d %H:%M:%S}",
            actor or "",
            actions.get(action, action),
            object_type,
            object_id,
            summary,
            json.dumps(data, ensure_ascii=False, sort_keys=True) if data else "",
        ]
        sheet.append([_text_cell(sheet, value) for value in values])
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    """A cell that holds `value` as text, even one that starts with "=" (no formula)."""
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell
