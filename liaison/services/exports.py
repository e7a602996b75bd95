"""Excel exports of entry lists: exactly the rows of the filtered list, in its order.

Memory stays bounded whatever the size: the rows come from the database in chunks as plain
tuples (no model instances), openpyxl's write-only workbook spills them to a temporary file as
they come, and the finished workbook is a temporary file that the response streams. Every
string is written as text (common.spreadsheets): a title typed as "=HYPERLINK(…)" is no formula.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from common.spreadsheets import sheet_append
from liaison.constants import (
    ClosedReason,
    Colour,
    EntryKind,
    EntryStatus,
    Level,
)
from liaison.deadlines import is_overdue
from liaison.models import Entry

CHUNK_SIZE = 2000
# Workbooks up to this size stay in memory; larger ones go to disk.
SPOOL_BYTES = 8 * 1024 * 1024

# (column read from the database, header) in the order of the sheet; the headers are written
# in the user's language (Chinese by default).
ENTRY_EXPORT_COLUMNS = (
    ("number", gettext_lazy("No.")),
    ("colour", gettext_lazy("Colour")),
    ("kind", gettext_lazy("Kind")),
    ("level", gettext_lazy("Level")),
    ("status", gettext_lazy("Status")),
    ("title", gettext_lazy("Title")),
    ("description", gettext_lazy("Description")),
    ("item__category__name", gettext_lazy("Category")),
    ("item__name", gettext_lazy("Service item")),
    ("channel__name", gettext_lazy("Channel")),
    ("org__name", gettext_lazy("Organisation")),
    ("informant__name", gettext_lazy("Informant")),
    ("owner__username", gettext_lazy("Owner")),
    ("department__name", gettext_lazy("Handling department")),
    ("recorded_on", gettext_lazy("Recorded on")),
    ("due_on", gettext_lazy("Due on")),
    ("replied_at", gettext_lazy("Replied at")),
    ("replied_on_time", gettext_lazy("Replied on time")),
    ("closed_reason", gettext_lazy("Closed because")),
)
# Read beside the columns above to write the owner the way the pages show them.
_EXTRA = ("owner__first_name", "owner__last_name", "suspended_on")


def entry_export_headers() -> list[str]:
    """Return the header row of an entry export in the active language."""
    return [str(header) for _column, header in ENTRY_EXPORT_COLUMNS] + [_("Overdue")]


def entry_export(
    *,
    queryset: QuerySet[Entry],
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> IO[bytes]:
    """Write the entries of `queryset` (filtered, scoped and ordered) to an .xlsx workbook and
    return it as an open temporary file positioned at its start; the caller closes it.

    `progress`, when given, is called with the number of rows written every CHUNK_SIZE rows.
    """
    today = today or timezone.localdate()
    choices_of = {
        "colour": dict(Colour.choices),
        "kind": dict(EntryKind.choices),
        "level": dict(Level.choices),
        "status": dict(EntryStatus.choices),
        "closed_reason": dict(ClosedReason.choices),
    }
    labels = {name: {k: str(v) for k, v in choices.items()} for name, choices in choices_of.items()}
    yes, no = _("Yes"), _("No")
    columns = [column for column, _header in ENTRY_EXPORT_COLUMNS]
    index = {column: i for i, column in enumerate([*columns, *_EXTRA])}
    tz = timezone.get_current_timezone()

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Entries"))
    sheet_append(sheet, entry_export_headers())
    rows = queryset.values_list(*columns, *_EXTRA).iterator(chunk_size=CHUNK_SIZE)
    for written, row in enumerate(rows, start=1):
        out = list(row[: len(columns)])
        for name, choices in labels.items():
            value = row[index[name]]
            out[index[name]] = choices.get(value, value)
        full_name = f"{row[index['owner__first_name']]} {row[index['owner__last_name']]}".strip()
        out[index["owner__username"]] = full_name or row[index["owner__username"]]
        replied_at = row[index["replied_at"]]
        if replied_at is not None:  # Excel has no time zones: the local wall-clock time
            out[index["replied_at"]] = timezone.localtime(replied_at, tz).replace(tzinfo=None)
        on_time = row[index["replied_on_time"]]
        out[index["replied_on_time"]] = "" if on_time is None else (yes if on_time else no)
        due_on, status = row[index["due_on"]], row[index["status"]]
        suspended = row[index["suspended_on"]] is not None
        overdue = is_overdue(status=status, due_on=due_on, today=today, suspended=suspended)
        out.append(yes if overdue else "")
        sheet_append(sheet, out)  # what users typed is text, never a formula
        if progress is not None and written % CHUNK_SIZE == 0:
            progress(written)
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle
