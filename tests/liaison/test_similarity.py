"""One matter, one record (R11): character-bigram similarity, bounded candidates, scope."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from liaison.constants import EntryStatus, Role
from liaison.models import Entry
from liaison.selectors import similar
from liaison.selectors.similar import similar_entries
from liaison.similarity import SIMILARITY_THRESHOLD, bigrams, normalise, similarity, text_bigrams
from tests.fixtures.factories import PersonFactory, make_entry, make_user

# -- The text functions --------------------------------------------------------------------------


def test_bigrams_of_chinese_ignore_punctuation_spaces_and_case():
    assert bigrams("变压器，增容！") == {"变压", "压器", "器增", "增容"}
    assert bigrams(" 变压器 增容 ") == bigrams("变压器增容")
    assert bigrams("10KV线路") == bigrams("10kv 线路")
    assert normalise("“食堂”饮水。") == "食堂饮水"


def test_a_single_character_stands_for_itself_and_nothing_gives_nothing():
    assert bigrams("水") == {"水"}
    assert bigrams("，。！") == frozenset()
    assert similarity("", "变压器") == 0


def test_several_texts_are_not_joined_across_their_boundary():
    assert text_bigrams(["变压", "器"]) == {"变压", "器"}


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("变压器增容", "变压器增容", True),
        ("变压器增容", "变压器容量不足需要增容", True),
        ("溪河变电站员工业余生活枯燥", "溪河变电站员工业余生活单调", True),
        ("食堂饮水水质差", "变压器容量不足", False),
        ("供电所值班室被褥老旧", "供电线路计划停电", False),  # only 供电 in common
    ],
)
def test_similar_chinese_texts_pass_the_threshold_and_unrelated_ones_do_not(a, b, alike):
    assert (similarity(a, b) >= SIMILARITY_THRESHOLD) is alike
    assert similarity(a, b) == similarity(b, a)


def test_identical_texts_score_one():
    assert similarity("值班室被褥老旧", "值班室，被褥老旧。") == 1


# -- Earlier entries like a draft ----------------------------------------------------------------


@pytest.fixture
def secretary(world):
    return world.users[Role.BRANCH_SECRETARY]


def test_the_most_alike_visible_entries_come_first(world, secretary):
    close = make_entry(secretary, informant=world.customer_a, title="变压器容量不足需要增容")
    closer = make_entry(secretary, informant=world.customer_a, title="变压器增容")
    make_entry(secretary, informant=world.customer_a, title="食堂饮水水质差")
    found = similar_entries(
        user=secretary, title="变压器增容", people=[world.customer_a.pk], org=world.branch_a
    )
    assert [m.entry for m in found] == [closer, close]
    assert found[0].same_party


def test_the_same_party_is_preferred_at_equal_text(world, secretary):
    other_informant = PersonFactory(org=world.branch_a)
    elsewhere = make_entry(secretary, informant=other_informant, title="线路改造")
    same = make_entry(secretary, informant=world.special_a, title="线路改造")
    found = similar_entries(
        user=secretary, title="线路改造", people=[world.special_a.pk], org=world.branch_a
    )
    assert [m.entry for m in found] == [same, elsewhere]


def test_an_entry_the_user_cannot_see_is_never_shown(world, secretary):
    outsider = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    hidden = make_entry(outsider, informant=world.member_b, title="变压器增容")
    # Even named by its own party and org, an out-of-scope entry stays out.
    found = similar_entries(
        user=secretary, title="变压器增容", people=[world.member_b.pk], org=world.branch_b
    )
    assert hidden not in [m.entry for m in found]
    assert [m.entry for m in similar_entries(user=outsider, title="变压器增容",
                                             org=world.branch_b)] == [hidden]  # fmt: skip


def test_void_entries_and_duplicates_are_not_offered(world, secretary):
    original = make_entry(secretary, informant=world.customer_a, title="变压器增容")
    copy = make_entry(secretary, informant=world.customer_a, title="变压器增容")
    Entry.objects.filter(pk=copy.pk).update(duplicate_of=original)
    void = make_entry(secretary, informant=world.customer_a, title="变压器增容")
    Entry.objects.filter(pk=void.pk).update(status=EntryStatus.VOID, void_reason="重复录入")
    found = similar_entries(user=secretary, title="变压器增容", org=world.branch_a)
    assert [m.entry for m in found] == [original]


def test_a_draft_of_one_character_asks_nothing(world, secretary, django_assert_num_queries):
    make_entry(secretary, informant=world.customer_a, title="水")
    with django_assert_num_queries(0):
        assert similar_entries(user=secretary, title="水", org=world.branch_a) == []


def test_two_queries_whatever_the_number_of_entries(world, secretary, django_assert_num_queries):
    for _ in range(3):
        make_entry(secretary, informant=world.customer_a, title="变压器增容")
    with django_assert_num_queries(2):
        similar_entries(
            user=secretary, title="变压器增容", people=[world.customer_a.pk], org=world.branch_a
        )
    for _ in range(30):
        make_entry(secretary, informant=world.special_a, title="变压器增容")
    with django_assert_num_queries(2):
        similar_entries(
            user=secretary, title="变压器增容", people=[world.customer_a.pk], org=world.branch_a
        )


def test_candidates_are_bounded_to_the_most_recent_of_the_org(world, secretary, monkeypatch):
    """Only the RECENT_CANDIDATES newest entries of the ledger are compared (plus those about
    the same people): an older twin is not found by scanning the whole ledger."""
    oldest = make_entry(secretary, informant=world.special_a, title="变压器增容")
    newer = [make_entry(secretary, informant=world.special_a, title="变压器增容") for _ in range(4)]
    monkeypatch.setattr(similar, "RECENT_CANDIDATES", 4)
    found = {m.entry for m in similar_entries(user=secretary, title="变压器增容",
                                              org=world.branch_a, limit=10)}  # fmt: skip
    assert found == set(newer)
    assert oldest not in found
    # Named by its informant, the old one is a candidate again.
    found = {m.entry for m in similar_entries(user=secretary, title="变压器增容",
                                              people=[world.special_a.pk], limit=10)}  # fmt: skip
    assert oldest in found


# -- The endpoint the rows call while typing ----------------------------------------------------


def test_the_similar_fragment_lists_matches_with_a_same_matter_button(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    original = make_entry(secretary, informant=world.customer_a, title="变压器容量不足")
    outsider = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    hidden = make_entry(outsider, informant=world.member_b, title="变压器容量不足")
    response = client_for(secretary).get(
        reverse("liaison:entry_similar"),
        {
            "row": "entries-1",
            "entries-1-title": "变压器容量不足，需要增容",
            "entries-1-informant": "",
            "visited_party": f"{world.customer_a.code} {world.customer_a.name}",
            "org": world.branch_a.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert original.number in body
    assert f'data-same-matter="{original.pk}"' in body
    assert 'data-row="entries-1"' in body
    assert hidden.number not in body


def test_nothing_similar_gives_an_empty_fragment(world, client_for):
    response = client_for(world.users[Role.BRANCH_SECRETARY]).get(
        reverse("liaison:entry_similar"), {"row": "entries-0", "entries-0-title": "全新的事情"}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.content.decode().strip() == ""


@pytest.mark.parametrize("row", ["", "other-0", "entries-0-title", "entries-999"])
def test_the_similar_endpoint_refuses_a_bad_row(world, client_for, row):
    response = client_for(world.users[Role.BRANCH_SECRETARY]).get(
        reverse("liaison:entry_similar"), {"row": row}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_handler_gets_404_from_the_similar_endpoint(world, client_for):
    response = client_for(world.users[Role.DEPARTMENT_HANDLER]).get(
        reverse("liaison:entry_similar"), {"row": "entries-0", "entries-0-title": "变压器增容"}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
