"""Template filters of the dashboard: rates as percentages, changes as signed points or
relative changes (feedback.percentages decides how each is rounded and printed)."""

from django import template

from feedback.percentages import percent_text, points_text, relative_text

register = template.Library()


@register.filter
def percent(rate) -> str:
    """{{ rate|percent }}: 0.8125 → "81.3%" (rounded half up); None (nothing counted) → "—"."""
    return percent_text(rate)


@register.filter
def points(change) -> str:
    """{{ change|points }}: a change of a rate in points, signed: 0.021 → "+2.1"; None → "—"."""
    return points_text(change)


@register.filter
def relative(change) -> str:
    """{{ change|relative }}: a relative change, signed: 0.083 → "+8.3%"; None → "—"."""
    return relative_text(change)
