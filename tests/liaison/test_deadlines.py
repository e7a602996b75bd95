"""Overdue and due soon (R6), decided in liaison.deadlines: the rule itself, and the list, the
entry page and the queries agreeing with it."""

import datetime as dt

import pytest

from liaison.constants import Colour, EntryStatus, Role
from liaison.deadlines import (
    WARNING_WORKING_DAYS,
    due_soon_q,
    is_due_soon,
    is_overdue,
    overdue_q,
)
from liaison.models import Entry
from liaison.selectors.entries import entry_view
from liaison.tables import EntryTable
from liaison.workdays import WorkCalendar
from tests.fixtures.factories import make_entry

MONDAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("status", "due_on", "today", "overdue"),
    [
        (EntryStatus.IN_PROGRESS, MONDAY, MONDAY, False),  # due today: not yet
        (EntryStatus.IN_PROGRESS, MONDAY, MONDAY + dt.timedelta(days=1), True),
        (EntryStatus.REFERRED, MONDAY, MONDAY + dt.timedelta(days=30), True),
        (EntryStatus.REPLIED, MONDAY, MONDAY + dt.timedelta(days=30), False),  # answered
        (EntryStatus.CLOSED, MONDAY, MONDAY + dt.timedelta(days=30), False),
        (EntryStatus.VOID, MONDAY, MONDAY + dt.timedelta(days=30), False),
        (EntryStatus.RECORDED, None, MONDAY, False),  # no deadline (basic information)
    ],
)
def test_overdue_is_awaiting_the_reply_and_past_the_due_date(status, due_on, today, overdue):
    assert is_overdue(status=status, due_on=due_on, today=today) is overdue


@pytest.mark.parametrize(
    ("colour", "left", "due_soon"),
    [
        (Colour.RED, 2, False),
        (Colour.RED, 1, True),
        (Colour.RED, 0, True),  # due today
        (Colour.ORANGE, 4, False),
        (Colour.ORANGE, 3, True),
        (Colour.YELLOW, 6, False),
        (Colour.YELLOW, 5, True),
        (Colour.RED, -1, False),  # overdue is not "due soon"
        (Colour.RED, None, False),
        ("", 0, False),  # basic information has no deadline
    ],
)
def test_due_soon_is_the_colours_warning_before_the_due_date(colour, left, due_soon):
    assert is_due_soon(colour=colour, working_days_left=left) is due_soon


def test_the_warnings_are_one_three_and_five_working_days():
    assert WARNING_WORKING_DAYS == {Colour.RED: 1, Colour.ORANGE: 3, Colour.YELLOW: 5}


@pytest.mark.parametrize(("left", "warned"), [(2, True), (3, True), (4, False)])
def test_the_list_the_page_and_the_query_agree_on_an_orange_entry(world, left, warned):
    """An orange entry 2 or 3 working days before its due date is due soon everywhere (the
    entry page once warned only from 1 day, the list from 3)."""
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner, colour=Colour.ORANGE, recorded_on=MONDAY - dt.timedelta(days=7))
    calendar = WorkCalendar.load(2026, 2027)
    due_on = calendar.add_working_days(MONDAY, left).due_on
    Entry.objects.filter(pk=entry.pk).update(due_on=due_on)
    entry.refresh_from_db()

    view = entry_view(user=owner, entry=entry, today=MONDAY)
    assert view.working_days_left == left
    assert view.is_due_soon is warned
    cell = EntryTable([entry], today=MONDAY).render_deadline(entry)
    assert ("text-bg-warning" in cell) is warned
    in_window = Entry.objects.filter(due_soon_q(today=MONDAY, calendar=calendar), pk=entry.pk)
    assert in_window.exists() is warned
    assert not Entry.objects.filter(overdue_q(MONDAY), pk=entry.pk).exists()
