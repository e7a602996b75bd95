"""Results of the reverse evaluation: the minimum sample (4 ratings hidden, 5 shown), the four
levels worked out by hand, no rater's identity anywhere, who may read what and when (every
role; 404 for the others), bad input, and fixed query counts.

The closed campaign of the fixture (minimum 5 ratings; 基本满意 counts as satisfied):

    ratee            level               answers                         result
    姜干部 (BO)      leadership          非常满意 ×2, 满意, 基本满意, 不满意   5: 4 satisfied, 80%
    变电运维党支部 BA grassroots branch   满意 ×2, 不满意 ×2               4: too few to show
    张党员 (GA)      party member        满意 ×3, 不满意 ×3               6: 3 satisfied, 50%
    城区供电所党支部 BB grassroots branch 非常满意 ×5                     5: 5 satisfied, 100%
    机关第一党支部 BO office branch      asked twice, not answered        0

The four levels (shown results only):

    leadership          1 shown, 0 hidden,  5 ratings,  4 satisfied, 80%
    office branch       0 shown, 0 hidden,  0 ratings,               —
    grassroots branch   1 shown, 1 hidden,  5 ratings,  5 satisfied, 100%  (BA's 4 left out)
    party member        1 shown, 0 hidden,  6 ratings,  3 satisfied, 50%
    total               3 shown, 1 hidden, 16 ratings, 12 satisfied, 75%
"""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from feedback.constants import CampaignStatus, Satisfaction
from feedback.models import EvaluationAnswer, EvaluationCampaign
from feedback.selectors.results import campaign_results, reverse_rates
from liaison.constants import Level, Role
from tests.fixtures.evaluations import assign, make_campaign, make_rater
from tests.fixtures.factories import PersonFactory

VS, S, BS, U = (
    Satisfaction.VERY_SATISFIED,
    Satisfaction.SATISFIED,
    Satisfaction.BASICALLY_SATISFIED,
    Satisfaction.UNSATISFIED,
)
RATER_NAMES = [f"评价人{n}号" for n in range(1, 9)]
READERS = [Role.PARTY_BUILDING, Role.ADMINISTRATOR, Role.COMMITTEE_STAFF, Role.BRANCH_SECRETARY]
OTHERS = [
    Role.LEADERSHIP_CADRE,
    Role.OFFICE_CADRE,
    Role.GRASSROOTS_CADRE,
    Role.PARTY_MEMBER,
    Role.DEPARTMENT_HANDLER,
]


def rate(raters, ratee, level, values, comments=()):
    """The first len(values) raters rate the ratee at the level, with optional comments."""
    for n, value in enumerate(values):
        assignment = assign(raters[n], ratee, level)
        comment = comments[n] if n < len(comments) else ""
        EvaluationAnswer.objects.create(assignment=assignment, value=value, comment=comment)


@pytest.fixture
def campaign(world):
    campaign = make_campaign(world, status=CampaignStatus.CLOSED)
    raters = [
        make_rater(campaign, person=PersonFactory(name=name, org=world.branch_a))[0]
        for name in RATER_NAMES
    ]
    rate(raters, world.cadre_person, Level.LEADERSHIP, [VS, VS, S, BS, U], ["经常来班组，很实在"])
    rate(raters, world.branch_a, Level.GRASSROOTS_BRANCH, [S, S, U, U], ["支部活动太少"])
    rate(raters, world.member_a, Level.PARTY_MEMBER, [S, S, S, U, U, U])
    rate(raters, world.branch_b, Level.GRASSROOTS_BRANCH, [VS] * 5)
    for rater in raters[6:8]:  # asked, never answered
        assign(rater, world.office_branch, Level.OFFICE_BRANCH)
    campaign.raters_ = raters
    return campaign


def results_url(campaign) -> str:
    return reverse("feedback:evaluations:results", args=[campaign.pk])


def rows_of(page: str) -> dict[str, str]:
    """Each ratee row's HTML, keyed "kind:pk"."""
    rows = re.findall(
        r'<tr data-testid="ratee-row" data-kind="(\w+)" data-pk="(\d+)"[^>]*>(.*?)</tr>',
        page,
        re.S,
    )
    return {f"{kind}:{pk}": html for kind, pk, html in rows}


