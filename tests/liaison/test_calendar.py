"""The working-day calendar: the service, its recompute of open due dates, the page, the admin."""

import datetime as dt
from http import HTTPStatus

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.constants import EntryKind, EntryStatus, EventKind, Role
from liaison.forms.calendar import parse_dates
from liaison.models import AuditEvent, CalendarDay, CalendarYear, Entry, EntryEvent
from liaison.services.calendar import (
    calendar_day_clear,
    calendar_day_set,
    calendar_year_load,
    calendar_year_load_statutory,
)
from liaison.workdays import WorkCalendar, base_is_working
from tests.fixtures.factories import make_entry

D = dt.date.fromisoformat
MAINTAINERS = {Role.PARTY_BUILDING, Role.ADMINISTRATOR}

# A plausible 2027 schedule (the real one is published in November 2026).
HOLIDAYS_2027 = (
    "2027-01-01~2027-01-03\n2027-02-05~2027-02-11\n2027-04-03~2027-04-05\n"
    "2027-05-01~2027-05-05\n2027-06-09、2027-09-15\n2027-10-01~2027-10-07"
)
WORKDAYS_2027 = "2027-02-20, 2027-04-25；2027-09-26 2027-10-09"


@pytest.fixture
def secretary(world):
    return world.users[Role.BRANCH_SECRETARY]


@pytest.fixture
def admin_user(world):
    return world.users[Role.ADMINISTRATOR]


def recompute_events(entry):
    return list(entry.events.filter(kind=EventKind.DUE_RECOMPUTED).order_by("pk"))


# -- the service --------------------------------------------------------------------------------


def test_a_weekday_declared_off_moves_open_due_dates_and_logs_it_on_each(
    world, secretary, admin_user
):
    entry = make_entry(secretary, recorded_on=D("2026-09-24"))
    assert (entry.due_on, entry.version) == (D("2026-10-09"), 1)

    change = calendar_day_set(actor=admin_user, date=D("2026-10-09"), is_working=False, note="台风")

    entry.refresh_from_db()
    assert change.recomputed == 1
    assert entry.due_on == D("2026-10-10")  # the make-up Saturday becomes the 5th working day
    assert entry.version == 2  # a page opened before the change now gets a conflict
    [event] = recompute_events(entry)
    assert event.actor == admin_user
    assert event.before == {"due_on": "2026-10-09", "due_provisional": False}
    assert event.after == {"due_on": "2026-10-10", "due_provisional": False}
    assert "2026-10-09" in event.note and "2026-10-10" in event.note
    audit = AuditEvent.objects.get(object_type="liaison.calendarday")
    assert audit.actor == admin_user
    assert audit.action == AuditEvent.Action.CREATED
    assert audit.data["is_working"] == ["", "False"]
    assert audit.data["recomputed"] == 1


def test_clearing_the_day_restores_the_statutory_due_date(world, secretary, admin_user):
    entry = make_entry(secretary, recorded_on=D("2026-09-24"))
    calendar_day_set(actor=admin_user, date=D("2026-10-09"), is_working=False, note="")
    change = calendar_day_clear(actor=admin_user, date=D("2026-10-09"))
    entry.refresh_from_db()
    assert change.recomputed == 1
    assert entry.due_on == D("2026-10-09")
    assert entry.version == 3
    assert [e.after["due_on"] for e in recompute_events(entry)] == ["2026-10-10", "2026-10-09"]
    assert not CalendarDay.objects.exists()
    cleared = AuditEvent.objects.get(action=AuditEvent.Action.DEACTIVATED)
    assert cleared.data["is_working"] == ["False", ""]
    with pytest.raises(ValidationError):
        calendar_day_clear(actor=admin_user, date=D("2026-10-09"))


