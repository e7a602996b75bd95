"""Template helpers of the liaison pages."""

from django import template
from django.http import QueryDict
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext
from markupsafe import Markup

from common.html import html
from liaison.permissions import Visibility

register = template.Library()


def side_html(obj, visibility: Visibility) -> str:
    """Render a person, org node or unit: a link when the user may open its page, else text."""
    if obj is None:
        return "—"
    if visibility.can_open(obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj)
    return conditional_escape(str(obj))


@register.filter
def side_link(obj, visibility: Visibility) -> str:
    """{{ person|side_link:can_see }}: a link to the page if the viewer may open it."""
    return side_html(obj, visibility)


@register.simple_tag(takes_context=True)
def query_with(context, params: dict) -> str:
    """{% query_with cell.params %}: the current query string with `params` set (None removes
    a key) and the page reset, e.g. "?colour=red&org=3"."""
    return _query_with(context["request"].GET, params)


def _query_with(current: QueryDict, params: dict) -> str:
    query = current.copy()
    query.pop("page", None)
    for key, value in params.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"?{query.urlencode()}" if query else "?"


@register.simple_tag(takes_context=True)
def board_cells(context, cells) -> Markup:
    """{% board_cells row.cells %}: a row's cells of the supervision board, drawn in one pass
    (a template a cell drew the board in 108 renders): a count links to the entries it
    counts, below the table; a zero is muted."""
    current = context["request"].GET
    return Markup(
        "".join(
            html(
                '<td class="ledger-board-{}" data-column="{}"><a class="text-primary-emphasis" '
                'href="{}#entries">{}</a></td>',
                cell.key,
                cell.key,
                _query_with(current, cell.params),
                cell.value,
            )
            if cell.value
            else html('<td class="text-muted" data-column="{}">0</td>', cell.key)
            for cell in cells
        )
    )


@register.filter
def actor_name(user) -> str:
    """{{ event.actor|actor_name }}: the user's full name or username; "system" for none (a
    job's change has no actor)."""
    if user is None:
        return gettext("system")
    return user.get_full_name() or user.username