def level_cells(page: str) -> dict[str, list[str]]:
    rows = re.findall(r'data-testid="level-row" data-level="(\w+)">(.*?)</tr>', page, re.S)
    return {level: re.findall(r"<td[^>]*>(.*?)</td>", html) for level, html in rows}


# --- the selector -------------------------------------------------------------------------------


def test_the_four_levels_by_hand(world, campaign):
    results = campaign_results(campaign=campaign, user=world.users[Role.PARTY_BUILDING])
    levels = {
        summary.level: (summary.ratees, summary.hidden, summary.ratings, summary.satisfied)
        for summary in results.levels
    }
    assert levels == {
        Level.LEADERSHIP: (1, 0, 5, 4),
        Level.OFFICE_BRANCH: (0, 0, 0, 0),
        Level.GRASSROOTS_BRANCH: (1, 1, 5, 5),  # BA's four ratings are left out
        Level.PARTY_MEMBER: (1, 0, 6, 3),
    }
    rates = {summary.level: summary.satisfaction_rate for summary in results.levels}
    assert rates == {
        Level.LEADERSHIP: 0.8,
        Level.OFFICE_BRANCH: None,
        Level.GRASSROOTS_BRANCH: 1.0,
        Level.PARTY_MEMBER: 0.5,
    }
    total = results.total
    assert (total.ratees, total.hidden, total.ratings, total.satisfied) == (3, 1, 16, 12)
    assert total.satisfaction_rate == 0.75  # 12 ÷ 16
    assert (total.assigned, total.answered) == (22, 20)  # 5 + 4 + 6 + 5 + 2 asked


def test_each_ratee_by_hand(world, campaign):
    results = campaign_results(campaign=campaign, user=world.users[Role.PARTY_BUILDING])
    rows = {row.key: row for row in results.rows}
    cadre = rows[("person", world.cadre_person.pk)]
    assert (cadre.count, cadre.satisfied, cadre.satisfaction_rate) == (5, 4, 0.8)
    assert [(s.value, s.count, s.share) for s in cadre.distribution] == [
        (VS, 2, 0.4),
        (S, 1, 0.2),
        (BS, 1, 0.2),
        (U, 1, 0.2),
    ]
    hidden = rows[("branch", world.branch_a.pk)]
    assert hidden.count == 4 and not hidden.shown
    assert (hidden.satisfied, hidden.satisfaction_rate, hidden.distribution) == (None, None, [])
    unanswered = rows[("branch", world.office_branch.pk)]
    assert (unanswered.assigned, unanswered.count, unanswered.shown) == (2, 0, False)
    # The order: by level, branches before people.
    assert [row.key for row in results.rows] == [
        ("person", world.cadre_person.pk),
        ("branch", world.office_branch.pk),
        ("branch", world.branch_a.pk),
        ("branch", world.branch_b.pk),
        ("person", world.member_a.pk),
    ]


def test_basically_satisfied_counts_only_with_the_setting(world, campaign, settings):
    settings.SATISFACTION_COUNTS_BASIC = False
    results = campaign_results(campaign=campaign, user=world.users[Role.PARTY_BUILDING])
    cadre = next(row for row in results.rows if row.key == ("person", world.cadre_person.pk))
    assert cadre.satisfaction_rate == 0.6  # 非常满意 ×2 + 满意 = 3 of 5


