"""Related entries and duplicates on the entry page (相关事项, 一事一记, R11): who may link, mark
and undo, the refusals (403, 404 alike for a missing and a forbidden entry, 400, 409) with
nothing written, the events on both timelines, and the page's query count."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.conf import settings
from django.urls import reverse

from liaison.constants import EntryStatus, EventKind, Role
from liaison.models import Entry, EntryEvent, EntryLink
from liaison.services.links import entry_link, entry_mark_duplicate
from tests.fixtures.factories import make_entry, make_user
from tests.fixtures.walks import act, entry_in

S = EntryStatus


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def pair(world):
    """Two entries of the branch's group, owned by a party member."""
    member = world.users[Role.PARTY_MEMBER]
    first = make_entry(member, informant=world.member_a, title="宿舍空调不制冷")
    second = make_entry(member, informant=world.member_a, title="宿舍热水器故障")
    return first, second


def link_url(entry: Entry) -> str:
    return reverse("liaison:entry_link_add", args=[entry.pk])


def unlink_url(entry: Entry, other: Entry) -> str:
    return reverse("liaison:entry_link_remove", args=[entry.pk, other.pk])


def mark_url(entry: Entry) -> str:
    return reverse("liaison:entry_duplicate_mark", args=[entry.pk])


def unmark_url(entry: Entry) -> str:
    return reverse("liaison:entry_duplicate_unmark", args=[entry.pk])


def written() -> tuple[int, int, list]:
    return (
        EntryLink.objects.count(),
        EntryEvent.objects.count(),
        list(Entry.objects.order_by("pk").values_list("version", "duplicate_of")),
    )


def kinds(entry: Entry) -> list[str]:
    return list(entry.events.order_by("pk").values_list("kind", flat=True))


# --- who may link ------------------------------------------------------------------------------

MAY_LINK = [Role.PARTY_MEMBER, Role.BRANCH_SECRETARY, Role.COMMITTEE_STAFF, Role.PARTY_BUILDING,
            Role.ADMINISTRATOR]  # fmt: skip


@pytest.mark.parametrize("role", MAY_LINK)
def test_the_owner_and_who_supervises_the_ledger_link_and_unlink(world, client_for, pair, role):
    first, second = pair
    client = client_for(world.users[role])
    response = client.post(link_url(first), {"number": second.number, "note": "同一宿舍楼"})
    assert response.status_code == HTTPStatus.FOUND
    link = EntryLink.objects.get()
    assert (link.entry_a, link.entry_b, link.note) == (first, second, "同一宿舍楼")
    assert kinds(first)[-1] == kinds(second)[-1] == EventKind.LINKED
    page = client.get(second.get_absolute_url()).content.decode()
    assert first.number in page.split('data-testid="related-links"')[1]

    response = client.post(unlink_url(second, first))  # from either side
    assert response.status_code == HTTPStatus.FOUND
    link.refresh_from_db()
    assert link.removed_at is not None and link.removed_by == world.users[role]
    assert kinds(first)[-1] == kinds(second)[-1] == EventKind.UNLINKED
    page = client.get(second.get_absolute_url()).content.decode()
    assert 'data-testid="related-links"' not in page


@pytest.mark.parametrize("role", [Role.GRASSROOTS_CADRE, Role.LEADERSHIP_CADRE])
def test_who_only_reads_the_entry_is_refused_with_403(world, client_for, pair, role, english):
    first, second = pair
    before = written()
    client = client_for(world.users[role])
    assert client.get(first.get_absolute_url()).status_code == HTTPStatus.OK  # they may see it
    response = client.post(link_url(first), {"number": second.number})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "may link it" in response.content.decode()
    assert (
        client.post(
            mark_url(first), {"number": second.number, "version": first.version}
        ).status_code
        == HTTPStatus.FORBIDDEN
    )
    entry_link(entry=first, other=second, actor=first.owner)
    after_link = written()
    assert client.post(unlink_url(first, second)).status_code == HTTPStatus.FORBIDDEN
    assert written() == after_link != before


def test_a_plain_member_may_not_link_anothers_entry(world, client_for, pair):
    first, second = pair
    other_member = make_user(Role.PARTY_MEMBER, scope=world.group_a)
    response = client_for(other_member).post(link_url(first), {"number": second.number})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not EntryLink.objects.exists()


def test_the_handling_department_links_its_referrals(world, client_for):
    first, second = entry_in(world, S.REFERRED), entry_in(world, S.REFERRED)
    handler = world.users[Role.DEPARTMENT_HANDLER]
    response = client_for(handler).post(link_url(first), {"number": second.number})
    assert response.status_code == HTTPStatus.FOUND
    assert EntryLink.objects.live().count() == 1


