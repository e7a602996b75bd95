"""The one rule for every Excel workbook the app writes: text is written as text.

Whatever a user typed (a title, a description, a name, an item, a branch, a comment) reaches a
cell as a string, and a string is never a formula: openpyxl would write a string that starts
with "=" as a live formula (`<f>`), and one such as "#N/A" as an error. Every string goes through
`text_cell`, which

- stores it as a string cell (`t="s"`, no `<f>` element), whatever its first character, and
- when it starts with a character a spreadsheet reads as the start of a formula (`=`, `+`, `-`,
  `@`, a tab, a carriage return or a line feed: OWASP's CSV-injection list), also sets the cell's
  *quote prefix* (Excel's leading apostrophe), so that the cell stays text even after someone
  edits it in Excel or WPS.

The value itself is kept as typed (no apostrophe added to it), so the export reads exactly as the
ledger does. Numbers, dates and booleans the app computed are written as they are.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable

from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

# The characters that make a spreadsheet read what follows as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# What the app computes and writes as it is (bool is an int).
_AS_IS = (int, float, decimal.Decimal, dt.date, dt.time, dt.timedelta)


def text_cell(sheet: Worksheet, value: object) -> Cell:
    """Return a cell for `sheet` holding str(value) as text, never as a formula or an error.

    Works for write-only and normal worksheets alike (pass it to `sheet.append`)."""
    text = str(value)
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # openpyxl guessed "f" for a leading "=", "e" for "#N/A"…
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def sheet_row(sheet: Worksheet, values: Iterable[object]) -> list[object]:
    """Return `values` ready for `sheet.append`: every string (or lazy translation) as a text
    cell; numbers, dates, booleans and empty cells unchanged."""
    return [v if v is None or isinstance(v, _AS_IS) else text_cell(sheet, v) for v in values]


def sheet_append(sheet: Worksheet, values: Iterable[object]) -> None:
    """Append one row to `sheet`, its text written as text (see `sheet_row`)."""
    sheet.append(sheet_row(sheet, values))