def test_the_recompute_leaves_closed_replied_and_untouched_entries_alone(
    world, secretary, admin_user
):
    touched = make_entry(secretary, recorded_on=D("2026-09-24"))
    replied = make_entry(secretary, recorded_on=D("2026-09-24"))
    closed = make_entry(secretary, recorded_on=D("2026-09-24"))
    void = make_entry(secretary, recorded_on=D("2026-09-24"))
    Entry.objects.filter(pk=replied.pk).update(status=EntryStatus.REPLIED)
    Entry.objects.filter(pk=closed.pk).update(status=EntryStatus.CLOSED)
    Entry.objects.filter(pk=void.pk).update(status=EntryStatus.VOID, void_reason="录重")
    basic = make_entry(secretary, kind=EntryKind.BASIC, recorded_on=D("2026-09-24"))
    due_before = make_entry(secretary, recorded_on=D("2026-09-18"))  # due 2026-09-24
    recorded_after = make_entry(secretary, recorded_on=D("2026-10-09"))
    others = [replied, closed, void, basic, due_before, recorded_after]
    stored = {
        e.pk: (e.due_on, e.version) for e in Entry.objects.filter(pk__in=[o.pk for o in others])
    }

    change = calendar_day_set(actor=admin_user, date=D("2026-10-09"), is_working=False)

    assert change.recomputed == 1
    touched.refresh_from_db()
    assert touched.due_on == D("2026-10-10")
    after = {e.pk: (e.due_on, e.version) for e in Entry.objects.filter(pk__in=stored)}
    assert after == stored
    assert not EntryEvent.objects.filter(
        kind=EventKind.DUE_RECOMPUTED, entry__in=[o.pk for o in others]
    ).exists()


def test_a_yellow_entry_keeps_its_target_and_loses_provisional_when_the_year_is_entered(
    world, secretary, admin_user
):
    yellow = make_entry(
        secretary, colour="yellow", recorded_on=D("2026-09-24"), target_on=D("2027-03-31")
    )
    red = make_entry(secretary, recorded_on=D("2026-12-28"))
    assert (yellow.due_on, yellow.due_provisional) == (D("2027-03-31"), True)
    assert (red.due_on, red.due_provisional) == (D("2027-01-05"), True)

    change = calendar_year_load(
        actor=admin_user,
        year=2027,
        holidays=parse_dates(HOLIDAYS_2027),
        workdays=parse_dates(WORKDAYS_2027),
        note="国办发明电〔2026〕…号",
    )

    assert change.recomputed == 2
    assert CalendarYear.objects.get(year=2027).entered_by == admin_user
    yellow.refresh_from_db()
    red.refresh_from_db()
    assert (yellow.due_on, yellow.due_provisional) == (D("2027-03-31"), False)
    # 29–31 Dec, then 1–3 Jan off: Mon 4 and Tue 5 Jan, as before, but no longer a guess.
    assert (red.due_on, red.due_provisional) == (D("2027-01-05"), False)
    [event] = recompute_events(red)
    assert event.before["due_provisional"] is True and event.after["due_provisional"] is False


def test_a_loaded_year_follows_its_schedule_and_replaces_what_was_entered_before(admin_user):
    CalendarDay.objects.create(date=D("2027-03-03"), is_working=False, note="earlier")
    CalendarDay.objects.create(date=D("2027-10-04"), is_working=True, note="earlier")
    holidays, workdays = parse_dates(HOLIDAYS_2027), parse_dates(WORKDAYS_2027)

    calendar_year_load(actor=admin_user, year=2027, holidays=holidays, workdays=workdays)

    calendar = WorkCalendar.load(2027)
    assert not calendar.is_provisional_year(2027)
    for i in range(365):
        day = D("2027-01-01") + dt.timedelta(days=i)
        expected = day in workdays or (day.weekday() < 5 and day not in holidays)
        assert calendar.is_working_day(day) == expected, day
    assert CalendarDay.objects.get(date=D("2027-10-04")).note == ""
    assert not CalendarDay.objects.filter(date=D("2027-03-03")).exists()
    assert AuditEvent.objects.get(object_type="liaison.calendaryear").data["rows_removed"] == [
        "2027-03-03"
    ]


