"""Logging a visit with its entries (R14, R2–R7, R11): one POST, all or nothing, per-row errors."""

from __future__ import annotations

import datetime as dt
import re
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from liaison.constants import Colour, EntryKind, EventKind, Level, PlaceType, Role
from liaison.models import (
    Channel,
    Entry,
    EntryEvent,
    EntryNumberSequence,
    ServiceItem,
    Visit,
)
from liaison.services.visits import VisitRejected, visit_check, visit_log
from liaison.workdays import WorkCalendar
from tests.fixtures.factories import make_entry, make_user
from tests.fixtures.visits import form_data, ref

# Every role but a handler's and the two administrators who read no ledger (三员分立).
RECORDERS = [
    role
    for role in Role
    if role not in (Role.DEPARTMENT_HANDLER, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
]
URL = "liaison:visit_create"


def today() -> dt.date:
    return timezone.localdate()


def earliest_yellow() -> dt.date:
    return WorkCalendar.load(today().year).earliest_yellow_target(today()).due_on


def written() -> tuple[int, int, int, int]:
    """What a save writes: visits, entries, timeline events, and the numbers handed out."""
    numbers = sum(EntryNumberSequence.objects.values_list("last", flat=True))
    return (Visit.objects.count(), Entry.objects.count(), EntryEvent.objects.count(), numbers)


@pytest.fixture
def secretary_client(world, client_for):
    return client_for(world.users[Role.BRANCH_SECRETARY])


def post(client, data, **extra):
    return client.post(reverse(URL), data, **extra)


# -- Saving ---------------------------------------------------------------------------------------


def test_a_visit_with_three_entries_red_orange_yellow_in_one_post(world, secretary_client):
    rows = [
        {"colour": Colour.RED, "title": "变压器容量不足"},
        {"colour": Colour.ORANGE, "title": "计划停电影响生产", "kind": EntryKind.SUGGESTION},
        {"colour": Colour.YELLOW, "title": "线路改造", "target_on": earliest_yellow().isoformat()},
    ]
    response = post(secretary_client, form_data(world, rows))
    visit = Visit.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("liaison:visit_detail", args=[visit.pk])
    entries = list(visit.entries.order_by("pk"))
    assert [e.colour for e in entries] == [Colour.RED, Colour.ORANGE, Colour.YELLOW]
    secretary = world.users[Role.BRANCH_SECRETARY]
    for entry in entries:
        assert entry.owner == entry.recorded_by == secretary
        assert entry.informant == world.customer_a  # the visited party, by default
        assert entry.recorded_on == visit.visited_on == today()
        assert entry.level == Level.GRASSROOTS_BRANCH
        assert entry.org == world.branch_a
    assert entries[2].due_on == earliest_yellow()
    assert visit.place_type == PlaceType.ENTERPRISE  # from the visited party's kind
    page = secretary_client.get(response.url).content.decode()
    for entry in entries:
        assert entry.number in page  # the message lists the numbers; the page links them


def test_a_visit_without_entries_is_saved_for_coverage(world, secretary_client):
    data = form_data(world, [{}])
    data.update({"entries-0-title": "", "entries-0-colour": "", "entries-0-item": ""})  # untouched
    response = post(secretary_client, data)
    assert response.status_code == HTTPStatus.FOUND
    assert Visit.objects.count() == 1
    assert Entry.objects.count() == 0


def test_the_visitors_and_the_informant_typed_by_name(world, secretary_client):
    data = form_data(world, [{"informant": world.special_a.name, "party": ref(world.member_a)}])
    data["visitors"] = [world.member_a.pk]
    assert post(secretary_client, data).status_code == HTTPStatus.FOUND
    visit = Visit.objects.get()
    entry = visit.entries.get()
    assert (entry.informant, entry.party) == (world.special_a, world.member_a)
    assert list(visit.visitors.all()) == [world.member_a]


def test_a_row_left_out_is_not_recorded_even_if_invalid(world, secretary_client):
    data = form_data(world, [{"title": "留下"}, {"title": "", "colour": "", "DELETE": "on"}])
    assert post(secretary_client, data).status_code == HTTPStatus.FOUND
    assert list(Entry.objects.values_list("title", flat=True)) == ["留下"]


# -- Bad input: 400, the message where it belongs, nothing written ---------------------------------


def test_a_yellow_target_inside_21_working_days_is_refused_on_its_row(world, secretary_client):
    too_soon = earliest_yellow() - dt.timedelta(days=1)
    rows = [
        {"colour": Colour.RED},
        {"colour": Colour.YELLOW, "target_on": too_soon.isoformat()},
    ]
    before = written()
    response = post(secretary_client, form_data(world, rows))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert written() == before
    row = response.context["form"].rows.forms[1]
    assert "target_on" in row.errors
    assert earliest_yellow().isoformat() in row.errors["target_on"][0]
    assert not response.context["form"].rows.forms[0].errors
    assert 'id="id_entries-1-target_on_error"' in response.content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"visited_on": ""}, "visited_on"),
        ({"org": ""}, "org"),
        ({"visited_party": "", "place": ""}, "visited_party"),
        ({"visited_on": "2020-01-01"}, "visited_on"),
        ({"entries-0-title": ""}, "title"),
        ({"entries-0-item": ""}, "item"),
        ({"entries-0-colour": ""}, "colour"),
        ({"entries-0-colour": Colour.YELLOW}, "target_on"),
    ],
)
def test_missing_fields_answer_400_and_write_nothing(world, secretary_client, change, field):
    data = form_data(world, [{"title": "变压器容量不足"}])
    data.update(change)
    before = written()
    response = post(secretary_client, data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert written() == before
    form = response.context["form"]
    errors = {**form.visit.errors, **form.rows.forms[0].errors}
    assert field in errors


def test_a_visit_date_in_the_future_is_refused(world, secretary_client):
    data = form_data(world, [{}], visited_on=(today() + dt.timedelta(days=1)).isoformat())
    response = post(secretary_client, data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "visited_on" in response.context["form"].visit.errors


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("visited_party", lambda w: ref(w.member_b)),  # another committee's branch
        ("visited_party", lambda w: "NOSUCHCODE"),
        ("entries-0-informant", lambda w: ref(w.member_b)),
        ("entries-0-party", lambda w: "999999"),
        ("entries-0-item", lambda w: 999999),
        ("entries-0-channel", lambda w: "abc"),
        ("org", lambda w: w.branch_b.pk),
        ("org", lambda w: w.committee_a.pk),  # in scope? no: not a branch or group anyway
        ("visitors", lambda w: w.member_b.pk),
        ("visitors", lambda w: w.customer_a.pk),  # a customer does not go visiting
        ("entries-0-duplicate_of", lambda w: 999999),
        ("entries-TOTAL_FORMS", lambda w: 500),
    ],
)
def test_a_forged_or_out_of_scope_id_answers_400_and_writes_nothing(
    world, secretary_client, field, value
):
    data = form_data(world, [{"title": "变压器容量不足"}])
    data[field] = value(world)
    before = written()
    response = post(secretary_client, data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert written() == before
    assert 'class="invalid-feedback d-block"' in response.content.decode() or (
        'class="alert alert-danger"' in response.content.decode()
    )


def test_an_earlier_entry_out_of_scope_cannot_be_linked(world, secretary_client):
    outsider = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    hidden = make_entry(outsider, informant=world.member_b)
    data = form_data(world, [{"duplicate_of": hidden.pk}])
    before = written()
    response = post(secretary_client, data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert written() == before
    assert "duplicate_of" in response.context["form"].rows.forms[0].errors
    summary = re.search(r'data-testid="visit-errors".*?</div>', response.content.decode(), re.S)
    assert '<a href="#entries-0" class="alert-link">第 1 条 · 重复于</a>' in summary.group(0)


def test_no_row_is_written_when_a_later_row_fails_in_the_service(world):
    """The service itself refuses the whole visit when one row is wrong (rows are checked
    before anything is written, and the transaction covers the rest)."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    channel = Channel.objects.first()
    item = ServiceItem.objects.first()
    good = {"kind": EntryKind.PROBLEM, "colour": Colour.RED, "channel": channel, "item": item,
            "title": "好的一条"}  # fmt: skip
    bad = {**good, "colour": Colour.YELLOW, "target_on": today()}
    before = written()
    with pytest.raises(VisitRejected) as error:
        visit_log(actor=secretary, org=world.branch_a, visited_on=today(),
                  place_type=PlaceType.EMPLOYEE, visited_party=world.special_a,
                  entries=[good, good, bad])  # fmt: skip
    assert set(error.value.row_errors) == {2}
    assert written() == before


def test_a_handler_cannot_log_a_visit_through_the_service(world):
    with pytest.raises(PermissionDenied):
        visit_log(actor=world.users[Role.DEPARTMENT_HANDLER], org=world.branch_a,
                  visited_on=today(), place_type=PlaceType.OTHER, place="某地")  # fmt: skip


# -- Every objection in one round ----------------------------------------------------------------


def errors_of(response) -> dict:
    """{"visit": {field: messages}, 0: {field: messages}, …} of the form shown again."""
    form = response.context["form"]
    found = {"visit": {k: list(v) for k, v in form.visit.errors.items()}}
    for index, row in enumerate(form.rows.forms):
        found[index] = {k: list(v) for k, v in row.errors.items()}
    return found


def test_one_submission_reports_every_missing_field_of_the_visit_and_its_rows(
    world, secretary_client
):
    """The form's own checks (required fields) and the service's (colour, target date,
    informant, whom was visited) answer together: nothing surfaces only once the rest is fixed."""
    rows = [
        {"title": "", "colour": ""},  # no title, no colour; no informant, none visited
        {"item": "", "colour": Colour.YELLOW},  # no item, yellow without a target, no informant
        {"title": "这一条没问题", "informant": ref(world.special_a)},
    ]
    data = form_data(world, rows, visited_on="", visited_party="", place="")
    before = written()
    response = post(secretary_client, data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert written() == before
    assert errors_of(response) == {
        "visit": {
            "visited_on": ["请填写走访日期。"],
            "visited_party": ["请填写被走访对象、单位或地点。"],
            "place_type": ["请选择走访对象类型。"],
        },
        0: {
            "title": ["请填写标题：用几个字概括反映的事项。"],
            "informant": ["请填写反映人，或在上方填写被走访对象。"],
            "colour": ["请选择红色、橙色或黄色。"],
        },
        1: {
            "item": ["请选择服务事项。"],
            "informant": ["请填写反映人，或在上方填写被走访对象。"],
            "target_on": ["黄色记录单须填写目标日期。"],
        },
        2: {},
    }
    body = response.content.decode()
    summary = re.search(r'data-testid="visit-errors".*?</div>', body, re.S).group(0)
    assert "未保存：有 9 处需要更正。" in summary
    anchors = ["id_visited_on", "id_visited_party", "id_entries-0-title", "id_entries-0-colour_0",
               "id_entries-1-item", "id_entries-1-target_on"]  # fmt: skip
    for anchor in anchors:
        assert f'href="#{anchor}"' in summary
    assert "第 2 条 · 服务事项</a> — 请选择服务事项。" in summary
    assert summary.index("id_visited_party") < summary.index("id_place_type")  # the page's order
    assert 'id="id_entries-1-target_on_error"' in body  # and each under its own field


def test_the_visit_date_and_ledger_missing_with_row_errors(world, secretary_client):
    rows = [{"channel": "", "colour": Colour.ORANGE, "kind": ""}, {"title": ""}]
    data = form_data(world, rows, org="")
    response = post(secretary_client, data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert errors_of(response) == {
        "visit": {"org": ["请选择记入哪个台账。"]},
        0: {
            "kind": ["请选择类别：基本信息、意见建议或问题困难。"],
            "channel": ["请选择来源渠道。"],
        },
        1: {"title": ["请填写标题：用几个字概括反映的事项。"]},
    }


def test_a_date_in_the_future_and_a_row_without_a_colour_come_together(world, secretary_client):
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    data = form_data(world, [{"colour": ""}, {"title": ""}], visited_on=tomorrow)
    response = post(secretary_client, data)
    assert errors_of(response) == {
        "visit": {"visited_on": ["走访日期不能晚于今天。"]},
        0: {"colour": ["请选择红色、橙色或黄色。"]},
        1: {"title": ["请填写标题：用几个字概括反映的事项。"]},
    }


def test_a_yellow_target_too_soon_is_judged_with_the_forms_errors(world, secretary_client):
    too_soon = (earliest_yellow() - dt.timedelta(days=1)).isoformat()
    rows = [{"colour": Colour.YELLOW, "target_on": too_soon}, {"title": ""}]
    response = post(secretary_client, form_data(world, rows))
    found = errors_of(response)
    assert earliest_yellow().isoformat() in found[0]["target_on"][0]
    assert list(found[1]) == ["title"]


def test_a_field_the_form_refused_is_not_judged_again(world, secretary_client):
    """A mistyped visited party says so once, and the rows that would take it as their informant
    are not told they have none; a mistyped date is not also "missing"."""
    rows = [{"colour": Colour.YELLOW, "target_on": "2026-13-45"}, {"informant": "NOBODY"}]
    data = form_data(world, rows, visited_party="NOSUCHCODE")
    response = post(secretary_client, data)
    assert errors_of(response) == {
        "visit": {"visited_party": ["您的范围内没有编码或姓名为“NOSUCHCODE”的人员或单位。"]},
        0: {"target_on": ["请按 2026-10-17 的格式填写日期。"]},
        1: {"informant": ["您的范围内没有编码或姓名为“NOBODY”的人员或单位。"]},
    }


def test_once_corrected_the_visit_is_saved_in_the_second_round(world, secretary_client):
    data = form_data(world, [{"title": "", "colour": ""}], visited_on="")
    assert post(secretary_client, data).status_code == HTTPStatus.BAD_REQUEST
    data.update({"visited_on": today().isoformat(), "entries-0-title": "路灯不亮",
                 "entries-0-colour": Colour.RED})  # fmt: skip
    assert post(secretary_client, data).status_code == HTTPStatus.FOUND
    assert list(Entry.objects.values_list("title", flat=True)) == ["路灯不亮"]


def test_no_summary_on_a_fresh_page_or_when_adding_a_row(world, secretary_client):
    assert 'data-testid="visit-errors"' not in secretary_client.get(reverse(URL)).content.decode()
    data = {**form_data(world, [{"title": ""}], visited_on=""), "add_row": "1"}
    assert 'data-testid="visit-errors"' not in post(secretary_client, data).content.decode()


def test_the_service_judges_a_partial_visit_without_writing(world):
    """visit_check, as the form calls it while it refuses something: the refused fields are
    left to the form, everything else is judged."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    item = ServiceItem.objects.first()
    before = written()
    with pytest.raises(VisitRejected) as error:
        visit_check(actor=secretary, org=None, visited_on=None, place_type="", place="",
                    visited_party=None, refused={"org", "visited_on"},
                    entries=[{"kind": EntryKind.PROBLEM, "colour": "", "item": item}, {}],
                    rows_refused=[set(), {"kind", "title"}])  # fmt: skip
    assert error.value.visit_errors == {
        "place_type": ["请选择走访对象类型。"],
        "visited_party": ["请填写被走访对象、单位或地点。"],
    }
    assert error.value.row_errors == {
        0: {
            "informant": ["请填写反映人，或在上方填写被走访对象。"],
            "colour": ["请选择红色、橙色或黄色。"],
        },
        1: {"informant": ["请填写反映人，或在上方填写被走访对象。"]},
    }
    assert written() == before


# -- Adding rows --------------------------------------------------------------------------------


def test_add_row_without_javascript_keeps_what_was_typed(world, secretary_client):
    data = form_data(world, [{"title": "食堂饮水问题", "description": "水质差"}])
    data["add_row"] = "1"
    data["visited_on"] = ""  # not judged yet: adding a row is not a save
    before = written()
    response = post(secretary_client, data)
    assert response.status_code == HTTPStatus.OK
    assert written() == before
    body = response.content.decode()
    assert 'name="entries-TOTAL_FORMS" value="2"' in body
    assert 'value="食堂饮水问题"' in body and "水质差" in body
    assert 'name="entries-1-title"' in body
    assert "invalid-feedback" not in body


def test_the_htmx_row_fragment_is_the_next_row_and_counts_it(world, secretary_client):
    response = secretary_client.get(
        reverse("liaison:visit_entry_row"), {"entries-TOTAL_FORMS": "2"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert 'name="entries-2-title"' in body
    assert 'name="entries-2-DELETE"' in body
    assert "<html" not in body
    assert 'id="id_entries-TOTAL_FORMS" hx-swap-oob="true"' in body
    assert 'name="entries-TOTAL_FORMS" value="3"' in body


@pytest.mark.parametrize("total", ["20", "-1", "x", ""])
def test_the_row_fragment_refuses_a_bad_index(world, secretary_client, total):
    response = secretary_client.get(
        reverse("liaison:visit_entry_row"), {"entries-TOTAL_FORMS": total}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_the_page_has_stable_ids_for_the_browser_test(world, secretary_client):
    body = secretary_client.get(reverse(URL)).content.decode()
    for marker in ['data-testid="add-entry-row"', 'data-testid="save-visit"', 'id="id_visited_on"',
                   'id="id_org"', 'id="id_visited_party"', 'id="id_entries-0-title"',
                   'id="id_entries-0-item"', '<datalist id="people-options">']:  # fmt: skip
        assert marker in body


def test_choosing_another_ledger_offers_its_party_members(world, secretary_client):
    response = secretary_client.get(reverse(URL), {"org": world.group_a.pk}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<fieldset id="visitors"')
    assert world.member_a.name in body


# -- Who may log a visit ------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_recorder_opens_the_page_and_a_handler_gets_404(world, client_for, role):
    client = client_for(world.users[role])
    expected = HTTPStatus.OK if role in RECORDERS else HTTPStatus.NOT_FOUND
    assert client.get(reverse(URL)).status_code == expected
    helpers = {
        "liaison:visit_entry_row": {"entries-TOTAL_FORMS": "1"},
        "liaison:person_search": {"q": "党员"},
        "liaison:entry_similar": {"row": "entries-0", "entries-0-title": "变压器增容"},
    }
    for name, params in helpers.items():
        assert client.get(reverse(name), params).status_code == expected, name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", [URL, "liaison:visit_entry_row", "liaison:person_search", "liaison:entry_similar"]
)
def test_anonymous_goes_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("login"))


def test_a_handler_posting_gets_404_and_nothing_is_written(world, client_for):
    client = client_for(world.users[Role.DEPARTMENT_HANDLER])
    before = written()
    assert post(client, form_data(world, [{}])).status_code == HTTPStatus.NOT_FOUND
    assert written() == before


@pytest.mark.parametrize(
    ("role", "level"),
    [
        (Role.LEADERSHIP_CADRE, Level.LEADERSHIP),
        (Role.GRASSROOTS_CADRE, Level.GRASSROOTS_BRANCH),
        (Role.COMMITTEE_STAFF, Level.GRASSROOTS_BRANCH),
        (Role.PARTY_BUILDING, Level.GRASSROOTS_BRANCH),
    ],
)
def test_the_level_follows_the_recorders_role(world, client_for, role, level):
    response = post(client_for(world.users[role]), form_data(world, [{}]))
    assert response.status_code == HTTPStatus.FOUND
    assert Entry.objects.get().level == level


def test_a_party_member_logs_into_their_group(world, client_for):
    member = world.users[Role.PARTY_MEMBER]
    data = form_data(world, [{}], org=world.group_a.pk, visited_party=ref(world.member_a))
    assert post(client_for(member), data).status_code == HTTPStatus.FOUND
    entry = Entry.objects.get()
    assert (entry.org, entry.level) == (world.group_a, Level.PARTY_MEMBER)


# -- Duplicates (R11) ---------------------------------------------------------------------------


def test_a_row_linked_as_the_same_matter_gets_duplicate_of_and_an_event(world, secretary_client):
    original = make_entry(world.users[Role.BRANCH_SECRETARY], informant=world.customer_a)
    data = form_data(world, [{"title": "变压器增容", "duplicate_of": original.pk}])
    assert post(secretary_client, data).status_code == HTTPStatus.FOUND
    entry = Entry.objects.exclude(pk=original.pk).get()
    assert entry.duplicate_of == original
    event = entry.events.get(kind=EventKind.LINKED_DUPLICATE)
    assert event.after["duplicate_of"] == original.pk


def test_linking_to_a_duplicate_links_to_its_original(world, secretary_client):
    secretary = world.users[Role.BRANCH_SECRETARY]
    original = make_entry(secretary, informant=world.customer_a)
    post(secretary_client, form_data(world, [{"duplicate_of": original.pk}]))
    first_copy = Entry.objects.get(duplicate_of=original)
    post(secretary_client, form_data(world, [{"duplicate_of": first_copy.pk}]))
    second_copy = Entry.objects.exclude(pk__in=[original.pk, first_copy.pk]).get()
    assert second_copy.duplicate_of == original


# -- The visit page -----------------------------------------------------------------------------

SEES_BRANCH_A_VISIT = {
    Role.PARTY_BUILDING: True,
    Role.ADMINISTRATOR: True,
    Role.COMMITTEE_STAFF: True,
    Role.BRANCH_SECRETARY: True,
    Role.LEADERSHIP_CADRE: True,
    Role.OFFICE_CADRE: False,
    Role.GRASSROOTS_CADRE: True,
    Role.PARTY_MEMBER: False,
    Role.DEPARTMENT_HANDLER: False,
    Role.SECURITY_ADMIN: False,
    Role.AUDIT_ADMIN: False,
}


@pytest.mark.parametrize("role", list(Role))
def test_the_visit_page_in_scope_and_404_outside(world, client_for, secretary_client, role):
    post(secretary_client, form_data(world, [{"title": "线路老化"}]))
    visit = Visit.objects.get()
    response = client_for(world.users[role]).get(reverse("liaison:visit_detail", args=[visit.pk]))
    expected = HTTPStatus.OK if SEES_BRANCH_A_VISIT[role] else HTTPStatus.NOT_FOUND
    assert response.status_code == expected
    if expected == HTTPStatus.OK:
        entry = visit.entries.get()
        assert entry.get_absolute_url() in response.content.decode()


def test_a_missing_visit_is_404(world, secretary_client):
    response = secretary_client.get(reverse("liaison:visit_detail", args=[999999]))
    assert response.status_code == HTTPStatus.NOT_FOUND


# -- People search ------------------------------------------------------------------------------


def test_people_search_finds_only_people_in_scope(world, secretary_client):
    url = reverse("liaison:person_search")
    body = secretary_client.get(url, {"q": "党员"}).content.decode()
    assert world.member_a.code in body
    assert world.member_b.code not in body  # another committee's branch
    body = secretary_client.get(
        url, {"field": "entries-3-informant", "entries-3-informant": "新欣"}
    ).content.decode()
    assert f'value="{ref(world.customer_a)}"' in body
