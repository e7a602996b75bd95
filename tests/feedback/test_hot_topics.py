"""The hot-topic page (热点诉求): counts, trends and clusters worked out by hand on the small
ledger of tests/fixtures/matters.py; who may read it; what it costs."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from feedback.clusters import cluster_titles, count_alike
from liaison.constants import Role
from liaison.similarity import similarity
from tests.fixtures.matters import hand_dataset

PAGE = "/hot-topics/"
MARCH = {"month": "2026-03"}


@pytest.fixture
def hand(world):
    return hand_dataset(world)


def test_the_similarity_the_clusters_rest_on_worked_out_by_hand():
    # 充电桩报装慢: 充电 电桩 桩报 报装 装慢 (5); 充电桩报装太慢了: 充电 电桩 桩报 报装 装太 太慢
    # 慢了 (7); 4 shared: 2·4 / (5+7) = 0.667.
    assert similarity("充电桩报装慢", "充电桩报装太慢了") == pytest.approx(8 / 12)
    # 小区电压低 (4) and 小区路灯坏了 (5) share 小区 only: 2/9 = 0.222 — above the duplicate
    # hint's 0.2, below the clusters' 0.4: not one matter.
    assert similarity("小区电压低", "小区路灯坏了") == pytest.approx(2 / 9)


def test_clusters_join_the_representative_and_never_chain():
    titles = ["小区电压低", "小区电压偏低", "电压偏低路灯暗", "小区电压低"]
    clusters = cluster_titles(titles, threshold=0.4)
    # 小区电压低 (twice) is the representative; 小区电压偏低 is 0.667 alike it and joins;
    # 电压偏低路灯暗 is 0.5 alike 小区电压偏低 but 0.2 alike the representative: its own cluster
    # (single-link would have chained it in).
    assert [(c.seed, c.members) for c in clusters] == [(0, [0, 1, 3]), (2, [2])]
    # 路灯暗 (路灯 灯暗) shares both its bigrams with 电压偏低路灯暗 (6): 4/8 = 0.5.
    assert count_alike(clusters, ["小区电压偏低", "路灯暗", "小区电压低"], threshold=0.4) == [2, 1]


def test_the_department_sees_the_items_of_the_month_with_the_month_before_and_by_committee(
    hand, world, client_for
):
    response = client_for(world.users[Role.PARTY_BUILDING]).get(PAGE, MARCH)
    assert response.status_code == HTTPStatus.OK
    topics = response.context["topics"]
    # March: 10 recorded, #9 void → 9; February: #10–#13 → 4.
    assert (topics.total, topics.previous_total, topics.change) == (9, 4, 5)
    # X: #1 #2 #3 #8 #14 = 5 (February #10 = 1); Y: #4 #5 #6 #7 = 4 (February #11 #12 #13 = 3).
    # By committee: X: A #1 #2 #14 = 3, B #3 #8 = 2; Y: B #4 #6 #7 = 3, A #5 = 1.
    rows = [
        (row.name, row.count, row.previous, row.change, [(u.name, u.count) for u in row.units])
        for row in topics.items
    ]
    assert rows == [
        (hand.item_x.name, 5, 1, 4, [("运维检修党委", 3), ("营销服务党委", 2)]),
        (hand.item_y.name, 4, 3, 1, [("营销服务党委", 3), ("运维检修党委", 1)]),
    ]
    assert "充电桩报装太慢了" in response.content.decode()


def test_the_department_sees_the_clusters_with_their_units_and_trend(hand, world, client_for):
    topics = client_for(world.users[Role.PARTY_BUILDING]).get(PAGE, MARCH).context["topics"]
    # Wordings, most frequent first: 充电桩报装慢 (#1 #3) and 充电桩报装太慢了 (#2 #14) twice
    # each, the first seen leads; 充电桩报装进度慢 (#8) is 0.667 alike it and joins. 小区电压低 (#4)
    # founds a cluster that 小区电压偏低 (#5, 0.667) joins; 小区路灯坏了 (#6, 0.222) and
    # 食堂饮水水质差 (#7) stay alone and are not shown (a cluster is two or more).
    # February: 充电桩报装慢 (#10) reads like the first; 小区电压低 (#11 #12) like the second;
    # 路灯坏了 (#13) like neither.
    clusters = [
        (c.title, sorted(e.pk for e in c.entries), c.units, c.previous, c.change)
        for c in topics.clusters
    ]
    assert clusters == [
        ("充电桩报装慢", hand.ids(1, 2, 3, 8, 14), ["营销服务党委", "运维检修党委"], 1, 4),
        ("小区电压低", hand.ids(4, 5), ["营销服务党委", "运维检修党委"], 2, 0),
    ]
    assert (topics.clustered, topics.capped) == (9, False)


def test_a_committee_sees_only_its_subtree_by_branch(hand, world, client_for):
    topics = client_for(world.users[Role.COMMITTEE_STAFF]).get(PAGE, MARCH).context["topics"]
    assert topics.node == world.committee_a
    # Committee A in March: #1 #2 #14 (X, branch_a), #5 (Y, office branch); February: #10 (X),
    # #13 (Y).
    assert (topics.total, topics.previous_total) == (4, 2)
    rows = [(r.count, r.previous, [(u.name, u.count) for u in r.units]) for r in topics.items]
    assert rows == [(3, 1, [("变电运维党支部", 3)]), (1, 1, [("机关第一党支部", 1)])]
    # One cluster: 充电桩报装太慢了 (#2 #14) outnumbers 充电桩报装慢 (#1) here and leads it;
    # February's 充电桩报装慢 (#10) reads like it (0.667).
    assert [(c.title, c.size, c.previous, c.units) for c in topics.clusters] == [
        ("充电桩报装太慢了", 3, 1, ["变电运维党支部"])
    ]


def test_a_unit_below_narrows_the_page_and_one_outside_the_scope_is_404(hand, world, client_for):
    department = client_for(world.users[Role.PARTY_BUILDING])
    topics = department.get(PAGE, {**MARCH, "org": world.branch_b.pk}).context["topics"]
    assert topics.total == 5  # #3 #4 #6 #7 #8
    committee = client_for(world.users[Role.COMMITTEE_STAFF])
    response = committee.get(PAGE, {**MARCH, "org": world.committee_b.pk})
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "role",
    [
        Role.BRANCH_SECRETARY,
        Role.LEADERSHIP_CADRE,
        Role.OFFICE_CADRE,
        Role.GRASSROOTS_CADRE,
        Role.PARTY_MEMBER,
        Role.DEPARTMENT_HANDLER,
    ],
)
def test_other_roles_have_no_hot_topics(world, client_for, role):
    client = client_for(world.users[role])
    assert client.get(PAGE).status_code == HTTPStatus.NOT_FOUND
    assert client.get("/").status_code == HTTPStatus.OK
    assert 'href="/hot-topics/"' not in client.get("/").content.decode()


def test_the_menu_shows_hot_topics_to_the_department_and_committees(world, client_for):
    for role in (Role.PARTY_BUILDING, Role.COMMITTEE_STAFF):
        page = client_for(world.users[role]).get("/").content.decode()
        assert 'href="/hot-topics/"' in page


def test_without_a_month_the_page_shows_last_month(world, client_for, settings):
    import datetime as dt

    from django.utils import timezone

    topics = client_for(world.users[Role.PARTY_BUILDING]).get(PAGE).context["topics"]
    this_month = timezone.localdate().replace(day=1)
    assert topics.month == (this_month - dt.timedelta(days=1)).replace(day=1)


@pytest.mark.parametrize(
    "query, message",
    [({"month": "2026-13"}, "日期"), ({"month": "March"}, "日期"), ({"sort": "x"}, "未知参数")],
)
def test_a_bad_query_is_400_with_a_chinese_message(world, client_for, query, message):
    response = client_for(world.users[Role.PARTY_BUILDING]).get(
        PAGE, query, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()


def test_the_cap_is_applied_and_said(hand, world, client_for, settings):
    settings.HOT_TOPIC_MAX_ENTRIES = 3
    response = client_for(world.users[Role.PARTY_BUILDING]).get(PAGE, MARCH)
    topics = response.context["topics"]
    # The newest three of March, in recorded order: #7 #8 #14, each wording once, so the first
    # seen leads: 充电桩报装进度慢 (#8); 充电桩报装太慢了 (#14) shares 4 of 7 + 7 bigrams with it,
    # 8/14 = 0.571, and joins.
    assert (topics.clustered, topics.capped, topics.total) == (3, True, 9)
    assert [(c.title, c.size) for c in topics.clusters] == [("充电桩报装进度慢", 2)]
    assert 'data-testid="cluster-capped"' in response.content.decode()


@pytest.mark.parametrize("extra", [0, 30])
def test_the_page_costs_the_same_whatever_the_number_of_entries(
    hand, world, client_for, django_assert_num_queries, extra
):
    from tests.fixtures.matters import MARCH as FIRST
    from tests.fixtures.matters import ROWS

    for n in range(extra):  # more of the same month, in both committees
        day, unit, _item, title = ROWS[1 + n % 8]
        hand_entry = hand.entries[1]
        hand_entry.pk = None
        hand_entry.number = f"X-{n}"
        hand_entry.org = getattr(world, unit)
        hand_entry.title, hand_entry.recorded_on = title, FIRST.replace(day=day.day)
        hand_entry.save()
    client = client_for(world.users[Role.PARTY_BUILDING])
    client.get(PAGE, MARCH)  # warm the session
    # session, user, the menu's unread notifications; the node; the org choices; the units one
    # level down; the items of the two months; the top items by unit; the month's titles; the
    # month before's titles
    with django_assert_num_queries(10):
        client.get(PAGE, MARCH)