def test_a_schedule_that_differs_from_the_statutory_one_wins(admin_user):
    holidays, workdays = [], []
    for i in range(365):
        day = D("2026-01-01") + dt.timedelta(days=i)
        if not chinese_calendar.is_workday(day) and day.weekday() < 5:
            holidays.append(day)
        if chinese_calendar.is_workday(day) and day.weekday() >= 5:
            workdays.append(day)
    holidays.remove(D("2026-10-07"))
    calendar_year_load(actor=admin_user, year=2026, holidays=holidays, workdays=workdays)
    assert CalendarDay.objects.get(date=D("2026-10-07")).is_working
    assert WorkCalendar.load(2026).is_working_day(D("2026-10-07"))


def test_copying_the_statutory_schedule_changes_no_day(world, secretary, admin_user):
    entry = make_entry(secretary, recorded_on=D("2026-09-24"))
    change = calendar_year_load_statutory(actor=admin_user, year=2026)
    assert change.recomputed == 0
    entry.refresh_from_db()
    assert entry.due_on == D("2026-10-09") and entry.version == 1
    calendar = WorkCalendar.load(2026)
    for i in range(365):
        day = D("2026-01-01") + dt.timedelta(days=i)
        assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
    assert CalendarDay.objects.get(date=D("2026-09-20")).is_working  # make-up Sunday
    assert not CalendarDay.objects.get(date=D("2026-10-01")).is_working
    with pytest.raises(ValidationError):
        calendar_year_load_statutory(actor=admin_user, year=2027)


@pytest.mark.parametrize(
    ("holidays", "workdays", "field"),
    [
        ([], [], "holidays"),
        ([D("2026-10-01")], [], "holidays"),  # another year
        ([D("2027-10-01")], [D("2027-10-06")], "workdays"),  # a Wednesday
        ([D("2027-10-09")], [D("2027-10-09")], "workdays"),  # both
    ],
)
def test_a_schedule_that_cannot_be_right_is_refused(admin_user, holidays, workdays, field):
    with pytest.raises(ValidationError) as error:
        calendar_year_load(actor=admin_user, year=2027, holidays=holidays, workdays=workdays)
    assert field in error.value.message_dict
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()


def test_a_reopened_entry_counts_from_the_day_it_was_reopened(world, secretary, admin_user):
    entry = make_entry(secretary, recorded_on=D("2026-09-01"))
    Entry.objects.filter(pk=entry.pk).update(reopen_count=1, due_on=D("2026-10-09"))
    reopened = EntryEvent.objects.create(entry=entry, kind=EventKind.REOPENED, actor=secretary)
    EntryEvent.objects.filter(pk=reopened.pk).update(at=dt.datetime(2026, 9, 24, 10, tzinfo=dt.UTC))
    calendar_day_set(actor=admin_user, date=D("2026-10-09"), is_working=False)
    entry.refresh_from_db()
    assert entry.due_on == D("2026-10-10")


def test_the_recompute_takes_the_same_queries_for_50_entries_as_for_5(
    world, secretary, admin_user, django_assert_max_num_queries
):
    first = make_entry(secretary, recorded_on=D("2026-09-24"))

    def copies(n):
        rows = []
        for i in range(n):
            row = Entry.objects.get(pk=first.pk)
            row.pk, row.number = None, f"{first.number}-{i}-{n}"
            rows.append(row)
        Entry.objects.bulk_create(rows)

    copies(4)
    with CaptureQueriesContext(connection) as five:
        assert (
            calendar_day_set(actor=admin_user, date=D("2026-10-09"), is_working=False).recomputed
            == 5
        )
    copies(45)
    with django_assert_max_num_queries(len(five)):
        assert (
            calendar_day_set(actor=admin_user, date=D("2026-10-09"), is_working=True).recomputed
            == 50
        )
    assert EntryEvent.objects.filter(kind=EventKind.DUE_RECOMPUTED).count() == 55
    assert set(Entry.objects.values_list("due_on", flat=True)) == {D("2026-10-09")}


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("2027-10-01", ["2027-10-01"]),
        ("2027-10-01~2027-10-03", ["2027-10-01", "2027-10-02", "2027-10-03"]),
        ("2027-2-5..2027-2-6，2027-04-05、2027-04-05", ["2027-02-05", "2027-02-06", "2027-04-05"]),
        ("2027-05-01至2027-05-02\n\n 2027-01-01 ", ["2027-01-01", "2027-05-01", "2027-05-02"]),
        ("", []),
    ],
)
def test_parse_dates_reads_dates_and_ranges(text, dates):
    assert parse_dates(text) == [D(d) for d in dates]


