"""`manage.py ledger_report`: the dashboard's figures for whole months and a subtree, as JSON
or a table; bad input answered with a clear message. The figures are those of the hand-built
ledger (tests/fixtures/rollups.py; worked out in test_figures.py)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from feedback.services.rollups import rollups_refresh
from liaison.constants import Role
from tests.fixtures.factories import build_world, make_entry
from tests.fixtures.rollups import Clock, build_ledger


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        world = build_world()
        build_ledger(world, Clock(patch), after_step=rollups_refresh)
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(story, db):
    return story


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("ledger_report", *args, stdout=out)
    return out.getvalue()


def report_json(*args: str) -> dict:
    return json.loads(run("--from", "2026-01-01", "--to", "2026-03-31", "--json", *args))


def test_the_company_as_json(world):
    data = report_json()
    assert data["org"] == {"code": "C", "name": world.company.name}
    assert (data["from"], data["to"], data["months"]) == (
        "2026-01-01",
        "2026-03-31",
        ["2026-01", "2026-02", "2026-03"],
    )
    assert data["levels"] == {
        "leadership": {"rated": 1, "satisfied": 1, "satisfaction_rate": 1.0},
        "office_branch": {"rated": 2, "satisfied": 0, "satisfaction_rate": 0.0},
        "grassroots_branch": {"rated": 6, "satisfied": 4, "satisfaction_rate": 0.6667},
        "party_member": {"rated": 1, "satisfied": 1, "satisfaction_rate": 1.0},
    }
    overall = {
        key: data[key]
        for key in (
            "recorded",
            "due",
            "replied_on_time",
            "on_time_rate",
            "resolved",
            "problems_resolved",
            "results",
            "rehandled",
            "reopened",
            "reopen_rate",
            "open_overdue",
            "rated",
            "satisfied",
            "satisfaction_rate",
            "repeat_rate",
        )
    }
    assert overall == {
        "recorded": 13,
        "due": 13,
        "replied_on_time": 8,
        "on_time_rate": 0.6154,  # 8 ÷ 13
        "resolved": 9,  # matters: E1 E2 E3 E8 E9 E10 E11 E12 E13, once each
        "problems_resolved": 6,  # E1 E3 E8 E10 E11 E12
        "results": 12,  # every round: + E3, E10, E13 solved again
        "rehandled": 3,
        "reopened": 4,  # E10 twice, E3, E13
        "reopen_rate": 0.3636,  # 4 ÷ 11 replies
        "open_overdue": 2,
        "rated": 10,
        "satisfied": 6,
        "satisfaction_rate": 0.6,
        "repeat_rate": 0.25,
    }
    assert data["visits"] == {
        "town": 1,
        "village": 3,
        "enterprise": 1,
        "team": 1,
        "employee": 1,
        "other": 1,
    }
    assert data["coverage"]["village"] == {"new": 1, "to_date": 1}
    assert data["pairings"]["cadre_team"] == {"pairings": 1, "subjects": 1, "targets": 1}
    assert data["pairings"]["member_served"] == {"pairings": 0, "subjects": 0, "targets": 0}
    assert set(data["pairings"]) == {
        "leader_contact",
        "cadre_team",
        "office_cadre_frontline",
        "secretary_special_needs",
        "member_served",
        "branch_joint",
    }
    assert data["provisional_years"] == []


def test_a_branch_and_a_committee(world):
    branch = report_json("--org", "BA")
    assert (branch["recorded"], branch["due"], branch["replied_on_time"]) == (9, 8, 5)
    assert (branch["on_time_rate"], branch["satisfaction_rate"]) == (0.625, 0.8333)  # 5/8, 5/6
    assert branch["repeat_rate"] == 0.3333  # 1/3
    committee = report_json("--org", "KA")
    assert (committee["rated"], committee["satisfied"], committee["on_time_rate"]) == (8, 5, 0.7)
    assert committee["levels"]["office_branch"]["satisfaction_rate"] == 0.0


def test_nothing_counted_gives_null_rates(world):
    data = json.loads(run("--from", "2025-01-01", "--to", "2025-12-31", "--json"))
    assert data["recorded"] == 0
    assert data["satisfaction_rate"] is None and data["on_time_rate"] is None
    assert data["levels"]["leadership"]["satisfaction_rate"] is None


def test_the_table(world):
    text = run("--from", "2026-01-01", "--to", "2026-03-31", "--org", "KA")
    assert world.committee_a.name in text and "2026-01-01 至 2026-03-31" in text
    assert "70.0%" in text and "62.5%" in text  # on-time rate, satisfaction rate


def test_the_table_is_all_chinese_in_a_chinese_locale(world):
    """Only the org's code is Latin (and the numbers, dates and signs)."""
    text = run("--from", "2026-01-01", "--to", "2026-03-31", "--org", "KA")
    latin = set(re.findall(r"[A-Za-z]+", text))
    assert latin == {"KA"}, latin
    assert "分层面：" in text and "满意率" in text and "累计覆盖" in text


def test_the_month_under_way_runs_to_now(world, monkeypatch):
    """On 20 April (after the story) a problem recorded today is in the report to now without
    waiting for the frequent job: the report brings the roll-ups up to date first."""
    clock = Clock(monkeypatch)
    clock.now = timezone.make_aware(dt.datetime(2026, 4, 20, 15, 30))
    before = json.loads(run("--from", "2026-04-01", "--to", "2026-04-30", "--json"))
    make_entry(world.users[Role.BRANCH_SECRETARY], recorded_on=dt.date(2026, 4, 20))
    data = json.loads(run("--from", "2026-04-01", "--to", "2026-04-20", "--json"))
    assert data["recorded"] == before["recorded"] + 1
    assert data["to"] == "2026-04-20" and data["until"].startswith("2026-04-20T15:30")
    assert before["until"] is not None  # a later day of this month: to now as well
    text = run("--from", "2026-04-01", "--to", "2026-04-20")
    assert "2026-04-01 至今（截至 2026-04-20 15:30）" in text
    with pytest.raises(CommandError, match="2026-04-20"):  # the month under way, not to now
        run("--from", "2026-04-01", "--to", "2026-04-19")
    with pytest.raises(CommandError, match="2026-03-15"):  # a past month: whole months only
        run("--from", "2026-03-01", "--to", "2026-03-15")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-01-01", "--to", "2026-03-31", "--org", "NOPE"), "NOPE"),
        (("--from", "2026-1-1", "--to", "2026-03-31"), "--from"),
        (("--from", "2026-01-01", "--to", "31.03.2026"), "--to"),
        (("--from", "2026-01-15", "--to", "2026-03-31"), "2026-01-15"),
        (("--from", "2026-01-01", "--to", "2026-03-30"), "2026-03-30"),
        (("--from", "2026-04-01", "--to", "2026-03-31"), None),
    ],
)
def test_bad_input_is_refused_with_a_message(world, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
