"""The home page's satisfaction card: those who read the dashboards see this month's
satisfaction of their scope beside last month's, read from the roll-ups in two queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.constants import RatingChannel, Satisfaction
from feedback.models import EntryMonthlyLevel
from feedback.periods import month_of
from feedback.selectors.home_panels import satisfaction_glance
from feedback.services.ratings import rating_record
from feedback.services.rollups import rollups_rebuild
from liaison.constants import EntryStatus, Level, Role
from liaison.selectors import work
from tests.fixtures.walks import entry_in

HOME = reverse("home")
MARCH_15 = dt.date(2026, 3, 15)
READERS = [
    Role.PARTY_BUILDING,
    Role.ADMINISTRATOR,
    Role.COMMITTEE_STAFF,
    Role.BRANCH_SECRETARY,
    Role.LEADERSHIP_CADRE,
]
NOT_READERS = [
    Role.OFFICE_CADRE,
    Role.GRASSROOTS_CADRE,
    Role.PARTY_MEMBER,
    Role.DEPARTMENT_HANDLER,
]


def seed(node, month: dt.date, level=Level.GRASSROOTS_BRANCH, **ratings: int) -> None:
    """A roll-up row of `node`'s subtree for `month` with these ratings (rated: their sum)."""
    counts = {f"rating_{value}": n for value, n in ratings.items()}
    EntryMonthlyLevel.objects.create(
        node=node, month=month, level=level, rated=sum(ratings.values()), **counts
    )


def test_the_glance_reads_this_month_and_last_of_the_users_subtree_from_the_roll_ups(world):
    march, february, january = dt.date(2026, 3, 1), dt.date(2026, 2, 1), dt.date(2026, 1, 1)
    committee = world.committee_a
    # March, two levels: 6 of 8 satisfied (basically satisfied counts by default): 75%.
    seed(committee, march, very_satisfied=3, satisfied=2, unsatisfied=1)
    seed(committee, march, Level.PARTY_MEMBER, basically_satisfied=1, unsatisfied=1)
    seed(committee, february, satisfied=4, unsatisfied=1)  # 80%
    seed(committee, january, unsatisfied=7)  # before last month: not shown
    seed(world.committee_b, march, unsatisfied=9)  # another committee
    seed(world.company, march, satisfied=20)  # the company above the committee
    seed(committee, dt.date(2026, 4, 1), satisfied=5)  # a month still ahead

    glance = satisfaction_glance(user=world.users[Role.COMMITTEE_STAFF], today=MARCH_15)

    assert glance.node == committee
    assert glance.current.month == march and glance.previous.month == february
    assert (glance.current.counts.rated, glance.current.counts.satisfied) == (8, 6)
    assert glance.current.counts.satisfaction_rate == pytest.approx(0.75)
    assert (glance.previous.counts.rated, glance.previous.counts.satisfied) == (5, 4)
    assert glance.previous.counts.satisfaction_rate == pytest.approx(0.80)
    assert glance.current.satisfaction_change == pytest.approx(-0.05)
    assert str(glance.period) == "2026-03"


def test_a_month_without_ratings_has_no_rate_and_no_change(world):
    seed(world.company, dt.date(2026, 2, 1), satisfied=2)
    glance = satisfaction_glance(user=world.users[Role.PARTY_BUILDING], today=MARCH_15)
    assert glance.node == world.company
    assert glance.current.counts.rated == 0 and glance.current.counts.satisfaction_rate is None
    assert glance.current.satisfaction_change is None
    assert glance.previous.counts.satisfaction_rate == 1.0


