"""The import workbook: four sheets with fixed Chinese headers, read into plain rows.

The format is Chinese whatever the interface language (the people who fill it in read Chinese, and
a file must import the same way for everyone), so sheet names and headers are literals here. The
explanations in the 说明 sheet of the template are translatable.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.chartsheet import Chartsheet
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from liaison.constants import (
    BRANCH_TYPE_IMPORT_LABELS,
    ORG_KIND_IMPORT_LABELS,
    PAIRING_KIND_IMPORT_LABELS,
    PERSON_KIND_IMPORT_LABELS,
    UNIT_KIND_IMPORT_LABELS,
    BranchType,
    OrgKind,
    PairingKind,
    PersonKind,
    UnitKind,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SHEET_ORGS = "组织"
SHEET_UNITS = "单位"
SHEET_PEOPLE = "人员"
SHEET_PAIRINGS = "结对"
SHEET_HELP = "说明"

YES, NO = "是", "否"
YES_NO_LABELS = {True: YES, False: NO}

# Codes and phone numbers: formatted as text in the template so that Excel keeps leading zeros.
TEXT_KEYS = frozenset({"code", "parent", "branch", "org", "unit", "subject", "target", "phone"})

# A real workbook compresses about ten times; far more is a zip bomb, refused before parsing
# (once it unpacks to more than RATIO_FLOOR bytes: a tiny file may compress better).
MAX_UNZIPPED_RATIO = 30
RATIO_FLOOR = 5 * 1024 * 1024
# Rows read without a value (formatting only) before the count gives up: a bound on the time
# a sheet of a million empty rows would take.
EMPTY_ROWS_PER_ROW = 5


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    help: StrPromise  # lazy: translated when the template is written
    example: object = ""
    required: bool = False
    labels: dict = field(default_factory=dict)  # value -> accepted label, for list columns
    aliases: tuple[str, ...] = ()


SHEETS: dict[str, tuple[Column, ...]] = {
    SHEET_ORGS: (
        Column("编码", "code", gettext_lazy("Unique code; other rows refer to it."), "ZB-01", True),
        Column("名称", "name", gettext_lazy("Full name."), "变电运维第二党支部", True),
        Column(
            "类型",
            "kind",
            gettext_lazy("Level in the tree."),
            ORG_KIND_IMPORT_LABELS[OrgKind.BRANCH],
            True,
            ORG_KIND_IMPORT_LABELS,
        ),
        Column(
            "上级编码",
            "parent",
            gettext_lazy(
                "Code of the organisation directly above, in this sheet or already in the "
                "system. Empty only for the company."
            ),
            "DW-01",
        ),
        Column(
            "支部类别",
            "branch_type",
            gettext_lazy(
                "Required for a new party branch, and never changes; a party group has its "
                "branch's: leave it empty."
            ),
            BRANCH_TYPE_IMPORT_LABELS[BranchType.GRASSROOTS],
            labels=BRANCH_TYPE_IMPORT_LABELS,
        ),
    ),
    SHEET_UNITS: (
        Column("编码", "code", gettext_lazy("Unique code; other rows refer to it."), "BZ-01", True),
        Column("名称", "name", gettext_lazy("Full name."), "城东变电站", True),
        Column(
            "类型",
            "kind",
            gettext_lazy("Kind of business unit."),
            UNIT_KIND_IMPORT_LABELS[UnitKind.SUBSTATION],
            True,
            UNIT_KIND_IMPORT_LABELS,
        ),
        Column(
            "所属支部编码",
            "branch",
            gettext_lazy("Code of the party branch that covers the unit."),
            "ZB-01",
            True,
        ),
        Column("上级单位编码", "parent", gettext_lazy("Code of the parent unit, if any."), ""),
    ),
    SHEET_PEOPLE: (
        Column(
            "编码", "code", gettext_lazy("Unique code, e.g. the staff number."), "ZG-0001", True
        ),
        Column(
            "姓名/名称",
            "name",
            gettext_lazy("Name of the person, or of the enterprise, village…"),
            "王建国",
            True,
            aliases=("姓名", "名称"),
        ),
        Column(
            "类型",
            "kind",
            gettext_lazy("An employee or an external party."),
            PERSON_KIND_IMPORT_LABELS[PersonKind.EMPLOYEE],
            True,
            PERSON_KIND_IMPORT_LABELS,
        ),
        Column(
            "所属组织编码",
            "org",
            gettext_lazy(
                "Employees: their party branch or group. External parties: the branch that "
                "serves them."
            ),
            "ZB-01",
            True,
        ),
        Column("所属单位编码", "unit", gettext_lazy("Code of the business unit, if any."), "BZ-01"),
        Column("职务", "position", gettext_lazy("Position."), "运维班长"),
        Column(
            "党员",
            "is_party_member",
            gettext_lazy("Employees only. Empty means no."),
            YES,
            labels=YES_NO_LABELS,
        ),
        Column(
            "一线员工",
            "is_frontline",
            gettext_lazy("Employees only. Empty means no."),
            YES,
            labels=YES_NO_LABELS,
        ),
        Column(
            "特需员工",
            "is_special_needs",
            gettext_lazy("Employees only. Empty means no."),
            NO,
            labels=YES_NO_LABELS,
        ),
        Column("特需情况", "special_needs_note", gettext_lazy("What the special need is."), ""),
        Column("联系人", "contact_person", gettext_lazy("External parties: whom to call."), ""),
        Column("电话", "phone", gettext_lazy("Phone number."), "13800000000"),
        Column("地址", "address", gettext_lazy("Address."), ""),
        Column("备注", "note", gettext_lazy("Anything else."), ""),
    ),
    SHEET_PAIRINGS: (
        Column(
            "类型",
            "kind",
            gettext_lazy("Kind of pairing."),
            PAIRING_KIND_IMPORT_LABELS[PairingKind.CADRE_TEAM],
            True,
            PAIRING_KIND_IMPORT_LABELS,
        ),
        Column(
            "联系人编码",
            "subject",
            gettext_lazy(
                "Code of the person who keeps the pairing; for a joint-building pairing, "
                "the code of the office branch."
            ),
            "ZG-0001",
            True,
        ),
        Column(
            "对象编码",
            "target",
            gettext_lazy(
                "Code of the paired side: a unit for a contact point or a team, a person for "
                "an employee or customer, the grassroots branch for joint building."
            ),
            "BZ-01",
            True,
        ),
        Column(
            "开始日期",
            "start_on",
            gettext_lazy("Date, e.g. 2026-01-01."),
            dt.date(2026, 1, 1),
            True,
        ),
        Column("结束日期", "end_on", gettext_lazy("Empty while it runs."), None),
        Column("备注", "note", gettext_lazy("Anything else."), ""),
    ),
}


@dataclass
class Row:
    """One filled row of a sheet, with its Excel row number and raw values by column key."""

    sheet: str
    number: int
    values: dict[str, object]


def header_of(sheet: str, key: str) -> str:
    return next(c.header for c in SHEETS[sheet] if c.key == key)


def cell_text(value: object) -> str:
    """Return a cell as trimmed text (a code typed as a number loses its ".0")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES_NO_LABELS[value]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip().strip("\u3000").strip()


