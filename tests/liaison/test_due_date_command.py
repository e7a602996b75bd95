"""`manage.py due_date`: the due date for people and scripts."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from liaison.models import CalendarDay, CalendarYear

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = StringIO()
    call_command("due_date", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (["2026-09-24", "red"], "2026-10-09"),
        (["2026-09-24", "orange"], "2026-10-29"),
        (["2026-09-24", "yellow"], "2026-10-30"),  # the earliest target allowed
        (["2026-09-24", "yellow", "--target", "2026-12-01"], "2026-12-01"),
        (["2025-09-26", "red"], "2025-10-10"),  # Sun 28 Sep 2025 was a working day
        (["2026-12-28", "red"], "2027-01-05"),  # provisional: the warning goes to stderr
    ],
)
def test_prints_the_iso_date(args, printed):
    assert run(*args) == printed


@pytest.mark.django_db
def test_json():
    assert json.loads(run("2026-09-24", "red", "--json")) == {
        "due_on": "2026-10-09",
        "provisional": False,
    }
    assert json.loads(run("2026-12-28", "red", "--json")) == {
        "due_on": "2027-01-05",
        "provisional": True,
    }
    assert json.loads(run("2026-09-24", "yellow", "--json")) == {
        "due_on": None,
        "provisional": False,
        "earliest_target": "2026-10-30",
    }
    assert json.loads(run("2026-09-24", "yellow", "--target", "2027-03-31", "--json")) == {
        "due_on": "2027-03-31",
        "provisional": True,
        "earliest_target": "2026-10-30",
    }


@pytest.mark.django_db
def test_reads_the_calendar_the_administrators_entered():
    CalendarDay.objects.create(date="2026-10-09", is_working=False)
    CalendarYear.objects.create(year=2027)
    assert run("2026-09-24", "red") == "2026-10-10"
    assert json.loads(run("2026-12-28", "red", "--json"))["provisional"] is False


@pytest.mark.django_db
def test_provisional_dates_warn_on_stderr_and_keep_stdout_a_date():
    out, err = StringIO(), StringIO()
    call_command("due_date", "2026-12-28", "red", stdout=out, stderr=err)
    assert out.getvalue().strip() == "2027-01-05"
    assert "Provisional" in err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-13-01", "red"], "not a date"),
        (["24/09/2026", "red"], "not a date"),
        (["1999-09-24", "red"], "outside"),
        (["2026-09-24", "purple"], "not one of red, orange, yellow"),
        (["2026-09-24", "red", "--target", "2026-12-01"], "Only a yellow entry"),
        (["2026-09-24", "yellow", "--target", "2026-10-29"], "2026-10-30 or later"),
        (["2026-09-24", "yellow", "--target", "soon"], "not a date"),
    ],
)
def test_bad_input_is_a_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


@pytest.mark.parametrize("args", [["2026-13-01", "red"], ["2026-09-24", "purple"]])
def test_bad_input_exits_with_code_1(args):
    result = subprocess.run(
        [sys.executable, "manage.py", "due_date", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "ledger_site.settings_test", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 1
    assert "CommandError" in result.stderr
    assert result.stdout == ""
