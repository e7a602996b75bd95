"""Template filters of the closed months (R24): who closed a month, a signed count."""

from django import template

from feedback.models import MonthClose
from feedback.selectors import closing

register = template.Library()


@register.filter
def closed_by(row: MonthClose) -> str:
    """{{ closing|closed_by }}: the person who closed the month, or the scheduled job."""
    return closing.closed_by(row)


@register.filter
def signed(n: int) -> str:
    """{{ n|signed }}: 1 → "+1", -2 → "−2"."""
    return f"+{n}" if n > 0 else f"−{-n}" if n < 0 else "0"