def _not_xlsx() -> ValidationError:
    return ValidationError(
        _(
            "The file is not an Excel workbook (.xlsx). Save it in Excel or WPS as "
            "“Excel workbook (*.xlsx)” and upload it again."
        ),
        code="not_xlsx",
    )


def _too_big() -> ValidationError:
    return ValidationError(
        _(
            "The workbook unpacks to far more data than its size suggests (at most %(limit)s, "
            "and %(ratio)s times the file): it is refused as a possible zip bomb. Save it again "
            "in Excel or WPS, or split it into several workbooks."
        )
        % {
            "limit": filesizeformat(settings.IMPORT_MAX_UNPACKED_BYTES),
            "ratio": MAX_UNZIPPED_RATIO,
        },
        code="too_big",
    )


def _too_many_rows() -> ValidationError:
    return ValidationError(
        _("The workbook has more than %(limit)s rows; split it into several workbooks.")
        % {"limit": f"{settings.IMPORT_MAX_ROWS:,}"},
        code="too_many_rows",
    )


def _open(content: bytes) -> Workbook:
    """Open the workbook for streaming (read-only), once its members' unpacked size is checked:
    at most IMPORT_MAX_UNPACKED_BYTES, and at most MAX_UNZIPPED_RATIO times the file."""
    if not content.startswith(b"PK\x03\x04"):
        raise _not_xlsx()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            # The sizes the archive declares bound what unpacking yields (zipfile stops there).
            unzipped = sum(info.file_size for info in archive.infolist())
        if unzipped > settings.IMPORT_MAX_UNPACKED_BYTES or (
            unzipped > RATIO_FLOOR and unzipped > MAX_UNZIPPED_RATIO * len(content)
        ):
            raise _too_big()
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise _not_xlsx() from exc


