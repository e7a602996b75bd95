"""Working days and due dates (R1) against the State Council schedules for 2025 and 2026.

Every expected date below was counted by hand from the official notices (国办发明电〔2024〕12号
for 2025, 国办发明电〔2025〕7号 for 2026), not taken from the code:

2025: New Year 1 Jan; Spring Festival 28 Jan–4 Feb, make-up Sun 26 Jan and Sat 8 Feb; Qingming
4–6 Apr; Labour Day 1–5 May, make-up Sun 27 Apr; Dragon Boat 31 May–2 Jun; National Day and
Mid-Autumn 1–8 Oct, make-up Sun 28 Sep and Sat 11 Oct.
2026: New Year 1–3 Jan, make-up Sun 4 Jan; Spring Festival 15–23 Feb, make-up Sat 14 and Sat
28 Feb; Qingming 4–6 Apr; Labour Day 1–5 May, make-up Sat 9 May; Dragon Boat 19–21 Jun;
Mid-Autumn 25–27 Sep; National Day 1–7 Oct, make-up Sun 20 Sep and Sat 10 Oct.
2027 has no schedule yet: weekends and the law's holidays (New Year 1 Jan; Spring Festival eve
to its third day, 5–8 Feb; Qingming 5 Apr; 1–2 May; Dragon Boat 9 Jun; Mid-Autumn 15 Sep;
1–3 Oct), provisional.
"""

import datetime as dt
import random

import pytest

from liaison.constants import Colour
from liaison.models import CalendarDay, CalendarYear
from liaison.workdays import (
    DueDate,
    WorkCalendar,
    due_date,
    earliest_yellow_target,
    legal_holidays,
    statutory_covers,
)

D = dt.date.fromisoformat

CASES = [
    # recorded on, colour, due on, why
    ("2025-01-24", Colour.RED, "2025-02-07", "Sun 26 Jan works; Spring Festival 28 Jan–4 Feb"),
    ("2025-02-05", Colour.RED, "2025-02-11", "Sat 8 Feb is a make-up working day"),
    ("2025-01-20", Colour.ORANGE, "2025-02-21", "20 days across the Spring Festival"),
    ("2025-04-02", Colour.RED, "2025-04-10", "Qingming 4–6 Apr"),
    ("2025-04-25", Colour.RED, "2025-05-06", "Sun 27 Apr works; Labour Day 1–5 May"),
    ("2025-05-29", Colour.RED, "2025-06-06", "Dragon Boat 31 May–2 Jun"),
    ("2025-09-26", Colour.RED, "2025-10-10", "Sun 28 Sep works; 1–8 Oct off"),
    ("2025-10-09", Colour.RED, "2025-10-15", "Sat 11 Oct works"),
    ("2025-12-30", Colour.RED, "2026-01-07", "New Year 1–3 Jan; Sun 4 Jan works"),
    ("2026-02-12", Colour.RED, "2026-02-26", "Sat 14 Feb works; Spring Festival 15–23 Feb"),
    ("2026-02-26", Colour.RED, "2026-03-04", "Sat 28 Feb works"),
    ("2026-04-02", Colour.RED, "2026-04-10", "Qingming 4–6 Apr (Mon 6 Apr off)"),
    ("2026-04-29", Colour.RED, "2026-05-09", "Labour Day 1–5 May; Sat 9 May works"),
    ("2026-06-17", Colour.RED, "2026-06-25", "Dragon Boat 19–21 Jun"),
    ("2026-09-18", Colour.RED, "2026-09-24", "Sun 20 Sep works"),
    ("2026-09-24", Colour.RED, "2026-10-09", "Mid-Autumn 25–27 Sep; National Day 1–7 Oct"),
    ("2026-09-24", Colour.ORANGE, "2026-10-29", "20 days: Sat 10 Oct works"),
    ("2026-10-03", Colour.RED, "2026-10-13", "recorded on a holiday"),
    ("2026-10-08", Colour.RED, "2026-10-14", "Sat 10 Oct works, Sun 11 Oct does not"),
    ("2026-12-21", Colour.RED, "2026-12-28", "ordinary weeks, all in 2026"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("recorded_on", "colour", "due_on", "why"), CASES)
def test_due_date_follows_the_state_council_schedule(recorded_on, colour, due_on, why):
    assert due_date(colour, D(recorded_on)) == DueDate(D(due_on), False), why


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("recorded_on", "earliest"),
    [
        ("2026-09-24", "2026-10-30"),  # 21 working days, Sat 10 Oct among them
        ("2025-09-26", "2025-10-31"),  # Sun 28 Sep and Sat 11 Oct among them
    ],
)
def test_earliest_yellow_target_is_21_working_days_out(recorded_on, earliest):
    assert earliest_yellow_target(D(recorded_on)) == DueDate(D(earliest), False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("recorded_on", "due_on"),
    [
        ("2026-12-28", "2027-01-05"),  # New Year's Day 2027 by law, no make-up days guessed
        ("2027-02-03", "2027-02-12"),  # Spring Festival eve Fri 5 Feb and Mon 8 Feb off
        ("2027-09-13", "2027-09-21"),  # Mid-Autumn Wed 15 Sep 2027
        ("2027-09-30", "2027-10-08"),  # National Day Fri 1 Oct (2–3 Oct a weekend)
    ],
)
def test_a_year_without_a_schedule_falls_back_to_the_law_and_is_provisional(recorded_on, due_on):
    assert not statutory_covers(2027)
    assert due_date(Colour.RED, D(recorded_on)) == DueDate(D(due_on), True)


