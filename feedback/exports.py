"""Excel workbooks, in the user's language: the dashboard's tables (one sheet per table) and the
year's assessment table (branches, cadres, weights).

Rates are written as numbers with a percent format, so that the department can go on
calculating with them, rounded half up to what the pages print (feedback.percentages: 13 of 16
is 0.813, shown 81.3%); an undefined rate (nothing counted) is an empty cell. A change between
two rates (环比) has two columns, each labelled: in points (a plain number) and relative (a
percentage). Every string (a
unit's or a person's name, a label) is written as text (common.spreadsheets), never a formula.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from common.spreadsheets import sheet_append
from feedback.models import AssessmentRow
from feedback.percentages import (
    excel_percent_format,
    excel_points,
    excel_points_format,
    excel_rate,
)
from feedback.selectors.assessment import AssessmentTable
from feedback.selectors.channels import ChannelSums
from feedback.selectors.closing import Closing, adjustment_text, closed_by
from feedback.selectors.dashboard import Dashboard


def sheet_add(
    workbook: Workbook,
    title: str,
    header: list[str],
    rows: list[list],
    percent=(),
    points=(),
):
    """Add a sheet: a bold header, the rows; `percent` and `points` (1-based columns) hold
    rates and changes of rates in points, rounded and formatted as the pages print them."""
    sheet = workbook.create_sheet(title=title[:31])
    sheet_append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:  # names and labels (lazy translations too) as text, never as formulas
        for column in percent:
            row[column - 1] = excel_rate(row[column - 1])
        for column in points:
            row[column - 1] = excel_points(row[column - 1])
        sheet_append(sheet, row)
    for columns, number_format in (
        (percent, excel_percent_format()),
        (points, excel_points_format()),
    ):
        for column in columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = number_format
    for title_cell in sheet[1]:
        width = max(len(str(title_cell.value or "")) * 2 + 2, 10)
        sheet.column_dimensions[title_cell.column_letter].width = min(width, 40)
    return sheet


def _closing_sheet(workbook: Workbook, closing: Closing) -> None:
    """The months of the period: closed (when, by whom) or open, and the late adjustments booked
    into each (R24)."""
    notes = {adjustment.month: adjustment_text(adjustment) for adjustment in closing.adjustments}
    sheet_add(
        workbook,
        _("Closed months"),
        [_("Month"), _("State"), _("Closed at"), _("Closed by"), _("Late adjustments")],
        [
            [
                f"{state.month:%Y-%m}",
                pgettext("month", "Closed") if state.closing else pgettext("month", "Open"),
                f"{timezone.localtime(state.closing.closed_at):%Y-%m-%d %H:%M}"
                if state.closing
                else "",
                closed_by(state.closing) if state.closing else "",
                notes.get(state.month, ""),
            ]
            for state in closing.months
        ],
    )


def _channel_sums(sums: ChannelSums) -> list:
    return [
        sums.recorded,
        sums.problems,
        sums.suggestions,
        sums.duplicate_suggestions,
        sums.repeat_rate,
    ]


def dashboard_workbook(board: Dashboard) -> io.BytesIO:
    """Return the workbook of the dashboard's tables (small: a few hundred rows at most)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    totals = board.totals
    minimum = board.branches.min_ratings
    unranked = ngettext(
        "Not ranked: fewer than %(n)d rating", "Not ranked: fewer than %(n)d ratings", minimum
    ) % {"n": minimum}
    overview = sheet_add(
        workbook,
        _("Overview"),
        [_("Figure"), _("Value")],
        [
            [_("Organisation"), board.node.name],
            [_("Period"), str(board.period)],
            [_("Entries recorded"), totals.recorded],
            [_("Deadlines come"), totals.deadlines_come],
            [_("Replied on time"), totals.replied_on_time],
            [_("On-time reply rate"), excel_rate(totals.on_time_rate)],
            [_("Matters resolved"), totals.matters_resolved],
            [_("Problems solved"), totals.problems_resolved],
            [_("Results (every round)"), totals.resolved],
            [_("Re-handled after a reopening"), totals.rehandled],
            [_("Replied"), totals.replied],
            [_("Reopenings"), totals.reopened],
            [_("Reopen rate (reopenings ÷ replies)"), excel_rate(totals.reopen_rate)],
            [_("Open and overdue"), totals.open_overdue],
            [_("Rated"), totals.rated],
            [_("Satisfied"), totals.satisfied],
            [_("Satisfaction rate"), excel_rate(totals.satisfaction_rate)],
            [_("Suggestions"), totals.suggestions],
            [_("Duplicate suggestions"), totals.duplicate_suggestions],
            [_("Repeat rate"), excel_rate(totals.repeat_rate)],
        ],
    )
    for row in overview.iter_rows(min_row=2):
        if isinstance(row[1].value, float):
            row[1].number_format = excel_percent_format()
    sheet_add(
        workbook,
        _("Four levels"),
        [_("Level"), _("Rated"), _("Satisfied"), _("Satisfaction rate")],
        [
            [level.label, level.rated, level.satisfied, level.satisfaction_rate]
            for level in board.report.figures.levels
        ],
        percent=[4],
    )
    sheet_add(
        workbook,
        _("Monthly trend"),
        [
            _("Month"),
            _("Recorded"),
            _("Rated"),
            _("Satisfaction rate"),
            _("Month-over-month change (points)"),
            _("Month-over-month change (relative)"),
            _("On-time reply rate"),
            _("Matters resolved"),
        ],
        [
            [
                f"{month.month:%Y-%m}",
                month.counts.recorded,
                month.counts.rated,
                month.counts.satisfaction_rate,
                month.satisfaction_change,
                month.satisfaction_change_relative,
                month.counts.on_time_rate,
                month.counts.matters_resolved,
            ]
            for month in board.trend
        ],
        percent=[4, 6, 7],
        points=[5],
    )
    sheet_add(
        workbook,
        _("By unit"),
        [
            _("Unit"),
            _("Recorded"),
            _("Rated"),
            _("Satisfaction rate"),
            _("On-time reply rate"),
            _("Matters resolved"),
            _("Awaiting a reply now"),
            _("Overdue now"),
        ],
        [
            [
                _("%(name)s itself") % {"name": row.node.name} if row.own else row.node.name,
                row.counts.recorded,
                row.counts.rated,
                row.counts.satisfaction_rate,
                row.counts.on_time_rate,
                row.counts.matters_resolved,
                row.awaiting_now,
                row.overdue_now,
            ]
            for row in board.units.rows
        ],
        percent=[4, 5],
    )
    sheet_add(
        workbook,
        _("Branch ranking"),
        [_("Rank"), _("Branch"), _("Rated"), _("Satisfaction rate"), _("Note")],
        [
            *(
                [
                    row.rank,
                    row.node.name,
                    row.counts.rated,
                    row.counts.satisfaction_rate,
                    _("tied") if row.tied else "",
                ]
                for row in board.branches.ranking
            ),
            *(
                [None, row.node.name, row.counts.rated, row.counts.satisfaction_rate, unranked]
                for row in board.branches.unranked
            ),
        ],
        percent=[4],
    )
    channel_rows = []
    for scope in board.channels:
        channel_rows.append([scope.label, "", "", *_channel_sums(scope.sums)])
        for category in scope.categories:
            channel_rows.append([scope.label, category.name, "", *_channel_sums(category.sums)])
            for row in category.channels:
                channel_rows.append(
                    [scope.label, category.name, row.channel.name, *_channel_sums(row.sums)]
                )
    if board.selection:
        names = " + ".join(row.channel.name for row in board.selection.channels)
        channel_rows.append([_("Read together"), "", names, *_channel_sums(board.selection.sums)])
    sheet_add(
        workbook,
        _("By channel"),
        [
            _("Internal or external"),
            _("Category"),
            _("Channel"),
            _("Recorded"),
            _("Problems"),
            _("Suggestions"),
            _("Duplicate suggestions"),
            _("Repeat rate"),
        ],
        channel_rows,
        percent=[8],
    )
    sheet_add(
        workbook,
        _("Visit coverage"),
        [_("Place type"), _("Visits"), _("First visited"), _("Covered so far")],
        [
            [visit.label, visit.visits, visit.newly_covered, visit.covered]
            for visit in board.report.visits
        ],
    )
    sheet_add(
        workbook,
        _("Pairings"),
        [_("Kind"), _("Liaison side"), _("Paired side"), _("Pairings")],
        [
            [
                stat.label,
                f"{stat.subjects} {stat.subject_noun}",
                f"{stat.targets} {stat.target_noun}",
                stat.pairings,
            ]
            for stat in board.report.pairings
        ],
    )
    if board.report.closing is not None:  # R24: which months are closed, the late adjustments
        _closing_sheet(workbook, board.report.closing)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def assessment_workbook(table: AssessmentTable) -> io.BytesIO:
    """Return the table as a workbook: branches, cadres, and the weights used."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    parts = [
        _("Entry satisfaction rate"),
        _("Entries rated"),
        _("On-time reply rate"),
        _("Reverse-evaluation rate"),
        _("Reverse-evaluation ratings"),
    ]

    def note(row: AssessmentRow) -> str:
        return str(_("tied")) if row.tied else row.unranked_reason

    def cells(row: AssessmentRow) -> list:
        return [
            row.satisfaction_rate,
            row.rated,
            row.on_time_rate,
            row.reverse_rate,
            row.reverse_count,
        ]

    sheet_add(
        workbook,
        _("Branches"),
        [
            _("Rank"),
            _("Branch"),
            _("Code"),
            *parts,
            _("Monthly reviews signed"),
            _("Score"),
            _("Note"),
        ],
        [
            [
                row.rank,
                row.org.name,
                row.org.code,
                *cells(row),
                row.review_rate,
                row.score,
                note(row),
            ]
            for row in table.branches
        ],
        percent=[4, 6, 7, 9],
    )
    sheet_add(
        workbook,
        _("Cadres"),
        [_("Rank"), _("Cadre"), _("Organisation"), *parts, _("Score"), _("Note")],
        [
            [row.rank, row.person.name, row.org_label, *cells(row), row.score, note(row)]
            for row in table.cadres
        ],
        percent=[4, 6, 7],
    )
    weights = table.weights
    sheet_add(
        workbook,
        _("Weights"),
        [_("Part"), _("Weight (%)")],
        [
            [_("Entry satisfaction rate"), weights["satisfaction"]],
            [_("On-time reply rate"), weights["on_time"]],
            [_("Reverse-evaluation rate"), weights["reverse"]],
            [_("Monthly reviews signed"), weights["review"]],
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
