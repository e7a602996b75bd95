"""Print the dashboard's figures for a period and subtree (R7, R8, R11, R13, R14).

python manage.py ledger_report --from 2026-01-01 --to 2026-03-31 [--org KA] [--json]
    [--channel NAME …] [--campaign NAME …]

The period is whole months (the roll-ups' unit): --from must be a first of a month and --to a
last day of a month — or, for the month under way, today or a later day of it: the report then
runs to now ("截至 1月6日", as the articles report), after bringing the roll-ups up to date from
the entries' events written since the last refresh (the frequent job's own work, bounded by its
watermark). The figures are the roll-ups' (feedback.selectors.figures.report); the JSON keys are
documented in README.md. Rates are fractions from 0 to 1, null when nothing was counted; the
text prints them as the dashboards do (feedback.percentages), in the site's language.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from feedback.constants import RatingChannel
from feedback.percentages import percent_text
from feedback.periods import Period, PeriodError, month_of
from feedback.selectors.channels import (
    ChannelSelection,
    ChannelSums,
    ScopeRow,
    channel_selection,
    channel_tree,
)
from feedback.selectors.closing import adjustment_text, closed_by
from feedback.selectors.figures import Counts, Report, report
from feedback.services.rollups import rollups_refresh
from ledger_site.db_routers import replica_reads
from liaison.models import Channel, OrgNode


def _day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            _("%(option)s must be a date like 2026-01-31, not “%(text)s”.")
            % {"option": option, "text": text}
        ) from error


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _period(start: dt.date, end: dt.date, today: dt.date) -> tuple[Period, bool]:
    """The period from --from to --to, and whether it runs to now: --to may be today or a
    later day of the month under way; any other day must end a month."""
    if month_of(end) == month_of(today) and end >= today and start <= end:
        if start.day != 1:
            raise PeriodError(
                _("Figures cover whole months: start on the first of a month, not %(date)s.")
                % {"date": start.isoformat()}
            )
        return Period(start, month_of(end)), True
    if month_of(end) == month_of(today) and (end + dt.timedelta(days=1)).day != 1:
        raise PeriodError(
            _(
                "The month under way is reported up to now: give --to %(today)s (or a later day "
                "of this month), not %(date)s."
            )
            % {"today": today.isoformat(), "date": end.isoformat()}
        )
    return Period.between(start, end), False


def _sums_json(sums: ChannelSums) -> dict:
    return {
        "recorded": sums.recorded,
        "problems": sums.problems,
        "suggestions": sums.suggestions,
        "duplicate_suggestions": sums.duplicate_suggestions,
        "repeat_rate": _rate(sums.repeat_rate),
    }


def channels_json(tree: list[ScopeRow]) -> dict:
    """The channel tree: scope → totals and categories → totals and channels."""
    return {
        scope.scope: {
            **_sums_json(scope.sums),
            "categories": {
                category.name: {
                    **_sums_json(category.sums),
                    "channels": {
                        row.channel.name: _sums_json(row.sums) for row in category.channels
                    },
                }
                for category in scope.categories
            },
        }
        for scope in tree
    }


def selection_json(selection: ChannelSelection) -> dict:
    return {
        "channels": [row.channel.name for row in selection.channels],
        "months": {
            row.channel.name: [f"{month:%Y-%m}" for month in selection.months[row.channel.pk]]
            for row in selection.channels
        },
        **_sums_json(selection.sums),
    }


def as_json(result: Report, until: dt.datetime | None = None) -> dict:
    """The report as the JSON the command prints (keys documented in README.md)."""
    figures, totals = result.figures, result.figures.totals
    return {
        "org": {"code": figures.node.code, "name": figures.node.name},
        "from": figures.period.first.isoformat(),
        "to": (until.date() if until else figures.period.end).isoformat(),
        "until": until.isoformat() if until else None,
        "months": [f"{month:%Y-%m}" for month in figures.period.months],
        "levels": {
            level.level: {
                "rated": level.rated,
                "satisfied": level.satisfied,
                "satisfaction_rate": _rate(level.satisfaction_rate),
            }
            for level in figures.levels
        },
        "recorded": totals.recorded,
        "due": totals.due,
        "replied_on_time": totals.replied_on_time,
        "replied_late": totals.replied_late,
        "on_time_rate": _rate(totals.on_time_rate),
        "replied": totals.replied,
        "resolved": totals.matters_resolved,
        "problems_resolved": totals.problems_resolved,
        "results": totals.resolved,
        "rehandled": totals.rehandled,
        "reopened": totals.reopened,
        "reopen_rate": _rate(totals.reopen_rate),
        "awaiting": totals.awaiting,
        "open_overdue": totals.open_overdue,
        "rated": totals.rated,
        "ratings": totals.ratings,
        "satisfied": totals.satisfied,
        "satisfaction_rate": _rate(totals.satisfaction_rate),
        "suggestions": totals.suggestions,
        "duplicate_suggestions": totals.duplicate_suggestions,
        "repeat_rate": _rate(totals.repeat_rate),
        "extended": totals.extended,
        "extension_rate": _rate(totals.extension_rate),
        "suspended": totals.suspended,
        "ratings_by_channel": {str(k): v for k, v in totals.ratings_by_channel.items()},
        "owner_rated_share": _rate(totals.owner_rated_share),
        "visits": {coverage.place_type: coverage.visits for coverage in result.visits},
        "coverage": {
            coverage.place_type: {"new": coverage.newly_covered, "to_date": coverage.covered}
            for coverage in result.visits
        },
        "pairings": {
            stat.kind: {
                "pairings": stat.pairings,
                "subjects": stat.subjects,
                "targets": stat.targets,
            }
            for stat in result.pairings
        },
        "pairings_on": result.pairings_on.isoformat(),
        "referrals": {
            row.code: {
                "name": row.name,
                "referred": row.referred,
                "signed": row.signed,
                "median_sign_working_days": row.median_sign_days,
                "returned": row.returns,
            }
            for row in result.referrals
        },
        "provisional_years": result.provisional_years,
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "closed_months": closing_json(result),
    }


def closing_json(result: Report) -> dict:
    """R24: the period's closed months (when, by whom) and the late adjustments booked into its
    months (signed counts by roll-up column)."""
    closing = result.closing
    if closing is None:
        return {"closed": [], "late_adjustments": []}
    return {
        "closed": [
            {
                "month": f"{state.month:%Y-%m}",
                "closed_at": state.closing.closed_at.isoformat(),
                "closed_by": state.closing.closed_by.get_username()
                if state.closing.closed_by
                else None,
            }
            for state in closing.months
            if state.closing is not None
        ],
        "late_adjustments": [
            {
                "month": f"{adjustment.month:%Y-%m}",
                "from": [f"{month:%Y-%m}" for month in adjustment.source_months],
                "counts": {count.name: count.n for count in adjustment.counts},
            }
            for adjustment in closing.adjustments
        ],
    }


def closing_lines(result: Report) -> list[str]:
    """R24: a line of the closed months of the period, one per month with late adjustments."""
    closing = result.closing
    if closing is None or not (closing.closed or closing.adjustments):
        return []
    lines = [""]
    if closing.closed:
        months = ", ".join(
            f"{state.month:%Y-%m} ({timezone.localtime(state.closing.closed_at):%Y-%m-%d %H:%M}"
            f" {closed_by(state.closing)})"
            for state in closing.closed
            if state.closing is not None
        )
        lines.append(_("Closed months") + ": " + months)
    lines += [adjustment_text(adjustment) for adjustment in closing.adjustments]
    return lines


class Command(BaseCommand):
    help = "Print the dashboard's figures for whole months and an org's subtree."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-01")
        parser.add_argument("--to", dest="end", required=True, help="last day of a month")
        parser.add_argument("--org", help="org code (default: the whole company)")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--language", help="the language of the text (default: the site's, LANGUAGE_CODE)"
        )
        parser.add_argument(
            "--channel",
            action="append",
            default=[],
            help="a channel (方面) by name; repeat for several: their figures together",
        )
        parser.add_argument(
            "--campaign",
            action="append",
            default=[],
            help="a campaign (a channel with dates) by name, read for its months; repeatable",
        )

    def handle(self, *args, language: str | None = None, **options):
        # From the replica, if there is one; after the month under way's refresh (a write),
        # from the primary (the block's reads must see its write: ledger_site.db_routers).
        with translation.override(language or settings.LANGUAGE_CODE), replica_reads():
            self.report(**options)

    def report(self, *, start: str, end: str, org: str | None, **options):
        now = timezone.localtime()
        try:
            period, to_now = _period(_day(start, "--from"), _day(end, "--to"), now.date())
        except PeriodError as error:
            raise CommandError(str(error)) from error
        nodes = OrgNode.objects.all()
        node = nodes.filter(code=org).first() if org else nodes.order_by("path").first()
        if node is None:
            raise CommandError(
                _("No organisation has the code “%(code)s”.") % {"code": org}
                if org
                else _("The org tree is empty.")
            )
        chosen = self.channels(options["channel"], options["campaign"])
        if to_now:  # the month under way: the roll-ups brought up to now first
            rollups_refresh()
        result = report(node=node, period=period)
        tree = channel_tree(node=node, period=period)
        selection = channel_selection(node=node, period=period, channels=chosen) if chosen else None
        until = now if to_now else None
        if options["json"]:
            data = as_json(result, until)
            data["channels"] = channels_json(tree)
            data["selection"] = selection_json(selection) if selection else None
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self.table(result, until))
            self.stdout.write(self.channel_table(tree, selection))

    @staticmethod
    def channels(names: list[str], campaigns: list[str]) -> list[Channel]:
        """The channels named by --channel and --campaign, in that order; an unknown name, or a
        --campaign without dates, is refused."""
        found = {
            channel.name: channel for channel in Channel.objects.filter(name__in=names + campaigns)
        }
        chosen: list[Channel] = []
        for name in names + campaigns:
            channel = found.get(name)
            if channel is None:
                raise CommandError(_("No channel is called “%(name)s”.") % {"name": name})
            if name in campaigns and not channel.is_campaign:
                raise CommandError(
                    _("“%(name)s” is a channel without campaign dates: use --channel.")
                    % {"name": name}
                )
            if channel not in chosen:
                chosen.append(channel)
        return chosen

    @staticmethod
    def channel_table(tree: list[ScopeRow], selection: ChannelSelection | None) -> str:
        def line(label: str, sums: ChannelSums) -> str:
            return _(
                "%(label)s: recorded %(recorded)d, problems %(problems)d, suggestions "
                "%(suggestions)d, duplicates %(duplicates)d, repeat rate %(rate)s"
            ) % {
                "label": label,
                "recorded": sums.recorded,
                "problems": sums.problems,
                "suggestions": sums.suggestions,
                "duplicates": sums.duplicate_suggestions,
                "rate": percent_text(sums.repeat_rate),
            }

        lines = ["", "", _("By channel:")]
        for scope in tree:
            lines.append("  " + line(scope.label, scope.sums))
            for category in scope.categories:
                lines.append("    " + line(category.name, category.sums))
                for row in category.channels:
                    lines.append("      " + line(row.channel.name, row.sums))
        if selection is not None:
            names = " + ".join(row.channel.name for row in selection.channels)
            lines += ["", _("Read together:"), "  " + line(names, selection.sums)]
        return "\n".join(lines)

    def table(self, result: Report, until: dt.datetime | None = None) -> str:
        figures, totals = result.figures, result.figures.totals
        period = _("%(first)s to %(last)s") % {
            "first": figures.period.first.isoformat(),
            "last": figures.period.end.isoformat(),
        }
        if until is not None:
            period = _("%(first)s to now (%(moment)s)") % {
                "first": figures.period.first.isoformat(),
                "moment": f"{until:%Y-%m-%d %H:%M}",
            }
        lines = [
            f"{figures.node.name}（{figures.node.code}）· {period}",
            "",
            *self.counts(totals),
            "",
            _("By level:"),
        ]
        for level in figures.levels:
            lines.append(
                "  "
                + _(
                    "%(level)s: rated %(rated)d, satisfied %(satisfied)d, "
                    "satisfaction rate %(rate)s"
                )
                % {
                    "level": level.label,
                    "rated": level.rated,
                    "satisfied": level.satisfied,
                    "rate": percent_text(level.satisfaction_rate),
                }
            )
        lines += ["", _("Visits by place type:")]
        for coverage in result.visits:
            lines.append(
                "  "
                + _("%(place)s: visits %(visits)d, newly covered %(new)d, covered to date %(all)d")
                % {
                    "place": coverage.label,
                    "visits": coverage.visits,
                    "new": coverage.newly_covered,
                    "all": coverage.covered,
                }
            )
        lines += ["", _("Pairings on %(day)s:") % {"day": result.pairings_on.isoformat()}]
        for stat in result.pairings:
            lines.append(
                f"  {stat.label}：{stat.subjects} {stat.subject_noun} · "
                f"{stat.targets} {stat.target_noun}（{stat.pairings}）"
            )
        if result.provisional_years:
            years = ", ".join(str(year) for year in result.provisional_years)
            lines += [
                "",
                _("Warning: the working-day calendar of %(years)s is provisional.")
                % {"years": years},
            ]
        lines += closing_lines(result)
        if result.as_of is None:
            lines += ["", _("The roll-ups have not been built yet: run manage.py rollups rebuild.")]
        return "\n".join(lines)

    @staticmethod
    def counts(totals: Counts) -> list[str]:
        rows = [
            (_("Recorded"), totals.recorded),
            (_("Due"), totals.due),
            (_("Replied on time"), totals.replied_on_time),
            (_("Replied late"), totals.replied_late),
            (_("On-time rate"), percent_text(totals.on_time_rate)),
            (_("Replied"), totals.replied),
            (_("Matters resolved"), totals.matters_resolved),
            (_("Problems solved"), totals.problems_resolved),
            (_("Results (every round)"), totals.resolved),
            (_("Re-handled after a reopening"), totals.rehandled),
            (_("Reopenings"), totals.reopened),
            (_("Reopen rate (reopenings ÷ replies)"), percent_text(totals.reopen_rate)),
            (_("Open and overdue"), totals.open_overdue),
            (_("Rated"), totals.rated),
            (_("Satisfied"), totals.satisfied),
            (_("Satisfaction rate"), percent_text(totals.satisfaction_rate)),
            (_("Suggestions"), totals.suggestions),
            (_("Duplicate suggestions"), totals.duplicate_suggestions),
            (_("Repeat rate"), percent_text(totals.repeat_rate)),
            (_("Extended"), totals.extended),
            (_("Extension rate"), percent_text(totals.extension_rate)),
            (_("Suspended"), totals.suspended),
            *(
                (_("Rated by %(channel)s") % {"channel": RatingChannel(channel).label}, n)
                for channel, n in totals.ratings_by_channel.items()
            ),
        ]
        width = max(_width(str(label)) for label, _value in rows)
        return [f"{label}{' ' * (width - _width(str(label)))}  {value}" for label, value in rows]


def _width(text: str) -> int:
    """The columns `text` takes in a terminal: a CJK character takes two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)