def test_out_of_scope_answers_404_for_either_entry_with_the_missing_ones_message(
    world, client_for, pair, english
):
    first, _second = pair
    outsider = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    elsewhere = make_entry(outsider, informant=world.member_b, title="供电所门前路灯不亮")
    before = written()
    # the entry of the page out of scope
    assert client_for(outsider).post(link_url(first), {"number": elsewhere.number}).status_code == (
        HTTPStatus.NOT_FOUND
    )
    assert client_for(outsider).post(unlink_url(first, elsewhere)).status_code == (
        HTTPStatus.NOT_FOUND
    )
    # the other entry out of scope, or missing: the same answer
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    hidden = client.post(link_url(first), {"number": elsewhere.number})
    missing = client.post(link_url(first), {"number": "NO-SUCH-1"})
    assert hidden.status_code == missing.status_code == HTTPStatus.NOT_FOUND
    message = "No entry has this number within your reach."
    assert message in hidden.content.decode() and message in missing.content.decode()
    assert elsewhere.title not in hidden.content.decode()
    marked = client.post(mark_url(first), {"number": elsewhere.number, "version": first.version})
    assert marked.status_code == HTTPStatus.NOT_FOUND
    assert written() == before


def test_linking_to_itself_or_twice_is_a_400_with_a_chinese_message(world, client_for, pair):
    first, second = pair
    client = client_for(first.owner)
    response = client.post(link_url(first), {"number": first.number})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "不能与自身关联" in response.content.decode()
    assert not EntryLink.objects.exists() and not first.events.filter(kind="linked").exists()

    assert client.post(link_url(first), {"number": second.number}).status_code == HTTPStatus.FOUND
    before = written()
    for entry, other in ((first, second), (second, first)):  # the pair is stored once
        response = client.post(link_url(entry), {"number": other.number.lower()})
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "已与本条目关联" in response.content.decode()
    assert written() == before
    assert client.post(unlink_url(first, first)).status_code == HTTPStatus.BAD_REQUEST


def test_an_unlinked_pair_keeps_its_history_and_may_be_linked_again(world, client_for, pair):
    first, second = pair
    client = client_for(first.owner)
    client.post(link_url(first), {"number": second.number})
    client.post(unlink_url(first, second))
    assert client.post(unlink_url(first, second)).status_code == HTTPStatus.BAD_REQUEST
    assert client.post(link_url(second), {"number": first.number}).status_code == HTTPStatus.FOUND
    assert EntryLink.objects.count() == 2 and EntryLink.objects.live().count() == 1
    assert kinds(first).count(EventKind.LINKED) == 2


