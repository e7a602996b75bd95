"""The departments' referral figures (R17) for a period, company-wide, from the referral roll-up:
referred, signed for (with the median working days to sign), returned by reason (one query)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum

from feedback.models import RETURN_FIELDS, SIGN_DELAY_FIELDS, ReferralMonthly
from feedback.periods import Period
from liaison.constants import ReturnReason

_FIELDS = ("referred", "signed", *SIGN_DELAY_FIELDS, *RETURN_FIELDS.values())


@dataclass(frozen=True)
class DepartmentReferrals:
    code: str
    name: str
    referred: int
    signed: int
    delays: tuple[int, ...]  # signed the same day, the next working day, in two, later
    returns: dict[str, int]  # by reason (liaison.constants.ReturnReason values)

    @property
    def returns_labelled(self) -> list[tuple[str, int]]:
        """The returns by reason, with the reasons' names, in the list's order."""
        return [(str(ReturnReason(reason).label), n) for reason, n in self.returns.items()]

    @property
    def returned(self) -> int:
        return sum(self.returns.values())

    @property
    def median_sign_days(self) -> int | None:
        """The median working days to sign for (3 meaning three or more), None if none."""
        if not self.signed:
            return None
        half, seen = (self.signed + 1) // 2, 0
        for days, n in enumerate(self.delays):
            seen += n
            if seen >= half:
                return days
        return len(self.delays) - 1


@functools.cache
def _by_department() -> QuerySet[Any, Any]:
    """The referral roll-up summed by department, to be filtered on the month: built once
    (resolving ten aggregates took Django longer than PostgreSQL took to add them up)."""
    return (
        ReferralMonthly.objects.values("department", "department__code", "department__name")
        .annotate(**{name: Sum(name) for name in _FIELDS})
        .order_by()
    )


def referral_figures(*, period: Period) -> list[DepartmentReferrals]:
    """Return each department with referrals in the period, most referred first."""
    grouped = _by_department().filter(month__gte=period.first, month__lte=period.last)
    rows: list[dict[str, Any]] = [dict(row) for row in grouped]
    found = [
        DepartmentReferrals(
            code=row["department__code"],
            name=row["department__name"],
            referred=row["referred"] or 0,
            signed=row["signed"] or 0,
            delays=tuple(row[name] or 0 for name in SIGN_DELAY_FIELDS),
            returns={reason: row[field] or 0 for reason, field in RETURN_FIELDS.items()},
        )
        for row in rows
    ]
    return sorted(found, key=lambda d: (-d.referred, d.name))