@pytest.mark.parametrize(
    "text", ["2027-02-30", "tomorrow", "2027-10-07~2027-10-01", "2027-01-01~2027-03-01"]
)
def test_parse_dates_refuses_what_is_not_a_date(text):
    with pytest.raises(ValidationError):
        parse_dates(text)


# -- the page -----------------------------------------------------------------------------------


POSTS = [
    ("liaison:calendar_day_set", {"date": "2026-10-09", "is_working": "0", "note": ""}),
    ("liaison:calendar_day_clear", {"date": "2026-10-09"}),
    ("liaison:calendar_year_load", {"year": "2027", "holidays": "2027-10-01", "workdays": ""}),
    ("liaison:calendar_year_statutory", {"year": "2026"}),
]


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    for url in [reverse("liaison:calendar")] + [reverse(name) for name, _data in POSTS]:
        response = client.post(url) if url != reverse("liaison:calendar") else client.get(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", list(Role))
def test_only_maintainers_reach_the_calendar(world, client_for, role):
    client = client_for(world.users[role])
    expected = HTTPStatus.OK if role in MAINTAINERS else HTTPStatus.NOT_FOUND
    assert client.get(reverse("liaison:calendar")).status_code == expected
    context = client.get(reverse("home")).context
    nav = context["nav_items"] + context["nav_upkeep"]
    assert ("calendar" in [key for key, _label, _url in nav]) == (role in MAINTAINERS)


@pytest.mark.parametrize("role", sorted(set(Role) - MAINTAINERS))
@pytest.mark.parametrize(("url_name", "data"), POSTS)
def test_nobody_else_changes_the_calendar(world, client_for, role, url_name, data):
    CalendarDay.objects.create(date=D("2026-10-09"), is_working=False)
    response = client_for(world.users[role]).post(reverse(url_name), data)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [D("2026-10-09")]
    assert not CalendarYear.objects.exists()


@pytest.mark.parametrize("url_name", [name for name, _data in POSTS])
def test_changes_need_a_post(world, client_for, url_name):
    client = client_for(world.users[Role.PARTY_BUILDING])
    assert client.get(reverse(url_name)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_year_shows_working_days_make_up_days_holidays_and_overrides(world, client_for):
    CalendarDay.objects.create(date=D("2026-03-03"), is_working=False, note="台风停工")
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(reverse("liaison:calendar"), {"year": "2026"})
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'data-testid="provisional-warning"' not in body
    assert 'data-testid="next-year-warning"' in body  # 2027 is not entered
    assert 'data-date="2026-09-20" data-working="1"' in body  # make-up Sunday
    assert 'data-date="2026-10-07" data-working="0"' in body
    assert 'data-date="2026-10-08" data-working="1"' in body
    assert 'data-date="2026-03-03" data-working="0"' in body
    assert "台风停工" in body
    breaks = response.context["view"].breaks
    national_day = next(b for b in breaks if b.first == D("2026-10-01"))
    assert national_day.last == D("2026-10-07")
    assert national_day.makeup_days == (D("2026-09-20"), D("2026-10-10"))
    assert [b.first for b in breaks] == sorted(b.first for b in breaks)
    assert len(breaks) == 7
    assert response.context["view"].working_days == 248 - 1  # 3 March entered as a day off


def test_a_year_without_a_schedule_shows_the_warning_until_it_is_entered(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    body = client.get(reverse("liaison:calendar"), {"year": "2027"}).content.decode()
    assert 'data-testid="provisional-warning"' in body
    assert 'data-testid="statutory-form"' not in body
    CalendarYear.objects.create(year=2027)
    body = client.get(reverse("liaison:calendar"), {"year": "2027"}).content.decode()
    assert 'data-testid="provisional-warning"' not in body


@pytest.mark.parametrize("year", ["abc", "1999", "2100", "-1", "2026.5", "²⁰²⁶", "9" * 5000])
def test_a_bad_year_is_a_400(world, client_for, year):
    client = client_for(world.users[Role.PARTY_BUILDING])
    assert client.get(reverse("liaison:calendar"), {"year": year}).status_code == 400


def test_setting_and_clearing_a_day_on_the_page(world, client_for, secretary):
    entry = make_entry(secretary, recorded_on=D("2026-09-24"))
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.post(
        reverse("liaison:calendar_day_set"),
        {"date": "2026-10-09", "is_working": "0", "note": "台风"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("liaison:calendar") + "?year=2026"
    entry.refresh_from_db()
    assert entry.due_on == D("2026-10-10")
    assert (
        CalendarDay.objects.get(date=D("2026-10-09")).updated_by == world.users[Role.PARTY_BUILDING]
    )
    response = client.post(reverse("liaison:calendar_day_clear"), {"date": "2026-10-09"})
    assert response.status_code == HTTPStatus.FOUND
    entry.refresh_from_db()
    assert entry.due_on == D("2026-10-09")


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("liaison:calendar_day_set", {"date": "2026-02-30", "is_working": "0"}),
        ("liaison:calendar_day_set", {"date": "2026-10-09", "is_working": "maybe"}),
        ("liaison:calendar_day_set", {"date": "1999-10-09", "is_working": "0"}),
        ("liaison:calendar_day_set", {"date": "2026-10-09", "is_working": "0", "note": "x" * 101}),
        ("liaison:calendar_day_clear", {"date": "2026-10-09"}),  # nothing entered that day
        ("liaison:calendar_day_clear", {"date": "nope"}),
        ("liaison:calendar_year_load", {"year": "2027", "holidays": "", "workdays": ""}),
        ("liaison:calendar_year_load", {"year": "2027", "holidays": "2027-13-01"}),
        ("liaison:calendar_year_load", {"year": "2027", "holidays": "2026-10-01"}),
        ("liaison:calendar_year_load", {"year": "x", "holidays": "2027-10-01"}),
        (
            "liaison:calendar_year_load",
            {"year": "2027", "holidays": "2027-10-01", "workdays": "2027-10-06"},
        ),
        ("liaison:calendar_year_statutory", {"year": "2027"}),  # not covered
        ("liaison:calendar_year_statutory", {"year": ""}),
    ],
)
def test_bad_input_is_a_400_with_the_form_and_changes_nothing(world, client_for, url_name, data):
    client = client_for(world.users[Role.ADMINISTRATOR])
    response = client.post(reverse(url_name), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'data-testid="months"' in response.content.decode()
    assert not CalendarDay.objects.exists()
    assert not CalendarYear.objects.exists()


def test_loading_a_year_on_the_page(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.post(
        reverse("liaison:calendar_year_load"),
        {"year": "2027", "holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027, "note": "通知"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.endswith("?year=2027")
    assert CalendarYear.objects.get(year=2027).note == "通知"
    assert CalendarDay.objects.get(date=D("2027-02-20")).is_working
    body = client.get(response.url).content.decode()
    assert 'data-testid="provisional-warning"' not in body
    assert 'data-date="2027-02-20" data-working="1"' in body


def test_copying_the_statutory_schedule_on_the_page(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.post(reverse("liaison:calendar_year_statutory"), {"year": "2026"})
    assert response.status_code == HTTPStatus.FOUND
    assert CalendarYear.objects.filter(year=2026).exists()
    assert not CalendarDay.objects.get(date=D("2026-10-01")).is_working


# -- the admin ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["calendarday", "calendaryear", "channel", "servicecategory", "serviceitem"]
)
def test_administrator_lists_searches_and_adds(world, client_for, model):
    client = client_for(world.users[Role.ADMINISTRATOR])
    url = reverse(f"admin:liaison_{model}_changelist")
    assert client.get(url).status_code == HTTPStatus.OK
    assert client.get(url, {"q": "安全"}).status_code == HTTPStatus.OK
    assert client.get(reverse(f"admin:liaison_{model}_add")).status_code == HTTPStatus.OK


def test_a_day_saved_in_the_admin_recomputes_and_is_audited(world, client_for, secretary):
    entry = make_entry(secretary, recorded_on=D("2026-09-24"))
    client = client_for(world.users[Role.ADMINISTRATOR])
    response = client.post(
        reverse("admin:liaison_calendarday_add"),
        {"date": "2026-10-09", "is_working": "", "note": "台风"},
    )
    assert response.status_code == HTTPStatus.FOUND
    entry.refresh_from_db()
    assert entry.due_on == D("2026-10-10")
    assert len(recompute_events(entry)) == 1
    assert AuditEvent.objects.filter(object_type="liaison.calendarday").count() == 1
    day = CalendarDay.objects.get()
    assert client.get(reverse("admin:liaison_calendarday_delete", args=[day.pk])).status_code == (
        HTTPStatus.FORBIDDEN
    )
    response = client.post(
        reverse("admin:liaison_calendarday_change", args=[day.pk]),
        {"is_working": "on", "note": "复工"},
    )
    assert response.status_code == HTTPStatus.FOUND
    entry.refresh_from_db()
    assert entry.due_on == D("2026-10-09")
    bad = client.post(
        reverse("admin:liaison_calendarday_add"), {"date": "1999-01-04", "is_working": ""}
    )
    assert bad.status_code == HTTPStatus.OK  # the admin shows the form again with the error
    assert CalendarDay.objects.count() == 1


def test_a_year_marked_in_the_admin_ends_provisional_due_dates(world, client_for, secretary):
    entry = make_entry(secretary, recorded_on=D("2026-12-28"))
    assert entry.due_provisional
    client = client_for(world.users[Role.ADMINISTRATOR])
    response = client.post(reverse("admin:liaison_calendaryear_add"), {"year": "2027", "note": ""})
    assert response.status_code == HTTPStatus.FOUND
    entry.refresh_from_db()
    assert not entry.due_provisional
    assert AuditEvent.objects.filter(object_type="liaison.calendaryear").count() == 1


def test_an_item_edited_in_its_category_is_audited(world, client_for):
    from liaison.models import ServiceCategory

    category = ServiceCategory.objects.order_by("pk").first()
    items = list(category.items.order_by("pk"))
    client = client_for(world.users[Role.ADMINISTRATOR])
    url = reverse("admin:liaison_servicecategory_change", args=[category.pk])
    prefix = "items"
    data = {
        "name": category.name,
        "position": category.position,
        "is_active": "on",
        f"{prefix}-TOTAL_FORMS": str(len(items) + 1),
        f"{prefix}-INITIAL_FORMS": str(len(items)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        data.update(
            {
                f"{prefix}-{i}-id": item.pk,
                f"{prefix}-{i}-category": category.pk,
                f"{prefix}-{i}-name": item.name,
                f"{prefix}-{i}-default_department": item.default_department_id or "",
                f"{prefix}-{i}-position": item.position,
                f"{prefix}-{i}-is_active": "on" if item.is_active else "",
            }
        )
    data[f"{prefix}-0-default_department"] = world.department.pk
    new = len(items)
    data.update(
        {
            f"{prefix}-{new}-category": category.pk,
            f"{prefix}-{new}-name": "新增事项",
            f"{prefix}-{new}-position": "99",
            f"{prefix}-{new}-is_active": "on",
        }
    )
    response = client.post(url, data)
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    items[0].refresh_from_db()
    assert items[0].default_department == world.department
    changed = AuditEvent.objects.get(object_type="liaison.serviceitem", object_id=str(items[0].pk))
    assert changed.data == {"default_department": ["", "运维检修部"]}
    created = category.items.get(name="新增事项")
    assert AuditEvent.objects.filter(
        object_type="liaison.serviceitem",
        object_id=str(created.pk),
        action=AuditEvent.Action.CREATED,
    ).exists()


def test_base_schedule_is_what_an_override_is_compared_with():
    # A make-up Sunday is a working day before any override; an ordinary Sunday is not.
    assert base_is_working(D("2026-09-20"))
    assert not base_is_working(D("2026-09-27"))
