"""The top bar's search: entry numbers, names and words of a title, within the user's scope."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.constants import Role
from liaison.filters import text_lookup
from liaison.models import Entry
from liaison.selectors.search import SEARCH_LIMIT, search
from tests.fixtures.factories import make_entry, make_user

URL = reverse("liaison:search")


@pytest.fixture
def entries(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    other = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b, username="sj-b")
    return {
        "mine": make_entry(secretary, title="配电房屋顶漏雨"),
        "other": make_entry(other, title="配电房门锁损坏", informant=world.member_b),
    }


def test_words_of_a_title_find_the_entries_in_scope_only(world, entries):
    results = search(user=world.users[Role.BRANCH_SECRETARY], text="配电房")
    assert [e.pk for e in results.entries] == [entries["mine"].pk]
    everything = search(user=world.users[Role.PARTY_BUILDING], text="配电房")
    assert {e.pk for e in everything.entries} == {entries["mine"].pk, entries["other"].pk}


def test_a_whole_number_opens_its_entry_and_nothing_outside_scope(world, entries, client_for):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(URL, {"q": entries["mine"].number.lower()})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == entries["mine"].get_absolute_url()
    response = client.get(URL, {"q": entries["other"].number})
    assert response.status_code == HTTPStatus.OK
    assert entries["other"].title not in response.content.decode()


def test_names_of_people_and_units_are_found(world, client_for):
    body = client_for(world.users[Role.BRANCH_SECRETARY]).get(URL, {"q": "陈立"}).content.decode()
    assert world.special_a.get_absolute_url() in body
    body = client_for(world.users[Role.BRANCH_SECRETARY]).get(URL, {"q": "溪河"}).content.decode()
    assert world.team_a.name in body
    body = client_for(world.users[Role.BRANCH_SECRETARY]).get(URL, {"q": "城区供电"}).content
    assert world.team_b.name not in body.decode()  # another branch's station


@pytest.mark.parametrize("text", ["", "配", "x" * 500, "<script>alert(1)</script>"])
def test_short_long_or_odd_text_answers_200_and_escapes(world, client_for, text):
    response = client_for(world.users[Role.PARTY_MEMBER]).get(URL, {"q": text})
    assert response.status_code == HTTPStatus.OK
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_results_are_capped_and_the_queries_fixed(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    client = client_for(secretary)
    make_entry(secretary, title="树障清理0")
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"q": "树障"})
    for i in range(1, SEARCH_LIMIT + 5):
        make_entry(secretary, title=f"树障清理{i}")
    with CaptureQueriesContext(connection) as many:
        body = client.get(URL, {"q": "树障"}).content.decode()
    assert len(few) == len(many)
    assert body.count("树障清理") == SEARCH_LIMIT


def test_search_needs_a_login(client):
    response = client.get(URL, {"q": "配电"})
    assert response.status_code == HTTPStatus.FOUND and "login" in response["Location"]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_the_search_in_the_top_bar_and_home_no_second_one(world, client_for, role):
    body = client_for(world.users[role]).get(reverse("home")).content.decode()
    assert body.count('role="search"') == 1
    assert f'action="{URL}"' in body
    assert 'data-testid="top-search"' in body


@pytest.fixture
def worded(world):
    """Entries whose words the two- and three-character tests look for."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    return {
        "roof": make_entry(secretary, title="配电房屋顶漏雨", description="雨季前需修补"),
        "lock": make_entry(secretary, title="门锁损坏", description="变压器室门锁锈死"),
        "meter": make_entry(secretary, title="电表箱松动"),
    }


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("漏雨", {"roof"}),  # two characters: no trigram; the bigram index on PostgreSQL
        ("门锁", {"lock"}),
        ("屋顶漏", {"roof"}),  # three and more: the trigram index on PostgreSQL
        ("配电房屋顶", {"roof"}),
        ("雨门", set()),  # two characters that stand side by side in no one title
        ("电表箱坏", set()),
    ],
)
def test_the_top_bar_finds_two_and_three_character_chinese_words(world, worded, text, found):
    results = search(user=world.users[Role.BRANCH_SECRETARY], text=text)
    assert {e.pk for e in results.entries} == {worded[key].pk for key in found}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("修补", {"roof"}),  # two characters of a description
        ("锈死", {"lock"}),
        ("门锁", {"lock"}),  # in the title and the description: listed once
        ("变压器室", {"lock"}),
        ("补门", set()),  # the end of one entry's text and the start of another's
        ("修补 门锁", set()),
    ],
)
def test_the_ledger_search_finds_two_and_three_character_words_in_titles_and_descriptions(
    world, worded, client_for, text, found
):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(reverse("liaison:ledger_branch"), {"q": text})
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    for key, entry in worded.items():
        assert (entry.number in body) == (key in found), key


def test_a_two_character_search_across_fields_finds_nothing_it_should_not(world, worded):
    """Number, title and description are indexed together on PostgreSQL, joined by spaces; two
    characters that meet only across that seam are not a match."""
    roof = worded["roof"]
    seam = roof.title[-1] + roof.description[0]  # "雨雨": the title's end, the description's start
    assert seam not in roof.title and seam not in roof.description
    assert search(user=world.users[Role.BRANCH_SECRETARY], text=seam).entries == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("修补", {"roof"}),  # nothing to fold: compared as it is (contains), the same rows
        ("pt", {"meter"}),  # letters: still regardless of case (the title says "PT")
        ("Pt", {"meter"}),
        ("12", {"meter"}),
    ],
)
def test_a_two_character_search_ignores_case_where_the_text_has_one(
    world, worded, client_for, text, found
):
    Entry.objects.filter(pk=worded["meter"].pk).update(title="PT12电表箱")
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    body = client.get(reverse("liaison:ledger_branch"), {"q": text}).content.decode()
    for key, entry in worded.items():
        assert (entry.number in body) == (key in found), key
    assert text_lookup("修补") == "contains" and text_lookup("pt") == "icontains"
    assert text_lookup("修补门") == "icontains"  # three: the trigram index's upper-cased columns
