"""Replying to an original and its duplicates together (一事一记, R11): each duplicate goes
through the reply's own rules and events, one it may not take is skipped and named, a stale
page is a conflict with nothing written, and a failure anywhere writes nothing."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from liaison.constants import EntryStatus, EventKind, ReplyMethod, Role
from liaison.models import Entry, EntryEvent
from liaison.services.links import entry_mark_duplicate
from liaison.services.workflow import EntryConflict, entry_reply_together
from tests.fixtures.factories import make_entry, make_user
from tests.fixtures.walks import entry_in

S = EntryStatus
REPLY = {"text": "已统一更换宿舍空调，请试用", "method": ReplyMethod.PHONE}


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def mark(duplicate: Entry, original: Entry) -> Entry:
    entry_mark_duplicate(
        entry=duplicate, original=original, actor=original.owner,
        expected_version=duplicate.version,
    )  # fmt: skip
    return Entry.objects.get(pk=duplicate.pk)


@pytest.fixture
def matter(world):
    """A resolved original with duplicates: one recorded, one resolved, one closed already."""
    original = entry_in(world, S.RESOLVED, title="宿舍空调不制冷")
    recorded = mark(entry_in(world, S.RECORDED, title="宿舍空调不制冷"), original)
    resolved = mark(entry_in(world, S.RESOLVED, title="宿舍空调坏了"), original)
    closed = mark(entry_in(world, S.CLOSED, title="宿舍空调"), original)
    return Entry.objects.get(pk=original.pk), recorded, resolved, closed


def state() -> list:
    return [
        list(Entry.objects.order_by("pk").values_list("status", "version", "reply_text")),
        EntryEvent.objects.count(),
    ]


def test_the_duplicates_awaiting_their_reply_are_replied_with_the_original(world, matter):
    original, recorded, resolved, closed = matter
    done = entry_reply_together(
        entry=original, actor=original.owner, expected_version=original.version,
        duplicates=[recorded.pk, resolved.pk, closed.pk], **REPLY,
    )  # fmt: skip
    assert [d.pk for d in done.replied] == [recorded.pk, resolved.pk]
    assert [(d.pk, why) for d, why in done.skipped] == [
        (closed.pk, "条目当前为“已办结”，不能“答复信息提供人”。")
    ]
    for entry in (original, recorded, resolved):
        entry.refresh_from_db()
        assert entry.status == S.REPLIED and entry.reply_text == REPLY["text"]
        assert entry.reply_method == ReplyMethod.PHONE and entry.replied_on_time is True
    kinds = list(recorded.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-3:] == [EventKind.RESOLVED_ON_SPOT, EventKind.REPLIED, EventKind.REPLIED_TOGETHER]
    assert original.number in recorded.result
    kinds = list(resolved.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.REPLIED, EventKind.REPLIED_TOGETHER]
    last = original.events.order_by("pk").last()
    assert last.kind == EventKind.REPLIED_TOGETHER
    assert recorded.number in last.note and resolved.number in last.note
    assert Entry.objects.get(pk=closed.pk).status == S.CLOSED


def test_a_duplicate_someone_else_owns_is_skipped_and_named(world, matter):
    original, recorded, _resolved, _closed = matter
    member = world.users[Role.PARTY_MEMBER]
    theirs = mark(make_entry(member, informant=world.member_a, title="宿舍空调不制冷"), original)
    done = entry_reply_together(
        entry=original, actor=original.owner, expected_version=original.version,
        duplicates=[recorded.pk, theirs.pk], **REPLY,
    )  # fmt: skip
    assert [d.pk for d in done.replied] == [recorded.pk]
    assert [d.pk for d, _why in done.skipped] == [theirs.pk]
    assert Entry.objects.get(pk=theirs.pk).status == S.RECORDED


def test_a_referred_duplicate_is_left_to_its_department(world, matter):
    original = matter[0]
    referred = mark(entry_in(world, S.REFERRED), original)
    done = entry_reply_together(
        entry=original, actor=world.users[Role.PARTY_BUILDING],
        expected_version=original.version, duplicates=[referred.pk], **REPLY,
    )  # fmt: skip
    assert done.replied == [] and [d.pk for d, _ in done.skipped] == [referred.pk]
    assert not original.events.filter(kind=EventKind.REPLIED_TOGETHER).exists()


def test_an_entry_that_is_no_duplicate_of_it_is_ignored(world, matter):
    original = matter[0]
    stranger = entry_in(world, S.RESOLVED)
    done = entry_reply_together(
        entry=original, actor=original.owner, expected_version=original.version,
        duplicates=[stranger.pk], **REPLY,
    )  # fmt: skip
    assert done.replied == done.skipped == []
    assert Entry.objects.get(pk=stranger.pk).status == S.RESOLVED


def test_a_stale_original_is_a_conflict_and_nothing_is_written(world, matter):
    original, recorded, resolved, _closed = matter
    before = state()
    with pytest.raises(EntryConflict):
        entry_reply_together(
            entry=original, actor=original.owner, expected_version=original.version - 1,
            duplicates=[recorded.pk, resolved.pk], **REPLY,
        )  # fmt: skip
    assert state() == before


def test_a_failure_on_a_duplicate_rolls_everything_back(world, matter, monkeypatch):
    original, recorded, resolved, _closed = matter
    from liaison.services.workflow import together

    real = together.entry_reply

    def failing(*, entry, **kwargs):
        if entry.pk == resolved.pk:
            raise ValidationError({"text": "boom"})
        return real(entry=entry, **kwargs)

    monkeypatch.setattr(together, "entry_reply", failing)
    before = state()
    with pytest.raises(ValidationError):
        entry_reply_together(
            entry=original, actor=original.owner, expected_version=original.version,
            duplicates=[recorded.pk, resolved.pk], **REPLY,
        )  # fmt: skip
    assert state() == before


# --- over HTTP ---------------------------------------------------------------------------------


def reply_url(entry: Entry) -> str:
    return reverse("liaison:entry_act", args=[entry.pk, "reply"])


def test_the_reply_form_offers_the_open_duplicates_ticked_and_names_the_others(
    world, client_for, matter, english
):
    original, recorded, resolved, closed = matter
    page = client_for(original.owner).get(original.get_absolute_url()).content.decode()
    form = page.split('data-action="reply"')[1].split("</form>")[0]
    for duplicate in (recorded, resolved):
        assert f'name="duplicates" value="{duplicate.pk}"' in form
    assert form.count('name="duplicates"') == 2 and form.count("checked") == 2
    assert (
        f'name="duplicates" value="{closed.pk}"' not in form
        and f"Not offered: {closed.number}" in form
    )


def test_replying_over_http_replies_the_duplicates_and_says_which_were_skipped(
    world, client_for, matter, english
):
    original, recorded, resolved, closed = matter
    client = client_for(original.owner)
    response = client.post(
        reply_url(original),
        {"version": original.version, **REPLY, "duplicates": [recorded.pk, resolved.pk, closed.pk]},
    )
    assert response.status_code == HTTPStatus.FOUND
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(recorded.number in m and resolved.number in m for m in said)
    assert any(m.startswith(f"Not replied together: {closed.number}") for m in said)
    statuses = Entry.objects.filter(pk__in=[recorded.pk, resolved.pk]).values_list(
        "status", flat=True
    )
    assert set(statuses) == {S.REPLIED}


def test_unticked_duplicates_stay_as_they_are(world, client_for, matter):
    original, recorded, resolved, _closed = matter
    response = client_for(original.owner).post(
        reply_url(original), {"version": original.version, **REPLY, "duplicates": [resolved.pk]}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Entry.objects.get(pk=recorded.pk).status == S.RECORDED
    assert Entry.objects.get(pk=resolved.pk).status == S.REPLIED


def test_a_stale_page_gets_409_and_nothing_is_written(world, client_for, matter):
    original, recorded, resolved, _closed = matter
    before = state()
    response = client_for(original.owner).post(
        reply_url(original),
        {"version": original.version - 1, **REPLY, "duplicates": [recorded.pk, resolved.pk]},
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert state() == before


def test_a_duplicate_outside_the_users_scope_is_not_accepted(world, client_for, matter):
    original = matter[0]
    outsider = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    hidden = make_entry(outsider, informant=world.member_b, title="宿舍空调不制冷")
    Entry.objects.filter(pk=hidden.pk).update(duplicate_of=original)  # marked by someone else
    before = state()
    response = client_for(original.owner).post(
        reply_url(original), {"version": original.version, **REPLY, "duplicates": [hidden.pk]}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert state() == before