def test_the_database_refuses_a_pair_out_of_order_or_twice(world, pair):
    from django.db import IntegrityError, transaction

    first, second = pair
    for a, b in ((second, first), (first, first)):
        with pytest.raises(IntegrityError), transaction.atomic():
            EntryLink.objects.create(entry_a=a, entry_b=b, created_by=first.owner)
    EntryLink.objects.create(entry_a=first, entry_b=second, created_by=first.owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        EntryLink.objects.create(entry_a=first, entry_b=second, created_by=first.owner)


# --- duplicates after recording ----------------------------------------------------------------


def test_marking_and_unmarking_a_duplicate_writes_both_timelines(world, client_for, pair):
    original, duplicate = pair
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.post(
        mark_url(duplicate), {"number": original.number, "version": duplicate.version}
    )
    assert response.status_code == HTTPStatus.FOUND
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == original and duplicate.version == 2
    assert kinds(duplicate)[-1] == EventKind.LINKED_DUPLICATE
    assert kinds(original)[-1] == EventKind.DUPLICATE_ADDED
    page = client.get(original.get_absolute_url()).content.decode()
    assert duplicate.number in page.split('data-testid="related-duplicates"')[1]
    page = client.get(duplicate.get_absolute_url()).content.decode()
    assert original.number in page.split('data-testid="related-original"')[1]

    response = client.post(unmark_url(duplicate), {"version": duplicate.version})
    assert response.status_code == HTTPStatus.FOUND
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of is None
    assert kinds(duplicate)[-1] == EventKind.DUPLICATE_UNMARKED
    assert kinds(original)[-1] == EventKind.DUPLICATE_REMOVED


def test_a_duplicate_of_a_duplicate_points_to_the_original(world, pair):
    original, duplicate = pair
    third = make_entry(original.owner, informant=world.member_a, title="宿舍空调又坏了")
    entry_mark_duplicate(
        entry=duplicate, original=original, actor=original.owner,
        expected_version=duplicate.version,
    )  # fmt: skip
    entry_mark_duplicate(
        entry=third, original=duplicate, actor=original.owner, expected_version=third.version
    )
    assert Entry.objects.get(pk=third.pk).duplicate_of == original


def test_mark_refusals_say_why_and_write_nothing(world, client_for, pair):
    original, duplicate = pair
    client = client_for(original.owner)
    entry_mark_duplicate(
        entry=duplicate, original=original, actor=original.owner,
        expected_version=duplicate.version,
    )  # fmt: skip
    duplicate.refresh_from_db()
    before = written()
    cases = [
        (original, duplicate.number, "不能与自身关联"),  # its duplicate stands for itself
        (duplicate, original.number, "已是"),  # a duplicate already
    ]
    for entry, number, said in cases:
        response = client.post(mark_url(entry), {"number": number, "version": entry.version})
        assert response.status_code == HTTPStatus.BAD_REQUEST, said
        assert said in response.content.decode()
    third = make_entry(original.owner, informant=world.member_a, title="第三条")
    entry_mark_duplicate(
        entry=third, original=original, actor=original.owner, expected_version=third.version
    )
    before = written()
    fourth = make_entry(original.owner, informant=world.member_a, title="第四条")
    before = written()
    response = client.post(mark_url(original), {"number": fourth.number, "version": 99})
    assert response.status_code == HTTPStatus.CONFLICT  # a stale page first
    version = Entry.objects.get(pk=original.pk).version
    response = client.post(mark_url(original), {"number": fourth.number, "version": version})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "原始条目" in response.content.decode()  # it has duplicates of its own
    assert written() == before


def test_a_stale_page_cannot_unmark(world, client_for, pair):
    original, duplicate = pair
    entry_mark_duplicate(
        entry=duplicate, original=original, actor=original.owner,
        expected_version=duplicate.version,
    )  # fmt: skip
    stale = duplicate.version
    act(world, Entry.objects.get(pk=duplicate.pk), "start", duplicate.owner)
    before = written()
    response = client_for(duplicate.owner).post(unmark_url(duplicate), {"version": stale})
    assert response.status_code == HTTPStatus.CONFLICT
    assert written() == before


# --- the page ----------------------------------------------------------------------------------


def test_the_similar_entries_fragment_offers_alike_ones_to_the_linkers_only(
    world, client_for, pair
):
    first, _second = pair
    alike = make_entry(first.owner, informant=world.member_a, title="宿舍空调不制冷了")
    url = reverse("liaison:entry_link_similar", args=[first.pk])
    body = client_for(first.owner).get(url).content.decode()
    assert alike.number in body and first.number not in body
    reader = world.users[Role.GRASSROOTS_CADRE]
    assert client_for(reader).get(url).status_code == HTTPStatus.NOT_FOUND
    outsider = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    assert client_for(outsider).get(url).status_code == HTTPStatus.NOT_FOUND


def test_readers_see_the_section_without_its_forms(world, client_for, pair):
    first, second = pair
    entry_link(entry=first, other=second, actor=first.owner)
    page = client_for(world.users[Role.GRASSROOTS_CADRE]).get(first.get_absolute_url())
    body = page.content.decode()
    assert second.number in body and 'data-action="link"' not in body
    assert reverse("liaison:entry_link_remove", args=[first.pk, second.pk]) not in body


def test_a_linked_entry_the_user_cannot_see_is_left_out(world, client_for, pair):
    first, _second = pair
    outsider = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    elsewhere = make_entry(outsider, informant=world.member_b, title="供电所门前路灯不亮")
    entry_link(entry=first, other=elsewhere, actor=world.users[Role.PARTY_BUILDING])
    # (the timeline keeps what was done, with the number: history, not a way in)
    body = client_for(first.owner).get(first.get_absolute_url()).content.decode()
    assert 'data-testid="related-links"' not in body
    body = client_for(outsider).get(elsewhere.get_absolute_url()).content.decode()
    assert 'data-testid="related-links"' not in body


def _page_queries(client, entry, django_assert_num_queries, n):
    with django_assert_num_queries(n):
        assert client.get(entry.get_absolute_url()).status_code == HTTPStatus.OK


def test_the_entry_pages_query_count_does_not_grow_with_links_or_duplicates(
    world, client_for, django_assert_num_queries
):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = entry_in(world, S.RESOLVED)
    client = client_for(secretary)
    client.get(entry.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as bare:
        client.get(entry.get_absolute_url())

    def link_and_mark(i):
        other = make_entry(secretary, informant=world.special_a, title=f"相关{i}")
        entry_link(entry=entry, other=other, actor=secretary)
        duplicate = make_entry(secretary, informant=world.special_a, title=f"重复{i}")
        entry_mark_duplicate(
            entry=duplicate, original=entry, actor=secretary, expected_version=duplicate.version
        )

    link_and_mark(0)
    with CaptureQueriesContext(connection) as one:
        client.get(entry.get_absolute_url())
    # Once there are any: the linked entries in one query, the duplicates' ledgers and owners
    # in two (none of these for an entry without: most entries).
    assert len(one.captured_queries) == len(bare.captured_queries) + 3
    for i in range(1, 4):
        link_and_mark(i)
    # The same with four links and four duplicates (offered in the reply form too).
    _page_queries(client, entry, django_assert_num_queries, len(one.captured_queries))
    body = client.get(entry.get_absolute_url()).content.decode()
    assert body.count('name="duplicates"') == 4
