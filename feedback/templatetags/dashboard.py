"""Template filters of the dashboard: rates as percentages, changes as signed points."""

from django import template

register = template.Library()


@register.filter
def percent(rate) -> str:
    """{{ rate|percent }}: 0.9655 → "96.6%"; None (nothing counted) → "—"."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}%"


@register.filter
def points(change) -> str:
    """{{ change|points }}: a change of a rate in points, signed: 0.021 → "+2.1"; None → "—"."""
    if change is None:
        return "—"
    return f"{change * 100:+.1f}"