def _layouts(book: Workbook) -> dict[str, dict[str, int]]:
    """Return, for each of the four sheets present and not empty, the column index of each key."""
    present = [name for name in SHEETS if name in book.sheetnames]
    if not present:
        raise ValidationError(
            _("The workbook has none of the sheets %(sheets)s. Start from the template.")
            % {"sheets": "、".join(SHEETS)},
            code="no_sheets",
        )
    layouts, problems = {}, []
    for name in present:
        sheet = book[name]
        if isinstance(sheet, Chartsheet):  # a chart under one of our names: it has no rows
            problems.append(
                _(
                    "Sheet %(sheet)s is a chart, not a table of rows; rename or delete it and "
                    "put the rows in a normal sheet called %(sheet)s."
                )
                % {"sheet": name}
            )
            continue
        sheet.reset_dimensions()  # a <dimension> claiming one column would hide the headers
        rows = sheet.iter_rows(values_only=True)
        headers = [cell_text(v) for v in next(rows, ())]
        if not any(headers) and not any(any(cell_text(v) for v in row) for row in rows):
            continue  # an empty sheet counts as absent
        positions = {}
        for column in SHEETS[name]:
            names = (column.header, *column.aliases)
            index = next((i for i, h in enumerate(headers) if h in names), None)
            if index is not None:
                positions[column.key] = index
        missing = [c.header for c in SHEETS[name] if c.key not in positions]
        if missing:
            problems.append(
                _(
                    "Sheet %(sheet)s lacks the columns %(columns)s in its first row; "
                    "compare it with the template."
                )
                % {"sheet": name, "columns": "、".join(missing)}
            )
        layouts[name] = positions
    if problems:
        raise ValidationError(problems, code="headers")
    return layouts


def estimate_rows(content: bytes) -> int:
    """Check the file and its headers; return the data rows its sheets hold, counted as the
    sheets' XML streams out of the archive (every <row> element, whatever a <dimension> tag
    claims), giving up past IMPORT_MAX_ROWS. Counting 20,000 rows takes milliseconds: it parses
    no cell (read_sheets then stops at IMPORT_MAX_ROWS filled rows too).

    Raise ValidationError with a message for the user when it is not a workbook we can read, or
    it is too big.
    """
    book = _open(content)
    try:
        total = 0
        for name in _layouts(book):
            total += max(_count_rows(book, name, settings.IMPORT_MAX_ROWS - total + 1) - 1, 0)
            if total > settings.IMPORT_MAX_ROWS:
                raise _too_many_rows()
        return total
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl reads the sheets lazily: damage shows up only now
        raise _not_xlsx() from exc
    finally:
        book.close()


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")


def _count_rows(book: Workbook, name: str, limit: int) -> int:
    """The <row> elements of a sheet's XML, header included; stops once past `limit`."""
    count, pending = 0, b""
    with book._archive.open(book[name]._worksheet_path) as stream:
        while chunk := stream.read(1 << 20):
            data = pending + chunk
            cut = max(len(data) - 32, 0)  # a tag cut in two is counted with the next chunk
            count += sum(1 for match in _ROW_TAG.finditer(data) if match.start() < cut)
            if count > limit:
                return count
            pending = data[cut:]
    count += len(_ROW_TAG.findall(pending))
    return count