def test_a_rating_recorded_today_shows_in_this_months_figures_once_rolled_up(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    rating_record(
        entry=entry,
        value=Satisfaction.UNSATISFIED,
        comment="",
        channel=RatingChannel.RETURN_VISIT,
        actor=entry.owner,
        expected_version=entry.version,
    )
    rollups_rebuild()
    glance = satisfaction_glance(user=world.users[Role.BRANCH_SECRETARY])
    assert glance.node == world.branch_a
    assert glance.current.month == month_of(timezone.localdate())
    assert (glance.current.counts.rated, glance.current.counts.satisfaction_rate) == (1, 0.0)


@pytest.mark.parametrize("rows", [0, 40])
def test_the_glance_costs_two_queries_whatever_the_roll_ups_hold(
    world, rows, django_assert_num_queries
):
    """The node, then both months' figures in one query."""
    nodes = [world.company, world.committee_a, world.committee_b, world.branch_a, world.branch_b]
    months = [dt.date(2025, month, 1) for month in range(5, 13)]
    for n in range(rows):
        seed(nodes[n % len(nodes)], months[n // len(nodes)], satisfied=n + 1)
    leader = world.users[Role.LEADERSHIP_CADRE]
    leader = type(leader).objects.select_related("scope_org").get(pk=leader.pk)
    with django_assert_num_queries(2):
        satisfaction_glance(user=leader, today=dt.date(2025, 12, 4))


@pytest.mark.parametrize("role", READERS)
def test_dashboard_readers_see_the_satisfaction_of_their_scope_on_the_home_page(
    world, client_for, role
):
    user = world.users[role]
    this_month = month_of(timezone.localdate())
    seed(user.scope_org, this_month, satisfied=3, unsatisfied=1)  # 75% of 4
    other = world.committee_b if user.scope_org != world.committee_b else world.committee_a
    seed(other, this_month, unsatisfied=5)
    body = client_for(user).get(HOME).content.decode()
    assert 'data-testid="home-satisfaction"' in body
    assert "75.0%" in body and user.scope_org.name in body
    assert f"{reverse('feedback:dashboard')}?period={this_month:%Y-%m}" in body


@pytest.mark.parametrize("role", NOT_READERS)
def test_those_without_dashboards_see_no_satisfaction_card(world, client_for, role):
    body = client_for(world.users[role]).get(HOME).content.decode()
    assert 'data-testid="home-satisfaction"' not in body
    assert reverse("feedback:dashboard") not in body


def test_the_leadership_cadre_sees_this_month_beside_last_month(world, client_for):
    leader = world.users[Role.LEADERSHIP_CADRE]
    this_month = month_of(timezone.localdate())
    last_month = month_of(this_month - dt.timedelta(days=1))
    seed(world.committee_a, this_month, very_satisfied=9, unsatisfied=1)  # 90% of 10
    seed(world.committee_a, last_month, satisfied=4, unsatisfied=1)  # 80% of 5
    client = client_for(leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(HOME).content.decode()
    assert "90.0%" in body and "10 ratings" in body
    assert f"Last month ({last_month:%Y-%m}): 80.0% · 5 ratings" in body
    assert "+10.0 points on last month" in body


def test_the_card_adds_two_queries_to_the_home_page(
    world, client_for, monkeypatch, django_assert_num_queries
):
    leader = world.users[Role.LEADERSHIP_CADRE]
    this_month = month_of(timezone.localdate())
    seed(world.committee_a, this_month, satisfied=3)
    client = client_for(leader)
    with monkeypatch.context() as without:
        without.setattr(work, "_HOME_PANELS", [])
        with CaptureQueriesContext(connection) as bare:
            body = client.get(HOME).content.decode()
        assert 'data-testid="home-satisfaction"' not in body
    with django_assert_num_queries(len(bare) + 2):
        body = client.get(HOME).content.decode()
    assert 'data-testid="home-satisfaction"' in body


def test_a_scope_without_ratings_says_so_rather_than_showing_a_rate(world, client_for):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(HOME).content.decode()
    last_month = month_of(month_of(timezone.localdate()) - dt.timedelta(days=1))
    assert "No ratings yet this month." in body
    assert f"Last month ({last_month:%Y-%m}): no ratings" in body
    assert "points on last month" not in body
