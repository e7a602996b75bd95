"""The departments' referral figures (R17), worked out by hand: in one month, department A is
referred three entries — it signs for one the same day, records the plan of another (which signs
for it) the same day, and returns the third as not its remit; that one goes to department B,
which signs for it the next working day. The roll-ups (refresh and rebuild alike), the company's
dashboard and `ledger_report --json` must say: A referred 3, signed 2, median 0 working days,
returned 1 (not our remit); B referred 1, signed 1, median 1."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from feedback.services.rollups import rollups_rebuild, rollups_refresh
from liaison.constants import ReturnReason, Role
from liaison.services.workflow import Action
from liaison.workdays import WorkCalendar
from tests.fixtures.factories import UnitFactory, make_entry, make_user
from tests.fixtures.rollups import Clock
from tests.fixtures.walks import act

MONDAY = dt.date(2026, 3, 2)  # Tuesday 3 March is the next working day


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _story(world, clock):
    cadre = world.users[Role.GRASSROOTS_CADRE]
    handler = world.users[Role.DEPARTMENT_HANDLER]
    other = UnitFactory(name="营销部", kind="department", branch=world.office_branch, code="YX")
    other_handler = make_user(Role.DEPARTMENT_HANDLER, department=other)
    clock.set(MONDAY)

    def referred(title):
        entry = make_entry(cadre, informant=world.special_a, recorded_on=MONDAY, title=title)
        return act(world, entry, Action.REFER, cadre, department=world.department, note="")

    act(world, referred("一"), Action.SIGN_FOR, handler)
    act(world, referred("二"), Action.RECORD_PLAN, handler)
    third = act(world, referred("三"), Action.RETURN_REFERRAL, handler,
                reason=ReturnReason.NOT_OUR_REMIT, note="")  # fmt: skip
    third = act(world, third, Action.REFER, cadre, department=other, note="")
    clock.set(WorkCalendar.load(2026).add_working_days(MONDAY, 1).due_on)
    act(world, third, Action.SIGN_FOR, other_handler)
    return other


def _json(code: str) -> dict:
    out = io.StringIO()
    call_command("ledger_report", "--from", "2026-03-01", "--to", "2026-03-31", "--json",
                 stdout=out)  # fmt: skip
    return json.loads(out.getvalue())["referrals"]


def test_sign_for_times_and_returns_by_department(world, clock, client_for):
    other = _story(world, clock)
    rollups_refresh()
    refreshed = _json(world.department.code)
    rollups_rebuild()
    data = _json(world.department.code)
    assert refreshed == data
    assert data[world.department.code] == {
        "name": world.department.name,
        "referred": 3,
        "signed": 2,
        "median_sign_working_days": 0,
        "returned": {"not_our_remit": 1, "not_enough_information": 0, "duplicate": 0, "other": 0},
    }
    assert data[other.code]["referred"] == 1 and data[other.code]["signed"] == 1
    assert data[other.code]["median_sign_working_days"] == 1
    page = client_for(world.users[Role.PARTY_BUILDING]).get(
        reverse("feedback:dashboard"), {"period": "2026-03"}
    )
    body = page.content.decode()
    assert 'data-testid="referrals"' in body and world.department.name in body
    branch = client_for(world.users[Role.BRANCH_SECRETARY]).get(reverse("feedback:dashboard"))
    assert 'data-testid="referrals"' not in branch.content.decode()  # the company's figure