def test_the_fallback_keeps_only_the_holidays_fixed_by_law():
    assert sorted(legal_holidays(2027)) == [
        D(day)
        for day in [
            "2027-01-01",
            "2027-02-05",
            "2027-02-06",
            "2027-02-07",
            "2027-02-08",
            "2027-04-05",
            "2027-05-01",
            "2027-05-02",
            "2027-06-09",
            "2027-09-15",
            "2027-10-01",
            "2027-10-02",
            "2027-10-03",
        ]
    ]
    # The holidays package knows 2026's swapped days off, but not the make-up days that go
    # with them: the fallback must not take them.
    assert D("2026-10-07") not in legal_holidays(2026)
    assert D("2026-02-20") not in legal_holidays(2026)


@pytest.mark.django_db
def test_an_administrators_day_off_moves_the_due_date():
    CalendarDay.objects.create(date=D("2026-10-09"), is_working=False, note="台风")
    # Thu 8 Oct is the 4th working day; Sat 10 Oct (a make-up day) becomes the 5th.
    assert due_date(Colour.RED, D("2026-09-24")) == DueDate(D("2026-10-10"), False)


@pytest.mark.django_db
def test_an_administrators_working_day_moves_the_due_date_earlier():
    CalendarDay.objects.create(date=D("2026-10-07"), is_working=True)
    assert due_date(Colour.RED, D("2026-09-24")) == DueDate(D("2026-10-08"), False)


@pytest.mark.django_db
def test_an_entered_year_is_no_longer_provisional():
    CalendarYear.objects.create(year=2027)
    assert due_date(Colour.RED, D("2026-12-28")) == DueDate(D("2027-01-05"), False)


@pytest.mark.django_db
def test_a_yellow_target_in_a_year_without_a_schedule_is_provisional():
    target = D("2027-03-31")
    assert due_date(Colour.YELLOW, D("2026-09-24"), target) == DueDate(target, True)
    assert due_date(Colour.YELLOW, D("2026-09-24"), D("2026-12-01")) == DueDate(
        D("2026-12-01"), False
    )
    CalendarYear.objects.create(year=2027)
    assert due_date(Colour.YELLOW, D("2026-09-24"), target) == DueDate(target, False)


def test_a_day_the_administrator_entered_is_not_a_guess():
    calendar = WorkCalendar({D("2027-01-04"): True}, set())
    assert calendar.is_provisional_day(D("2027-01-05"))
    assert not calendar.is_provisional_day(D("2027-01-04"))
    assert not calendar.is_provisional_day(D("2026-01-05"))


@pytest.mark.django_db
def test_a_calendar_loads_a_year_it_was_not_asked_for_when_a_question_needs_it(
    django_assert_num_queries,
):
    CalendarDay.objects.create(date=D("2028-03-01"), is_working=False)
    with django_assert_num_queries(2):
        calendar = WorkCalendar.load(2026)
    with django_assert_num_queries(2):
        assert not calendar.is_working_day(D("2028-03-01"))
    with django_assert_num_queries(0):
        assert calendar.is_working_day(D("2028-03-02"))


def _count_day_by_day(calendar: WorkCalendar, start: dt.date, end: dt.date) -> int:
    step = 1 if end >= start else -1
    days = range(1, (end - start).days + 1) if step == 1 else range(0, (end - start).days, -1)
    total = sum(calendar.is_working_day(start + dt.timedelta(days=i)) for i in days)
    return total * step


def test_working_days_between_matches_counting_day_by_day():
    overrides = {
        D("2026-10-09"): False,
        D("2026-10-11"): True,
        D("2027-01-04"): False,
        D("2025-12-31"): False,
        D("2028-02-29"): False,
    }
    calendar = WorkCalendar(overrides, set())
    rng = random.Random(1)
    spans = [(D("2026-09-24"), D("2026-10-09")), (D("2026-10-09"), D("2026-09-24"))]
    for _i in range(200):
        start = D("2024-06-01") + dt.timedelta(days=rng.randrange(1500))
        spans.append((start, start + dt.timedelta(days=rng.randrange(-800, 800))))
    for start, end in spans:
        assert calendar.working_days_between(start, end) == _count_day_by_day(
            calendar, start, end
        ), (start, end)


def test_working_days_between_examples():
    calendar = WorkCalendar({}, set())
    assert calendar.working_days_between(D("2026-09-24"), D("2026-10-09")) == 5
    assert calendar.working_days_between(D("2026-10-09"), D("2026-09-24")) == -5
    assert calendar.working_days_between(D("2026-10-09"), D("2026-10-09")) == 0
    # The whole of 2026: 261 weekdays; 6 make-up weekend days (4 Jan, 14 and 28 Feb, 9 May,
    # 20 Sep, 10 Oct); 19 weekdays off (1–2 Jan; 16–20 and 23 Feb; 6 Apr; 1, 4 and 5 May;
    # 19 Jun; 25 Sep; 1–2 and 5–7 Oct).
    assert calendar.working_days_between(D("2025-12-31"), D("2026-12-31")) == 261 + 6 - 19
