"""Percentages as the users' documents print them (feedback.percentages): one decimal by
default or whole percents (PERCENT_DECIMALS), rounded half up (13 of 16 is 81.3%, where Python's
half-to-even prints 81.2%); 环比 in points and relative, each labelled — on the dashboard, in its
Excel export and in ledger_report. And fair ranking on the dashboard: branches under the minimum
listed unranked with the reason, ties said.

The roll-up rows are written by hand (the jobs are tested in test_rollups*): the company's
satisfaction in March 2026 is 13 of 16 (0.8125), in February 12 of 16 (0.75):
change +6.25 points → "+6.3"; relative 0.8125 ÷ 0.75 − 1 = 0.08333… → "+8.3%".
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from feedback.models import EntryMonthlyLevel
from feedback.percentages import (
    excel_percent_format,
    excel_rate,
    percent_text,
    points_text,
    relative_text,
)
from liaison.constants import Level, Role

PAGE = reverse("feedback:dashboard")
EXPORT = reverse("feedback:dashboard_export")
FEB, MAR = dt.date(2026, 2, 1), dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("rate", "one", "whole"),
    [
        (13 / 16, "81.3%", "81%"),  # 81.25: half up, not half to even (81.2)
        (0.125, "12.5%", "13%"),  # 12.5: half up, not half to even (12)
        (0.00045, "0.0%", "0%"),
        (0.00055, "0.1%", "0%"),
        (2 / 3, "66.7%", "67%"),
        (1.0, "100.0%", "100%"),
        (0.0, "0.0%", "0%"),
        (None, "—", "—"),
    ],
)
def test_percentages_round_half_up(settings, rate, one, whole):
    settings.PERCENT_DECIMALS = 1
    assert percent_text(rate) == one
    settings.PERCENT_DECIMALS = 0
    assert percent_text(rate) == whole


def test_changes_in_points_and_relative(settings):
    settings.PERCENT_DECIMALS = 1
    assert points_text(0.0625) == "+6.3" and points_text(-0.0625) == "-6.3"
    assert points_text(-0.0004) == "0.0"  # never "-0.0"
    assert relative_text(0.8125 / 0.75 - 1) == "+8.3%" and relative_text(None) == "—"
    assert excel_rate(13 / 16) == 0.813 and excel_percent_format() == "0.0%"
    settings.PERCENT_DECIMALS = 0
    assert points_text(0.0625) == "+6" and excel_rate(13 / 16) == 0.81
    assert excel_percent_format() == "0%"


def rated(node, month, satisfied: int, unsatisfied: int, level=Level.GRASSROOTS_BRANCH):
    EntryMonthlyLevel.objects.create(
        node=node,
        month=month,
        level=level,
        rated=satisfied + unsatisfied,
        rating_satisfied=satisfied,
        rating_unsatisfied=unsatisfied,
    )


@pytest.fixture
def figures(world):
    """Company and KA: Feb 12 of 16, Mar 13 of 16. BA (under KA): Feb 12/16, Mar 13/16;
    BO: 3 of 4 in March (under the minimum of 5); BB: none."""
    for node in (world.company, world.committee_a, world.branch_a):
        rated(node, FEB, 12, 4)
        rated(node, MAR, 13, 3)
    rated(world.office_branch, MAR, 3, 1)
    return world


def test_the_dashboard_prints_half_up_and_both_changes(figures, client_for):
    client = client_for(figures.users[Role.PARTY_BUILDING])
    page = client.get(PAGE, {"period": "2026-Q1"}).text
    assert "81.3%" in page and "81.2%" not in page
    trend = page[page.index('data-testid="trend"') :]
    march = trend[trend.index("2026-03") :].split("</tr>")[0]
    assert "+6.3" in march and "+8.3%" in march
    assert "环比（百分点）" in trend and "环比（相对）" in trend


def test_whole_percents_when_asked(figures, client_for, settings):
    settings.PERCENT_DECIMALS = 0
    page = client_for(figures.users[Role.PARTY_BUILDING]).get(PAGE, {"period": "2026-Q1"}).text
    assert "81%" in page and "81.3%" not in page


def test_the_export_holds_the_printed_figures_and_labels_both_changes(figures, client_for):
    client = client_for(figures.users[Role.PARTY_BUILDING])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(EXPORT, {"period": "2026-03"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    overview = {row[0]: row[1] for row in workbook["Overview"].values}
    assert overview["Satisfaction rate"] == 0.813
    trend = workbook["Monthly trend"]
    header = [cell.value for cell in trend[1]]
    assert header[3:6] == [
        "Satisfaction rate",
        "Month-over-month change (points)",
        "Month-over-month change (relative)",
    ]
    assert [cell.value for cell in trend[2]][3:6] == [0.813, 6.3, 0.083]
    assert trend["D2"].number_format == "0.0%" and trend["F2"].number_format == "0.0%"
    assert trend["E2"].number_format == "+0.0;-0.0;0.0"  # points: not a percentage


def test_the_ranking_lists_the_unranked_with_the_reason(figures, client_for):
    """March at KA: BA 13 of 16 ranked 1; BO 3 of 4 unranked (fewer than 5 ratings)."""
    client = client_for(figures.users[Role.PARTY_BUILDING])
    page = client.get(PAGE, {"org": figures.committee_a.pk, "period": "2026-03"}).text
    ranking = page[page.index('data-testid="ranking"') :].split("</section>")[0]
    assert ranking.count('data-testid="rank-row"') == 1 and figures.branch_a.name in ranking
    unranked = ranking[ranking.index('data-testid="unranked-row"') :]
    assert figures.office_branch.name in unranked and "少于 5 条评价，不参与排名" in unranked
    assert 'data-testid="tied"' not in ranking


def test_a_tie_says_so(figures, client_for):
    rated(figures.office_branch, MAR, 10, 2, level=Level.OFFICE_BRANCH)  # BO: 13 of 16, as BA
    client = client_for(figures.users[Role.PARTY_BUILDING])
    page = client.get(PAGE, {"org": figures.committee_a.pk, "period": "2026-03"}).text
    ranking = page[page.index('data-testid="ranking"') :].split("</section>")[0]
    assert ranking.count('data-testid="tied"') == 2 and "unranked-row" not in ranking


def test_the_report_prints_half_up(figures, capsys):
    call_command("ledger_report", "--from", "2026-03-01", "--to", "2026-03-31", "--org", "C")
    out = capsys.readouterr().out
    assert "81.3%" in out and "81.2%" not in out
