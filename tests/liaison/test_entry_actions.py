"""The entry page's actions over HTTP, its printed sheets and the read-only admin: the right
forms for the right user, clear refusals with the right status, conflicts, forged ids."""

from __future__ import annotations

import datetime as dt
import re
from http import HTTPStatus

import pytest
from django.conf import settings
from django.urls import reverse

from liaison.constants import EntryStatus, EventKind, ReplyMethod, Role
from liaison.models import Entry
from liaison.services.workflow import Action
from tests.fixtures.factories import make_entry, make_user
from tests.fixtures.walks import act, data_for, entry_in, snapshot, today

A = Action
S = EntryStatus


@pytest.fixture
def english(client):
    """Messages in English (the msgids), whatever the translations say."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def action_url(entry, action: str) -> str:
    return reverse("liaison:entry_act", args=[entry.pk, action])


def post_data(action: str, world, entry) -> dict:
    """What the page's form of `action` posts."""
    data = {"version": entry.version}
    for name, value in data_for(action, world).items():
        data[name] = getattr(value, "pk", value)
    return data


def offered(client, entry) -> list[str]:
    page = client.get(entry.get_absolute_url()).content.decode()
    return re.findall(r'<details class="list-group-item" data-action="([a-z_]+)"', page)


def page_version(client, entry) -> int:
    page = client.get(entry.get_absolute_url()).content.decode()
    return int(re.search(r'name="version" value="(\d+)"', page).group(1))


# --- what the page offers ----------------------------------------------------------------------


def test_the_owner_is_offered_what_the_state_allows(world, client_for):
    entry = entry_in(world, S.RECORDED)
    client = client_for(entry.owner)
    assert offered(client, entry) == [
        A.START,
        A.RESOLVE_ON_SPOT,
        A.REFER,
        A.REQUEST_EXTENSION,
        A.SUSPEND,
        A.TRANSFER,
        A.PROGRESS_NOTE,
        A.VOID,
    ]
    referred = entry_in(world, S.REFERRED)
    assert offered(client, referred) == [
        A.ADD_COHANDLER, A.REQUEST_EXTENSION, A.SUSPEND, A.TRANSFER, A.PROGRESS_NOTE, A.VOID
    ]  # fmt: skip


def test_the_handler_is_offered_the_plan_then_the_result(world, client_for):
    client = client_for(world.users[Role.DEPARTMENT_HANDLER])
    referred = entry_in(world, S.REFERRED)
    assert offered(client, referred) == [
        A.SIGN_FOR, A.RETURN_REFERRAL, A.ADD_COHANDLER, A.RECORD_PLAN, A.PROGRESS_NOTE
    ]  # fmt: skip
    signed = act(world, referred, A.SIGN_FOR, world.users[Role.DEPARTMENT_HANDLER])
    assert offered(client, signed) == [A.ADD_COHANDLER, A.RECORD_PLAN, A.PROGRESS_NOTE]
    assert offered(client, entry_in(world, S.PLANNED)) == [
        A.ADD_COHANDLER, A.RECORD_RESULT, A.PROGRESS_NOTE
    ]  # fmt: skip
    assert offered(client, entry_in(world, S.RESOLVED)) == [A.PROGRESS_NOTE]


@pytest.mark.parametrize("role", [Role.COMMITTEE_STAFF, Role.GRASSROOTS_CADRE])
def test_someone_who_only_sees_the_entry_is_offered_nothing(world, client_for, role):
    client = client_for(world.users[role])
    for status in (S.RECORDED, S.REFERRED, S.RESOLVED, S.REPLIED):
        entry = entry_in(world, status)
        page = client.get(entry.get_absolute_url()).content.decode()
        assert 'data-testid="actions"' not in page
        assert 'data-action="rating"' not in page