def read_sheets(content: bytes) -> dict[str, list[Row]]:
    """Return the filled rows of each sheet present, by sheet name, in the order of SHEETS.

    Raise ValidationError with a message for the user when it is not a workbook we can read.
    """
    book = _open(content)
    try:
        sheets, total = {}, 0
        for name, layout in _layouts(book).items():
            sheets[name] = list(_rows(book, name, layout, already=total))
            total += len(sheets[name])
        return sheets
    except ValidationError:
        raise
    except Exception as exc:  # as in estimate_rows
        raise _not_xlsx() from exc
    finally:
        book.close()


def _rows(book: Workbook, name: str, layout: dict[str, int], already: int = 0) -> Iterator[Row]:
    """The filled rows of a sheet; ValidationError once they and `already` pass IMPORT_MAX_ROWS
    (or the sheet drags on with empty rows far past it)."""
    cap = settings.IMPORT_MAX_ROWS
    sheet = book[name]
    # A wrong <dimension> tag (some tools write one) would silently cut rows off: ignore it.
    sheet.reset_dimensions()
    filled = already
    for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if number > EMPTY_ROWS_PER_ROW * cap + 1000:
            raise _too_many_rows()
        values = {key: cells[i] if i < len(cells) else None for key, i in layout.items()}
        if any(cell_text(v) for v in values.values()):
            filled += 1
            if filled > cap:
                raise _too_many_rows()
            yield Row(sheet=name, number=number, values=values)


def template_bytes() -> bytes:
    """Return the template workbook: a 说明 sheet, then the four sheets with an example row each."""
    book = Workbook()
    help_sheet = book.active
    help_sheet.title = SHEET_HELP
    _fill_help(help_sheet)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FDE9E7")
    for name, columns in SHEETS.items():
        sheet = book.create_sheet(name)
        sheet.append([c.header for c in columns])
        sheet.append([c.example for c in columns])
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            sheet[f"{letter}1"].font = bold
            if column.required:
                sheet[f"{letter}1"].fill = fill
            sheet.column_dimensions[letter].width = max(12, 2 * len(column.header) + 4)
            if column.key in TEXT_KEYS:
                sheet.column_dimensions[letter].number_format = "@"
                sheet[f"{letter}2"].number_format = "@"
            if isinstance(column.example, dt.date):
                sheet[f"{letter}2"].number_format = "yyyy-mm-dd"
            if column.labels:
                choices = DataValidation(
                    type="list",
                    formula1='"{}"'.format(",".join(column.labels.values())),
                    allow_blank=not column.required,
                )
                choices.add(f"{letter}2:{letter}5000")
                sheet.add_data_validation(choices)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill_help(sheet) -> None:
    notes = [
        _("How to fill in this workbook"),
        _(
            "Keep the sheet names and the first row of each sheet as they are; add one row per "
            "record from the second row on. Delete the example rows. A sheet you do not need "
            "may be left empty or deleted. Extra columns are ignored."
        ),
        _(
            "Rows refer to each other by code, in this workbook or already in the system. A "
            "code already in the system updates that record; a new code creates one. A "
            "pairing already present with the same kind, sides and start date is left alone."
        ),
        _(
            "Upload the file to check it first: every wrong row is listed with its sheet, row "
            "and column, and nothing is written until the whole file is correct."
        ),
    ]
    for note in notes:
        sheet.append([note])
    sheet.append([])
    sheet.append(["工作表", "列", "必填", "说明", "可填的值"])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=13)
    for name, columns in SHEETS.items():
        for column in columns:
            sheet.append(
                [
                    name,
                    column.header,
                    YES if column.required else "",
                    str(column.help),
                    "、".join(column.labels.values()),
                ]
            )
    for letter, width in zip("ABCDE", (10, 14, 6, 70, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
