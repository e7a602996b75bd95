"""Template filters of the dashboard: rates as percentages, changes as signed points or
relative changes (feedback.percentages decides how each is rounded and printed), and the rows
of the dashboard's long tables.

The rows are written here rather than cell by cell in the template: the branch ranking alone
has a row per branch of the company (hundreds), and a template spends a few microseconds on
every variable, filter and tag of every cell. Each string is escaped with ``html.escape``, what
the template's autoescaping does (django.utils.html.escape), so the page is the same; labels
are translated once a table, not once a cell.
"""

from __future__ import annotations

from html import escape

from django import template
from django.conf import settings
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext

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


def _number():
    """How the template prints a count (django.utils.formats.localize): as is, unless the site
    groups thousands (USE_THOUSAND_SEPARATOR, off)."""
    return localize if settings.USE_THOUSAND_SEPARATOR else str


def _date(day) -> str:
    """A date as {{ day|date:"Y-m-d" }} prints it ("" for none)."""
    return "" if day is None else f"{day:%Y-%m-%d}"


@register.filter
def referral_rows(referrals) -> SafeString:
    """The rows of the departments' referrals (R17): referred, signed for, the median working
    days to sign (the last delay meaning "or more"), returned, and the returns by reason."""
    n = _number()
    or_more = gettext("3 or more")
    rows = []
    for row in referrals:
        days = row.median_sign_days
        median = "—" if days is None else or_more if days == 3 else n(days)
        returns = "".join(f"<td>{n(count)}</td>" for count in row.returns.values())
        rows.append(
            f'<tr data-testid="referral-row"><th scope="row" class="text-start fw-normal">'
            f"{escape(row.name)}</th><td>{n(row.referred)}</td><td>{n(row.signed)}</td>"
            f'<td data-testid="median-sign">{median}</td><td>{n(row.returned)}</td>{returns}</tr>'
        )
    return mark_safe("".join(rows))


@register.filter
def trend_rows(trend) -> SafeString:
    """The rows of the monthly trend: each month's figures and the change on the month before."""
    n = _number()
    rows = []
    for month in trend:
        counts, change = month.counts, month.satisfaction_change
        colour = ""
        if change is not None and change != 0:
            colour = "text-danger" if change < 0 else "text-success"
        rows.append(
            f'<tr data-testid="trend-row"><td class="text-nowrap">{month.month:%Y-%m}</td>'
            f"<td>{n(counts.recorded)}</td><td>{n(counts.rated)}</td>"
            f"<td>{percent_text(counts.satisfaction_rate)}</td>"
            f'<td class="{colour}">{points_text(change)}</td>'
            f'<td class="d-none d-sm-table-cell">'
            f"{relative_text(month.satisfaction_change_relative)}</td>"
            f"<td>{percent_text(counts.on_time_rate)}</td><td>{n(counts.matters_resolved)}</td></tr>"
        )
    return mark_safe("".join(rows))


@register.filter
def unit_rows(units) -> SafeString:
    """The rows of the figures by unit: each child (a link down if it has children of its own),
    then the node's own ledger, with its entries awaiting a reply and overdue now."""
    n = _number()
    if not units.rows:
        no_units = gettext("No units below this one.")
        return mark_safe(f'<tr><td colspan="8" class="text-muted">{no_units}</td></tr>')
    itself, period = gettext("%(name)s itself"), escape(str(units.period))
    rows = []
    for row in units.rows:
        node, counts = row.node, row.counts
        if row.own:
            name = itself % {"name": escape(node.name)}
        elif node.numchild:
            name = f'<a href="?org={node.pk}&amp;period={period}">{escape(node.name)}</a>'
        else:
            name = escape(node.name)
        overdue = "text-danger fw-semibold" if row.overdue_now else ""
        rows.append(
            f'<tr data-testid="unit-row">\n          <th scope="row" class="text-start fw-normal">'
            f"{name}</th>\n          <td>{n(counts.recorded)}</td><td>{n(counts.rated)}</td>"
            f"<td>{percent_text(counts.satisfaction_rate)}</td>"
            f"<td>{percent_text(counts.on_time_rate)}</td><td>{n(counts.matters_resolved)}</td>"
            f'<td>{n(row.awaiting_now)}</td><td class="{overdue}">{n(row.overdue_now)}</td>\n'
            f"        </tr>"
        )
    return mark_safe("".join(rows))