def test_a_get_shows_the_page_and_changes_nothing(world, client_for):
    entry = entry_in(world, S.RECORDED)
    before = snapshot(entry)
    client = client_for(entry.owner)
    assert client.get(entry.get_absolute_url()).status_code == HTTPStatus.OK
    assert client.get(action_url(entry, A.START)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert snapshot(entry) == before


# --- the loop over HTTP ------------------------------------------------------------------------


def test_the_whole_referral_loop_through_the_page(world, client_for, english):
    owner = world.users[Role.BRANCH_SECRETARY]
    handler = world.users[Role.DEPARTMENT_HANDLER]
    entry = make_entry(owner, informant=world.special_a, recorded_on=today())
    steps = [(owner, A.REFER), (handler, A.RECORD_PLAN), (handler, A.RECORD_RESULT)]
    steps.append((owner, A.REPLY))
    for user, action in steps:
        entry.refresh_from_db()
        response = client_for(user).post(action_url(entry, action), post_data(action, world, entry))
        assert response.status_code == HTTPStatus.FOUND, (action, response.content[:2000])
        assert response["Location"] == entry.get_absolute_url()
    entry.refresh_from_db()
    assert entry.status == S.REPLIED
    page = client_for(owner).get(entry.get_absolute_url()).content.decode()
    assert "Reply recorded" in page
    assert 'data-testid="on-time"' in page and "Replied on time" in page
    assert world.department.name in page  # the timeline's after of the referral
    assert "<del>" in page  # and its before
    response = client_for(owner).post(
        reverse("feedback:rating_record", args=[entry.pk]),
        {"version": entry.version, "value": "satisfied"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Entry.objects.get(pk=entry.pk).status == S.CLOSED


def test_a_late_reply_shows_as_late(world, client_for, english):
    entry = entry_in(world, S.RESOLVED)
    Entry.objects.filter(pk=entry.pk).update(due_on=today() - dt.timedelta(days=3))
    client = client_for(entry.owner)
    client.post(
        action_url(entry, A.REPLY),
        {"version": entry.version, "text": "已答复", "method": ReplyMethod.IN_PERSON},
    )
    entry.refresh_from_db()
    assert entry.replied_on_time is False
    assert "Replied late" in client.get(entry.get_absolute_url()).content.decode()


def test_a_yellow_entry_without_a_note_this_month_is_flagged(world, client_for):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(
        owner,
        informant=world.special_a,
        colour="yellow",
        recorded_on=today() - dt.timedelta(days=70),
        target_on=today() + dt.timedelta(days=90),
    )
    client = client_for(owner)
    assert (
        'data-testid="progress-note-due"' in client.get(entry.get_absolute_url()).content.decode()
    )
    client.post(action_url(entry, A.PROGRESS_NOTE), {"version": entry.version, "note": "在办"})
    page = client.get(entry.get_absolute_url()).content.decode()
    assert 'data-testid="progress-note-due"' not in page


# --- refusals ----------------------------------------------------------------------------------


def test_a_role_that_may_not_act_gets_403_and_a_message(world, client_for, english):
    entry = entry_in(world, S.RECORDED)
    before = snapshot(entry)
    response = client_for(world.users[Role.COMMITTEE_STAFF]).post(
        action_url(entry, A.REFER), post_data(A.REFER, world, entry)
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    body = response.content.decode()
    assert "Only the entry&#x27;s owner or the party-building department may do this" in body
    assert snapshot(entry) == before


def test_a_wrong_state_gets_400_and_a_message(world, client_for, english):
    entry = entry_in(world, S.RECORDED)
    before = snapshot(entry)
    response = client_for(entry.owner).post(
        action_url(entry, A.REPLY), post_data(A.REPLY, world, entry)
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "is not possible while the entry is “Recorded”" in response.content.decode()
    assert snapshot(entry) == before


@pytest.mark.parametrize(
    ("action", "post"),
    [
        (A.REFER, {"department": 999_999}),  # a forged department
        (A.REFER, {"department": "abc"}),
        (A.RESOLVE_ON_SPOT, {"result": ""}),
        (A.VOID, {"reason": "x" * 201}),
        (A.TRANSFER, {"new_owner": 999_999}),
        (A.START, {"version": "abc"}),
        (A.START, {"version": ""}),
    ],
)
def test_an_invalid_form_gets_400_and_nothing_changes(world, client_for, english, action, post):
    entry = entry_in(world, S.RECORDED)
    before = snapshot(entry)
    data = {"version": entry.version, **post}
    response = client_for(entry.owner).post(action_url(entry, action), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "nothing was saved" in response.content.decode()
    assert snapshot(entry) == before


def test_a_transfer_to_someone_outside_the_entrys_scope_is_refused(world, client_for):
    entry = entry_in(world, S.RECORDED)
    before = snapshot(entry)
    outsider = world.users[Role.OFFICE_CADRE]
    response = client_for(entry.owner).post(
        action_url(entry, A.TRANSFER), {"version": entry.version, "new_owner": outsider.pk}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert snapshot(entry) == before


def test_the_second_of_two_clients_gets_409_and_nothing_is_overwritten(world, client):
    from django.test import Client

    entry = entry_in(world, S.RECORDED)
    first, second = Client(), Client()
    second.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    first.force_login(entry.owner)
    second.force_login(world.users[Role.PARTY_BUILDING])
    seen_first, seen_second = page_version(first, entry), page_version(second, entry)
    assert seen_first == seen_second == entry.version
    refer = {**post_data(A.REFER, world, entry), "version": seen_first}
    assert first.post(action_url(entry, A.REFER), refer).status_code == HTTPStatus.FOUND
    after_first = snapshot(entry)
    response = second.post(
        action_url(entry, A.RESOLVE_ON_SPOT), {"version": seen_second, "result": "我来解决"}
    )
    assert response.status_code == HTTPStatus.CONFLICT
    body = response.content.decode()
    assert "was changed by someone else meanwhile" in body
    assert f'name="version" value="{seen_first + 1}"' in body  # the page as it now stands
    assert snapshot(entry) == after_first
    fresh = Entry.objects.get(pk=entry.pk)
    assert (fresh.status, fresh.result) == (S.REFERRED, "")
    assert not fresh.events.filter(kind=EventKind.RESOLVED_ON_SPOT).exists()


def _two_clients(world, entry, english_second: bool = True):
    """The owner and the party-building department, each with the entry's page open."""
    from django.test import Client

    first, second = Client(), Client()
    if english_second:
        second.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    first.force_login(world.users[Role.PARTY_BUILDING])
    second.force_login(entry.owner)
    return first, second, page_version(first, entry), page_version(second, entry)


def _details(page: str, action: str) -> str:
    found = re.search(rf'<details[^>]*data-action="{action}"[^>]*>.*?</details>', page, re.S)
    assert found, f"no form of {action} on the page"
    return found.group(0)


def test_after_a_conflict_the_text_typed_is_offered_again_and_a_second_send_works(world, client):
    entry = entry_in(world, S.IN_PROGRESS)
    first, second, seen_first, seen_second = _two_clients(world, entry)
    note = {"version": seen_first, "note": "已联系厂家"}
    assert first.post(action_url(entry, A.PROGRESS_NOTE), note).status_code == HTTPStatus.FOUND
    typed = "当场更换了熔断器，\n并告知了反映人"
    response = second.post(
        action_url(entry, A.RESOLVE_ON_SPOT), {"version": seen_second, "result": typed}
    )
    assert response.status_code == HTTPStatus.CONFLICT
    page = response.content.decode()
    assert "was changed by someone else meanwhile" in page
    form = _details(page, A.RESOLVE_ON_SPOT)
    assert form.startswith(
        f'<details class="list-group-item" data-action="{A.RESOLVE_ON_SPOT}" open'
    )
    assert "What you typed is kept here" in form
    assert "当场更换了熔断器，\n并告知了反映人</textarea>" in form
    assert f'name="version" value="{seen_second + 1}"' in form  # the entry as it now stands
    assert 'data-testid="kept-text"' not in page  # the form itself keeps it
    assert "已联系厂家" in page  # the timeline shows what happened meanwhile
    fresh = Entry.objects.get(pk=entry.pk)
    assert (fresh.status, fresh.result) == (S.IN_PROGRESS, "")
    again = re.search(r'name="version" value="(\d+)"', form).group(1)
    response = second.post(
        action_url(entry, A.RESOLVE_ON_SPOT), {"version": again, "result": typed}
    )
    assert response.status_code == HTTPStatus.FOUND
    fresh = Entry.objects.get(pk=entry.pk)
    assert (fresh.status, fresh.result) == (S.RESOLVED, "当场更换了熔断器，\n并告知了反映人")


def test_after_a_conflict_the_other_forms_are_fresh(world, client):
    entry = entry_in(world, S.IN_PROGRESS)
    first, second, seen_first, seen_second = _two_clients(world, entry)
    first.post(action_url(entry, A.PROGRESS_NOTE), {"version": seen_first, "note": "已联系"})
    response = second.post(
        action_url(entry, A.PROGRESS_NOTE), {"version": seen_second, "note": "我的进展"}
    )
    assert response.status_code == HTTPStatus.CONFLICT
    page = response.content.decode()
    assert "我的进展</textarea>" in _details(page, A.PROGRESS_NOTE)
    refer = _details(page, A.REFER)
    assert " open" not in refer.split(">", 1)[0] and "What you typed" not in refer
    assert f'name="version" value="{seen_second + 1}"' in refer


def test_after_a_conflict_that_took_the_form_away_the_text_is_shown_to_copy(world, client):
    entry = entry_in(world, S.RESOLVED)
    first, second, seen_first, seen_second = _two_clients(world, entry)
    reply = {**post_data(A.REPLY, world, entry), "version": seen_first}
    assert first.post(action_url(entry, A.REPLY), reply).status_code == HTTPStatus.FOUND
    typed = {
        "version": seen_second,
        "text": "您反映的问题已解决<请查收>",
        "method": ReplyMethod.IN_PERSON,
    }
    response = second.post(action_url(entry, A.REPLY), typed)
    assert response.status_code == HTTPStatus.CONFLICT
    page = response.content.decode()
    assert "was changed by someone else meanwhile" in page
    assert f'data-action="{A.REPLY}"' not in page  # replied meanwhile: no reply form now
    kept = re.search(r'data-testid="kept-text".*?</section>', page, re.S).group(0)
    assert "What you typed was not saved" in kept
    assert "您反映的问题已解决&lt;请查收&gt;</textarea>" in kept  # escaped, readonly, to copy
    assert "readonly" in kept
    assert Entry.objects.get(pk=entry.pk).reply_text == data_for(A.REPLY, world)["text"]


def test_the_conflict_page_in_chinese(world, client):
    entry = entry_in(world, S.IN_PROGRESS)
    first, second, seen_first, seen_second = _two_clients(world, entry, english_second=False)
    first.post(action_url(entry, A.PROGRESS_NOTE), {"version": seen_first, "note": "已联系"})
    response = second.post(action_url(entry, A.VOID), {"version": seen_second, "reason": "重复"})
    assert response.status_code == HTTPStatus.CONFLICT
    page = response.content.decode()
    assert "您填写的内容保留在这里" in page
    assert 'value="重复"' in _details(page, A.VOID)


# --- forged ids and scope ----------------------------------------------------------------------

ALL_POST_URLS = [*[(a, "liaison:entry_act") for a in A], ("", "feedback:rating_record")]


def _url(name: str, action: str, pk: int) -> str:
    return reverse(name, args=[pk, action] if action else [pk])


@pytest.mark.parametrize(("action", "name"), ALL_POST_URLS)
def test_every_action_url_answers_404_outside_the_scope_and_for_a_forged_id(
    world, client_for, action, name
):
    entry = entry_in(world, S.RECORDED)
    before = snapshot(entry)
    outsider = client_for(world.users[Role.PARTY_MEMBER])  # branch A's entry: outside
    data = {"version": entry.version, "value": "satisfied", "reason": "x", "note": "x"}
    assert outsider.post(_url(name, action, entry.pk), data).status_code == HTTPStatus.NOT_FOUND
    owner = client_for(entry.owner)
    assert owner.post(_url(name, action, 999_999), data).status_code == HTTPStatus.NOT_FOUND
    assert snapshot(entry) == before


def test_an_unknown_action_answers_404(world, client_for):
    entry = entry_in(world, S.REPLIED)
    client = client_for(world.users[Role.PARTY_BUILDING])
    for action in ("delete", "reopen", "close"):  # reopen and close come only with a rating
        response = client.post(action_url(entry, action), {"version": entry.version})
        assert response.status_code == HTTPStatus.NOT_FOUND


def test_anonymous_posts_go_to_the_login(world, client):
    entry = entry_in(world, S.RECORDED)
    response = client.post(action_url(entry, A.START), {"version": entry.version})
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("login") in response["Location"]
    assert Entry.objects.get(pk=entry.pk).status == S.RECORDED


# --- printed sheets ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("colour", "title"),
    [("red", "Red record sheet"), ("orange", "Orange record sheet"), ("yellow", "Yellow")],
)
def test_the_record_sheet_is_headed_by_colour(world, client_for, english, colour, title):
    owner = world.users[Role.BRANCH_SECRETARY]
    extra = {"target_on": today() + dt.timedelta(days=90)} if colour == "yellow" else {}
    entry = make_entry(
        owner, informant=world.special_a, colour=colour, recorded_on=today(), **extra
    )
    response = client_for(owner).get(reverse("liaison:entry_print", args=[entry.pk]))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert title in body and entry.number in body
    assert "css/print.css" in body and 'data-testid="sheet-timeline"' in body
    assert "Recorder's signature" in body


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", ["liaison:entry_print", "liaison:entry_referral"])
def test_the_sheets_follow_the_entry_scope(world, client_for, role, name):
    from tests.liaison.test_entry_page import SEES_BRANCH_A_ENTRY

    entry = entry_in(world, S.RECORDED)
    response = client_for(world.users[role]).get(reverse(name, args=[entry.pk]))
    expected = HTTPStatus.OK if SEES_BRANCH_A_ENTRY[role] else HTTPStatus.NOT_FOUND
    assert response.status_code == expected
    forged = client_for(world.users[role]).get(reverse(name, args=[999_999]))
    assert forged.status_code == HTTPStatus.NOT_FOUND


def test_the_department_prints_its_referral_sheet(world, client_for, english):
    entry = entry_in(world, S.PLANNED)
    client = client_for(world.users[Role.DEPARTMENT_HANDLER])
    page = client.get(entry.get_absolute_url()).content.decode()
    referral = reverse("liaison:entry_referral", args=[entry.pk])
    assert referral in page
    body = client.get(referral).content.decode()
    assert "Referral sheet" in body
    assert world.department.name in body and "请一周内现场勘察" in body and "一、勘察" in body


# --- admin -------------------------------------------------------------------------------------


def test_the_entry_admin_reads_and_never_writes(world, client_for):
    entry = entry_in(world, S.REFERRED)
    before = snapshot(entry)
    # Read-only whoever reads it: even the installation's superuser (the system administrator
    # keeps accounts and master data, not the ledger's rows, in the admin).
    admin = client_for(make_user("", username="root", is_staff=True, is_superuser=True))
    changelist = reverse("admin:liaison_entry_changelist")
    assert admin.get(changelist, {"q": entry.number}).status_code == HTTPStatus.OK
    assert admin.get(changelist, {"status": S.REFERRED}).status_code == HTTPStatus.OK
    assert admin.get(reverse("admin:liaison_entry_add")).status_code == HTTPStatus.FORBIDDEN
    change = reverse("admin:liaison_entry_change", args=[entry.pk])
    assert admin.get(change).status_code == HTTPStatus.OK
    assert admin.post(change, {"title": "改"}).status_code == HTTPStatus.FORBIDDEN
    delete = reverse("admin:liaison_entry_delete", args=[entry.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    event = entry.events.first()
    event_change = reverse("admin:liaison_entryevent_change", args=[event.pk])
    assert admin.get(event_change).status_code == HTTPStatus.OK
    assert admin.post(event_change, {"note": "改"}).status_code == HTTPStatus.FORBIDDEN
    event_delete = reverse("admin:liaison_entryevent_delete", args=[event.pk])
    assert admin.post(event_delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert snapshot(entry) == before


@pytest.mark.parametrize("action", list(A))
def test_every_action_answers_404_outside_the_scope(world, client_for, action):
    """A user who may not see the entry gets 404 for every action, the same as for a missing
    entry; nothing is written."""
    entry = entry_in(world, S.REFERRED)
    before = snapshot(entry)
    stranger = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    response = client_for(stranger).post(action_url(entry, action), {"version": entry.version})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert snapshot(entry) == before
