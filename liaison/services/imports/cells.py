"""Read the cells of an import row, reporting each bad cell once, under its Chinese header."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from liaison.services.imports.workbook import NO, SHEETS, YES, Row, cell_text, header_of

_TRUE = {YES, "y", "yes", "true", "1", "√", "✓", "是的"}
_FALSE = {NO, "n", "no", "false", "0", "×", "x", ""}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


class Problems:
    """Collect row errors, one per cell: the first thing wrong with a cell is the one to fix."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self._cells: set[tuple[str, int, str]] = set()

    def add(self, row: Row, key: str, message: str) -> None:
        column = header_of(row.sheet, key)
        if (row.sheet, row.number, column) in self._cells:
            return
        self._cells.add((row.sheet, row.number, column))
        self.errors.append(RowError(row.sheet, row.number, column, str(message)))

    def add_model_errors(self, row: Row, error: ValidationError, default_key: str) -> None:
        """Report a model's full_clean() errors under the column of each field."""
        keys = {c.key for c in SHEETS[row.sheet]}
        for name, messages in error.message_dict.items():
            key = name if name in keys and name != NON_FIELD_ERRORS else default_key
            for message in messages:
                self.add(row, key, message)


def lookup(labels: dict[str, str]) -> dict[str, str]:
    """Map each accepted spelling (the workbook's Chinese label, or the value) to the value."""
    table = {str(value).casefold(): str(value) for value in labels}
    table.update({label: str(value) for value, label in labels.items()})
    return table


def text_of(row: Row, key: str, problems: Problems, *, required: bool = False) -> str:
    value = cell_text(row.values.get(key))
    if required and not value:
        problems.add(row, key, _("This column is required."))
    return value


def choice_of(
    row: Row, key: str, table: dict[str, str], problems: Problems, *, required: bool = False
) -> str:
    text = text_of(row, key, problems, required=required)
    if not text:
        return ""
    value = table.get(text) or table.get(text.casefold())
    if value is None:
        labels = "、".join(next(c for c in SHEETS[row.sheet] if c.key == key).labels.values())
        problems.add(
            row,
            key,
            _("Unknown value “%(value)s”; write one of: %(labels)s.")
            % {"value": text, "labels": labels},
        )
        return ""
    return value


def flag_of(row: Row, key: str, problems: Problems) -> bool:
    value = row.values.get(key)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = cell_text(value).casefold()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        problems.add(row, key, _("Write %(yes)s or %(no)s.") % {"yes": YES, "no": NO})
    return False


def date_of(row: Row, key: str, problems: Problems, *, required: bool = False) -> dt.date | None:
    value = row.values.get(key)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value < 200000:
        return from_excel(value).date()  # a date cell stored as a plain serial number
    text = cell_text(value)
    if not text:
        if required:
            problems.add(row, key, _("This column is required."))
        return None
    text = text.split()[0]  # "2026-01-01 00:00:00" typed as text
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    problems.add(row, key, _("“%(value)s” is not a date such as 2026-01-01.") % {"value": text})
    return None


def first_use(row: Row, code: str, seen: dict[str, int], problems: Problems) -> bool:
    """Return whether `code` appears for the first time in its sheet; report a repeat."""
    if code in seen:
        problems.add(
            row,
            "code",
            _("Code %(code)s already appears in row %(row)d.") % {"code": code, "row": seen[code]},
        )
        return False
    seen[code] = row.number
    return True