def test_the_minimum_sample_four_hidden_five_shown(world, campaign, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    row = rows_of(client.get(results_url(campaign)).text)[f"branch:{world.branch_a.pk}"]
    assert 'data-testid="too-few"' in row and 'data-testid="rate"' not in row
    assert 'data-testid="count">4<' in row
    assert "支部活动太少" not in client.get(results_url(campaign)).text  # nor its comment

    rate_fifth = campaign.raters_[4]
    answer = assign(rate_fifth, world.branch_a, Level.GRASSROOTS_BRANCH)
    EvaluationAnswer.objects.create(assignment=answer, value=VS)
    page = client.get(results_url(campaign)).text
    row = rows_of(page)[f"branch:{world.branch_a.pk}"]
    assert 'data-testid="count">5<' in row
    assert 'data-testid="rate">60.0%<' in row  # 满意 ×2 + 非常满意 = 3 of 5
    head = re.search(r'data-testid="ratees".*?<thead.*?</thead>', page, re.S).group(0)
    columns = re.findall(r"<th[^>]*>(.*?)</th>", head)
    assert columns[4:9] == ["满意率", *(str(label) for _v, label in Satisfaction.choices)]
    assert len(columns) == 10  # ratee, level, asked, answered, rate, four values, the bar
    shares = re.findall(r'data-testid="share" data-value="(\w+)">(\d+) ', row)
    assert shares == [
        ("very_satisfied", "1"),
        ("satisfied", "2"),
        ("basically_satisfied", "0"),
        ("unsatisfied", "2"),
    ]
    assert "支部活动太少" in page  # shown now, to the department, unattributed


def test_the_minimum_is_a_setting(world, campaign, settings, client_for):
    settings.EVALUATION_MIN_RATINGS = 7
    page = client_for(world.users[Role.PARTY_BUILDING]).get(results_url(campaign)).text
    assert 'data-testid="rate"' not in page  # 6 ratings at most: nothing shown
    assert "经常来班组" not in page


# --- no rater's identity ---------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_no_rater_is_named_anywhere(world, campaign, client_for, role):
    client = client_for(world.users[role])
    for url in (
        results_url(campaign),
        reverse("feedback:evaluations:results_list"),
        results_url(campaign) + "?level=party_member",
    ):
        page = client.get(url).text
        for name in RATER_NAMES:
            assert name not in page
        assert "/e/" not in page  # no rater's link either


def test_comments_are_for_the_department_unattributed_and_sorted(world, campaign, client_for):
    page = client_for(world.users[Role.PARTY_BUILDING]).get(results_url(campaign)).text
    row = rows_of(page)[f"person:{world.cadre_person.pk}"]
    assert 'data-testid="comments"' in row and "经常来班组，很实在" in row
    staff = client_for(world.users[Role.COMMITTEE_STAFF]).get(results_url(campaign)).text
    assert "经常来班组" not in staff and 'data-testid="comments"' not in staff


# --- who reads what, and when ------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS + OTHERS)
def test_results_by_role(world, campaign, client_for, role):
    client = client_for(world.users[role])
    expected = HTTPStatus.OK if role in READERS else HTTPStatus.NOT_FOUND
    assert client.get(results_url(campaign)).status_code == expected
    list_url = reverse("feedback:evaluations:results_list")
    assert client.get(list_url).status_code == expected


def test_results_need_a_login(client, campaign):
    response = client.get(results_url(campaign))
    assert response.status_code == HTTPStatus.FOUND and "login" in response["Location"]


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        (Role.PARTY_BUILDING, {"cadre", "branch_a", "member_a", "branch_b", "office_branch"}),
        (Role.ADMINISTRATOR, {"cadre", "branch_a", "member_a", "branch_b", "office_branch"}),
        (Role.COMMITTEE_STAFF, {"cadre", "branch_a", "member_a", "office_branch"}),  # KA
        (Role.BRANCH_SECRETARY, {"branch_a", "member_a"}),  # BA and its group
    ],
)
def test_each_reader_sees_the_ratees_of_their_subtree(world, campaign, client_for, role, seen):
    keys = {
        "cadre": f"person:{world.cadre_person.pk}",
        "branch_a": f"branch:{world.branch_a.pk}",
        "member_a": f"person:{world.member_a.pk}",
        "branch_b": f"branch:{world.branch_b.pk}",
        "office_branch": f"branch:{world.office_branch.pk}",
    }
    page = client_for(world.users[role]).get(results_url(campaign)).text
    assert set(rows_of(page)) == {keys[name] for name in seen}


