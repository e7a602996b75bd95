"""How rates are printed: as percentages, the way the users' documents print them.

One decimal by default (PERCENT_DECIMALS, 0 for whole percents), rounded half up — 13 of 16
is 81.3%, not Python's half-to-even 81.2% — on the dashboards, in the Excel exports and in
``ledger_report``. A change between two rates (环比) is printed two ways, each labelled: in
points (81.3% after 75.0% is +6.3 points) and relative to the earlier rate (+8.3%).

Rates are kept as floats from 0 to 1 everywhere else; only printing rounds them. The decimal
form of a float is its shortest repr (Python's ``str``), so 0.8125 rounds as 81.25 does.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

__all__ = [
    "excel_percent_format",
    "excel_points",
    "excel_points_format",
    "excel_rate",
    "percent_decimals",
    "percent_number",
    "percent_text",
    "points_number",
    "points_text",
    "relative_text",
]

MAX_DECIMALS = 3


def percent_decimals() -> int:
    """The decimals of a printed percentage (0 to 3)."""
    return min(max(int(getattr(settings, "PERCENT_DECIMALS", 1)), 0), MAX_DECIMALS)


def percent_number(rate: float | None) -> Decimal | None:
    """The rate in percent, rounded half up: 0.8125 → Decimal("81.3"); None stays None."""
    if rate is None:
        return None
    step = Decimal(1).scaleb(-percent_decimals())
    return Decimal(str(rate)).scaleb(2).quantize(step, rounding=ROUND_HALF_UP)


def percent_text(rate: float | None) -> str:
    """0.8125 → "81.3%"; None (nothing counted) → "—"."""
    number = percent_number(rate)
    return "—" if number is None else f"{number}%"


def points_number(change: float | None) -> Decimal | None:
    """A change of a rate in percentage points, rounded half up: 0.0625 → Decimal("6.3")."""
    return percent_number(change)


def points_text(change: float | None) -> str:
    """A change in points, signed: 0.0625 → "+6.3"; no change → "0.0"; None → "—"."""
    number = points_number(change)
    if number is None:
        return "—"
    return f"+{number}" if number > 0 else f"{abs(number) if number == 0 else number}"


def relative_text(change: float | None) -> str:
    """A relative change, signed: 0.0833 → "+8.3%"; None → "—"."""
    number = percent_number(change)
    if number is None:
        return "—"
    return f"+{number}%" if number > 0 else f"{abs(number) if number == 0 else number}%"


def excel_rate(rate: float | None) -> float | None:
    """A rate for a spreadsheet cell formatted as a percentage: rounded half up to what the
    page prints (0.8125 → 0.813), so that the cell shows and holds the page's figure."""
    number = percent_number(rate)
    return None if number is None else float(number.scaleb(-2))


def excel_points(change: float | None) -> float | None:
    """A change in points as a plain number (0.0625 → 6.3), for a column labelled points."""
    number = points_number(change)
    return None if number is None else float(number)


def excel_percent_format() -> str:
    """The number format of a percentage cell: "0.0%" (one decimal), "0%" (none)."""
    places = percent_decimals()
    return "0%" if not places else "0." + "0" * places + "%"


def excel_points_format() -> str:
    """The number format of a points cell: "+0.0;-0.0;0.0" with the page's decimals."""
    places = percent_decimals()
    body = "0" if not places else "0." + "0" * places
    return f"+{body};-{body};{body}"
