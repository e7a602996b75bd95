"""Recording an entry: number, owner, level, deadline, timeline (R1–R3, R7)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from liaison.constants import EntryKind, EntryStatus, EventKind, Level, Role
from tests.fixtures.factories import make_entry


def test_a_red_entry_is_owned_by_its_recorder_and_due_in_five_working_days(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(secretary, recorded_on=dt.date(2026, 9, 24))
    assert entry.owner == entry.recorded_by == secretary
    assert entry.due_on == dt.date(2026, 10, 9)  # Mid-Autumn and National Day skipped
    assert not entry.due_provisional
    assert entry.status == EntryStatus.RECORDED
    assert entry.level == Level.GRASSROOTS_BRANCH
    assert entry.number == "C-2026-000001"
    assert list(entry.events.values_list("kind", flat=True)) == [EventKind.RECORDED]


def test_numbers_follow_each_other_within_a_year(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    first = make_entry(secretary)
    second = make_entry(secretary)
    other_year = make_entry(secretary, recorded_on=dt.date(2025, 3, 3))
    assert (first.number, second.number) == ("C-2026-000001", "C-2026-000002")
    assert other_year.number == "C-2025-000001"


@pytest.mark.parametrize(
    ("role", "level"),
    [
        (Role.LEADERSHIP_CADRE, Level.LEADERSHIP),
        (Role.OFFICE_CADRE, Level.OFFICE_BRANCH),
        (Role.GRASSROOTS_CADRE, Level.GRASSROOTS_BRANCH),
        (Role.PARTY_MEMBER, Level.PARTY_MEMBER),
    ],
)
def test_the_level_comes_from_the_recorders_role(world, role, level):
    user = world.users[role]
    entry = make_entry(user, org=world.branch_a, informant=world.special_a)
    assert entry.level == level


def test_basic_information_closes_on_recording_without_a_deadline(world):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY], kind=EntryKind.BASIC, colour="red")
    assert entry.status == EntryStatus.CLOSED
    assert entry.due_on is None
    assert entry.colour == ""


def test_a_yellow_target_inside_21_working_days_is_refused(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    with pytest.raises(ValidationError) as error:
        make_entry(secretary, colour="yellow", target_on=dt.date(2026, 10, 29))
    assert "target_on" in error.value.message_dict
    entry = make_entry(secretary, colour="yellow", target_on=dt.date(2026, 10, 30))
    assert entry.due_on == dt.date(2026, 10, 30)


def test_a_deadline_in_a_year_without_a_schedule_is_provisional(world):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY], recorded_on=dt.date(2026, 12, 28))
    assert entry.due_on == dt.date(2027, 1, 5)
    assert entry.due_provisional