def test_the_committees_levels_add_up_its_subtree_only(world, campaign, client_for):
    """KA: the cadre (5, 4 satisfied), BA hidden, the member (6, 3); not BB."""
    page = client_for(world.users[Role.COMMITTEE_STAFF]).get(results_url(campaign)).text
    cells = level_cells(page)
    assert cells[Level.LEADERSHIP][:4] == ["1", "0", "5", "4"]
    assert cells[Level.GRASSROOTS_BRANCH] == ["0", "1", "0", "0", "—"]
    assert cells[Level.PARTY_MEMBER][4] == "50.0%"
    total = re.search(r'data-testid="level-total">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td>(.*?)</td>", total) == ["2", "1", "11", "7", "63.6%"]  # 7 ÷ 11


def test_an_open_campaign_shows_the_department_progress_only(world, campaign, client_for):
    EvaluationCampaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.OPEN)
    for role in READERS + OTHERS:
        response = client_for(world.users[role]).get(results_url(campaign))
        if role in (Role.PARTY_BUILDING, Role.ADMINISTRATOR):
            assert response.status_code == HTTPStatus.OK
            page = response.text
            assert 'data-testid="results-open"' in page
            assert 'data-testid="rate"' not in page and "%" not in page.split("ratees")[1]
            assert "经常来班组" not in page  # no comments either
            row = rows_of(page)[f"person:{world.cadre_person.pk}"]
            assert 'data-testid="count">5<' in row
        else:
            assert response.status_code == HTTPStatus.NOT_FOUND, role


def test_a_draft_campaign_has_no_results(world, campaign, client_for):
    EvaluationCampaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.DRAFT, closes_on=None
    )
    for role in READERS:
        response = client_for(world.users[role]).get(results_url(campaign))
        assert response.status_code == HTTPStatus.NOT_FOUND
    listed = client_for(world.users[Role.PARTY_BUILDING]).get(
        reverse("feedback:evaluations:results_list")
    )
    assert 'data-testid="results-campaign"' not in listed.text


def test_a_missing_campaign_is_404(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(reverse("feedback:evaluations:results", args=[999]))
    assert response.status_code == HTTPStatus.NOT_FOUND


# --- bad input and the level filter -------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{"level": "president"}, {"page": "0"}, {"page": "x"}, {"page": "2"}, {"sort": "name"}],
)
def test_bad_input_is_400_with_a_message(world, campaign, client_for, params):
    response = client_for(world.users[Role.PARTY_BUILDING]).get(results_url(campaign), params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'data-testid="results-error"' in response.text


def test_the_level_filter_lists_one_level_and_keeps_the_four(world, campaign, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    page = client.get(results_url(campaign), {"level": Level.GRASSROOTS_BRANCH}).text
    assert set(rows_of(page)) == {f"branch:{world.branch_a.pk}", f"branch:{world.branch_b.pk}"}
    assert len(level_cells(page)) == 4


# --- the reverse rates the assessment takes -----------------------------------------------------


def test_reverse_rates_pool_shown_results_only(world, campaign):
    """The cadre also rated at the party-member level by two: too few, left out of the pool
    (else 5 + 2 minus the 5 shown would give the two away)."""
    for rater in campaign.raters_[5:7]:
        answer = assign(rater, world.cadre_person, Level.PARTY_MEMBER)
        EvaluationAnswer.objects.create(assignment=answer, value=U)
    rates = reverse_rates(campaign=campaign)
    cadre = rates[("person", world.cadre_person.pk)]
    assert (cadre.satisfied, cadre.count, cadre.rate) == (4, 5, 0.8)
    assert ("branch", world.branch_a.pk) not in rates  # hidden
    assert rates[("branch", world.branch_b.pk)].rate == 1.0


# --- cost -------------------------------------------------------------------------------------


def test_the_page_runs_a_fixed_number_of_queries(
    world, campaign, client_for, django_assert_num_queries
):
    client = client_for(world.users[Role.PARTY_BUILDING])
    # session, user, campaign, the grouped results, the branch of a party group's member, the
    # comments of the page, the bell's count
    with django_assert_num_queries(7):
        page = client.get(results_url(campaign)).text
    member = rows_of(page)[f"person:{world.member_a.pk}"]
    assert f"{world.group_a.name} · {world.branch_a.name}" in member
    for n in range(20):  # more ratees: the same queries
        person = PersonFactory(name=f"党员{n}", org=world.branch_b)
        rate(campaign.raters_, person, Level.PARTY_MEMBER, [S] * 5)
    with django_assert_num_queries(7):
        page = client.get(results_url(campaign)).text
    assert len(rows_of(page)) == 25
    staff = client_for(world.users[Role.COMMITTEE_STAFF])
    with django_assert_num_queries(7):  # no comments, but the user's scope node
        staff.get(results_url(campaign))