@register.filter
def ranking_rows(branches) -> SafeString:
    """The rows of the branch ranking (R8): the ranked branches best first, then those with
    too few ratings to be ranked, with the reason."""
    n = _number()
    rows = []
    tied = f' <span class="text-muted" data-testid="tied">{gettext("(tied)")}</span>'
    for row in branches.ranking:
        rows.append(
            f'<tr data-testid="rank-row"><td>{n(row.rank)}{tied if row.tied else ""}</td>'
            f'<td class="text-start">{escape(row.node.name)}</td><td>{n(row.counts.rated)}</td>'
            f"<td>{percent_text(row.counts.satisfaction_rate)}</td></tr>\n      "
        )
    if not rows:
        no_branch = gettext("No branch has enough ratings in this period.")
        rows.append(f'<tr><td colspan="4" class="text-muted">{no_branch}</td></tr>')
    rows.append("\n      ")
    minimum = branches.min_ratings
    reason = ngettext(
        "Not ranked: fewer than %(n)s rating", "Not ranked: fewer than %(n)s ratings", minimum
    ) % {"n": n(minimum)}
    for row in branches.unranked:
        rows.append(
            f'<tr data-testid="unranked-row" class="text-muted"><td>—</td>'
            f'<td class="text-start">{escape(row.node.name)}</td><td>{n(row.counts.rated)}</td>'
            f"<td>{reason}</td></tr>"
        )
    return mark_safe("".join(rows))


def _sums_cells(sums, n) -> str:
    return (
        f'<td>{n(sums.recorded)}</td><td class="d-none d-sm-table-cell">{n(sums.problems)}</td>'
        f'<td>{n(sums.suggestions)}</td><td class="d-none d-sm-table-cell">'
        f"{n(sums.duplicate_suggestions)}</td><td>{percent_text(sums.repeat_rate)}</td>"
    )


@register.filter
def channel_rows(scopes) -> SafeString:
    """The rows of the figures by channel (R15): each scope, its categories, their channels
    (a campaign with its dates)."""
    n = _number()
    campaign = pgettext("channel", "campaign")
    rows = []
    for scope in scopes:
        rows.append(
            f'<tr class="table-light fw-semibold" data-testid="channel-scope" '
            f'data-scope="{escape(scope.scope)}"><th scope="row" class="text-start">'
            f"{escape(scope.label)}</th>{_sums_cells(scope.sums, n)}</tr>\n      "
        )
        for category in scope.categories:
            rows.append(
                f'<tr class="fw-semibold" data-testid="channel-category">'
                f'<th scope="row" class="text-start ps-3">{escape(category.name)}</th>'
                f"{_sums_cells(category.sums, n)}</tr>\n        "
            )
            for row in category.channels:
                channel = row.channel
                dates = ""
                if channel.is_campaign:
                    dates = (
                        f' <span class="badge text-bg-light border text-wrap">{campaign} '
                        f"{_date(channel.starts_on)}–{_date(channel.ends_on)}</span>"
                    )
                rows.append(
                    f'<tr data-testid="channel-row"><th scope="row" class="text-start fw-normal '
                    f'ps-4">{escape(channel.name)}{dates}</th>{_sums_cells(row.sums, n)}</tr>'
                )
            rows.append("\n      ")
        rows.append("\n    ")
    return mark_safe("".join(rows))


@register.filter
def channel_options(scopes, selection) -> SafeString:
    """The options of the channel selector, a group per scope, the channels asked for
    selected."""
    asked = {channel.pk for channel in selection.channels_asked} if selection else set()
    groups = []
    for scope in scopes:
        options = "".join(
            f'<option value="{row.channel.pk}"{" selected" if row.channel.pk in asked else ""}>'
            f"{escape(category.name)} · {escape(row.channel.name)}</option>"
            for category in scope.categories
            for row in category.channels
        )
        groups.append(f'<optgroup label="{escape(scope.label)}">{options}</optgroup>')
    return mark_safe("".join(groups))
